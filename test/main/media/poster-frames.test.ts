/**
 * Poster frames with the real ffmpeg on real clips: made once and cached beside the media store,
 * a shorter video gets its first frame, a bad file or a missing ffmpeg is a clear error, and a
 * failed or killed run leaves no file behind. Also served by browser mode's media route.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import { MediaStore } from '../../../src/main/media/media-store';
import { POSTER_MAX_SIDE, PosterFrames } from '../../../src/main/media/poster-frames';
import { startBrowserServer, type BrowserServer } from '../../../src/main/serve/browser-server';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { testServices } from '../../helpers/services';

const clipA = resolve(__dirname, '../../../resources/sandbox-clips/clip-a.mp4');

let dir = '';
let media: MediaStore;
let clipId = '';
let shortId = '';
let badId = '';
/** Counts ffmpeg runs: a wrapper that logs one line, then execs the real ffmpeg. */
let countingFfmpeg = '';
let runLog = '';

const runs = (): number =>
  existsSync(runLog) ? readFileSync(runLog, 'utf8').split('\n').filter(Boolean).length : 0;

async function put(file: string): Promise<string> {
  const ref = await media.put(createReadStream(file), { contentType: 'video/mp4' });
  return ref.id;
}

/** Width and height of an image or video, read by ffprobe. */
function dimensions(file: string): { width: number; height: number } {
  const out = execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,codec_name',
    '-of',
    'json',
    file,
  ]).toString();
  const stream = (
    JSON.parse(out) as { streams: { width: number; height: number; codec_name: string }[] }
  ).streams[0]!;
  expect(stream.codec_name).toBe('mjpeg');
  return { width: stream.width, height: stream.height };
}

/** Files left in the posters' temporary folder (none after any run, good or bad). */
const leftovers = (posters: PosterFrames): string[] =>
  existsSync(join(posters.root, 'tmp')) ? readdirSync(join(posters.root, 'tmp')) : [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aideon-posters-'));
  media = new MediaStore(join(dir, 'data'));
  clipId = await put(clipA);
  // Half a second: shorter than the one-second poster point.
  const short = join(dir, 'short.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x568:rate=24',
    '-t',
    '0.5',
    '-pix_fmt',
    'yuv420p',
    '-y',
    short,
  ]);
  shortId = await put(short);
  const bad = join(dir, 'bad.mp4');
  writeFileSync(bad, Buffer.concat([Buffer.from('not a video at all '), Buffer.alloc(4096, 7)]));
  badId = await put(bad);
  runLog = join(dir, 'ffmpeg-runs.log');
  countingFfmpeg = join(dir, 'counting-ffmpeg.sh');
  writeFileSync(countingFfmpeg, `#!/bin/sh\necho run >> '${runLog}'\nexec ffmpeg "$@"\n`);
  chmodSync(countingFfmpeg, 0o755);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('poster frames', () => {
  it('makes a small JPEG of a real clip once, then answers from the cache', async () => {
    const posters = new PosterFrames({ media, ffmpegPath: countingFfmpeg });
    const before = runs();
    // Two requests at once run ffmpeg once.
    const [first, again] = await Promise.all([posters.get(clipId), posters.get(clipId)]);
    expect(again).toBe(first);
    expect(runs() - before).toBe(1);
    expect(first).toBe(join(media.root, 'posters', clipId.slice(0, 2), `${clipId}.jpg`));
    const bytes = readFileSync(first);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    expect(bytes.length).toBeLessThan(30_000);
    // 480x270 scaled to fit 192x192 keeps its shape.
    expect(dimensions(first)).toEqual({ width: POSTER_MAX_SIDE, height: 108 });
    const made = statSync(first).mtimeMs;

    // The second time: the same file, no ffmpeg run, not rewritten.
    expect(await posters.get(clipId)).toBe(first);
    expect(runs() - before).toBe(1);
    expect(statSync(first).mtimeMs).toBe(made);
    // A new process (no ffmpeg at all) still finds it on disk.
    const later = new PosterFrames({ media, ffmpegPath: join(dir, 'no-such-ffmpeg') });
    expect(later.isCached(clipId)).toBe(true);
    expect((await later.read(clipId)).equals(bytes)).toBe(true);
    expect(leftovers(posters)).toEqual([]);
  });

  it('takes the first frame of a video shorter than the poster point', async () => {
    const posters = new PosterFrames({ media, ffmpegPath: 'ffmpeg' });
    const path = await posters.get(shortId);
    // Portrait 320x568 fits 192 tall.
    const { width, height } = dimensions(path);
    expect(height).toBe(POSTER_MAX_SIDE);
    expect(width).toBeGreaterThanOrEqual(107);
    expect(width).toBeLessThanOrEqual(109);
  });

  it('refuses a file ffmpeg cannot read with a clear error, keeps nothing, and does not retry it', async () => {
    const posters = new PosterFrames({ media, ffmpegPath: countingFfmpeg });
    const before = runs();
    const error = await posters.get(badId).catch((caught: unknown) => caught);
    expect(AppError.isInstance(error)).toBe(true);
    expect((error as AppError).code).toBe('bad_output');
    expect((error as AppError).message).toMatch(
      new RegExp(
        `^No poster frame for video "${badId.slice(0, 12)}…": .*(moov atom not found|Invalid data)`,
      ),
    );
    // ffmpeg names its input by path; the message (it reaches the renderer) does not.
    expect((error as AppError).message).not.toContain(media.root);
    expect(existsSync(posters.pathOf(badId))).toBe(false);
    expect(leftovers(posters)).toEqual([]);
    await expect(posters.get(badId)).rejects.toThrow(/No poster frame/);
    expect(runs() - before).toBe(1);
  });

  it('remembers a failed ffmpeg for ten minutes, not for the life of the process', async () => {
    let time = 1_000_000;
    const posters = new PosterFrames({ media, ffmpegPath: countingFfmpeg, now: () => time });
    const before = runs();
    await expect(posters.get(badId)).rejects.toThrow(/No poster frame/);
    time += 9 * 60_000;
    await expect(posters.get(badId)).rejects.toThrow(/No poster frame/);
    expect(runs() - before).toBe(1);
    // Past ten minutes ffmpeg is asked again (it may have been fixed or replaced meanwhile).
    time += 60_000 + 1;
    await expect(posters.get(badId)).rejects.toThrow(/No poster frame/);
    expect(runs() - before).toBe(2);
    await expect(posters.get(badId)).rejects.toThrow(/No poster frame/);
    expect(runs() - before).toBe(2);
  });

  it('forgets a failure once the stored video file changes', async () => {
    const fresh = new MediaStore(join(dir, 'changed'));
    const id = (await fresh.put(createReadStream(clipA), { contentType: 'video/mp4' })).id;
    // The stored file is damaged (a disk error, a bad copy): ffmpeg cannot read it.
    const stored = fresh.pathOf(id);
    const good = readFileSync(stored);
    chmodSync(stored, 0o644);
    writeFileSync(stored, Buffer.alloc(good.length, 0));
    const posters = new PosterFrames({ media: fresh, ffmpegPath: countingFfmpeg });
    const before = runs();
    await expect(posters.get(id)).rejects.toThrow(/No poster frame/);
    await expect(posters.get(id)).rejects.toThrow(/No poster frame/);
    expect(runs() - before).toBe(1);
    // The file is put right (the same bytes again, a new file): the poster is made at once.
    const repaired = join(dir, 'repaired.mp4');
    writeFileSync(repaired, good);
    renameSync(repaired, stored);
    const path = await posters.get(id);
    expect(runs() - before).toBe(2);
    expect(dimensions(path)).toEqual({ width: POSTER_MAX_SIDE, height: 108 });
  });

  it('flushes the poster to the disk before naming it; a failed flush leaves nothing and is not remembered', async () => {
    const fresh = new MediaStore(join(dir, 'flush'));
    const id = (await fresh.put(createReadStream(clipA), { contentType: 'video/mp4' })).id;
    const flushed: { path: string; final: boolean; jpeg: boolean }[] = [];
    let fail = true;
    const posters = new PosterFrames({
      media: fresh,
      ffmpegPath: 'ffmpeg',
      syncFile: async (path) => {
        const bytes = readFileSync(path);
        flushed.push({
          path,
          final: existsSync(posters.pathOf(id)),
          jpeg: bytes[0] === 0xff && bytes[1] === 0xd8,
        });
        if (fail) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      },
    });
    const error = await posters.get(id).catch((caught: unknown) => caught);
    expect((error as AppError).code).toBe('storage_failed');
    expect((error as AppError).message).toMatch(
      /^Writing the poster of video "[0-9a-f]{12}…" failed: the disk reported an input\/output error \(EIO\)\.$/,
    );
    expect(existsSync(posters.pathOf(id))).toBe(false);
    expect(leftovers(posters)).toEqual([]);
    // The disk works again: the next request makes it (the flush failure was not remembered).
    fail = false;
    const path = await posters.get(id);
    expect(flushed).toHaveLength(2);
    for (const call of flushed) {
      // The temporary file, a whole JPEG, flushed before anything has the final name.
      expect(call.path.startsWith(join(posters.root, 'tmp'))).toBe(true);
      expect(call).toMatchObject({ final: false, jpeg: true });
    }
    expect(readFileSync(path).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('an ffmpeg that cannot write its output (a full disk) names no path and is not remembered', async () => {
    // ffmpeg's own words when its output cannot be written, naming the file by its path (a
    // full disk cannot be made here: the tests run as root on a shared disk).
    const fullDisk = join(dir, 'full-disk-ffmpeg.sh');
    writeFileSync(
      fullDisk,
      [
        '#!/bin/sh',
        `echo run >> '${runLog}'`,
        'for last in "$@"; do :; done',
        'echo "[out#0/mjpeg @ 0x5581] Error opening output $last: No space left on device" >&2',
        'echo "Error opening output file $last." >&2',
        'exit 1',
        '',
      ].join('\n'),
    );
    chmodSync(fullDisk, 0o755);
    const unposteredFile = join(dir, 'unpostered.mp4');
    writeFileSync(unposteredFile, Buffer.concat([readFileSync(clipA), Buffer.from('tail')]));
    const unpostered = await put(unposteredFile);
    const posters = new PosterFrames({ media, ffmpegPath: fullDisk });
    const before = runs();
    const error = await posters.get(unpostered).catch((failure: unknown) => failure);
    expect(AppError.isInstance(error)).toBe(true);
    expect((error as AppError).code).toBe('storage_failed');
    expect((error as AppError).message).toMatch(/No space left on device/);
    expect((error as AppError).message).not.toContain(dir);
    expect((error as AppError).message).not.toMatch(/\/[a-z]/);
    // The disk's fault, not the video's: the next request runs ffmpeg again.
    await posters.get(unpostered).catch(() => undefined);
    expect(runs() - before).toBe(2);
    expect(leftovers(posters)).toEqual([]);
  });

  it('says when ffmpeg is missing, and when there is no such video', async () => {
    const posters = new PosterFrames({ media, ffmpegPath: join(dir, 'no-such-ffmpeg') });
    const missing = await posters
      .get(shortId.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')))
      .catch((caught: unknown) => caught);
    expect((missing as AppError).code).toBe('not_found');
    expect((missing as AppError).message).toMatch(/^There is no stored video with id/);
    await expect(posters.get('../../etc/passwd')).rejects.toThrow(/no stored video/);

    const fresh = new MediaStore(join(dir, 'other'));
    const id = (await fresh.put(createReadStream(clipA), { contentType: 'video/mp4' })).id;
    const noFfmpeg = new PosterFrames({ media: fresh, ffmpegPath: join(dir, 'no-such-ffmpeg') });
    const error = await noFfmpeg.get(id).catch((caught: unknown) => caught);
    expect((error as AppError).code).toBe('provider_unavailable');
    expect((error as AppError).message).toMatch(/no-such-ffmpeg" was not found/);
    expect(existsSync(noFfmpeg.pathOf(id))).toBe(false);
  });

  it('leaves no half-written poster when ffmpeg is killed mid-write', async () => {
    const fresh = new MediaStore(join(dir, 'killed'));
    const id = (await fresh.put(createReadStream(clipA), { contentType: 'video/mp4' })).id;
    // Writes part of a JPEG to its output (the last argument), then hangs until killed.
    const stuck = join(dir, 'stuck-ffmpeg.sh');
    writeFileSync(
      stuck,
      '#!/bin/sh\nfor last; do :; done\nprintf "\\377\\330partial" > "$last"\nexec sleep 30\n',
    );
    chmodSync(stuck, 0o755);
    const posters = new PosterFrames({ media: fresh, ffmpegPath: stuck, timeoutMs: 500 });
    const error = await posters.get(id).catch((caught: unknown) => caught);
    expect((error as AppError).code).toBe('timeout');
    expect(existsSync(posters.pathOf(id))).toBe(false);
    expect(leftovers(posters)).toEqual([]);
    // Not remembered as a bad video: with a working ffmpeg the next request makes it.
    const working = new PosterFrames({ media: fresh, ffmpegPath: 'ffmpeg' });
    expect(existsSync(await working.get(id))).toBe(true);
  });
});

describe('poster frames over browser mode', () => {
  let services: ReturnType<typeof testServices>;
  let server: BrowserServer;
  let id = '';

  beforeAll(async () => {
    services = testServices();
    const rendererDir = join(services.dataDir, 'renderer');
    execFileSync('mkdir', ['-p', rendererDir]);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    server = await startBrowserServer({
      dispatcher: createAppDispatcher(services, { checkOutputs: true }),
      bus: services.bus,
      media: services.media,
      posters: services.posters,
      rendererDir,
    });
    id = (await services.media.put(createReadStream(clipA), { contentType: 'video/mp4' })).id;
  });

  afterAll(async () => {
    await server.close();
    await services.cleanup();
  });

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`http://127.0.0.1:${server.port}${path}`, {
      headers: { authorization: `Bearer ${server.token}`, ...headers },
    });

  it('answers /media/<id>?view=poster with a cacheable JPEG, and 404 for an unknown id', async () => {
    const response = await get(`/media/${id}?view=poster`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('cache-control')).toContain('immutable');
    const body = Buffer.from(await response.arrayBuffer());
    expect([body[0], body[1]]).toEqual([0xff, 0xd8]);
    expect(body.equals(readFileSync(services.posters.pathOf(id)))).toBe(true);
    const etag = response.headers.get('etag')!;
    expect((await get(`/media/${id}?view=poster`, { 'if-none-match': etag })).status).toBe(304);

    const unknown = await get(`/media/${'0'.repeat(64)}?view=poster`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/no stored video/);
    // Without the token: nothing.
    const anonymous = await fetch(`http://127.0.0.1:${server.port}/media/${id}?view=poster`);
    expect(anonymous.status).toBe(401);
  });
});
