/**
 * Together has no cancel endpoint (provider-apis.md §1a; TogetherVideoAdapter.cancel is a no-op):
 * a generation the console gives up on (its timeout, or its status calls failing after every
 * retry) keeps running at Together and is billed when it completes. Its estimate therefore stays
 * counted against the run (billing_unknown, like a submit_unknown create): the run's counted
 * figure, and the budget check made before each later submission, include the money Together
 * will charge.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { runSpendText } from '../../../src/shared/bench/run-spend';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'test-key-together-timeout-billed';
/** Each job completes (and is billed) 1.5 s after its create, whoever polls it. */
const { together, env } = useTogetherEmulator(KEY, { queueMs: 0, runMs: 1500 });

const fastSleep = cappedSleep(20);

function app() {
  return testServices({
    env,
    sleep: fastSleep,
    analyseVideos: false,
    providerConcurrency: { together: 1 },
  });
}

describe('a Together generation that timed out in the console', () => {
  it('counts what Together bills for it against the run (it keeps running there and is billed)', async () => {
    const services = app();
    try {
      saveTextSuite(services, 'together-timeout', ['a glacier', 'a canyon', 'a lagoon']);
      // Three clips at $0.28 (minimax/video-01-director).
      const budgetUsd = 0.84;
      const { runId } = services.bench.startRun({
        suiteId: 'together-timeout',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd,
        timeoutSeconds: 1,
      });
      const summary = await services.bench.waitForRun(runId);
      const rows = listGenerationRows(services.db, runId);
      expect(rows.some((row) => row.outcome === 'timeout')).toBe(true);
      // Let the last job Together is still running reach its end (it is billed then).
      await sleep(1700);
      const billed = together.billedUsd();
      expect(billed).toBeGreaterThan(0);
      // What the console counted against the run covers what Together billed.
      expect(summary.countedUsd).toBeGreaterThanOrEqual(billed - 1e-9);
      // Counted the way a submission with unknown outcome is: not as billed, but in the counted
      // figure and the run summary's wording.
      const timedOut = rows.filter((row) => row.outcome === 'timeout');
      expect(timedOut.every((row) => row.billing_unknown === 1 && row.cost_usd === 0)).toBe(true);
      expect(summary.unknownOutcomes).toBe(timedOut.length);
      expect(runSpendText(summary)).toContain(`with unknown outcome`);
    } finally {
      await services.cleanup();
    }
  });
});

describe('a Together job whose status calls keep failing', () => {
  it('ends failure, and what Together bills for it stays counted against the run', async () => {
    const services = app();
    const billedBefore = together.billedUsd();
    try {
      saveTextSuite(services, 'poll-gave-up', ['a glacier #5xx-poll', 'a canyon']);
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
      // Together completes both jobs (the one nobody follows too) and bills both.
      await sleep(1700);
      expect(together.billedUsd() - billedBefore).toBeCloseTo(0.56, 6);
      // The one the console could not follow is counted at its estimate: the run's counted
      // figure covers the bill, and the summary says an outcome is unknown.
      expect(lost.billing_unknown).toBe(1);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(0.56 - 1e-9);
      expect(summary.unknownOutcomes).toBe(1);
      expect(runSpendText(summary)).toContain('with unknown outcome');
    } finally {
      await services.cleanup();
    }
  });
});
