/**
 * A price an admin enters for a model (model_prices, migration 0258) is stored with who and
 * when, checked against the model, reached through the IPC channels like every other input, and
 * used by the plan, the budget check and startRun: a model that was "price unknown" becomes
 * runnable once priced, and its plan line is exact (no "≤"). The budget still holds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { guardedDispatch } from '../../../src/main/app/ipc-guard';
import { APP_ORIGIN } from '../../../src/main/app/protocol-handlers';
import { listModelPrices } from '../../../src/main/providers/model-prices';
import { planLineCostText, planTotalCostText } from '../../../src/shared/bench/plan-cost';
import { sleep } from '../../../src/main/services';
import { REPLICATE_EMULATOR_MODELS, ReplicateEmulator } from '../../emulators/replicate-emulator';
import { testServices } from '../../helpers/services';

const KEY = 'r8_model_price_key_00000000001';
const emulator = new ReplicateEmulator({ apiKey: KEY });
const env: Record<string, string> = { REPLICATE_API_TOKEN: KEY, AIDEON_ACTOR: 'alice' };
beforeAll(async () => {
  env.AIDEON_REPLICATE_BASE_URL = await emulator.start();
  emulator.waitScale = 0;
});
afterAll(async () => {
  await emulator.stop();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const MINIMAX = { provider: 'replicate' as const, modelId: 'minimax/video-01' };
const NOW = Date.UTC(2026, 11, 4, 9, 30);

function services() {
  const made = testServices({
    env,
    now: () => NOW,
    sleep: (ms, signal) => sleep(Math.min(ms, 5), signal),
    analyseVideos: false,
  });
  cleanups.push(() => made.cleanup());
  return made;
}

/** Only models without a price are known besides the sandbox: nothing bounds minimax/video-01. */
function withoutAnyKnownPrice(target: ReturnType<typeof services>): void {
  const all = target.registry.allModels();
  vi.spyOn(target.registry, 'allModels').mockReturnValue(
    all.filter((model) => model.simulated || model.modelId === MINIMAX.modelId),
  );
}

describe('admin-entered prices in the plan, the budget and startRun', () => {
  it('a model no price bounded is refused; once priced its plan is exact and the run starts within budget', async () => {
    const target = services();
    withoutAnyKnownPrice(target);
    const input = { suiteId: 'smoke', models: [MINIMAX], budgetUsd: 5 };
    const before = target.bench.plan(input);
    expect(before.models[0]).toMatchObject({ priceUnknown: true, estimatedCostUsd: 0 });
    expect(planLineCostText(before.models[0]!)).toBe('price unknown');
    expect(() => target.bench.startRun(input)).toThrow(/No price is known/);

    // $0.10 per second of video; the smoke suite asks 4 s clips, 3 prompts. MiniMax Video-01 makes
    // only 6 s clips, so each is counted at 6 s (what the vendor may bill): 3 × 6 × $0.10.
    const model = target.prices.set(MINIMAX, { unit: 'second', usd: 0.1 });
    expect(model.pricing).toMatchObject({
      usdPerSecond: 0.1,
      entered: { by: 'alice', at: NOW, replaces: null },
    });

    const after = target.bench.plan(input);
    expect(after.models[0]).toMatchObject({
      priceUnknown: false,
      estimatedCostUsd: 1.8,
      priceEntered: { by: 'alice', at: NOW },
    });
    expect(after.models[0]!.warnings.some((warning) => warning.startsWith('price:'))).toBe(false);
    expect(after.models[0]!.warnings).toContain(
      'clip length: 4 s is not offered; this model offers 6 s; the estimate counts 6 s, what the vendor may make and bill',
    );
    expect(planLineCostText(after.models[0]!)).toBe('$1.80');
    expect(planTotalCostText(after)).toBe('$1.80');
    expect(after.withinBudget).toBe(true);

    // Each generation holds its priced estimate against the budget while in flight.
    const { runId } = target.bench.startRun(input);
    const estimates = target.db
      .prepare('SELECT estimated_cost_usd AS usd FROM generations WHERE run_id = ?')
      .all(runId) as { usd: number }[];
    expect(estimates.map((row) => row.usd)).toEqual([0.6, 0.6, 0.6]);
    expect((await target.bench.waitForRun(runId)).state).toBe('finished');
  });

  it('a bound ("≤") becomes the price, and a price over the budget is refused before anything is sent', () => {
    const target = services();
    const input = { suiteId: 'smoke', models: [MINIMAX], budgetUsd: 2 };
    const bounded = target.bench.plan(input);
    expect(bounded.models[0]!.priceUnknown).toBe(true);
    expect(planLineCostText(bounded.models[0]!)).toMatch(/^≤ \$/);

    target.prices.set(MINIMAX, { unit: 'clip', usd: 0.9 });
    const priced = target.bench.plan(input);
    expect(priced.models[0]).toMatchObject({ priceUnknown: false, estimatedCostUsd: 2.7 });
    expect(planLineCostText(priced.models[0]!)).toBe('$2.70');
    expect(priced.withinBudget).toBe(false);
    const creates = emulator.stats.creates;
    expect(() => target.bench.startRun(input)).toThrow(/over the \$2\.00 budget/);
    expect(emulator.stats.creates).toBe(creates);
    expect(target.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 });
  });

  it('overrides a built-in price, keeps it beside the entry, and clearing brings it back', () => {
    const target = services();
    const luma = { provider: 'luma' as const, modelId: 'ray-2' };
    const builtIn = target.registry.lookup(luma).pricing;
    expect(builtIn.entered).toBeUndefined();
    target.prices.set(luma, { unit: 'second', usd: 0.5 });
    const entered = target.registry.lookup(luma).pricing;
    expect(entered).toMatchObject({ usdPerSecond: 0.5, entered: { usd: 0.5 } });
    expect(entered.entered?.replaces).toMatchObject({ usdPerSecond: builtIn.usdPerSecond });
    // The models list (Models screen, New benchmark) and the ceiling for unknown prices see it.
    const listed = target.registry.allModels().find((model) => model.modelId === 'ray-2');
    expect(listed?.pricing.entered?.usd).toBe(0.5);
    // The release monitor still compares catalogues with the built-in table.
    expect(
      target.registry.modelsOf('luma').find((model) => model.modelId === 'ray-2')?.pricing,
    ).toEqual(builtIn);

    expect(target.prices.clear(luma).cleared).toBe(true);
    expect(target.registry.lookup(luma).pricing).toEqual(builtIn);
    expect(target.prices.clear(luma).cleared).toBe(false);
  });

  it('a clip whose resolution and audio the suite leaves open is counted at the dearest entry', () => {
    const target = services();
    const veo = { provider: 'replicate' as const, modelId: 'google/veo-3' };
    target.prices.set(veo, {
      unit: 'second',
      usd: 0.4,
      resolutionPrices: { '1080p': 0.6 },
      audioUsdPerSecond: 0.35,
    });
    // 3 clips × ($0.60 at the dearest resolution + $0.35 audio, the model's default) per second,
    // counted at 8 s: the suite asks 4 s, which Veo 3 does not offer, and 8 s is its longest.
    const plan = target.bench.plan({ suiteId: 'smoke', models: [veo], budgetUsd: 100 });
    expect(plan.models[0]!.estimatedCostUsd).toBeCloseTo(22.8, 6);
  });
  it('a priced model outside the built-in table (a version-pinned community model) is listed until its price is cleared', () => {
    const target = services();
    const community = {
      provider: 'replicate' as const,
      modelId: `acme/tiny-video:${REPLICATE_EMULATOR_MODELS['acme/tiny-video']}`,
    };
    const isCommunity = (model: { provider: string; modelId: string }) =>
      model.provider === community.provider && model.modelId === community.modelId;
    expect(target.registry.allModels().some(isCommunity)).toBe(false);

    target.prices.set(community, { unit: 'clip', usd: 0.25 });
    const listed = target.registry.allModels().filter(isCommunity);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.pricing).toMatchObject({ usdPerClip: 0.25, entered: { by: 'alice' } });
    // Listed once, whatever else is priced; the built-in table is unchanged.
    target.prices.set(MINIMAX, { unit: 'second', usd: 0.1 });
    expect(target.registry.allModels().filter(isCommunity)).toHaveLength(1);
    expect(target.registry.modelsOf('replicate').some(isCommunity)).toBe(false);
    // It can be planned at its price (3 prompts × $0.25).
    const plan = target.bench.plan({ suiteId: 'smoke', models: [community], budgetUsd: 5 });
    expect(plan.models[0]).toMatchObject({ priceUnknown: false, estimatedCostUsd: 0.75 });

    expect(target.prices.clear(community).cleared).toBe(true);
    expect(target.registry.allModels().some(isCommunity)).toBe(false);
  });
});

describe('storage and checks', () => {
  it('stores who and when, replaces on a second set, and refuses bad entries naming the field', () => {
    const target = services();
    target.prices.set(MINIMAX, { unit: 'second', usd: 0.1 });
    target.prices.set(MINIMAX, { unit: 'clip', usd: 0.5 });
    const stored = listModelPrices(target.db);
    expect([...stored.values()]).toEqual([
      {
        provider: 'replicate',
        modelId: 'minimax/video-01',
        unit: 'clip',
        usd: 0.5,
        enteredBy: 'alice',
        enteredAt: NOW,
      },
    ]);

    const refused = (ref: { provider: 'replicate' | 'sandbox'; modelId: string }, entry: unknown) =>
      (() => {
        try {
          target.prices.set(ref, entry);
        } catch (error) {
          return (error as Error).message;
        }
        return 'accepted';
      })();
    expect(refused(MINIMAX, { unit: 'second', usd: -1 })).toMatch(
      /^Invalid price for replicate:minimax\/video-01: usd: must be more than \$0/,
    );
    expect(refused(MINIMAX, { unit: 'second', usd: 1e6 })).toMatch(/usd: must be at most \$10/);
    expect(refused(MINIMAX, { unit: 'second', usd: 0.1, resolutionPrices: { '4k': 0.3 } })).toMatch(
      /resolutionPrices\.4k: this model does not offer 4k; it offers 720p/,
    );
    expect(refused(MINIMAX, { unit: 'second', usd: 0.1, audioUsdPerSecond: 0.1 })).toMatch(
      /audioUsdPerSecond: this model does not generate audio/,
    );
    expect(
      refused({ provider: 'sandbox', modelId: 'sandbox-fast' }, { unit: 'clip', usd: 1 }),
    ).toMatch(/sandbox is simulated/);
    expect(
      refused({ provider: 'replicate', modelId: 'nobody/nothing' }, { unit: 'clip', usd: 1 }),
    ).toMatch(/has no model "nobody\/nothing"/);
    // Nothing of the refused entries was stored.
    expect([...listModelPrices(target.db).values()].map((row) => row.usd)).toEqual([0.5]);
  });

  it('the IPC channels parse their input first and answer the model with its price', async () => {
    const target = services();
    const dispatcher = createAppDispatcher(target, { checkOutputs: true });
    // The desktop app's gate: a frame that is not the console's own renderer reaches nothing.
    const invoke = guardedDispatch(dispatcher, APP_ORIGIN);
    const foreign = await invoke('https://example.com/', 'models:set-price', {
      ...MINIMAX,
      price: { unit: 'second', usd: 0.1 },
    });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(listModelPrices(target.db).size).toBe(0);
    const bad = await dispatcher.dispatch('models:set-price', {
      ...MINIMAX,
      price: { unit: 'second', usd: 0 },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(bad.ok ? '' : bad.error.message).toMatch(/price\.usd: must be more than \$0/);
    const extra = await dispatcher.dispatch('models:set-price', {
      ...MINIMAX,
      price: { unit: 'second', usd: 0.1 },
      by: 'mallory',
    });
    expect(extra.ok).toBe(false);

    const set = await dispatcher.dispatch('models:set-price', {
      ...MINIMAX,
      price: { unit: 'second', usd: 0.1 },
    });
    expect(set).toMatchObject({
      ok: true,
      value: {
        modelId: 'minimax/video-01',
        pricing: { usdPerSecond: 0.1, entered: { by: 'alice' } },
      },
    });
    const listed = await dispatcher.dispatch('models:list', {});
    expect(
      (listed.ok
        ? (listed.value as { modelId: string; pricing: { entered?: unknown } }[])
        : []
      ).find((model) => model.modelId === 'minimax/video-01')?.pricing.entered,
    ).toBeDefined();
    const cleared = await dispatcher.dispatch('models:clear-price', MINIMAX);
    expect(cleared).toMatchObject({ ok: true, value: { cleared: true } });
    expect(listModelPrices(target.db).size).toBe(0);
  });
});
