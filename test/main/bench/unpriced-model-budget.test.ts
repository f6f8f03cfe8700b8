/**
 * 14 of the 15 Replicate models in the console's table (and Together's FLUX-3) have no recorded
 * price, and Replicate's API returns no cost either: counted at $0, a run on such a model passed
 * any budget and its spend stayed $0 however many predictions Replicate ran and billed. Such a
 * model is now counted at the highest price of any real model the console knows (for the same
 * clip), the plan says so, and the budget holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep } from '../../helpers/vendor-emulators';

const KEY = 'r8_test-key-unpriced-budget-01';
const replicate = new ReplicateEmulator({ apiKey: KEY });
const env: Record<string, string> = { REPLICATE_API_TOKEN: KEY };
beforeAll(async () => {
  replicate.waitScale = 0;
  env.AIDEON_REPLICATE_BASE_URL = await replicate.start();
});
afterAll(async () => {
  await replicate.stop();
});

const fastSleep = cappedSleep();

describe('a run on a model whose price the console does not know', () => {
  it('Replicate minimax/video-01 under a $0.01 budget: nothing is sent (Replicate bills every prediction)', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    try {
      saveTextSuite(services, 'unpriced', ['a fox', 'a hare', 'an owl']);
      const model = { provider: 'replicate' as const, modelId: 'minimax/video-01' };
      // Before: planned at $0 and within a $0.01 budget; 3 predictions made, $0 recorded.
      const plan = services.bench.plan({ suiteId: 'unpriced', models: [model], budgetUsd: 0.01 });
      expect(plan.estimatedCostUsd).toBeGreaterThan(0.01);
      expect(plan.withinBudget).toBe(false);
      expect(plan.models[0]!.warnings.join(' ')).toMatch(/no price is known for this model/);
      expect(() =>
        services.bench.startRun({ suiteId: 'unpriced', models: [model], budgetUsd: 0.01 }),
      ).toThrow(/budget/i);
      expect(replicate.stats.creates).toBe(0);

      // With a budget that covers the plan, the run goes ahead, and what it counts is the
      // ceiling per prediction (Replicate reports no cost), so later budget checks see it.
      const started = services.bench.startRun({
        suiteId: 'unpriced',
        models: [model],
        budgetUsd: Math.ceil(plan.estimatedCostUsd * 100) / 100,
      });
      const summary = await services.bench.waitForRun(started.runId);
      const rows = listGenerationRows(services.db, started.runId);
      expect(replicate.stats.creates).toBe(3);
      expect(rows.every((row) => row.outcome === 'success')).toBe(true);
      expect(summary.spentUsd).toBeCloseTo(plan.estimatedCostUsd, 6);
    } finally {
      await services.cleanup();
    }
  });
});
