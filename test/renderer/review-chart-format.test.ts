import { describe, expect, it } from 'vitest';
import type { ModelChartFacts } from '../../src/shared/review/review-chart-schemas';
import type { Rating } from '../../src/shared/review/review-schemas';
import {
  latencyBoxes,
  leaderboardData,
  outcomeShares,
  qualityCostData,
  ratingDomain,
  ratingTicks,
  shortModelName,
  winRateColor,
  winRateRows,
} from '../../src/renderer/src/review/review-chart-format';

const nameOf = (key: string) => key.toUpperCase();
const rating = (model: string, value: number, low: number, high: number): Rating => ({
  model,
  rating: value,
  low,
  high,
  votes: 10,
  wins: 5,
  losses: 5,
  ties: 0,
  bothBad: 0,
});
const facts = (
  model: string,
  cost: number | null,
  latency: Partial<ModelChartFacts['latencyMs']> = {},
  outcomes: Partial<ModelChartFacts['outcomes']> = {},
): ModelChartFacts => ({
  model,
  generations: 10,
  outcomes: { success: 0, policy_refusal: 0, failure: 0, timeout: 0, bad_output: 0, ...outcomes },
  costPerSecondUsd: cost,
  latencyMs: { n: 0, min: null, p25: null, p50: null, p75: null, p95: null, max: null, ...latency },
});

describe('review chart data shaping', () => {
  it('gives each leaderboard point an asymmetric error around its rating', () => {
    const [point] = leaderboardData([rating('x:a', 1040, 1000, 1100)], nameOf);
    expect(point).toMatchObject({ name: 'X:A', rating: 1040, error: [40, 60] });
    expect(ratingDomain([{ low: 951, high: 1049 }])).toEqual([925, 1075]);
    expect(ratingTicks([925, 1075])).toEqual([925, 950, 975, 1000, 1025, 1050, 1075]);
    expect(ratingTicks(ratingDomain([{ low: 865, high: 1150 }]))).toEqual([
      850, 900, 950, 1000, 1050, 1100, 1150, 1200,
    ]);
    expect(shortModelName('sandbox:sandbox-seeded', 'sandbox:sandbox-seeded')).toBe(
      'sandbox-seeded',
    );
    expect(shortModelName('A very long display name of a model', 'x:y')).toBe(
      'A very long display n…',
    );
  });

  it('marks the Pareto front (cheaper and better) and leaves out models without a cost', () => {
    const { points, front, missing } = qualityCostData(
      [
        rating('x:best', 1100, 1050, 1150),
        rating('x:cheap', 980, 950, 1010),
        rating('x:meh', 970, 940, 1000),
        rating('x:nocost', 1200, 1100, 1300),
      ],
      [facts('x:best', 0.2), facts('x:cheap', 0.05), facts('x:meh', 0.1), facts('x:nocost', null)],
      nameOf,
    );
    expect(missing).toEqual(['X:NOCOST']);
    expect(points.map((p) => [p.model, p.onFront])).toEqual([
      ['x:best', true],
      ['x:cheap', true],
      ['x:meh', false],
    ]);
    expect(front.map((p) => p.model)).toEqual(['x:cheap', 'x:best']);
  });

  it('lays the win-rate matrix out in leaderboard order with an empty diagonal', () => {
    const rows = winRateRows(
      ['x:b', 'x:a'],
      [
        { model: 'x:a', opponent: 'x:b', wins: 3, games: 4, rate: 0.75 },
        { model: 'x:b', opponent: 'x:a', wins: 1, games: 4, rate: 0.25 },
      ],
      nameOf,
    );
    expect(rows.map((row) => row.cells.map((cell) => cell.rate))).toEqual([
      [null, 0.25],
      [0.75, null],
    ]);
    expect(winRateColor(0.5)).toBe('rgb(241, 245, 249)');
    expect(winRateColor(1)).toBe('rgb(22, 163, 74)');
    expect(winRateColor(0)).toBe('rgb(220, 38, 38)');
  });

  it('stacks latency segments that add up to p95, in seconds', () => {
    const [box] = latencyBoxes(
      [
        facts('x:a', 1, { n: 5, min: 1000, p25: 1500, p50: 2000, p75: 3000, p95: 5000, max: 6000 }),
        facts('x:none', 1),
      ],
      nameOf,
    );
    expect(box).toMatchObject({ offset: 1, lowTail: 0.5, lowBox: 0.5, highBox: 1, highTail: 2 });
    expect(box!.offset + box!.lowTail + box!.lowBox + box!.highBox + box!.highTail).toBe(5);
  });

  it('turns outcome counts into percentages of finished generations', () => {
    const rows = outcomeShares(
      [facts('x:a', 1, {}, { success: 2, failure: 1 }), facts('x:empty', null)],
      nameOf,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ success: 66.7, failure: 33.3, timeout: 0, finished: 3 });
  });
});
