/**
 * A vendor accepts a create, then answers 404 when the job's status is asked (#gone-poll): for a
 * moment (its store catching up with its own create) or for good (it deleted or lost the job).
 * The first 404 ended the generation at once as `invalid_request`, telling the admin to "change
 * the prompt or the settings": a job that was only not found for a moment lost its paid video,
 * and one really gone was blamed on the prompt. Now a job not found is looked at again a few
 * times (NOT_FOUND_LOOKS); one still not found ends `failure` saying the vendor lost a job it had
 * accepted, that it may be billed and to check it there; its estimate counts against the budget.
 * Through the real runner, SQLite and the IPC answer the app shows (parsed by the contract).
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { registerBenchIpc } from '../../../src/main/ipc/register-bench-ipc';
import { NOT_FOUND_LOOKS } from '../../../src/main/providers/job-watch';
import type { RunDetail } from '../../../src/shared/domain';
import { invokeChannels } from '../../../src/shared/ipc/contract';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_job-vanished-00000000001';
const { together, env } = useTogetherEmulator(KEY);

const fastSleep = cappedSleep();

describe('a job the vendor accepted, then does not find', () => {
  it('not found for a moment: followed to its video; not found for good: a clear failure, counted', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    try {
      saveTextSuite(services, 'vanished', [
        'a kite over dunes #gone-poll-once',
        'a boat at dawn #gone-poll',
      ]);
      const polls = together.stats.polls;
      const { runId } = services.bench.startRun({
        suiteId: 'vanished',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 5,
      });
      const summary = await services.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const rows = listGenerationRows(services.db, runId);
      expect(rows.map((row) => [row.prompt, row.outcome, row.error_code])).toEqual([
        ['a kite over dunes #gone-poll-once', 'success', null],
        ['a boat at dawn #gone-poll', 'failure', 'provider_unavailable'],
      ]);
      expect(rows[0]?.media_id).not.toBeNull();
      // Each job was created once, and the one gone was looked for NOT_FOUND_LOOKS times.
      expect(together.stats.creates).toBe(2);
      expect(together.stats.polls - polls).toBeGreaterThanOrEqual(NOT_FOUND_LOOKS + 2);
      const gone = rows[1]!;
      expect(gone.vendor_job_id).not.toBeNull();
      expect(gone.billing_unknown).toBe(1);

      // What the app shows (the same answer feeds browser mode and the CLI's JSON).
      const handlers = registerBenchIpc(services);
      const detail = invokeChannels['bench:get-run'].output.parse(
        await handlers['bench:get-run']!({ runId }, {}),
      ) as RunDetail;
      const shown = detail.generations.find((generation) => generation.outcome === 'failure')!;
      expect(shown.errorMessage).toContain('Together AI answered HTTP 404: Video job not found.');
      expect(shown.errorMessage).toContain(
        `The provider accepted job ${gone.vendor_job_id} (its create gave this id) but did not find it on ${NOT_FOUND_LOOKS} status calls in a row: it was deleted or lost there, and may still be billed. Check the job in the provider's account before running the prompt again.`,
      );
      expect(shown.errorMessage).not.toMatch(/change the prompt/);
      // Billed: the one video; counted: that and the lost job at its estimate.
      expect(detail.run.spentUsd).toBeCloseTo(0.28, 9);
      expect(detail.run.countedUsd).toBeCloseTo(0.28 + shown.estimatedCostUsd, 9);
      expect(shown.estimatedCostUsd).toBeGreaterThan(0);

      // The console still serves: another run on the same services finishes with its video.
      saveTextSuite(services, 'after', ['a cat on a wall']);
      const after = services.bench.startRun({
        suiteId: 'after',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 5,
      });
      expect((await services.bench.waitForRun(after.runId)).succeeded).toBe(1);
    } finally {
      await services.cleanup();
    }
  });
});
