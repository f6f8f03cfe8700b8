/**
 * Content-addressed media store: files named by their SHA-256 under `<dataDir>/media/ab/abcd…`.
 * Writes stream through a temporary file and a hash, then rename; nothing half-written is ever
 * visible under its final name. The renderer only ever sees the hash (an opaque id).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { ProviderError } from '../../shared/errors';
import type { MediaRef } from '../../shared/domain';
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

/** Chunks gathered before one write to disk: few, large writes. */
const WRITE_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * One file being written into the store: bytes are hashed as they arrive and written in large
 * batches to a temporary file; `restart` empties it (a server that cannot resume), `commit`
 * moves it under its hash, `discard` removes it. Nothing is visible under a final name before
 * commit.
 */
export class MediaWriter {
  private hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  /** Bytes on disk. */
  private position = 0;
  /** Bytes received so far. */
  bytes = 0;
  /** The batch being written (at most one at a time). */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: MediaStore,
    private readonly file: FileHandle,
    private readonly temp: string,
    private readonly maxBytes: number,
    private readonly provider: string,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.bytes + chunk.byteLength > this.maxBytes) {
      throw new ProviderError(
        'bad_output',
        `The video is larger than the ${this.maxBytes}-byte limit.`,
        { provider: this.provider },
      );
    }
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.hash.update(buffer);
    this.pending.push(buffer);
    this.pendingBytes += buffer.length;
    this.bytes += buffer.length;
    if (this.pendingBytes >= WRITE_BUFFER_BYTES) {
      // One batch is written while the next is received: wait only for the previous write.
      await this.writing;
      const writing = this.flush();
      // Its failure is reported by the next write or commit; not an unhandled rejection meanwhile.
      writing.catch(() => undefined);
      this.writing = writing;
    }
  }

  /** Forgets everything written (the next transfer starts from byte 0). */
  async restart(): Promise<void> {
    await this.settle();
    this.pending = [];
    this.pendingBytes = 0;
    this.bytes = 0;
    this.position = 0;
    this.hash = createHash('sha256');
    await this.file.truncate(0);
  }

  async commit(contentType: string): Promise<MediaRef> {
    await this.writing;
    await this.flush();
    this.closed = true;
    await this.file.close();
    const id = this.hash.digest('hex');
    const final = this.store.pathOf(id);
    mkdirSync(join(this.store.root, id.slice(0, 2)), { recursive: true });
    if (existsSync(final)) rmSync(this.temp, { force: true });
    else renameSync(this.temp, final);
    return { id, contentType, bytes: this.bytes };
  }

  async discard(): Promise<void> {
    await this.settle();
    if (!this.closed) {
      this.closed = true;
      await this.file.close().catch(() => undefined);
    }
    await rm(this.temp, { force: true });
  }

  /** Waits for the write in flight; its failure is dropped (the file is restarted or removed). */
  private async settle(): Promise<void> {
    await this.writing.catch(() => undefined);
    this.writing = Promise.resolve();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const length = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    await this.file.writev(buffers, this.position);
    this.position += length;
  }
}

export class MediaStore {
  readonly root: string;
  private readonly trackPatches = new Map<string, TrackPatches>();

  constructor(dataDir: string) {
    this.root = join(dataDir, 'media');
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

  /** A new file to write into the store (see MediaWriter). */
  async createWriter(options: { maxBytes?: number; provider?: string } = {}): Promise<MediaWriter> {
    const temp = join(this.root, 'tmp', `${Date.now()}-${randomBytes(6).toString('hex')}.part`);
    const file = await open(temp, 'w');
    return new MediaWriter(
      this,
      file,
      temp,
      options.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES,
      options.provider ?? 'media',
    );
  }

  /** Streams `body` into the store and returns its reference. */
  async put(body: ReadableStream<Uint8Array> | Readable, options: PutOptions): Promise<MediaRef> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES;
    const provider = options.provider ?? 'media';
    const temp = join(this.root, 'tmp', `${Date.now()}-${randomBytes(6).toString('hex')}.part`);
    const digest = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          callback(
            new ProviderError(
              'bad_output',
              `The video is larger than the ${maxBytes}-byte limit.`,
              { provider },
            ),
          );
          return;
        }
        digest.update(chunk);
        callback(null, chunk);
      },
    });
    const source =
      body instanceof Readable ? body : Readable.fromWeb(body as NodeWebReadableStream);
    try {
      await pipeline(
        source,
        meter,
        createWriteStream(temp),
        options.signal ? { signal: options.signal } : {},
      );
      if (options.expectedBytes !== undefined && bytes !== options.expectedBytes) {
        throw new ProviderError(
          'bad_output',
          `The download was cut short (${bytes} of ${options.expectedBytes} bytes).`,
          { provider, retryable: true },
        );
      }
      if (bytes === 0)
        throw new ProviderError('bad_output', 'The provider sent an empty file.', { provider });
      const id = digest.digest('hex');
      const final = this.pathOf(id);
      mkdirSync(join(this.root, id.slice(0, 2)), { recursive: true });
      if (existsSync(final)) rmSync(temp, { force: true });
      else renameSync(temp, final);
      return { id, contentType: options.contentType, bytes };
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }
}
