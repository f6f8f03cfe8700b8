/**
 * The bench runner's plan marks each line whose model has no known price (`priceUnknown`), and
 * `aideon bench plan` shows its figure as an upper bound with the plan's note, not as a price.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/temp-dir';
import { cliIn } from '../../helpers/cli-in-process';
import { testServices } from '../../helpers/services';

const KEYS = { REPLICATE_API_TOKEN: 'r8_plan-price-unknown-01', TOGETHER_API_KEY: 'tg-plan-01' };
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('priceUnknown on plan lines', () => {
  it('is set for a real model without a price, and only for it', async () => {
    const services = testServices({ env: KEYS, analyseVideos: false });
    cleanups.push(() => services.cleanup());
    const plan = services.bench.plan({
      suiteId: 'smoke',
      models: [
        { provider: 'replicate', modelId: 'google/veo-3' },
        { provider: 'together', modelId: 'minimax/hailuo-02' },
        { provider: 'sandbox', modelId: 'sandbox-fast' },
      ],
      budgetUsd: 100,
    });
    const [unpriced, priced, sandbox] = plan.models;
    expect(unpriced).toMatchObject({ modelId: 'google/veo-3', priceUnknown: true });
    // Counted at the dearest known price for such a clip: a bound, above zero.
    expect(unpriced!.estimatedCostUsd).toBeGreaterThan(0);
    expect(priced).toMatchObject({ modelId: 'minimax/hailuo-02', priceUnknown: false });
    expect(priced!.estimatedCostUsd).toBeGreaterThan(0);
    expect(sandbox).toMatchObject({ modelId: 'sandbox-fast', priceUnknown: false });
  });

  it('a model that no known price bounds fits no budget: the run is refused, nothing is sent', async () => {
    const services = testServices({ env: KEYS, analyseVideos: false });
    cleanups.push(() => services.cleanup());
    // Only models without a price are known: nothing bounds google/veo-3's clips.
    const all = services.registry.allModels();
    vi.spyOn(services.registry, 'allModels').mockReturnValue(
      all.filter((model) => model.simulated || model.modelId === 'google/veo-3'),
    );
    const input = {
      suiteId: 'smoke',
      models: [{ provider: 'replicate' as const, modelId: 'google/veo-3' }],
      budgetUsd: 1_000,
    };
    const plan = services.bench.plan(input);
    expect(plan.models[0]).toMatchObject({ priceUnknown: true, estimatedCostUsd: 0 });
    // Before: $0 fits the $1,000 budget, and every clip would have been sent uncounted.
    expect(plan.withinBudget).toBe(false);
    expect(() => services.bench.startRun(input)).toThrow(
      /No price is known for replicate:google\/veo-3, and no known price bounds it.*Leave it out/,
    );
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 });
  });

  it('aideon bench plan prints "≤ $X (price unknown)" and the note', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { code, stdout, stderr } = await cliIn(
      dir,
      [
        'bench',
        'plan',
        '--suite',
        'smoke',
        '--models',
        'replicate:google/veo-3,together:minimax/hailuo-02',
      ],
      KEYS,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/generations, estimated ≤ \$\d+\.\d\d\n/);
    expect(stdout).toMatch(
      /replicate:google\/veo-3 {6}3 × ≤ \$\d+\.\d{2,3} = ≤ \$\d+\.\d\d {2}\(price unknown\)/,
    );
    // The ids are padded to one width: the counts line up under each other.
    const counts = stdout
      .split('\n')
      .filter((line) => / 3 × /.test(line))
      .map((line) => line.indexOf(' 3 × '));
    expect(counts).toHaveLength(2);
    expect(new Set(counts).size).toBe(1);
    expect(stdout).toMatch(/together:minimax\/hailuo-02 {2}3 × ≈ \$0\.49 = \$1\.47\n/);
    expect(stdout).toMatch(/^note: Price unknown for Google Veo 3: .*upper bound/m);
    // Said once, in the note, not again as a warning under the model.
    expect(stdout).not.toMatch(/warning: price:/);
  });
});
