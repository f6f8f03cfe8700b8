import { copyFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnalysisQueue, defaultAnalysisConcurrency } from '../../../src/main/media/analysis-queue';
import { ANALYSIS_VERSION, VideoAnalyser } from '../../../src/main/media/video-analyser';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { ProviderError } from '../../../src/shared/errors';
import { ffmpegWrapper } from '../../helpers/ffmpeg-wrapper';
import { tempDir } from '../../helpers/temp-dir';

const clipA = resolve(__dirname, '../../../resources/sandbox-clips/clip-a.mp4');

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function setup(): {
  db: WritableDb;
  dir: string;
  wrapper: ReturnType<typeof ffmpegWrapper>;
  store: (name: string, file: string) => { id: string; path: string };
} {
  const { dir, cleanup } = tempDir('aideon-analyser-');
  const db = openDatabase({ file: join(dir, 'db.sqlite') });
  cleanups.push(() => {
    db.close();
    cleanup();
  });
  const wrapper = ffmpegWrapper(dir);
  let n = 0;
  return {
    db,
    dir,
    wrapper,
    store: (name, file) => {
      // A fake id is enough here: the cache is keyed by whatever id the media store gave.
      n += 1;
      const id = String(n).padStart(64, '0');
      const path = join(dir, name);
      copyFileSync(file, path);
      db.prepare(
        "INSERT INTO media (id, content_type, bytes, created_at) VALUES (?, 'video/mp4', 1, 1)",
      ).run(id);
      return { id, path };
    },
  };
}

describe('AnalysisQueue', () => {
  it('runs at most `limit` tasks at once and the rest in order', async () => {
    const queue = new AnalysisQueue(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = [0, 1, 2, 3, 4].map((index) =>
      queue.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(index);
        await new Promise<void>((release) => releases.push(release));
        running -= 1;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.active).toBe(2);
    expect(queue.queued).toBe(3);
    while (order.length < 5 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(tasks);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(queue.active).toBe(0);
  });

  it('drops a waiting task whose signal aborts, with cancelled', async () => {
    const queue = new AnalysisQueue(1);
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    let ran = false;
    const second = queue.run(async () => {
      ran = true;
    }, controller.signal);
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'cancelled' });
    release();
    await first;
    expect(ran).toBe(false);
    expect(queue.queued).toBe(0);
  });

  it('leaves one core for the console and refuses a nonsense limit', () => {
    expect(defaultAnalysisConcurrency(1)).toBe(1);
    expect(defaultAnalysisConcurrency(2)).toBe(1);
    expect(defaultAnalysisConcurrency(8)).toBe(7);
    expect(() => new AnalysisQueue(0)).toThrow(/at least 1/);
  });
});

describe('VideoAnalyser', () => {
  it('analyses a file once: the same media id is answered from SQLite, compliance afresh', async () => {
    const { db, wrapper, store } = setup();
    const analyser = new VideoAnalyser({ db, ...wrapper, now: Date.now });
    const clip = store('a.mp4', clipA);
    const first = await analyser.analyse(clip.id, clip.path, { durationSeconds: 4 });
    expect(first.cached).toBe(false);
    expect(first.analysis.compliance).toEqual([]);
    expect(wrapper.calls()).toEqual(['ffprobe', 'ffmpeg']);
    const second = await analyser.analyse(clip.id, clip.path, { durationSeconds: 8 });
    expect(second.cached).toBe(true);
    expect(second.analysis.probe).toEqual(first.analysis.probe);
    expect(second.analysis.measures).toEqual(first.analysis.measures);
    expect(second.analysis.compliance.map((finding) => finding.setting)).toEqual([
      'durationSeconds',
    ]);
    expect(wrapper.calls()).toEqual(['ffprobe', 'ffmpeg']);
    const row = db
      .prepare('SELECT version, bad_output FROM media_analysis WHERE media_id = ?')
      .get(clip.id);
    expect(row).toEqual({ version: ANALYSIS_VERSION, bad_output: null });
    // A fresh analyser on the same database (a restart) also reuses it.
    const again = new VideoAnalyser({ db, ...wrapper, now: Date.now });
    expect((await again.analyse(clip.id, clip.path, {})).cached).toBe(true);
    expect(wrapper.calls()).toHaveLength(2);
  });

  it('runs concurrent requests for one file as one analysis', async () => {
    const { db, wrapper, store } = setup();
    const analyser = new VideoAnalyser({ db, ...wrapper, concurrency: 4, now: Date.now });
    const clip = store('a.mp4', clipA);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() => analyser.analyse(clip.id, clip.path, {})),
    );
    expect(results.filter((result) => !result.cached)).toHaveLength(1);
    expect(wrapper.calls()).toEqual(['ffprobe', 'ffmpeg']);
  });

  it('keeps the bad_output verdict on a file, not timeouts or cancellations', async () => {
    const { db, dir, wrapper, store } = setup();
    writeFileSync(join(dir, 'page.html'), '<html><body>Forbidden</body></html>');
    const page = store('page.mp4', join(dir, 'page.html'));
    const analyser = new VideoAnalyser({ db, ...wrapper, now: Date.now });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await analyser.analyse(page.id, page.path, {}).catch((caught) => caught);
      expect(ProviderError.isInstance(error)).toBe(true);
      expect((error as ProviderError).code).toBe('bad_output');
      expect((error as ProviderError).message).toMatch(/HTML page/);
    }
    const clip = store('a.mp4', clipA);
    const slow = new VideoAnalyser({ db, ...wrapper, timeoutMs: 1, now: Date.now });
    await expect(slow.analyse(clip.id, clip.path, {})).rejects.toMatchObject({ code: 'timeout' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM media_analysis').get()).toEqual({ n: 1 });
  });
});
