import { describe, expect, it } from 'vitest';
import {
  buildComparisons,
  computeRatings,
  encodeVotes,
  fitBradleyTerry,
  votesToSeparate,
  type VoteForRating,
} from '../../../src/main/review/bradley-terry';
import { computeRatingsOffThread } from '../../../src/main/review/ratings-worker';
import type { Rating, Verdict } from '../../../src/shared/review/review-schemas';

/** Test-local PRNG (LCG), independent of the engine's. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/**
 * Votes from known Elo ratings. Ties are drawn so that the expected score (win = 1, tie = ½)
 * is exactly the Bradley–Terry probability, which keeps the ties-as-half-wins fit consistent.
 */
function synthesise(
  truth: Record<string, number>,
  count: number,
  seed: number,
  options: { tieShare?: number; bothBad?: number; categories?: string[] } = {},
): VoteForRating[] {
  const random = lcg(seed);
  const names = Object.keys(truth);
  const votes: VoteForRating[] = [];
  const categories = options.categories ?? ['general'];
  while (votes.length < count) {
    const a = names[Math.floor(random() * names.length)]!;
    const b = names[Math.floor(random() * names.length)]!;
    if (a === b) continue;
    const p = 1 / (1 + 10 ** ((truth[b]! - truth[a]!) / 400));
    const tie = (options.tieShare ?? 0.3) * 2 * Math.min(p, 1 - p);
    const u = random();
    let verdict: Verdict;
    if (random() < (options.bothBad ?? 0)) verdict = 'both_bad';
    else if (u < tie) verdict = 'tie';
    else if (u < tie + (p - tie / 2)) verdict = 'a';
    else verdict = 'b';
    const category = categories[Math.floor(random() * categories.length)]!;
    votes.push({ modelA: a, modelB: b, verdict, category });
  }
  return votes;
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (dense, test-only). */
function gaussSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1)
      if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r += 1) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c += 1) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r -= 1) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c += 1) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/**
 * Independent reference: weighted logistic regression without intercept, one row per
 * observation (a tie = two half-weight rows, y = 1 and y = 0), fitted by IRLS. Without the
 * prior, model 0 is the reference (θ0 = 0); with it, each model gets two rows of weight λ/2
 * against a virtual opponent at 0. Returns θ centred to mean 0, keyed by model.
 */
function logisticReference(votes: VoteForRating[], priorWeight: number): Map<string, number> {
  const names = [...new Set(votes.flatMap((vote) => [vote.modelA, vote.modelB]))];
  const column = new Map(names.map((name, i) => [name, i]));
  const rows: { x: number[]; y: number; w: number }[] = [];
  const row = (a: number, b: number | null, y: number, w: number): void => {
    const x = new Array<number>(names.length).fill(0);
    x[a] = 1;
    if (b !== null) x[b] = -1;
    rows.push({ x, y, w });
  };
  for (const vote of votes) {
    const a = column.get(vote.modelA)!;
    const b = column.get(vote.modelB)!;
    if (vote.verdict === 'a') row(a, b, 1, 1);
    else if (vote.verdict === 'b') row(a, b, 0, 1);
    else if (vote.verdict === 'tie') {
      row(a, b, 1, 0.5);
      row(a, b, 0, 0.5);
    }
  }
  if (priorWeight > 0)
    names.forEach((_, i) => {
      row(i, null, 1, priorWeight / 2);
      row(i, null, 0, priorWeight / 2);
    });
  const free = priorWeight > 0 ? names.map((_, i) => i) : names.map((_, i) => i).slice(1);
  let beta = new Array<number>(names.length).fill(0);
  for (let iteration = 0; iteration < 100; iteration += 1) {
    const g = free.map(() => 0);
    const h = free.map(() => free.map(() => 0));
    for (const { x, y, w } of rows) {
      const eta = x.reduce((sum, xi, i) => sum + xi * beta[i]!, 0);
      const mu = 1 / (1 + Math.exp(-eta));
      free.forEach((fi, r) => {
        g[r]! += w * (y - mu) * x[fi]!;
        free.forEach((fj, c) => {
          h[r]![c]! += w * mu * (1 - mu) * x[fi]! * x[fj]!;
        });
      });
    }
    const step = gaussSolve(h, g);
    beta = beta.map((value, i) => {
      const k = free.indexOf(i);
      return k === -1 ? value : value + step[k]!;
    });
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  const mean = beta.reduce((s, v) => s + v, 0) / beta.length;
  return new Map(names.map((name, i) => [name, beta[i]! - mean]));
}

function engineTheta(votes: VoteForRating[], priorWeight: number): Map<string, number> {
  const comparisons = buildComparisons(encodeVotes(votes));
  const fit = fitBradleyTerry(
    comparisons.models.length,
    comparisons.pairFirst,
    comparisons.pairSecond,
    comparisons.counts,
    priorWeight,
  );
  expect(fit.converged).toBe(true);
  return new Map(comparisons.models.map((model, i) => [model, fit.theta[i]!]));
}

const FIVE = { 'x:alpha': 1180, 'x:beta': 1090, 'x:gamma': 1000, 'x:delta': 940, 'x:eps': 790 };

describe('Bradley–Terry fit', () => {
  const votes = synthesise(FIVE, 400, 7, { tieShare: 0.4, bothBad: 0.05 });

  it('data set has ties and both_bad votes', () => {
    expect(votes.filter((vote) => vote.verdict === 'tie').length).toBeGreaterThan(20);
    expect(votes.filter((vote) => vote.verdict === 'both_bad').length).toBeGreaterThan(5);
  });

  it('matches an independent logistic regression to 1e-6 (no prior)', () => {
    const reference = logisticReference(votes, 0);
    const engine = engineTheta(votes, 0);
    expect(engine.size).toBe(5);
    for (const [model, value] of reference) expect(engine.get(model)!).toBeCloseTo(value, 7);
  });

  it('matches an independent logistic regression to 1e-6 (with the 0.01 virtual-tie prior)', () => {
    const reference = logisticReference(votes, 0.01);
    const engine = engineTheta(votes, 0.01);
    for (const [model, value] of reference) {
      expect(Math.abs(engine.get(model)! - value)).toBeLessThan(1e-6);
    }
    // The prior is tiny but real: the two fits differ, by little.
    const plain = engineTheta(votes, 0);
    const shift = Math.max(...[...plain].map(([m, v]) => Math.abs(v - engine.get(m)!)));
    expect(shift).toBeGreaterThan(0);
    expect(shift).toBeLessThan(1e-3);
  });

  it('leaves both_bad out of the fit but counts it', () => {
    const withoutBad = votes.filter((vote) => vote.verdict !== 'both_bad');
    const a = computeRatings(votes, { resamples: 200, seed: 3, bothBad: 'exclude' });
    const b = computeRatings(withoutBad, { resamples: 200, seed: 3, bothBad: 'exclude' });
    for (const rating of a.overall) {
      const other = b.overall.find((r) => r.model === rating.model)!;
      expect(rating.rating).toBeCloseTo(other.rating, 9);
      expect(rating.votes).toBe(other.votes + rating.bothBad);
      expect(rating.wins + rating.losses + rating.ties + rating.bothBad).toBe(rating.votes);
    }
    expect(a.overall.reduce((s, r) => s + r.bothBad, 0)).toBeGreaterThan(0);
  });

  it("counts both_bad as a tie by default (ties as half wins, the arenas' rule)", () => {
    const asTies = votes.map((vote) =>
      vote.verdict === 'both_bad' ? { ...vote, verdict: 'tie' as const } : vote,
    );
    const a = computeRatings(votes, { resamples: 200, seed: 3 });
    const b = computeRatings(asTies, { resamples: 200, seed: 3 });
    for (const rating of a.overall) {
      const other = b.overall.find((r) => r.model === rating.model)!;
      expect(rating.rating).toBeCloseTo(other.rating, 9);
      expect(rating.low).toBeCloseTo(other.low, 9);
      // The tallies still tell both-bad votes apart.
      expect(rating.ties + rating.bothBad).toBe(other.ties);
    }
  });

  it('puts the mean rating at 1000 on the 400·log10 scale', () => {
    const result = computeRatings(votes, { resamples: 200, bothBad: 'exclude' });
    const mean = result.overall.reduce((s, r) => s + r.rating, 0) / result.overall.length;
    expect(mean).toBeCloseTo(1000, 9);
    const theta = engineTheta(votes, 0.01);
    const alpha = result.overall.find((r) => r.model === 'x:alpha')!;
    expect(alpha.rating).toBeCloseTo(1000 + (400 / Math.LN10) * theta.get('x:alpha')!, 9);
  });

  it('stays finite for all-win / all-loss models and disconnected graphs', () => {
    const odd: VoteForRating[] = [
      ...Array.from({ length: 6 }, () => ({
        modelA: 'x:winner',
        modelB: 'x:mid',
        verdict: 'a' as const,
        category: 'c',
      })),
      ...Array.from({ length: 6 }, () => ({
        modelA: 'x:mid',
        modelB: 'x:loser',
        verdict: 'a' as const,
        category: 'c',
      })),
      // a separate island
      { modelA: 'y:one', modelB: 'y:two', verdict: 'a', category: 'c' },
      { modelA: 'y:one', modelB: 'y:two', verdict: 'tie', category: 'c' },
    ];
    const result = computeRatings(odd, { resamples: 200 });
    expect(result.overall.map((r) => r.model)).toEqual([
      'x:winner',
      'y:one',
      'x:mid',
      'y:two',
      'x:loser',
    ]);
    for (const rating of result.overall) {
      for (const value of [rating.rating, rating.low, rating.high]) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
    const comparisons = buildComparisons(encodeVotes(odd));
    expect(() =>
      fitBradleyTerry(
        comparisons.models.length,
        comparisons.pairFirst,
        comparisons.pairSecond,
        comparisons.counts,
        0,
      ),
    ).toThrow(/not connected/);
  });
});

describe('recovery and bootstrap', () => {
  const truth = {
    'p:a': 1250,
    'p:b': 1120,
    'p:c': 1040,
    'p:d': 960,
    'p:e': 880,
    'p:f': 750,
  };
  const votes = synthesise(truth, 3000, 11, {
    tieShare: 0.3,
    bothBad: 0.05,
    categories: ['people', 'camera'],
  });

  it('orders the models correctly and covers the true ratings', () => {
    // This generator draws both_bad regardless of the models, so as ties they would pull the
    // ratings together: fit them the way they were made (left out).
    const result = computeRatings(votes, { resamples: 300, seed: 5, bothBad: 'exclude' });
    expect(result.overall.map((r) => r.model)).toEqual(Object.keys(truth));
    // Intervals are not degenerate and not absurdly wide for ~1000 votes per model.
    for (const r of result.overall) {
      expect(r.high - r.low).toBeGreaterThan(5);
      expect(r.high - r.low).toBeLessThan(150);
    }
    expect(Object.keys(result.byCategory)).toEqual(['camera', 'people']);
    expect(result.byCategory.people!.length).toBe(6);
    // Coverage over four independent data sets: 95% intervals should hold the truth for
    // most models (≥ 20 of 24), and no truth should be far outside its interval.
    let covered = 0;
    for (const seed of [11, 12, 13, 14]) {
      const sample = seed === 11 ? votes : synthesise(truth, 3000, seed, { bothBad: 0.05 });
      const board =
        seed === 11 ? result.overall : computeRatings(sample, { seed, bothBad: 'exclude' }).overall;
      for (const r of board) {
        const value = truth[r.model as keyof typeof truth];
        if (r.low <= value && value <= r.high) covered += 1;
        expect(Math.abs(r.rating - value)).toBeLessThan(1.5 * (r.high - r.low));
      }
    }
    expect(covered).toBeGreaterThanOrEqual(20);
  });

  it('is deterministic for a seed, differs across seeds, and brackets the point estimate', () => {
    const one = computeRatings(votes, { resamples: 200, seed: 42 });
    const two = computeRatings(votes, { resamples: 200, seed: 42 });
    const other = computeRatings(votes, { resamples: 200, seed: 43 });
    expect(two).toEqual(one);
    expect(other.overall.map((r) => r.rating)).toEqual(one.overall.map((r) => r.rating));
    expect(other.overall.map((r) => r.low)).not.toEqual(one.overall.map((r) => r.low));
    const boards = [one.overall, ...Object.values(one.byCategory)];
    for (const board of boards) {
      for (const r of board) {
        expect(r.low).toBeLessThanOrEqual(r.rating);
        expect(r.rating).toBeLessThanOrEqual(r.high);
      }
    }
    expect(one.resamples).toBe(200);
    expect(one.seed).toBe(42);
  });

  it('refuses fewer than 200 resamples', () => {
    expect(() => computeRatings(votes, { resamples: 50 })).toThrow();
  });

  it('computes the same result in a worker thread as synchronously', async () => {
    const sync = computeRatings(votes, { resamples: 200, seed: 9 });
    const offThread = await computeRatingsOffThread(votes, { resamples: 200, seed: 9 });
    expect(offThread).toEqual(sync);
  });

  it('reports votes still needed between neighbours', () => {
    const result = computeRatings(votes, { resamples: 200, seed: 1 });
    expect(result.votesStillNeeded).toHaveLength(5);
    for (const [k, need] of result.votesStillNeeded.entries()) {
      expect(need.modelA).toBe(result.overall[k]!.model);
      expect(need.modelB).toBe(result.overall[k + 1]!.model);
      const a = result.overall[k]!;
      const b = result.overall[k + 1]!;
      if (a.low > b.high) expect(need.votes).toBe(0);
      else expect(need.votes).toBeGreaterThan(0);
      expect(need.existingVotes).toBeGreaterThan(100);
    }
  });
});

describe('votesToSeparate', () => {
  const rating = (model: string, value: number, half: number): Rating => ({
    model,
    rating: value,
    low: value - half,
    high: value + half,
    votes: 0,
    wins: 0,
    losses: 0,
    ties: 0,
    bothBad: 0,
  });

  it('is 0 when the intervals do not overlap', () => {
    expect(votesToSeparate(rating('a:x', 1100, 20), rating('a:y', 1000, 20), 10_000)).toBe(0);
  });

  it('grows with uncertainty and shrinking gaps, and is capped for equal ratings', () => {
    const wide = votesToSeparate(rating('a:x', 1050, 60), rating('a:y', 1000, 60), 10_000);
    const narrow = votesToSeparate(rating('a:x', 1050, 30), rating('a:y', 1000, 30), 10_000);
    const closer = votesToSeparate(rating('a:x', 1020, 60), rating('a:y', 1000, 60), 10_000);
    expect(narrow).toBeGreaterThan(0);
    expect(wide).toBeGreaterThan(narrow);
    expect(closer).toBeGreaterThan(wide);
    expect(votesToSeparate(rating('a:x', 1000, 30), rating('a:y', 1000, 30), 10_000)).toBe(10_000);
  });

  it('agrees with the closed form for equal uncertainties', () => {
    // σ' = d / (2·1.96) ⇒ m = (1/σ'² − 1/σ²) / (p(1−p)(ln10/400)²)
    const d = 50;
    const sigma = 60 / 1.96;
    const p = 1 / (1 + 10 ** (-d / 400));
    const target = d / (2 * 1.96);
    const expected = (1 / target ** 2 - 1 / sigma ** 2) / (p * (1 - p) * (Math.LN10 / 400) ** 2);
    const got = votesToSeparate(rating('a:x', 1050, 60), rating('a:y', 1000, 60), 10_000);
    expect(Math.abs(got - Math.ceil(expected))).toBeLessThanOrEqual(1);
  });
});

describe('votes still needed with few votes', () => {
  it('never calls two models separated on fewer than 10 head-to-head votes', async () => {
    const { computeRatings, MIN_VOTES_TO_SEPARATE } =
      await import('../../../src/main/review/bradley-terry');
    const votes = [1, 2, 3].map(() => ({
      modelA: 'x:a',
      modelB: 'x:b',
      verdict: 'a' as const,
      category: 'general',
    }));
    const result = computeRatings(votes, { resamples: 200, seed: 1 });
    expect(result.votesStillNeeded).toHaveLength(1);
    expect(result.votesStillNeeded[0]!.votes).toBeGreaterThanOrEqual(MIN_VOTES_TO_SEPARATE - 3);
  });
});
