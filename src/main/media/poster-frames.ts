/**
 * Poster frames: one small JPEG per stored video, for the results list. ffmpeg makes it on the
 * first request and it is cached beside the media store, under `<media root>/posters/ab/<id>.jpg`.
 * A media id is the video's SHA-256, so a cached poster can never belong to other bytes and never
 * goes stale.
 *
 * ffmpeg writes into `posters/tmp/`; the file is checked (a JPEG, not empty), flushed to the disk
 * (fsync) and only then renamed to its final name (the folder flushed after), so a failed, killed
 * or timed-out run or a power cut leaves nothing half-written behind. The same id asked twice at
 * once runs ffmpeg once, at most `concurrency` ffmpeg processes run at a time, and a video ffmpeg
 * could not read is remembered for a while (FAILURE_TTL_MS) so it is not retried on every
 * request, but forgotten once that time is up or the stored file changes.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readSync,
  renameSync,
  statSync,
} from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { diskProblem, MediaStore, syncDirectory } from './media-store';
import { firstErrorLine, runTool } from './run-tool';

/** Largest side of a poster, in pixels (twice the results list's slot, for sharp HiDPI). */
export const POSTER_MAX_SIDE = 192;
/** Where the poster is taken, in seconds from the start (earlier when the video is shorter). */
const POSTER_AT_SECONDS = 1;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_CONCURRENCY = 2;
/** Failures kept in memory at most (oldest dropped first). */
const FAILURE_MEMORY = 1_000;
/** How long a video ffmpeg could not read is not tried again (unless its file changes), ms. */
export const FAILURE_TTL_MS = 10 * 60_000;

export interface PosterFrameOptions {
  media: MediaStore;
  /** The ffmpeg executable (AIDEON_FFMPEG or `ffmpeg`). */
  ffmpegPath: string;
  /** Kill ffmpeg and fail after this many ms; default 20 s. */
  timeoutMs?: number;
  /** ffmpeg processes at once; default 2. */
  concurrency?: number;
  /** The clock, ms since the epoch (how long a failure is remembered); default Date.now. */
  now?: () => number;
  /** Flushes a written file's data to the disk (fsync); the real one by default (tests fail it). */
  syncFile?: (path: string) => Promise<void>;
}

/** A failure to remember: when, and which file it was (size, inode, modification time). */
interface Failure {
  error: AppError;
  at: number;
  file: string;
}

/** Flushes the file at `path` to the disk. */
async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Which file is stored now: changes when it is replaced or rewritten. */
function fileIdentity(path: string): string {
  try {
    const info = statSync(path);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

export class PosterFrames {
  readonly root: string;
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly failures = new Map<string, Failure>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: PosterFrameOptions) {
    this.root = join(options.media.root, 'posters');
  }

  /** Where the poster of media `id` is (or will be) cached. */
  pathOf(id: string): string {
    if (!MediaStore.isMediaId(id)) throw new Error('not a media id');
    return join(this.root, id.slice(0, 2), `${id}.jpg`);
  }

  /** Whether the poster of `id` is already on disk. */
  isCached(id: string): boolean {
    return MediaStore.isMediaId(id) && existsSync(this.pathOf(id));
  }

  /**
   * The path of the poster of media `id`, made with ffmpeg on the first call. Fails with
   * `not_found` (no such video), `provider_unavailable` (no ffmpeg), `bad_output` (ffmpeg could
   * not read the video) or `timeout`.
   */
  async get(id: string): Promise<string> {
    if (!MediaStore.isMediaId(id) || !this.options.media.has(id)) {
      throw new AppError('not_found', `There is no stored video with id "${shortId(id)}".`);
    }
    const path = this.pathOf(id);
    if (existsSync(path)) return path;
    const failure = this.failures.get(id);
    if (failure) {
      if (
        this.now() - failure.at < FAILURE_TTL_MS &&
        fileIdentity(this.options.media.pathOf(id)) === failure.file
      )
        throw failure.error;
      this.failures.delete(id);
    }
    let making = this.inFlight.get(id);
    if (!making) {
      making = this.withSlot(() => this.make(id, path)).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, making);
    }
    return making;
  }

  /** The poster's bytes (see `get`). */
  async read(id: string): Promise<Buffer> {
    return readFile(await this.get(id));
  }

  private async make(id: string, path: string): Promise<string> {
    if (existsSync(path)) return path;
    const tmpDir = join(this.root, 'tmp');
    mkdirSync(tmpDir, { recursive: true });
    const temp = join(tmpDir, `${id}-${randomBytes(6).toString('hex')}.part`);
    try {
      // A video shorter than the seek point gives no frame there: take its first frame instead.
      if (!(await this.extract(id, POSTER_AT_SECONDS, temp))) {
        if (!(await this.extract(id, 0, temp))) {
          throw this.remember(
            id,
            new AppError(
              'bad_output',
              `No poster frame for video "${shortId(id)}": ffmpeg found no picture in it.`,
            ),
          );
        }
      }
      try {
        await (this.options.syncFile ?? fsyncFile)(temp);
      } catch (error) {
        // The disk's fault, not the video's: not remembered, the next request tries again.
        throw new AppError(
          'storage_failed',
          `Writing the poster of video "${shortId(id)}" failed: ${diskProblem(error)}.`,
          { retryable: true, cause: error },
        );
      }
      const folder = join(this.root, id.slice(0, 2));
      mkdirSync(folder, { recursive: true });
      renameSync(temp, path);
      try {
        syncDirectory(folder);
      } catch {
        // The poster is whole under its name; should the rename itself be lost, it is made again.
      }
      return path;
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Runs ffmpeg for one frame at `at` seconds into `temp`; false when there was no frame there. */
  private async extract(id: string, at: number, temp: string): Promise<boolean> {
    const scale = `scale=${POSTER_MAX_SIDE}:${POSTER_MAX_SIDE}:force_original_aspect_ratio=decrease`;
    const result = await runTool(
      this.options.ffmpegPath,
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-ss',
        String(at),
        '-i',
        this.options.media.pathOf(id),
        '-map',
        '0:v:0',
        '-frames:v',
        '1',
        '-vf',
        scale,
        '-q:v',
        '5',
        '-f',
        'mjpeg',
        '-y',
        temp,
      ],
      {
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        niceness: 10,
        what: `making the poster frame of video ${shortId(id)}`,
      },
    );
    if (result.exitCode !== 0) {
      // ffmpeg names its files by path; the message reaches the renderer, which sees no paths.
      const stderr = result.stderr
        .replaceAll(this.options.media.pathOf(id), 'the video')
        .replaceAll(temp, 'the poster file')
        .replaceAll(this.root, 'the posters folder');
      const line = firstErrorLine(stderr) ?? `ffmpeg exited with code ${result.exitCode}`;
      if (stderr.includes('the poster file') || stderr.includes('the posters folder'))
        // Its output failed (a full or read-only disk): the disk's fault, not remembered.
        throw new AppError(
          'storage_failed',
          `Writing the poster of video "${shortId(id)}" failed: ${line}.`,
          { retryable: true },
        );
      throw this.remember(
        id,
        new AppError('bad_output', `No poster frame for video "${shortId(id)}": ${line}.`),
      );
    }
    return isJpeg(temp);
  }

  private remember(id: string, error: AppError): AppError {
    this.failures.delete(id);
    if (this.failures.size >= FAILURE_MEMORY) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(id, {
      error,
      at: this.now(),
      file: fileIdentity(this.options.media.pathOf(id)),
    });
    return error;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    const limit = this.options.concurrency ?? DEFAULT_CONCURRENCY;
    if (this.running >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** What the media routes answer for `?view=poster`: the JPEG, or a status and a message. */
export type PosterAnswer =
  { status: 200; body: Buffer; etag: string } | { status: 404 | 422 | 503; message: string };

export async function posterAnswer(posters: PosterFrames, id: string): Promise<PosterAnswer> {
  try {
    return { status: 200, body: await posters.read(id), etag: `"poster-${id}"` };
  } catch (error) {
    if (!AppError.isInstance(error)) throw error;
    const status =
      error.code === 'not_found' ? 404 : error.code === 'bad_output' ? 422 : (503 as const);
    return { status, message: error.message };
  }
}

/** The file exists, is not empty and starts like a JPEG (SOI marker FF D8). */
function isJpeg(path: string): boolean {
  if (!existsSync(path) || statSync(path).size < 4) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head[0] === 0xff && head[1] === 0xd8;
  } finally {
    closeSync(fd);
  }
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}
