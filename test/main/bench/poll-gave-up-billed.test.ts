/**
 * A job the console stops following because the vendor kept failing its status calls (5xx after
 * every retry) or refused the key while it was being followed still runs at the vendor and is
 * billed when it completes. The console ends the generation `failure`, but its estimate stays
 * counted against the run (billing_unknown, as for a timeout Together cannot cancel), so the
 * budget check before each later submission covers what the vendor will charge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows, saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { runSpendText } from '../../../src/shared/bench/run-spend';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { testServices } from '../../helpers/services';

const KEY = 'test-key-poll-gave-up';
/** Each job completes (and is billed) 0.3 s after its create, whoever polls it. */
const together = new TogetherEmulator({ apiKey: KEY, queueMs: 0, runMs: 300 });
const env: Record<string, string> = { TOGETHER_API_KEY: KEY };
beforeAll(async () => {
  env.AIDEON_TOGETHER_BASE_URL = await together.start();
});
afterAll(async () => {
  await together.stop();
});

const fastSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(Math.min(ms, 20), signal);

describe('a job whose status calls keep failing', () => {
  it('ends failure, and what the vendor bills for it stays counted against the run', async () => {
    const services = testServices({
      env,
      sleep: fastSleep,
      analyseVideos: false,
      providerConcurrency: { together: 1 },
    });
    try {
      saveSuiteVersion(
        services.db,
        {
          id: 'poll-gave-up',
          builtIn: false,
          definition: {
            name: 'Status calls failing',
            description: '',
            settings: {},
            prompts: [
              { id: 'p0', text: 'a glacier #5xx-poll', category: 'general' },
              { id: 'p1', text: 'a canyon', category: 'general' },
            ],
          },
        },
        Date.now(),
      );
      const { runId } = services.bench.startRun({
        suiteId: 'poll-gave-up',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 1,
      });
      const summary = await services.bench.waitForRun(runId);
      const rows = listGenerationRows(services.db, runId);
      const lost = rows.find((row) => row.prompt_id === 'p0')!;
      expect(lost.outcome).toBe('failure');
      expect(lost.vendor_job_id).not.toBeNull();
      expect(rows.find((row) => row.prompt_id === 'p1')!.outcome).toBe('success');
      // Together completed both jobs, and bills both.
      await sleep(400);
      expect(together.billedUsd()).toBeCloseTo(0.56, 6);
      // The one the console could not follow is counted at its estimate: the run's counted
      // figure covers the bill, and the summary says an outcome is unknown.
      expect(lost.billing_unknown).toBe(1);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(together.billedUsd() - 1e-9);
      expect(summary.unknownOutcomes).toBe(1);
      expect(runSpendText(summary)).toContain('with unknown outcome');
    } finally {
      await services.cleanup();
    }
  });
});
