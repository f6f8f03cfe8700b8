/**
 * A bundle import reports how many of its videos it has checked, and lets the event loop turn
 * between them (so the progress reaches the window as IPC messages or server-sent events while
 * the import runs); the desktop import sends it as `bench:import-progress` for its import id.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  exportRunBundle,
  importRunBundle,
  importRunBundleInSteps,
} from '../../../src/main/bench/run-bundle';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { finishedSandboxRun, testServices } from '../../helpers/services';
import { bundleWithBigVideo } from '../../helpers/big-video-bundle';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function console_() {
  const services = testServices({ analyseVideos: false });
  cleanups.push(services.cleanup);
  return services;
}

async function bundleOfARun(): Promise<{ bundle: string; videos: number }> {
  const source = console_();
  const runId = await finishedSandboxRun(source);
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const bundle = join(dir, 'run.tar');
  const exported = await exportRunBundle(source.db, source.media, runId, bundle, 1_700_000_000_000);
  return { bundle, videos: exported.mediaFiles };
}

describe('run bundle import progress', () => {
  it('counts the videos checked, 0 to all of them, turning the event loop between them', async () => {
    const { bundle, videos } = await bundleOfARun();
    expect(videos).toBeGreaterThan(1);
    const target = console_();
    let turns = 0;
    const counting = (): void => {
      turns += 1;
      if (turns < 10_000) setImmediate(counting);
    };
    setImmediate(counting);
    const seen: { checked: number; total: number; turns: number }[] = [];
    const result = await importRunBundleInSteps(target.db, target.media, bundle, (checked, total) =>
      seen.push({ checked, total, turns }),
    );
    turns = 10_000;
    expect(seen.map(({ checked, total }) => [checked, total])).toEqual(
      Array.from({ length: videos + 1 }, (_, index) => [index, videos]),
    );
    // Other work ran between two videos (a synchronous import would show one count throughout).
    expect(new Set(seen.map((entry) => entry.turns)).size).toBe(seen.length);
    expect(result).toMatchObject({ imported: true, mediaVerified: videos, mediaAdded: videos });

    // The synchronous import (CLI) reports the same and imports the same (nothing new here).
    const again: number[] = [];
    expect(
      importRunBundle(target.db, target.media, bundle, (checked) => again.push(checked)),
    ).toMatchObject({
      imported: false,
      mediaVerified: videos,
    });
    expect(again).toEqual(Array.from({ length: videos + 1 }, (_, index) => index));
  });

  it('a long video is read and hashed in steps: other work runs while one video is checked; the import is the same', async () => {
    const source = console_();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    // 24 MB: 24 chunks of one video (the 1 GB figures are in test/bench/bundle-import.bench.ts).
    const { bundle, bigId, videos } = await bundleWithBigVideo(source, 24 * 1024 * 1024, dir);
    const target = console_();
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const seen: number[] = [];
    const result = await importRunBundleInSteps(target.db, target.media, bundle, () =>
      seen.push(turns),
    );
    counting = false;
    // Between two progress reports at most one video was checked; the big one took 24 chunks,
    // each followed by a turn of the event loop (before: one turn per video).
    const gaps = seen.slice(1).map((at, index) => at - (seen[index] as number));
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(24);
    expect(result).toMatchObject({ imported: true, mediaVerified: videos, mediaAdded: videos });
    // The same video, byte for byte (its name is its SHA-256, checked on the way in).
    expect(target.media.size(bigId)).toBe(24 * 1024 * 1024);
    expect(
      createHash('sha256')
        .update(readFileSync(target.media.pathOf(bigId)))
        .digest('hex'),
    ).toBe(bigId);
  });

  it('the desktop import sends its progress as events for its own import id; a bad id is refused', async () => {
    const { bundle, videos } = await bundleOfARun();
    const target = console_();
    const events: unknown[] = [];
    const off = target.bus.on('bench:import-progress', (event) => events.push(event));
    cleanups.push(off);
    const desktop = createAppDispatcher(target, {
      checkOutputs: true,
      host: { pickBundleFile: async () => bundle },
    });
    expect(
      await desktop.dispatch('bench:import-bundle-picked', { importId: 'import-1' }),
    ).toMatchObject({ ok: true, value: { cancelled: false, result: { imported: true } } });
    expect(events).toEqual(
      Array.from({ length: videos + 1 }, (_, checked) => ({
        importId: 'import-1',
        checked,
        total: videos,
      })),
    );
    const refused = await desktop.dispatch('bench:import-bundle-picked', { importId: 'a b' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'validation', message: expect.stringMatching(/importId/) },
    });
    // Without an id (an older window) it imports without events.
    events.length = 0;
    expect(await desktop.dispatch('bench:import-bundle-picked', {})).toMatchObject({ ok: true });
    expect(events).toEqual([]);
  });
});
