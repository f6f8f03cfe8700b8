/**
 * Poster frames: one small JPEG per stored video, for the results list. ffmpeg makes it on the
 * first request and it is cached beside the media store, under `<media root>/posters/ab/<id>.jpg`.
 * A media id is the video's SHA-256, so a cached poster can never belong to other bytes and never
 * goes stale.
 *
 * ffmpeg writes into `posters/tmp/`; the file is checked (a JPEG, not empty) and only then renamed
 * to its final name, so a failed, killed or timed-out run leaves nothing half-written behind. The
 * same id asked twice at once runs ffmpeg once, at most `concurrency` ffmpeg processes run at a
 * time, and a video ffmpeg could not read is remembered (it is not retried on every request).
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
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { MediaStore } from './media-store';
import { firstErrorLine, runTool } from './run-tool';

/** Largest side of a poster, in pixels (twice the results list's slot, for sharp HiDPI). */
export const POSTER_MAX_SIDE = 192;
/** Where the poster is taken, in seconds from the start (earlier when the video is shorter). */
const POSTER_AT_SECONDS = 1;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_CONCURRENCY = 2;
/** Failures kept in memory at most (oldest dropped first). */
const FAILURE_MEMORY = 1_000;

export interface PosterFrameOptions {
  media: MediaStore;
  /** The ffmpeg executable (AIDEON_FFMPEG or `ffmpeg`). */
  ffmpegPath: string;
  /** Kill ffmpeg and fail after this many ms; default 20 s. */
  timeoutMs?: number;
  /** ffmpeg processes at once; default 2. */
  concurrency?: number;
}

export class PosterFrames {
  readonly root: string;
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly failures = new Map<string, AppError>();
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
    if (failure) throw failure;
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
      mkdirSync(join(this.root, id.slice(0, 2)), { recursive: true });
      renameSync(temp, path);
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
      const line = firstErrorLine(result.stderr) ?? `ffmpeg exited with code ${result.exitCode}`;
      throw this.remember(
        id,
        new AppError('bad_output', `No poster frame for video "${shortId(id)}": ${line}.`),
      );
    }
    return isJpeg(temp);
  }

  private remember(id: string, error: AppError): AppError {
    if (this.failures.size >= FAILURE_MEMORY) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(id, error);
    return error;
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
