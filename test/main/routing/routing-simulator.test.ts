import { describe, expect, it } from 'vitest';
import {
  compareSimulations,
  MissingEvidenceError,
  simulateRouting,
} from '../../../src/main/rollout/routing/routing-simulator';
import {
  routingConfigSchema,
  type RoutingConfig,
  type RoutingConfigInput,
} from '../../../src/shared/routing/routing-config-schema';
import type { ModelObservationInput } from '../../../src/shared/routing/routing-evidence';
import { ValidationError } from '../../../src/shared/errors';
import { exampleConfig } from './fixtures';

function config(
  tiers: RoutingConfigInput['tiers'],
  flags: RoutingConfigInput['flags'] = {},
): RoutingConfig {
  return routingConfigSchema.parse({ schemaVersion: 1, tiers, flags });
}

const fast = { p50LatencyMs: 30_000, p95LatencyMs: 60_000 };

describe('simulateRouting', () => {
  it('a 100 %-success single target: success 1.0, cost per 1,000 = price × 1000', () => {
    const cfg = config({
      free: { targets: [{ provider: 'together', model: 'a', timeoutSeconds: 600 }] },
    });
    const observed: Record<string, ModelObservationInput> = {
      'together:a': { successRate: 1, usdPerClip: 0.28, ...fast },
    };
    const result = simulateRouting(cfg, observed, { requests: 100_000, seed: 7 });
    const tier = result.tiers.free!;
    expect(tier.successRate).toBe(1);
    expect(tier.costPer1000VideosUsd).toBeCloseTo(280, 6);
    expect(tier.costPer1000RequestsUsd).toBeCloseTo(280, 6);
    expect(tier.attemptsPerRequest).toBe(1);
    // Lognormal through p50/p95: the simulated percentiles land near the observed ones.
    expect(tier.latencyMs.p50! / 30_000).toBeGreaterThan(0.97);
    expect(tier.latencyMs.p50! / 30_000).toBeLessThan(1.03);
    expect(tier.latencyMs.p95! / 60_000).toBeGreaterThan(0.96);
    expect(tier.latencyMs.p95! / 60_000).toBeLessThan(1.04);
  });

  it('a 50 % target with a 100 % fallback: success 1.0; failed attempts cost only if billed', () => {
    const cfg = config({
      free: {
        targets: [
          { provider: 'together', model: 'half', retries: 0, timeoutSeconds: 600 },
          { provider: 'runway', model: 'sure', retries: 0, timeoutSeconds: 600 },
        ],
      },
    });
    const base = { successRate: 0.5, usdPerClip: 1, ...fast };
    const sure = { successRate: 1, usdPerClip: 2, ...fast };
    const unbilled = simulateRouting(
      cfg,
      { 'together:half': base, 'runway:sure': sure },
      { requests: 100_000, seed: 3 },
    ).tiers.free!;
    expect(unbilled.successRate).toBe(1);
    // 0.5 × $1 + 0.5 × $2 per request (failed attempts not billed by default).
    expect(unbilled.costPer1000RequestsUsd).toBeGreaterThan(1480);
    expect(unbilled.costPer1000RequestsUsd).toBeLessThan(1520);
    const billed = simulateRouting(
      cfg,
      { 'together:half': { ...base, failureCostFraction: 1 }, 'runway:sure': sure },
      { requests: 100_000, seed: 3 },
    ).tiers.free!;
    // $1 always + 0.5 × $2.
    expect(billed.successRate).toBe(1);
    expect(billed.costPer1000RequestsUsd).toBeGreaterThan(1980);
    expect(billed.costPer1000RequestsUsd).toBeLessThan(2020);
    expect(billed.targets[0]!.attempts).toBe(100_000);
    expect(billed.targets[1]!.attempts).toBe(billed.targets[0]!.failures);
  });

  it('retries on the same target, and fallbackOn [] ends the request', () => {
    const observed = {
      'together:half': { successRate: 0.5, usdPerClip: 1, ...fast },
      'runway:sure': { successRate: 1, usdPerClip: 1, ...fast },
    };
    const retried = simulateRouting(
      config({
        free: {
          targets: [{ provider: 'together', model: 'half', retries: 2, timeoutSeconds: 600 }],
        },
      }),
      observed,
      { requests: 50_000, seed: 1 },
    ).tiers.free!;
    expect(retried.successRate).toBeGreaterThan(0.86); // 1 − 0.5³ = 0.875
    expect(retried.successRate).toBeLessThan(0.89);
    const stopped = simulateRouting(
      config({
        free: {
          targets: [
            {
              provider: 'together',
              model: 'half',
              retries: 0,
              timeoutSeconds: 600,
              fallbackOn: [],
            },
            { provider: 'runway', model: 'sure', timeoutSeconds: 600 },
          ],
        },
      }),
      observed,
      { requests: 50_000, seed: 1 },
    ).tiers.free!;
    expect(stopped.targets[1]!.attempts).toBe(0);
    expect(stopped.successRate).toBeGreaterThan(0.48);
    expect(stopped.successRate).toBeLessThan(0.52);
  });

  it('times out attempts longer than the target timeout and bills them in full by default', () => {
    const cfg = config({
      free: { targets: [{ provider: 'together', model: 'slow', retries: 0, timeoutSeconds: 30 }] },
    });
    const tier = simulateRouting(
      cfg,
      { 'together:slow': { successRate: 1, usdPerClip: 1, ...fast } },
      { requests: 20_000, seed: 5 },
    ).tiers.free!;
    // p50 = 30 s = the timeout: about half the attempts time out.
    expect(tier.successRate).toBeGreaterThan(0.47);
    expect(tier.successRate).toBeLessThan(0.53);
    expect(tier.failedBy.timeout).toBe(20_000 - tier.successes);
    expect(tier.costPer1000RequestsUsd).toBeCloseTo(1000, 6);
    expect(tier.latencyMs.p95!).toBeLessThanOrEqual(30_000);
  });

  it('splits a weighted tier by normalised weights', () => {
    const cfg = config({
      free: {
        strategy: 'weighted',
        targets: [
          { provider: 'together', model: 'a', weight: 5 },
          { provider: 'together', model: 'b', weight: 3 },
          { provider: 'together', model: 'c', weight: 1 },
        ],
      },
    });
    const obs = { successRate: 1, usdPerClip: 1, ...fast };
    const tier = simulateRouting(
      cfg,
      { 'together:a': obs, 'together:b': obs, 'together:c': obs },
      { requests: 90_000, seed: 11 },
    ).tiers.free!;
    expect(tier.targets[0]!.firstChoiceShare).toBeCloseTo(5 / 9, 2);
    expect(tier.targets[1]!.firstChoiceShare).toBeCloseTo(3 / 9, 2);
    expect(tier.targets[2]!.firstChoiceShare).toBeCloseTo(1 / 9, 2);
  });

  it('is deterministic for a seed, and a different seed changes the draws', () => {
    const cfg = routingConfigSchema.parse(exampleConfig());
    const obs = (s: number, clip: number): ModelObservationInput => ({
      successRate: s,
      usdPerClip: clip,
      ...fast,
    });
    const observed = {
      'together:ByteDance/Seedance-1.0-lite': obs(0.95, 0.14),
      'together:Wan-AI/wan2.7-t2v': obs(0.9, 0.1),
      'sandbox:sandbox-fast': obs(1, 0.2),
      'together:kwaivgI/kling-2.1-master': obs(0.93, 0.92),
      'runway:gen4.5': obs(0.97, 0.6),
      'sandbox:sandbox-pro': obs(1, 0.6),
    };
    const a = simulateRouting(cfg, observed, { requests: 20_000, seed: 42 });
    const b = simulateRouting(cfg, observed, { requests: 20_000, seed: 42 });
    const c = simulateRouting(cfg, observed, { requests: 20_000, seed: 43 });
    expect(a).toEqual(b);
    expect(c.tiers.free!.costUsd).not.toBe(a.tiers.free!.costUsd);
    // The flag sends about a quarter of premium users to Together first.
    const premium = a.tiers.premium!;
    const on = premium.flagShares.find((s) => s.assignment['premium-together-video'] === 'on')!;
    expect(on.share).toBeGreaterThan(0.235);
    expect(on.share).toBeLessThan(0.265);
    expect(premium.targets[0]!.firstChoiceShare).toBeCloseTo(on.share, 1);
    expect(a.tiers.free!.flagShares).toEqual([{ assignment: {}, share: 1 }]);
  });

  it('names the targets that have no observations', () => {
    const cfg = config({ free: { targets: [{ provider: 'together', model: 'ghost' }] } });
    expect(() => simulateRouting(cfg, {}, { requests: 10, seed: 1 })).toThrow(ValidationError);
    expect(() => simulateRouting(cfg, {}, { requests: 10, seed: 1 })).toThrow(
      "No benchmark evidence for together:ghost: the simulator needs each model's success rate and latencies.",
    );
    // Each target is still named in the issues; each model once in the message.
    const twice = config({
      free: {
        targets: [
          { provider: 'together', model: 'ghost' },
          { provider: 'fal', model: 'phantom' },
        ],
      },
      premium: { targets: [{ provider: 'together', model: 'ghost' }] },
    });
    let caught: unknown;
    try {
      simulateRouting(twice, {}, { requests: 10, seed: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingEvidenceError);
    const missing = caught as MissingEvidenceError;
    expect(missing.models).toEqual(['together:ghost', 'fal:phantom']);
    expect(missing.issues.map((issue) => issue.path)).toEqual([
      'tiers.free.targets.0',
      'tiers.free.targets.1',
      'tiers.premium.targets.0',
    ]);
    expect(missing.message).toMatch(/^No benchmark evidence for together:ghost and fal:phantom:/);
    expect(() =>
      simulateRouting(
        cfg,
        { 'together:ghost': { successRate: 1, ...fast } },
        { requests: 0, seed: 1 },
      ),
    ).toThrow(/requests/);
  });

  it('compares two simulations tier by tier', () => {
    const observed = {
      'together:half': { successRate: 0.5, usdPerClip: 1, ...fast },
      'runway:sure': { successRate: 1, usdPerClip: 2, ...fast },
    };
    const before = simulateRouting(
      config({
        free: {
          targets: [{ provider: 'together', model: 'half', retries: 0, timeoutSeconds: 600 }],
        },
      }),
      observed,
      { requests: 20_000, seed: 1 },
    );
    const after = simulateRouting(
      config({
        free: {
          targets: [
            { provider: 'together', model: 'half', retries: 0, timeoutSeconds: 600 },
            { provider: 'runway', model: 'sure', timeoutSeconds: 600 },
          ],
        },
        premium: { targets: [{ provider: 'runway', model: 'sure', timeoutSeconds: 600 }] },
      }),
      observed,
      { requests: 20_000, seed: 1 },
    );
    const comparison = compareSimulations(before, after);
    const free = comparison.find((c) => c.tier === 'free')!;
    expect(free.status).toBe('changed');
    expect(free.successRate.change!).toBeGreaterThan(0.45);
    expect(free.costPer1000RequestsUsd.change!).toBeGreaterThan(900);
    const premium = comparison.find((c) => c.tier === 'premium')!;
    expect(premium.status).toBe('added');
    expect(premium.successRate.before).toBeNull();
    expect(premium.successRate.change).toBeNull();
  });
});
