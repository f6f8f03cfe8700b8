/**
 * The run summary says both what the vendor billed (the sum of the generations' costs) and what
 * counts against the budget (runs.spent_usd: a submission whose outcome is unknown counts at
 * least its estimate), so a run that skips generations for budget never looks under budget.
 * Real runner, real SQLite, the Together emulator; the same figures in the IPC answer (parsed
 * with the contract's output schema) and in the CLI's table.
 */
import { describe, expect, it } from 'vitest';
import { renderRunTable } from '../../../src/main/cli/bench-output';
import { exportRun, registerBenchIpc } from '../../../src/main/ipc/register-bench-ipc';
import type { RunDetail } from '../../../src/shared/domain';
import { invokeChannels } from '../../../src/shared/ipc/contract';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'test-key-run-spend-summary-01';
const { env } = useTogetherEmulator(KEY);

const fastSleep = cappedSleep();

describe('run summary: billed and counted against the budget', () => {
  it('a submission with an unknown outcome shows in what counts against the budget, and says so', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    try {
      saveTextSuite(services, 'spend', ['a lighthouse at dusk', 'a harbour at night #html-create']);
      const { runId } = services.bench.startRun({
        suiteId: 'spend',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 5,
      });
      await services.bench.waitForRun(runId);
      const handlers = registerBenchIpc(services);
      const detail = invokeChannels['bench:get-run'].output.parse(
        await handlers['bench:get-run']!({ runId }, {}),
      ) as RunDetail;
      const outcomes = detail.generations.map((generation) => generation.outcome).sort();
      expect(outcomes).toEqual(['submit_unknown', 'success']);
      const unknown = detail.generations.find((g) => g.outcome === 'submit_unknown')!;
      // Billed: the one video that was made (Together's price for the model: $0.28).
      expect(detail.run.spentUsd).toBeCloseTo(0.28, 9);
      // Counted: that, plus the unknown submission at its estimate.
      expect(detail.run.countedUsd).toBeCloseTo(0.28 + unknown.estimatedCostUsd, 9);
      expect(unknown.estimatedCostUsd).toBeGreaterThan(0);
      expect(detail.run.unknownOutcomes).toBe(1);

      const table = renderRunTable(
        JSON.parse(exportRun(services, runId, 'json').content) as RunDetail,
      );
      expect(table).toContain(
        `$0.28 billed · $${(0.28 + unknown.estimatedCostUsd).toFixed(2)} counted against the $5.00 budget (includes $${unknown.estimatedCostUsd.toFixed(2)} for 1 submission with unknown outcome)`,
      );
    } finally {
      await services.cleanup();
    }
  });
});
