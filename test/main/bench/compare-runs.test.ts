/**
 * compareRuns compares like with like: only prompts both runs ran (same text, image and
 * settings) and models both ran enter the figures; everything else that differs is said; and
 * the counts match the rows (issue 16, item 10).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { compareRuns } from '../../../src/main/bench/scorecard-service';
type ModelRef = { provider: 'sandbox'; modelId: string };
import { testServices } from '../../helpers/services';

const fast: ModelRef = { provider: 'sandbox', modelId: 'sandbox-fast' };
const pro: ModelRef = { provider: 'sandbox', modelId: 'sandbox-pro' };
const flaky: ModelRef = { provider: 'sandbox', modelId: 'sandbox-flaky' };

// Video analysis is not what is compared here; leaving it out keeps the runs quick.
const services = testServices({ analyseVideos: false });
afterAll(() => services.cleanup());

async function run(suiteId: string, models: ModelRef[]): Promise<string> {
  const { runId } = services.bench.startRun({ suiteId, models, budgetUsd: 10 });
  const summary = await services.bench.waitForRun(runId);
  expect(summary.state).toBe('finished');
  return runId;
}

function suite(id: string, settings: Record<string, unknown>, prompts: string[]): void {
  saveSuiteVersion(
    services.db,
    {
      id,
      builtIn: false,
      definition: {
        name: id,
        description: `${id} for the comparison test`,
        settings,
        prompts: prompts.map((text, index) => ({ id: `${id}-${index}`, category: 'camera', text })),
      },
    },
    Date.now(),
  );
}

const SMOKE_FOX =
  'A red fox trots across fresh snow at dawn, its breath visible, the camera tracking alongside at ground level.';

let smokeA: string;
let smokeB: string;
beforeAll(async () => {
  smokeA = await run('smoke', [fast, pro]);
  smokeB = await run('smoke', [fast, pro]);
}, 120_000);

describe('compareRuns', () => {
  it('two runs of the same suite are like for like, and the counts match the rows', () => {
    // One of Sandbox Pro's three clips failed in the later run: its success rate fell.
    services.db
      .prepare(
        "UPDATE generations SET outcome = 'failure', cost_usd = 0 WHERE run_id = ? AND model_id = 'sandbox-pro' AND prompt_id = 'smoke-01'",
      )
      .run(smokeB);
    const comparison = compareRuns(services.db, smokeA, smokeB);
    expect(comparison.differences).toEqual([]);
    expect(comparison.comparable).toBe(true);
    expect(comparison.prompts).toEqual({ shared: 3, before: 3, after: 3 });
    expect(comparison.models).toEqual({
      shared: ['sandbox:sandbox-fast', 'sandbox:sandbox-pro'],
      onlyBefore: [],
      onlyAfter: [],
    });
    const success = comparison.changes.find(
      (change) =>
        change.modelId === 'sandbox-pro' &&
        change.category === null &&
        change.metric === 'successRate',
    );
    expect(success).toMatchObject({ before: 1, worse: true });
    const { worse, better, unchanged } = comparison.counts;
    expect(worse).toBe(comparison.changes.filter((change) => change.worse).length);
    expect(worse).toBeGreaterThanOrEqual(1);
    expect(worse + better).toBe(comparison.changes.length);
    // Success, four p95 phases, two costs and compliance per line (overall + 3 categories) for
    // two models, less what had no value (compliance without analysis; cost/latency of a line
    // with no success).
    expect(unchanged).toBeGreaterThan(0);
    expect(worse + better + unchanged).toBeLessThanOrEqual(2 * 4 * 8);
  });

  it('runs of different suites compare only the prompts both ran, and say so', async () => {
    suite('fox-and-more', { durationSeconds: 4, aspectRatio: '16:9', seed: 7 }, [
      SMOKE_FOX,
      'A paper boat drifts down a rain-filled gutter.',
    ]);
    const other = await run('fox-and-more', [fast, pro]);
    const comparison = compareRuns(services.db, smokeA, other);
    expect(comparison.comparable).toBe(true);
    expect(comparison.prompts).toEqual({ shared: 1, before: 3, after: 2 });
    expect(comparison.differences.map((d) => d.aspect)).toEqual(['suite', 'prompts']);
    expect(comparison.differences[0]!.message).toBe(
      'Different suites: "Smoke (3 prompts)" before, "fox-and-more" after.',
    );
    expect(comparison.differences[1]!.message).toBe(
      '1 prompt was run by both (same text, image and settings) out of 3 before and 2 after; only that one is compared.',
    );
    // The one shared prompt gives the same clip and outcome: nothing changed but time.
    for (const change of comparison.changes) expect(change.metric).toMatch(/^p95\./);
    expect(comparison.counts.worse + comparison.counts.better).toBe(comparison.changes.length);
  }, 60_000);

  it('other settings or no shared model: nothing is compared, and the reasons are given', async () => {
    suite('smoke-8s', { durationSeconds: 8, aspectRatio: '16:9', seed: 7 }, [SMOKE_FOX]);
    const longer = await run('smoke-8s', [fast]);
    const bySettings = compareRuns(services.db, smokeA, longer);
    expect(bySettings.comparable).toBe(false);
    expect(bySettings.changes).toEqual([]);
    expect(bySettings.counts).toEqual({ worse: 0, better: 0, unchanged: 0 });
    expect(bySettings.differences.map((d) => d.message)).toContain(
      'Generation settings differ: durationSeconds 4 → 8.',
    );
    expect(bySettings.differences.map((d) => d.aspect)).toContain('prompts');

    const flakyOnly = await run('smoke', [flaky]);
    const byModels = compareRuns(services.db, smokeA, flakyOnly);
    expect(byModels.comparable).toBe(false);
    expect(byModels.differences).toEqual([
      {
        aspect: 'models',
        message:
          'No model was run by both (only before: sandbox:sandbox-fast, sandbox:sandbox-pro; only after: sandbox:sandbox-flaky).',
      },
    ]);
    expect(byModels.changes).toEqual([]);
  }, 60_000);

  it('names a run that does not exist', () => {
    expect(() => compareRuns(services.db, smokeA, 'run_missing')).toThrow(
      'There is no run "run_missing".',
    );
  });
});
