import { describe, expect, it } from 'vitest';
import {
  applyProposals,
  paretoFront,
  recommendRouting,
  toPercentWeights,
} from '../../../src/main/rollout/routing/routing-recommendations';
import { checkRoutingConfig } from '../../../src/main/rollout/routing/routing-checks';
import { routingConfigSchema } from '../../../src/shared/routing/routing-config-schema';
import type { Rating } from '../../../src/shared/review/review-schemas';
import { ValidationError } from '../../../src/shared/errors';
import { context, exampleConfig, goodEvidence, MODELS } from './fixtures';

function rating(model: string, value: number, votes = 60): Rating {
  return {
    model,
    rating: value,
    low: value - 40,
    high: value + 40,
    votes,
    wins: 0,
    losses: 0,
    ties: 0,
    bothBad: 0,
  };
}

// Hand-made evidence: four text+image models that fit both tiers of the example.
const evidence = {
  'together:ByteDance/Seedance-1.0-lite': goodEvidence({ successRate: 0.97, p95LatencyMs: 90_000 }),
  'together:Wan-AI/wan2.7-t2v': goodEvidence({ successRate: 0.99, p95LatencyMs: 70_000 }),
  'sandbox:sandbox-fast': goodEvidence({ successRate: 0.96, p95LatencyMs: 3_000 }),
  'together:kwaivgI/kling-2.1-master': goodEvidence({ successRate: 0.96, p95LatencyMs: 200_000 }),
  'runway:gen4.5': goodEvidence({ successRate: 0.98, p95LatencyMs: 150_000 }),
  'sandbox:sandbox-pro': goodEvidence({ successRate: 1, p95LatencyMs: 4_000 }),
  'together:vidu/vidu-q1': goodEvidence({ successRate: 0.9 }), // under the 95 % bar
};
const prices = {
  'together:ByteDance/Seedance-1.0-lite': 0.14,
  'together:Wan-AI/wan2.7-t2v': 0.1,
  'sandbox:sandbox-fast': 0.25,
  'together:kwaivgI/kling-2.1-master': 0.92,
  'runway:gen4.5': 0.6,
  'sandbox:sandbox-pro': 0.6,
  'together:vidu/vidu-q1': 0.05,
};
const ratings = [
  rating('together:kwaivgI/kling-2.1-master', 1150),
  rating('runway:gen4.5', 1120),
  rating('together:ByteDance/Seedance-1.0-lite', 1010),
  rating('together:Wan-AI/wan2.7-t2v', 960),
  rating('sandbox:sandbox-fast', 900),
  rating('together:vidu/vidu-q1', 1200), // best rated, but fails the success bar
];

describe('recommendRouting', () => {
  const config = routingConfigSchema.parse(exampleConfig());
  const proposals = recommendRouting(
    evidence,
    ratings,
    prices,
    { minRating: 1000 },
    { config, models: MODELS },
  );
  const byId = new Map(proposals.map((p) => [p.id, p]));

  it('puts the cheapest model meeting the bar first in the free tier', () => {
    // Wan 2.7 is cheaper but rated 960 (< 1000); vidu-q1 is cheapest but fails the success bar.
    const free = byId.get('placement:free')!;
    expect(free).toBeUndefined(); // Seedance (0.14, 1010) already has the largest weight
    const stricter = recommendRouting(
      evidence,
      ratings,
      prices,
      { minRating: 1100 },
      { config, models: MODELS },
    );
    const placement = stricter.find((p) => p.id === 'placement:free')!;
    expect(placement.changes).toEqual([
      { op: 'set-primary', tier: 'free', provider: 'runway', model: 'gen4.5' },
    ]);
    const gen45 = placement.evidence.find((e) => e.model === 'runway:gen4.5')!;
    expect(gen45).toMatchObject({
      onParetoFront: true,
      meetsBar: true,
      priceUsd: 0.6,
      rating: 1120,
    });
    expect(placement.reason).toMatch(/cheapest model meeting the free bar/);
  });

  it('puts the best-rated model that meets the success bar first in premium', () => {
    const premium = byId.get('placement:premium')!;
    expect(premium.changes).toEqual([
      {
        op: 'set-primary',
        tier: 'premium',
        provider: 'together',
        model: 'kwaivgI/kling-2.1-master',
      },
    ]);
    expect(premium.evidence.some((e) => e.model === 'together:vidu/vidu-q1')).toBe(false);
  });

  it('orders fallbacks by success rate, then p95 latency', () => {
    const order = byId.get('fallback-order:premium')!;
    expect(order.changes[0]).toMatchObject({ op: 'order-fallbacks', tier: 'premium' });
    const change = order.changes[0] as { order: string[] };
    expect(change.order).toEqual([
      'sandbox:sandbox-pro',
      'runway:gen4.5',
      'together:kwaivgI/kling-2.1-master',
    ]);
  });

  it('proposes weights for weighted tiers (free: success per dollar)', () => {
    const weights = byId.get('weights:free')!;
    const change = weights.changes[0] as { weights: Record<string, number> };
    expect(Object.values(change.weights).reduce((a, b) => a + b, 0)).toBe(100);
    expect(change.weights['together:Wan-AI/wan2.7-t2v']!).toBeGreaterThan(
      change.weights['together:ByteDance/Seedance-1.0-lite']!,
    );
  });

  it('applies accepted proposals only, composing them, and the result passes the checks', () => {
    const accepted = applyProposals(config, proposals, [
      'placement:premium',
      'fallback-order:premium',
    ]);
    expect(accepted.tiers.premium!.targets.map((t) => `${t.provider}:${t.model}`)).toEqual([
      'together:kwaivgI/kling-2.1-master',
      'sandbox:sandbox-pro',
      'runway:gen4.5',
      'together:kwaivgI/kling-2.1-master',
    ]);
    // The flag-gated copy stays where it was; the new primary has no flag condition.
    expect(accepted.tiers.premium!.targets[0]!.flag).toBeUndefined();
    expect(accepted.tiers.free).toEqual(config.tiers.free);
    expect(checkRoutingConfig(accepted, context()).ok).toBe(true);
    expect(applyProposals(config, proposals, [])).toEqual(config);
    expect(() => applyProposals(config, proposals, ['nope'])).toThrow(ValidationError);
  });

  it('computes the Pareto front and whole-number weights', () => {
    const q: Record<string, number> = { a: 1, b: 2, c: 2, d: 0 };
    const c: Record<string, number> = { a: 1, b: 2, c: 3, d: 5 };
    expect(
      [
        ...paretoFront(
          ['a', 'b', 'c', 'd'],
          (k) => q[k]!,
          (k) => c[k]!,
        ),
      ].sort(),
    ).toEqual(['a', 'b']);
    expect(toPercentWeights([1, 1, 1])).toEqual([34, 33, 33]);
    expect(toPercentWeights([0, 0])).toEqual([0, 0]);
  });
});
