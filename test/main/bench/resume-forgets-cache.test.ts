/**
 * A run started with the cache (`aideon bench run --cache`, allowCache) answers identical earlier
 * requests from the cache instead of paying twice. The choice was not stored with the run:
 * resume() drove every run with allowCache = false, so after a stop or crash the queued
 * generations that the cache would have answered were sent to the vendor and paid for again.
 * It is stored now (runs.allow_cache, migration 0256) and resume() uses it.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { saveTextSuite, testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'test-key-resume-forgets-cache';
const { together, env } = useTogetherEmulator(KEY);

const fastSleep = cappedSleep();
const MODEL = { provider: 'together' as const, modelId: 'minimax/video-01-director' };
const CACHED = 'a red balloon over rooftops';

describe('a run with the cache, stopped and resumed', () => {
  it('still answers identical earlier requests from the cache (never pays for them again)', async () => {
    const { dir, cleanup } = tempDir();
    together.requestLog = [];
    const options = {
      env,
      sleep: fastSleep,
      analyseVideos: false,
      dataDir: dir,
      providerConcurrency: { together: 1 },
    };
    try {
      const first = testServices(options);
      saveTextSuite(first, 'earlier', [CACHED]);
      const earlier = first.bench.startRun({ suiteId: 'earlier', models: [MODEL], budgetUsd: 5 });
      await first.bench.waitForRun(earlier.runId);
      // The cached run: a slow new prompt holds Together's one slot, the cached one waits behind it.
      saveTextSuite(first, 'with-cache', ['a slow tide #hang', CACHED]);
      const { runId } = first.bench.startRun({
        suiteId: 'with-cache',
        models: [MODEL],
        budgetUsd: 5,
        allowCache: true,
        timeoutSeconds: 1,
      });
      while (!together.requestLog.some((entry) => entry.prompt === 'a slow tide #hang'))
        await sleep(5);
      await first.bench.stop();
      await first.close();

      const second = testServices(options);
      try {
        expect(second.bench.resume().resumed).toEqual([runId]);
        await second.bench.waitForRun(runId);
        const rows = listGenerationRows(second.db, runId);
        const cachedRow = rows.find((row) => row.prompt === CACHED);
        const sent = together.requestLog.filter(
          (entry) => entry.method === 'POST' && entry.prompt === CACHED,
        ).length;
        // Before the fix: sent twice (the earlier run, and again after the resume), cached = 0.
        expect(
          sent,
          JSON.stringify({ cached: cachedRow?.cached, outcome: cachedRow?.outcome }),
        ).toBe(1);
        expect(cachedRow?.cached).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      together.requestLog = undefined;
      cleanup();
    }
  });
});
