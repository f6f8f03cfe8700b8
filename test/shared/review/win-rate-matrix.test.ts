import { describe, expect, it } from 'vitest';
import { winRateMatrix } from '../../../src/shared/review/review-chart-schemas';

describe('winRateMatrix', () => {
  it('counts wins, ties as half, and leaves both_bad out', () => {
    const cells = winRateMatrix([
      { modelA: 'x:a', modelB: 'x:b', verdict: 'a' },
      { modelA: 'x:b', modelB: 'x:a', verdict: 'a' },
      { modelA: 'x:a', modelB: 'x:b', verdict: 'tie' },
      { modelA: 'x:a', modelB: 'x:b', verdict: 'a' },
      { modelA: 'x:a', modelB: 'x:b', verdict: 'both_bad' },
      { modelA: 'x:c', modelB: 'x:a', verdict: 'b' },
    ]);
    expect(cells).toEqual([
      { model: 'x:a', opponent: 'x:b', wins: 2.5, games: 4, rate: 0.625 },
      { model: 'x:a', opponent: 'x:c', wins: 1, games: 1, rate: 1 },
      { model: 'x:b', opponent: 'x:a', wins: 1.5, games: 4, rate: 0.375 },
      { model: 'x:c', opponent: 'x:a', wins: 0, games: 1, rate: 0 },
    ]);
  });

  it('is empty without decisive votes; each pair sums to one', () => {
    expect(winRateMatrix([{ modelA: 'x:a', modelB: 'x:b', verdict: 'both_bad' }])).toEqual([]);
    const cells = winRateMatrix([
      { modelA: 'x:a', modelB: 'x:b', verdict: 'b' },
      { modelA: 'x:a', modelB: 'x:b', verdict: 'tie' },
    ]);
    expect(cells[0]!.rate! + cells[1]!.rate!).toBeCloseTo(1, 12);
  });
});
