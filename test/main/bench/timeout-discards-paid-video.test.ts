/**
 * The generation timeout also ran over the download: a job that ended at the vendor (paid) in
 * time, but whose video was still being downloaded when the timeout fell (here: the first
 * download attempt hit a 503 and the retry waits), was aborted, cancelled at the vendor (Runway:
 * DELETE of a finished task deletes it and its output) and ended `timeout`. Now a paid video
 * being downloaded is not given up on: the download keeps its own limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows, saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { testServices } from '../../helpers/services';

const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const runway = new RunwayEmulator({ apiKey: RUNWAY_KEY });
const env: Record<string, string> = { RUNWAYML_API_SECRET: RUNWAY_KEY };
beforeAll(async () => {
  env.AIDEON_RUNWAY_BASE_URL = await runway.start();
});
afterAll(async () => {
  await runway.stop();
});

/** Short polls; once the first download attempt failed, its backoff outlasts the 1 s timeout. */
const shortPolls = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(runway.stats.downloads >= 1 && ms >= 500 && ms < 1000 ? 1500 : Math.min(ms, 5), signal);

describe('a generation timeout that falls while its paid video is being downloaded', () => {
  it('Runway: the video the vendor delivered in time is stored, not deleted at the vendor', async () => {
    const services = testServices({ env, sleep: shortPolls, analyseVideos: false });
    try {
      saveSuiteVersion(
        services.db,
        {
          id: 'timeout-download',
          builtIn: false,
          definition: {
            name: 'Timeout during download',
            description: '',
            settings: {},
            prompts: [{ id: 'p0', text: 'a clock tower #5xx-download-once', category: 'general' }],
          },
        },
        Date.now(),
      );
      const { runId } = services.bench.startRun({
        suiteId: 'timeout-download',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 5,
        timeoutSeconds: 1,
      });
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      // It was paid for either way.
      expect(summary.spentUsd).toBeGreaterThan(0);
      // Before: outcome 'timeout', no media, and Runway's task deleted (stats.cancels = 1).
      expect(
        row?.outcome,
        JSON.stringify({
          outcome: row?.outcome,
          media: row?.media_id,
          cancels: runway.stats.cancels,
        }),
      ).toBe('success');
      expect(services.media.has(row?.media_id ?? '')).toBe(true);
      expect(runway.stats.cancels).toBe(0);
    } finally {
      await services.cleanup();
    }
  });
});
