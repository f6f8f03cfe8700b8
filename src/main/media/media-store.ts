/**
 * Content-addressed media store: files named by their SHA-256 under `<dataDir>/media/ab/abcd…`.
 * Writes stream through a temporary file and a hash, then rename; nothing half-written is ever
 * visible under its final name. The renderer only ever sees the hash (an opaque id).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  statSync,
} from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { AppError, ProviderError } from '../../shared/errors';
import type { MediaRef } from '../../shared/domain';
import { isWhollyOwned, returnReceiveBuffer } from '../receive-buffers';
import { sharedSha256Worker, type Sha256Session, type Sha256Worker } from './sha256-worker';
import { patchStream, videoOnlyPatches, type TrackPatches } from './video-only';

const MEDIA_ID = /^[a-f0-9]{64}$/;
export const DEFAULT_MAX_MEDIA_BYTES = 512 * 1024 * 1024;
const TRACK_PATCH_CACHE = 1_000;

export interface PutOptions {
  contentType: string;
  /** Size the sender declared; a mismatch is a truncated download. */
  expectedBytes?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /** Provider name, for error messages. */
  provider?: string;
}

/**
 * The file calls the media writer makes, so that tests can make the disk fail (ENOSPC, EIO) in
 * the real code path; `nodeMediaFiles` is the real thing.
 */
export interface MediaFiles {
  /** Creates (or empties) `path` for writing. */
  open(path: string): Promise<MediaFile>;
}

export interface MediaFile {
  /** Writes the buffers at `position`; resolves with the bytes written (may be fewer). */
  writev(buffers: Buffer[], position: number): Promise<number>;
  /** Flushes the file's data to the disk (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Makes a rename into `folder` durable: the file's data was flushed before the rename, but the
 * folder's new entry is on the disk only once the folder itself is flushed, and the database
 * may record the video as stored before the system writes it. Not possible on Windows (a folder
 * cannot be opened for flushing there; NTFS journals the rename).
 */
export function syncDirectory(folder: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** syncDirectory on the thread pool: the main thread goes on meanwhile. */
export async function syncDirectoryAsync(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes a file that may be gone already (one unlink: `rm` looks first, then unlinks). */
async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
}

export const nodeMediaFiles: MediaFiles = {
  async open(path) {
    const handle = await open(path, 'w');
    return {
      writev: async (buffers, position) => (await handle.writev(buffers, position)).bytesWritten,
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
};

/** Bytes gathered before one write to disk: few, large writes. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;
/** Batches being written at once; the receiving side waits when all are busy (RSS stays flat). */
const WRITES_IN_FLIGHT = 2;
/**
 * Bytes after which the file is flushed to the disk (fsync) in the background while the rest is
 * still arriving, so the flush at commit only has the tail left to write. 8 MB: alternating with
 * 4, 16, 32 MB and no early flush in the same runs (200 MB over loopback, 2 cores, issue 15),
 * 4–8 MB were the fastest (no early flush: the whole file's ~290 ms flush came after the transfer).
 */
export const DEFAULT_EARLY_SYNC_BYTES = 8 * 1024 * 1024;
/**
 * A file whose bytes all fit in one batch of at most this size is hashed on the receiving thread
 * (about a millisecond at most); anything larger goes to the hashing worker.
 */
const LOCAL_HASH_BYTES = 1024 * 1024;
/** Written bytes that may wait for the hashing worker before the receiving side waits. */
const HASH_BACKLOG_BYTES = 16 * 1024 * 1024;

export interface MediaStoreOptions {
  /**
   * Bytes written between two background flushes of a file being written (see
   * DEFAULT_EARLY_SYNC_BYTES); 0 = flush only at commit. The file is flushed completely at commit
   * either way: this changes when the disk works, never what is durable when a video is stored.
   */
  earlySyncBytes?: number;
}

const DISK_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on the disk (ENOSPC)',
  EDQUOT: 'the disk quota is used up (EDQUOT)',
  EIO: 'the disk reported an input/output error (EIO)',
  EROFS: 'the disk is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'permission denied (EPERM)',
  EFBIG: 'the file is too large for the disk (EFBIG)',
  ENOENT: 'the folder is gone (ENOENT)',
};

/** What a failed file call says about the disk, in words and without a path ("no space left…"). */
export function diskProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string'
    ? (DISK_PROBLEMS[code] ?? `the disk refused the write (${code})`)
    : 'the disk accepted none of the bytes written';
}

/**
 * The console's own disk failed while a file was written into the media store. Retryable: the
 * file was not lost at its source, and a later attempt starts over from byte 0. The message names
 * the problem, never a path (it reaches the renderer); `folder` says where, for the log.
 */
export class MediaStorageError extends AppError {
  readonly folder: string;
  constructor(error: unknown, folder: string) {
    super(
      'storage_failed',
      `Writing the video to the media folder failed: ${diskProblem(error)}.`,
      {
        retryable: true,
        cause: error,
      },
    );
    this.name = 'MediaStorageError';
    this.folder = folder;
  }
}

/** A batch sent to the disk; handed to the hashing worker once written, in order. */
interface Batch {
  buffers: Buffer[];
  /** Per buffer: the caller gave its memory away (see `write`). */
  given: boolean[];
  written: boolean;
}

/**
 * One file being written into the store: bytes are written in large batches, at their position,
 * to a temporary file (two batches on their way to disk while the next is received), and each
 * batch, once written, is hashed (SHA-256) in a worker thread, in order, so the receiving thread
 * does neither; `commit` flushes the file to the disk (fsync) and moves it under its hash,
 * `restart` starts a new empty file, `discard` removes it. Nothing is visible under a final name
 * before commit. A failed write (ENOSPC, EIO, a failed flush) makes every later write and the
 * commit throw a MediaStorageError: the file is then unusable until `restart`, which replaces
 * it, so a retry never builds on bytes the disk did not take.
 */
export class MediaWriter {
  /** The worker's session for this file, opened when its first batch is hashed (see hashWritten). */
  private hash: Sha256Session | undefined;
  /** The digest, when the whole file was one small batch hashed on this thread. */
  private localDigest: string | undefined;
  /** commit() has sent the last batch. */
  private finishing = false;
  private batch: Buffer[] = [];
  private batchGiven: boolean[] = [];
  /** Batches dispatched and not yet handed to the hashing worker, in file order. */
  private unhashed: Batch[] = [];
  private batchBytes = 0;
  /** Where the next batch goes: bytes handed to the disk so far. */
  private dispatched = 0;
  private readonly writing = new Set<Promise<void>>();
  /** The background flush in flight (see EARLY_SYNC_BYTES), and how far the last one started. */
  private syncing: Promise<void> | undefined;
  private syncStartedAt = 0;
  private failure: { error: unknown } | undefined;
  private closed = false;
  /** Bytes received so far. */
  bytes = 0;

  constructor(
    private readonly store: MediaStore,
    private file: MediaFile,
    private temp: string,
    private readonly maxBytes: number,
    private readonly provider: string,
  ) {}

  /** The folder the temporary file is in (for the log; never shown to the renderer). */
  get folder(): string {
    return join(this.store.root, 'tmp');
  }

  /** A write failed: nothing more can be added to this file before `restart`. */
  get failed(): boolean {
    return this.failure !== undefined || this.hash?.failure !== undefined;
  }

  /**
   * Adds bytes. Returns a promise only when the caller must wait (the disk or the hash is
   * behind); the chunk is not copied, so the caller must not reuse its memory. With `give`, the
   * caller gives the chunk's memory away (a buffer nobody else holds, such as a socket read):
   * once written, a chunk that spans its whole ArrayBuffer, or whose reader said it owns all of
   * it (receive-buffers.ts markWhollyOwned), is moved to the hashing worker (no copy) and is then
   * empty here. Other chunks are copied for the worker.
   */
  write(chunk: Uint8Array, options: { give?: boolean } = {}): Promise<void> | undefined {
    this.throwIfFailed();
    if (this.bytes + chunk.byteLength > this.maxBytes) {
      throw new ProviderError(
        'bad_output',
        `The video is larger than the ${this.maxBytes}-byte limit.`,
        { provider: this.provider },
      );
    }
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.batch.push(buffer);
    this.batchGiven.push(options.give === true);
    this.batchBytes += buffer.length;
    this.bytes += buffer.length;
    // Too large to hash here at commit: the worker starts now, while the rest arrives.
    if (
      !this.hash &&
      this.bytes > LOCAL_HASH_BYTES &&
      this.bytes - buffer.length <= LOCAL_HASH_BYTES
    )
      this.store.hashes.warm();
    if (this.batchBytes < WRITE_BATCH_BYTES) return undefined;
    this.dispatch();
    return this.writing.size >= WRITES_IN_FLIGHT || (this.hash?.pending ?? 0) > HASH_BACKLOG_BYTES
      ? this.waitForRoom()
      : undefined;
  }

  /** Forgets everything written and continues in a new, empty temporary file. */
  async restart(): Promise<void> {
    await this.closeFile();
    await rm(this.temp, { force: true }).catch(() => undefined);
    this.hash?.close();
    this.hash = undefined;
    this.localDigest = undefined;
    this.finishing = false;
    this.unhashed = [];
    this.batch = [];
    this.batchGiven = [];
    this.batchBytes = 0;
    this.dispatched = 0;
    this.syncStartedAt = 0;
    this.bytes = 0;
    this.failure = undefined;
    try {
      ({ temp: this.temp, file: this.file } = await this.store.openTemp());
    } catch (error) {
      this.failure = { error };
      throw new MediaStorageError(error, this.folder);
    }
    this.closed = false;
  }

  async commit(contentType: string): Promise<MediaRef> {
    this.throwIfFailed();
    this.finishing = true;
    this.dispatch();
    await Promise.all(this.writing);
    await this.syncing;
    this.throwIfFailed();
    // Every batch is written, so every byte is with the hashing worker: it finishes while the
    // file is flushed. (A small file was hashed here, or, empty, not at all.)
    const digest = this.hash
      ? this.hash.digest()
      : Promise.resolve(this.localDigest ?? createHash('sha256').digest('hex'));
    digest.catch(() => undefined);
    try {
      await this.file.sync();
      this.closed = true;
      await this.file.close();
    } catch (error) {
      this.failure = { error };
      throw new MediaStorageError(error, this.folder);
    }
    let id: string;
    try {
      id = await digest;
    } catch (error) {
      this.failure = { error };
      throw this.storageError();
    }
    try {
      await this.store.place(this.temp, id);
    } catch (error) {
      this.failure = { error };
      throw new MediaStorageError(error, this.folder);
    }
    return { id, contentType, bytes: this.bytes };
  }

  /** Removes the temporary file; never throws (a failing disk must not hide the first error). */
  async discard(): Promise<void> {
    await this.closeFile();
    this.hash?.close();
    await rm(this.temp, { force: true }).catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failed) throw this.storageError();
  }

  /** The first failure, as the error to throw: the disk's (named), or the hashing worker's. */
  private storageError(): AppError {
    const error = this.failure?.error ?? this.hash?.failure;
    if (AppError.isInstance(error) && error.code === 'storage_failed') return error;
    return new MediaStorageError(error, this.folder);
  }

  /** Waits for the writes in flight (their failures are kept in `failure`) and closes the file. */
  private async closeFile(): Promise<void> {
    await Promise.all(this.writing);
    await this.syncing;
    if (!this.closed) {
      this.closed = true;
      await this.file.close().catch(() => undefined);
    }
  }

  private async waitForRoom(): Promise<void> {
    while (this.writing.size >= WRITES_IN_FLIGHT) await Promise.race(this.writing);
    this.throwIfFailed();
    await this.hash?.below(HASH_BACKLOG_BYTES);
  }

  /** Sends the gathered batch to the disk, at its position. */
  private dispatch(): void {
    if (this.batchBytes === 0) return;
    const batch: Batch = { buffers: this.batch, given: this.batchGiven, written: false };
    const position = this.dispatched;
    this.dispatched += this.batchBytes;
    this.batch = [];
    this.batchGiven = [];
    this.batchBytes = 0;
    this.unhashed.push(batch);
    const unhashed = this.unhashed;
    const file = this.file;
    const writing: Promise<void> = writeFully(file, batch.buffers, position)
      .then(
        () => {
          batch.written = true;
          this.hashWritten(unhashed);
          this.syncEarly(file);
        },
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => this.writing.delete(writing));
    this.writing.add(writing);
  }

  /**
   * Hands the written batches at the head of `unhashed` to the hashing worker, in file order
   * (the writes may finish out of order). Given chunks that span their whole ArrayBuffer move
   * to the worker; the others are copied, consecutive ones into one buffer.
   */
  private hashWritten(unhashed: Batch[]): void {
    if (unhashed !== this.unhashed) return; // restarted since: the new file has its own hash
    while (unhashed[0]?.written) {
      const batch = unhashed.shift() as Batch;
      if (!this.hash && this.finishing && unhashed.length === 0) {
        const bytes = batch.buffers.reduce((sum, buffer) => sum + buffer.length, 0);
        if (bytes <= LOCAL_HASH_BYTES) {
          this.localDigest = hashHere(batch);
          return;
        }
      }
      const hash = (this.hash ??= this.store.hashes.open());
      const chunks: Uint8Array[] = [];
      const transfer: ArrayBuffer[] = [];
      const moved = new Set<ArrayBufferLike>();
      let copies: Buffer[] = [];
      const copyPending = (): void => {
        if (copies.length === 0) return;
        // A buffer of its own (never Node's shared pool), so it can move to the worker.
        const own = new Uint8Array(copies.reduce((sum, copy) => sum + copy.length, 0));
        let at = 0;
        for (const copy of copies) {
          own.set(copy, at);
          at += copy.length;
        }
        chunks.push(own);
        transfer.push(own.buffer);
        copies = [];
      };
      batch.buffers.forEach((buffer, index) => {
        if (ownMemory(buffer, batch.given[index] === true) && !moved.has(buffer.buffer)) {
          copyPending();
          moved.add(buffer.buffer);
          chunks.push(buffer);
          transfer.push(buffer.buffer);
        } else copies.push(buffer);
      });
      copyPending();
      hash.update(chunks, transfer);
    }
  }

  /**
   * Starts a background flush (on libuv's pool: the receiving side never waits for it) once
   * `earlySyncBytes` more have been written, one at a time. A failed one fails the file like a
   * failed write: the next write or the commit throws a MediaStorageError.
   */
  private syncEarly(file: MediaFile): void {
    if (this.syncing || this.failure || file !== this.file) return;
    const every = this.store.earlySyncBytes;
    if (every <= 0 || this.dispatched - this.syncStartedAt < every) return;
    this.syncStartedAt = this.dispatched;
    this.syncing = file
      .sync()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.syncing = undefined;
      });
  }
}

/**
 * The SHA-256 of a whole file that is one small batch, on this thread: cheaper than the worker's
 * messages for it (1,000 small videos of a benchmark: ~0.3 ms of the main thread and ~0.3 ms of
 * the worker's each, against ~0.1 ms to hash 150 KB here). Given receive buffers go back to the
 * pool, as the worker's hashed ones do.
 */
function hashHere(batch: Batch): string {
  const hash = createHash('sha256');
  batch.buffers.forEach((buffer, index) => {
    hash.update(buffer);
    if (ownMemory(buffer, batch.given[index] === true)) returnReceiveBuffer(buffer.buffer);
  });
  return hash.digest('hex');
}

/**
 * A chunk whose whole ArrayBuffer the writer may hand on (to the hashing worker, or back to the
 * receive buffers): its memory was given, and it spans the buffer or its reader vouched for all
 * of it (receive-buffers.ts markWhollyOwned).
 */
function ownMemory(buffer: Buffer, given: boolean): buffer is Buffer & { buffer: ArrayBuffer } {
  return (
    given &&
    buffer.buffer instanceof ArrayBuffer &&
    ((buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) ||
      isWhollyOwned(buffer))
  );
}

/** Writes every byte of `buffers` at `position`: a short write (a nearly full disk) continues. */
async function writeFully(file: MediaFile, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const written = await file.writev(rest, at);
    if (written <= 0) throw new Error('the disk accepted none of the bytes written');
    at += written;
    let skip = written;
    let index = 0;
    while (index < rest.length && skip >= (rest[index] as Buffer).length) {
      skip -= (rest[index] as Buffer).length;
      index += 1;
    }
    rest = rest.slice(index);
    if (skip > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(skip);
  }
}

export class MediaStore {
  readonly root: string;
  /** See MediaStoreOptions.earlySyncBytes. */
  readonly earlySyncBytes: number;
  private readonly trackPatches = new Map<string, TrackPatches>();
  /** Temporary names: this store's random part, then a count (no random bytes per file). */
  private readonly tempPrefix = randomBytes(6).toString('hex');
  private tempCount = 0;
  /** The hash folders (`ab/`) this store has made or found: not made again for every file. */
  private readonly folders = new Set<string>();
  /** Files being moved under their hash now, by final path (see place). */
  private readonly placing = new Map<string, Promise<void>>();

  constructor(
    dataDir: string,
    readonly files: MediaFiles = nodeMediaFiles,
    /** Computes the SHA-256 of written files off the main thread (see sha256-worker.ts). */
    readonly hashes: Sha256Worker = sharedSha256Worker(),
    options: MediaStoreOptions = {},
  ) {
    this.root = join(dataDir, 'media');
    this.earlySyncBytes = options.earlySyncBytes ?? DEFAULT_EARLY_SYNC_BYTES;
    mkdirSync(join(this.root, 'tmp'), { recursive: true });
  }

  static isMediaId(id: string): boolean {
    return MEDIA_ID.test(id);
  }

  pathOf(id: string): string {
    if (!MEDIA_ID.test(id)) throw new Error('not a media id');
    return join(this.root, id.slice(0, 2), id);
  }

  has(id: string): boolean {
    return MEDIA_ID.test(id) && existsSync(this.pathOf(id));
  }

  size(id: string): number {
    return statSync(this.pathOf(id)).size;
  }

  /**
   * The stored bytes (or a range of them). `videoOnly` hides the non-video tracks for players
   * that are always muted; see video-only.ts.
   */
  openRead(
    id: string,
    range?: { start: number; end: number },
    options: { videoOnly?: boolean } = {},
  ): Readable {
    const file = createReadStream(this.pathOf(id), range);
    const patches = options.videoOnly ? this.videoOnlyPatches(id) : [];
    if (patches.length === 0) return file;
    const patched = patchStream(range?.start ?? 0, patches);
    file.on('error', (error) => patched.destroy(error));
    patched.on('close', () => file.destroy());
    return file.pipe(patched);
  }

  /** Where the video-only view differs from the file; cached, since the content never changes. */
  videoOnlyPatches(id: string): TrackPatches {
    let patches = this.trackPatches.get(id);
    if (!patches) {
      patches = videoOnlyPatches(this.pathOf(id), this.size(id));
      if (this.trackPatches.size >= TRACK_PATCH_CACHE) {
        const oldest = this.trackPatches.keys().next().value;
        if (oldest !== undefined) this.trackPatches.delete(oldest);
      }
      this.trackPatches.set(id, patches);
    }
    return patches;
  }

  /**
   * A new, empty temporary file under a fresh name. The folder is made again if something
   * removed it (a cleanup tool, an admin): otherwise every retry of a paid video's download
   * would fail on it until the vendor's URL expires. Throws the file layer's error as it is.
   */
  async openTemp(): Promise<{ temp: string; file: MediaFile }> {
    this.tempCount += 1;
    const temp = join(this.root, 'tmp', `${Date.now()}-${this.tempPrefix}-${this.tempCount}.part`);
    const file = await this.files.open(temp).catch(async (error: unknown) => {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      await mkdir(join(this.root, 'tmp'), { recursive: true });
      return this.files.open(temp);
    });
    return { temp, file };
  }

  /**
   * Moves a complete, flushed file under its hash (or drops it when those bytes are stored
   * already) and makes the move durable, without blocking the main thread on the disk: the
   * console's one thread serves every window meanwhile, and a benchmark stores hundreds of
   * videos. When two files of the same bytes arrive together, the second waits for the first's
   * folder flush before it reports its video stored.
   */
  async place(temp: string, id: string): Promise<void> {
    const final = this.pathOf(id);
    const placing = this.placing.get(final);
    if (placing) {
      await placing.catch(() => undefined);
      if (await exists(final)) {
        await removeFile(temp);
        return;
      }
    }
    const folder = dirname(final);
    const move = (async () => {
      if (!this.folders.has(folder)) {
        await mkdir(folder, { recursive: true });
        this.folders.add(folder);
      }
      if (await exists(final)) {
        await removeFile(temp);
        return;
      }
      try {
        await rename(temp, final).catch(async (error: unknown) => {
          // The folder was removed since this store made it (a cleanup tool): made again.
          if ((error as { code?: string }).code !== 'ENOENT' || !(await exists(temp))) throw error;
          await mkdir(folder, { recursive: true });
          await rename(temp, final);
        });
      } catch (error) {
        // Stored meanwhile by another process (on Windows a rename onto a file fails while that
        // file is open elsewhere, being played): the bytes are there already.
        if (!(await exists(final))) throw error;
        await removeFile(temp);
        return;
      }
      await syncDirectoryAsync(folder);
    })();
    this.placing.set(final, move);
    try {
      await move;
    } finally {
      if (this.placing.get(final) === move) this.placing.delete(final);
    }
  }

  /** A new file to write into the store (see MediaWriter). */
  async createWriter(options: { maxBytes?: number; provider?: string } = {}): Promise<MediaWriter> {
    let temp: string;
    let file: MediaFile;
    try {
      ({ temp, file } = await this.openTemp());
    } catch (error) {
      throw new MediaStorageError(error, join(this.root, 'tmp'));
    }
    try {
      return new MediaWriter(
        this,
        file,
        temp,
        options.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES,
        options.provider ?? 'media',
      );
    } catch (error) {
      // Nothing may be left open or behind when the writer cannot be made.
      await file.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Streams `body` into the store and returns its reference: a thin wrapper over the writer the
   * downloads use (createWriter), so there is one write path (the store's file layer, fsync
   * before the rename, the folder flushed after it). Anything that fails removes the temporary
   * file: nothing is left behind.
   */
  async put(body: ReadableStream<Uint8Array> | Readable, options: PutOptions): Promise<MediaRef> {
    const provider = options.provider ?? 'media';
    options.signal?.throwIfAborted();
    const source =
      body instanceof Readable ? body : Readable.fromWeb(body as NodeWebReadableStream);
    if (options.signal) addAbortSignal(options.signal, source);
    let writer: MediaWriter;
    try {
      writer = await this.createWriter({
        provider,
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      });
    } catch (error) {
      source.destroy(); // the body is not left open (an HTTP response would hold its socket)
      throw error;
    }
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
        const wait = writer.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (wait) await wait;
      }
      if (options.expectedBytes !== undefined && writer.bytes !== options.expectedBytes) {
        throw new ProviderError(
          'bad_output',
          `The download was cut short (${writer.bytes} of ${options.expectedBytes} bytes).`,
          { provider, retryable: true },
        );
      }
      if (writer.bytes === 0)
        throw new ProviderError('bad_output', 'The provider sent an empty file.', { provider });
      return await writer.commit(options.contentType);
    } catch (error) {
      source.destroy();
      await writer.discard();
      throw error;
    }
  }
}
