/**
 * Bradley–Terry ratings for blind A/B votes.
 *
 * Model: P(i beats j) = γi / (γi + γj) with γ = exp(θ). Ties count as half a win each way.
 * `both_bad` votes count as ties by default (option `bothBad: 'tie'`, the public arenas' rule);
 * with `bothBad: 'exclude'` they are counted in the tallies but left out of the fit.
 *
 * Fit: maximum likelihood by Newton's method on the log-strengths θ (the log-likelihood is
 * concave), with a backtracking line search, until the largest step is below 1e-10.
 * Votes are first aggregated into per-pair counts, so one iteration costs O(pairs + models³).
 *
 * Prior: every model also plays one virtual tie of weight `priorWeight` (default 0.01) against
 * a fixed opponent of log-strength 0 — i.e. priorWeight/2 of a win and priorWeight/2 of a loss
 * against the mean. This makes the likelihood strictly concave, so the fit stays finite for models
 * that only won or only lost and for comparison graphs that fall apart into pieces (each piece
 * is pulled gently towards the mean). Its influence is that of 1/100 of a vote per model.
 * With priorWeight = 0 the fit is the plain MLE and the graph must be connected.
 *
 * Scale: rating = 1000 + 400·log10(γ) with γ normalised so that the MEAN rating is 1000
 * (i.e. θ centred to mean 0).
 *
 * Intervals: percentile bootstrap over votes: resample the votes with replacement (done as
 * uniform draws of vote indices accumulated into the pair-count cells, which is exactly vote
 * resampling), refit (warm-started at the point estimate), take the 2.5th and 97.5th percentiles
 * of each model's rating. A seeded PRNG (sfc32) makes it deterministic; each board (overall, a
 * category, a pool) gets its own seed derived from the seed and that board's own votes, so its
 * result depends on nothing else: adding votes to one category or pool never moves another.
 */
import {
  POOLS,
  ratingsOptionsSchema,
  UNSPECIFIED_POOL,
  type Pool,
  type Rating,
  type RatingsOptions,
  type RatingsResult,
  type Verdict,
  type Vote,
  type VotesStillNeeded,
} from '../../shared/review/review-schemas';

const LOG10_SCALE = 400 / Math.LN10;
const TOLERANCE = 1e-10;
const MAX_ITERATIONS = 200;
/** Outcome slots per pair in the count array: first wins, second wins, tie, both bad. */
const CELLS = 4;

export type VoteForRating = Pick<Vote, 'modelA' | 'modelB' | 'verdict' | 'category'> & {
  /** `undefined` = the unspecified pool. */
  pool?: Pool | undefined;
};

/** Votes as typed arrays: cheap to hand to a worker (transferable) and to aggregate. */
export interface EncodedVotes {
  models: string[];
  categories: string[];
  /** Pool names (a subset of POOLS), indexed by `pool`. */
  pools: Pool[];
  modelA: Int32Array;
  modelB: Int32Array;
  /** 0 = a, 1 = b, 2 = tie, 3 = both_bad. */
  verdict: Uint8Array;
  category: Int32Array;
  pool: Int32Array;
}

export const VERDICT_CODE: Record<Verdict, number> = { a: 0, b: 1, tie: 2, both_bad: 3 };

function intern<K>(map: Map<K, number>, key: K): number {
  let value = map.get(key);
  if (value === undefined) {
    value = map.size;
    map.set(key, value);
  }
  return value;
}

/**
 * Builds EncodedVotes one vote at a time (names interned to integers, arrays grown by
 * doubling), so a large file or table never becomes an array of vote objects.
 */
export class VoteEncoder {
  private readonly modelIndex = new Map<string, number>();
  private readonly categoryIndex = new Map<string, number>();
  private readonly poolIndex = new Map<Pool, number>();
  private modelA: Int32Array;
  private modelB: Int32Array;
  private verdict: Uint8Array;
  private category: Int32Array;
  private pool: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    const size = Math.max(16, capacity);
    this.modelA = new Int32Array(size);
    this.modelB = new Int32Array(size);
    this.verdict = new Uint8Array(size);
    this.category = new Int32Array(size);
    this.pool = new Int32Array(size);
  }

  private grow(needed: number): void {
    let size = this.modelA.length;
    if (needed <= size) return;
    while (size < needed) size *= 2;
    const copy = <T extends Int32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from.subarray(0, this.length));
      return to;
    };
    this.modelA = copy(this.modelA, new Int32Array(size));
    this.modelB = copy(this.modelB, new Int32Array(size));
    this.verdict = copy(this.verdict, new Uint8Array(size));
    this.category = copy(this.category, new Int32Array(size));
    this.pool = copy(this.pool, new Int32Array(size));
  }

  /** Adds `times` identical votes (verdict code: 0 a, 1 b, 2 tie, 3 both_bad). */
  add(
    modelA: string,
    modelB: string,
    verdictCode: number,
    category: string,
    pool: Pool = UNSPECIFIED_POOL,
    times = 1,
  ): void {
    if (modelA === modelB) throw new Error(`Vote ${this.length} compares ${modelA} with itself.`);
    if (!(verdictCode >= 0 && verdictCode <= 3))
      throw new Error(`Vote ${this.length} has an unknown verdict.`);
    const a = intern(this.modelIndex, modelA);
    const b = intern(this.modelIndex, modelB);
    const c = intern(this.categoryIndex, category);
    const q = intern(this.poolIndex, pool);
    this.grow(this.length + times);
    for (let t = 0; t < times; t += 1) {
      const k = this.length;
      this.modelA[k] = a;
      this.modelB[k] = b;
      this.verdict[k] = verdictCode;
      this.category[k] = c;
      this.pool[k] = q;
      this.length += 1;
    }
  }

  addVote(vote: VoteForRating): void {
    const code = VERDICT_CODE[vote.verdict];
    if (code === undefined) throw new Error(`Vote ${this.length} has an unknown verdict.`);
    this.add(vote.modelA, vote.modelB, code, vote.category, vote.pool ?? UNSPECIFIED_POOL);
  }

  finish(): EncodedVotes {
    const n = this.length;
    return {
      models: [...this.modelIndex.keys()],
      categories: [...this.categoryIndex.keys()],
      pools: [...this.poolIndex.keys()],
      modelA: this.modelA.slice(0, n),
      modelB: this.modelB.slice(0, n),
      verdict: this.verdict.slice(0, n),
      category: this.category.slice(0, n),
      pool: this.pool.slice(0, n),
    };
  }
}

export function encodeVotes(votes: readonly VoteForRating[]): EncodedVotes {
  const encoder = new VoteEncoder(votes.length);
  for (const vote of votes) encoder.addVote(vote);
  return encoder.finish();
}

/** Only the votes of one pool (names re-indexed). */
export function selectPool(encoded: EncodedVotes, pool: Pool): EncodedVotes {
  const index = encoded.pools.indexOf(pool);
  const encoder = new VoteEncoder(encoded.verdict.length);
  if (index < 0) return encoder.finish();
  for (let k = 0; k < encoded.verdict.length; k += 1) {
    if (encoded.pool[k] !== index) continue;
    encoder.add(
      encoded.models[encoded.modelA[k]!]!,
      encoded.models[encoded.modelB[k]!]!,
      encoded.verdict[k]!,
      encoded.categories[encoded.category[k]!]!,
      pool,
    );
  }
  return encoder.finish();
}

/** The votes of one board (overall or one category), aggregated per model pair. */
export interface Comparisons {
  /** Model names, local indexes. */
  models: string[];
  /** Pair p compares pairFirst[p] with pairSecond[p] (local indexes, first < second). */
  pairFirst: Int32Array;
  pairSecond: Int32Array;
  /** counts[p*4 + k]: k = 0 first won, 1 second won, 2 tie, 3 both bad. */
  counts: Float64Array;
  /** Cell (p*4 + k) of every vote, for resampling. */
  voteCell: Int32Array;
}

/**
 * Aggregates the votes of one subset: those with `keys[k] === index` (e.g. encoded.category
 * and a category's index), or all votes when no keys are given.
 */
export function buildComparisons(
  encoded: EncodedVotes,
  keys?: Int32Array,
  index = -1,
): Comparisons {
  const total = encoded.verdict.length;
  const local = new Int32Array(encoded.models.length).fill(-1);
  const models: string[] = [];
  const pairIndex = new Map<number, number>();
  const firsts: number[] = [];
  const seconds: number[] = [];
  const cells: number[] = [];
  const width = encoded.models.length;
  for (let k = 0; k < total; k += 1) {
    if (keys !== undefined && keys[k] !== index) continue;
    // Local indexes in order of first appearance within the subset, and each pair oriented by
    // them: the comparisons depend on the subset's own votes only, not on the other votes.
    const globalA = encoded.modelA[k]!;
    const globalB = encoded.modelB[k]!;
    if (local[globalA] === -1) {
      local[globalA] = models.length;
      models.push(encoded.models[globalA]!);
    }
    if (local[globalB] === -1) {
      local[globalB] = models.length;
      models.push(encoded.models[globalB]!);
    }
    const localA = local[globalA]!;
    const localB = local[globalB]!;
    const swap = localA > localB;
    const lo = swap ? localB : localA;
    const hi = swap ? localA : localB;
    const key = lo * width + hi;
    let pair = pairIndex.get(key);
    if (pair === undefined) {
      pair = firsts.length;
      pairIndex.set(key, pair);
      firsts.push(lo);
      seconds.push(hi);
    }
    let outcome = encoded.verdict[k]!;
    if (swap && outcome < 2) outcome = 1 - outcome;
    cells.push(pair * CELLS + outcome);
  }
  const counts = new Float64Array(firsts.length * CELLS);
  for (const cell of cells) counts[cell]! += 1;
  return {
    models,
    pairFirst: Int32Array.from(firsts),
    pairSecond: Int32Array.from(seconds),
    counts,
    voteCell: Int32Array.from(cells),
  };
}

export interface FitResult {
  /** Log-strengths, centred to mean 0. */
  theta: Float64Array;
  iterations: number;
  converged: boolean;
}

function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function logLikelihood(
  theta: Float64Array,
  first: Int32Array,
  second: Int32Array,
  counts: Float64Array,
  priorWeight: number,
): number {
  let total = 0;
  for (let p = 0; p < first.length; p += 1) {
    const i = first[p]!;
    const j = second[p]!;
    const tie = counts[p * CELLS + 2]!;
    const wi = counts[p * CELLS]! + tie / 2;
    const wj = counts[p * CELLS + 1]! + tie / 2;
    if (wi + wj === 0) continue;
    const d = theta[i]! - theta[j]!;
    // wi·log σ(d) + wj·log σ(−d)
    total -= wi * log1pExp(-d) + wj * log1pExp(d);
  }
  if (priorWeight > 0) {
    for (let i = 0; i < theta.length; i += 1) {
      const t = theta[i]!;
      total -= (priorWeight / 2) * (log1pExp(-t) + log1pExp(t));
    }
  }
  return total;
}

/** Solves A·x = b for symmetric positive definite A (n×n, row-major) by Cholesky; in place. */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j += 1) {
    let diagonal = a[j * n + j]!;
    for (let k = 0; k < j; k += 1) diagonal -= a[j * n + k]! * a[j * n + k]!;
    if (!(diagonal > 1e-300)) return false;
    const root = Math.sqrt(diagonal);
    a[j * n + j] = root;
    for (let i = j + 1; i < n; i += 1) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k += 1) sum -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = sum / root;
    }
  }
  for (let i = 0; i < n; i += 1) {
    let sum = b[i]!;
    for (let k = 0; k < i; k += 1) sum -= a[i * n + k]! * b[k]!;
    b[i] = sum / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k += 1) sum -= a[k * n + i]! * b[k]!;
    b[i] = sum / a[i * n + i]!;
  }
  return true;
}

/** Scratch arrays for fits of n models, reused across the bootstrap's refits. */
export interface FitWorkspace {
  n: number;
  theta: Float64Array;
  gradient: Float64Array;
  hessian: Float64Array;
  trial: Float64Array;
}

export function fitWorkspace(n: number): FitWorkspace {
  return {
    n,
    theta: new Float64Array(n),
    gradient: new Float64Array(n),
    hessian: new Float64Array(n * n),
    trial: new Float64Array(n),
  };
}

/**
 * Maximum-likelihood log-strengths by Newton's method. `start` (e.g. the point estimate, for
 * bootstrap refits) only changes the path, not the answer. With a `workspace` no array is
 * allocated: the returned theta IS workspace.theta (overwritten by the next fit).
 */
export function fitBradleyTerry(
  modelCount: number,
  first: Int32Array,
  second: Int32Array,
  counts: Float64Array,
  priorWeight: number,
  start?: Float64Array,
  workspace?: FitWorkspace,
): FitResult {
  const n = modelCount;
  const space = workspace && workspace.n === n ? workspace : fitWorkspace(n);
  const { theta, gradient, hessian, trial } = space;
  if (start) theta.set(start);
  else theta.fill(0);
  if (n === 0) return { theta, iterations: 0, converged: true };
  /** Log-likelihood at theta, when known (not computed for small steps). */
  let current: number | undefined;
  let iterations = 0;
  let converged = false;
  while (iterations < MAX_ITERATIONS) {
    iterations += 1;
    gradient.fill(0);
    hessian.fill(0);
    for (let p = 0; p < first.length; p += 1) {
      const i = first[p]!;
      const j = second[p]!;
      const tie = counts[p * CELLS + 2]!;
      const wi = counts[p * CELLS]! + tie / 2;
      const wj = counts[p * CELLS + 1]! + tie / 2;
      const m = wi + wj;
      if (m === 0) continue;
      const s = sigmoid(theta[i]! - theta[j]!);
      const g = wi - m * s;
      gradient[i]! += g;
      gradient[j]! -= g;
      const h = m * s * (1 - s);
      hessian[i * n + i]! += h;
      hessian[j * n + j]! += h;
      hessian[i * n + j]! -= h;
      hessian[j * n + i]! -= h;
    }
    if (priorWeight > 0) {
      for (let i = 0; i < n; i += 1) {
        const s = sigmoid(theta[i]!);
        gradient[i]! += priorWeight * (0.5 - s);
        hessian[i * n + i]! += priorWeight * s * (1 - s);
      }
    } else {
      // Without the prior the likelihood only sees differences: fix the gauge by adding 1·1ᵀ,
      // which keeps the Newton step for a zero-sum gradient and makes the matrix invertible
      // when the comparison graph is connected.
      for (let k = 0; k < n * n; k += 1) hessian[k]! += 1;
    }
    const step = gradient; // solved in place
    if (!choleskySolve(hessian, step, n)) {
      throw new Error(
        'The comparison graph is not connected; fit with a prior weight above 0 to rate it.',
      );
    }
    let largest = 0;
    for (let i = 0; i < n; i += 1) largest = Math.max(largest, Math.abs(step[i]!));
    if (largest < TOLERANCE) {
      for (let i = 0; i < n; i += 1) theta[i]! += step[i]!;
      converged = true;
      break;
    }
    // Backtracking line search for large steps (cold starts, near-separable data). Small steps
    // (< 0.1 in log-strength, e.g. warm-started bootstrap refits) are taken in full: Newton is
    // then in its quadratic region, and the likelihood change is soon below rounding.
    let alpha = 1;
    let accepted = false;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      for (let i = 0; i < n; i += 1) trial[i] = theta[i]! + alpha * step[i]!;
      if (largest < 0.1) {
        current = undefined;
        accepted = true;
        break;
      }
      current ??= logLikelihood(theta, first, second, counts, priorWeight);
      const value = logLikelihood(trial, first, second, counts, priorWeight);
      if (value >= current || alpha * largest < 1e-6) {
        current = value;
        accepted = true;
        break;
      }
      alpha /= 2;
    }
    if (!accepted) break;
    theta.set(trial);
    if (alpha * largest < TOLERANCE) {
      converged = true;
      break;
    }
  }
  centre(theta);
  return { theta, iterations, converged };
}

function centre(theta: Float64Array): void {
  let mean = 0;
  for (const value of theta) mean += value;
  mean /= theta.length || 1;
  for (let i = 0; i < theta.length; i += 1) theta[i]! -= mean;
}

/** θ (any gauge) → ratings with mean 1000. */
export function toRatings(theta: Float64Array): Float64Array {
  const centred = Float64Array.from(theta);
  centre(centred);
  return centred.map((value) => 1000 + LOG10_SCALE * value);
}

/** sfc32 state (4 × 32 bits) seeded through splitmix32. */
export function seedState(seed: number): Int32Array {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) | 0;
  };
  const words = Int32Array.of(splitmix(), splitmix(), splitmix(), splitmix());
  const scratch = new Float64Array(12);
  resampleInto(new Int32Array(12), scratch, words); // warm-up: discard 12 outputs
  return words;
}

/**
 * One bootstrap resample: draws cells.length votes uniformly with replacement and adds 1 to
 * `out[cell]` for each (out is not cleared here). The sfc32 generator is inlined on `state`,
 * which is advanced; this loop is the bootstrap's hot path (20M draws in the 100k-vote bench).
 */
export function resampleInto(cells: Int32Array, out: Float64Array, state: Int32Array): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  const n = cells.length;
  for (let k = 0; k < n; k += 1) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    out[cells[(((t >>> 0) * n) / 4294967296) | 0]!]! += 1;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

/** A uniform [0, 1) generator on the same sfc32 (for pair selection and tests). */
export function createRandom(seed: number): () => number {
  const state = seedState(seed);
  return () => {
    let a = state[0]!;
    const b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    const nb = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    state[0] = a;
    state[1] = nb;
    state[2] = c;
    state[3] = d;
    return (t >>> 0) / 4294967296;
  };
}

function hashString(seed: number, text: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let k = 0; k < text.length; k += 1) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193) >>> 0;
  return h;
}

/**
 * A board's bootstrap seed: FNV-1a of the seed option, its model names and its pair counts as
 * fitted (both-bad folded into ties when they count as ties, so that rule changes nothing).
 */
export function boardSeed(seed: number, comparisons: Comparisons, bothBadAsTie: boolean): number {
  let h = hashString(seed, comparisons.models.join('\u0000'));
  const { pairFirst, pairSecond, counts } = comparisons;
  for (let p = 0; p < pairFirst.length; p += 1) {
    const base = p * CELLS;
    const bad = counts[base + 3]!;
    const cells = bothBadAsTie
      ? [counts[base]!, counts[base + 1]!, counts[base + 2]! + bad, 0]
      : [counts[base]!, counts[base + 1]!, counts[base + 2]!, bad];
    h = Math.imul(h ^ pairFirst[p]!, 0x01000193) >>> 0;
    h = Math.imul(h ^ pairSecond[p]!, 0x01000193) >>> 0;
    for (const value of cells) h = Math.imul(h ^ value, 0x01000193) >>> 0;
  }
  return h;
}

/** Type-7 (linear interpolation) quantile of a sorted array. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

export interface Board {
  ratings: Rating[];
  comparisons: Comparisons;
}

/** Point fit + bootstrap for one board; ratings sorted best first. */
/** Both-bad votes as ties: cell 3 of each pair folded into cell 2 (counts and vote cells). */
export function foldBothBad(comparisons: Comparisons): Comparisons {
  const counts = Float64Array.from(comparisons.counts);
  for (let p = 0; p < comparisons.pairFirst.length; p += 1) {
    counts[p * CELLS + 2]! += counts[p * CELLS + 3]!;
    counts[p * CELLS + 3] = 0;
  }
  const voteCell = comparisons.voteCell.map((cell) => (cell % CELLS === 3 ? cell - 1 : cell));
  return { ...comparisons, counts, voteCell };
}

export function rateBoard(
  comparisons: Comparisons,
  options: { resamples: number; seed: number; priorWeight: number; bothBadAsTie?: boolean },
): Rating[] {
  const fitted = options.bothBadAsTie ? foldBothBad(comparisons) : comparisons;
  const { models, pairFirst, pairSecond, counts, voteCell } = fitted;
  const n = models.length;
  if (n === 0) return [];
  const point = fitBradleyTerry(n, pairFirst, pairSecond, counts, options.priorWeight);
  const pointTheta = point.theta; // its own workspace, kept
  const pointRatings = toRatings(pointTheta);
  const resamples = options.resamples;
  const samples = new Float64Array(resamples * n);
  const state = seedState(options.seed);
  const resampled = new Float64Array(counts.length);
  const workspace = fitWorkspace(n);
  for (let r = 0; r < resamples; r += 1) {
    resampled.fill(0);
    resampleInto(voteCell, resampled, state);
    const theta = fitBradleyTerry(
      n,
      pairFirst,
      pairSecond,
      resampled,
      options.priorWeight,
      pointTheta,
      workspace,
    ).theta; // centred to mean 0
    for (let i = 0; i < n; i += 1) samples[i * resamples + r] = 1000 + LOG10_SCALE * theta[i]!;
  }
  const tallies = tally(comparisons);
  const ratings: Rating[] = models.map((model, i) => {
    const own = samples.subarray(i * resamples, (i + 1) * resamples).sort();
    return {
      model,
      rating: pointRatings[i]!,
      low: quantile(own, 0.025),
      high: quantile(own, 0.975),
      ...tallies[i]!,
    };
  });
  return ratings.sort((x, y) => y.rating - x.rating || x.model.localeCompare(y.model, 'en'));
}

interface Tally {
  votes: number;
  wins: number;
  losses: number;
  ties: number;
  bothBad: number;
}

function tally(comparisons: Comparisons): Tally[] {
  const out: Tally[] = comparisons.models.map(() => ({
    votes: 0,
    wins: 0,
    losses: 0,
    ties: 0,
    bothBad: 0,
  }));
  const { pairFirst, pairSecond, counts } = comparisons;
  for (let p = 0; p < pairFirst.length; p += 1) {
    const first = out[pairFirst[p]!]!;
    const second = out[pairSecond[p]!]!;
    const [won, lost, tie, bad] = [0, 1, 2, 3].map((k) => counts[p * CELLS + k]!) as [
      number,
      number,
      number,
      number,
    ];
    const all = won + lost + tie + bad;
    first.votes += all;
    second.votes += all;
    first.wins += won;
    first.losses += lost;
    second.wins += lost;
    second.losses += won;
    first.ties += tie;
    second.ties += tie;
    first.bothBad += bad;
    second.bothBad += bad;
  }
  return out;
}

/**
 * Further votes between two neighbours (a above b) until their 95% intervals stop overlapping.
 *
 * With d = ratingA − ratingB, p = 1/(1 + 10^(−d/400)) the win rate the fit expects, and
 * σ = (high − low)/(2·1.96) each model's current standard error (from its bootstrap interval),
 * m direct votes add Fisher information m·p(1−p)·(ln10/400)² about each rating, so
 * σ'(m) = 1/√(1/σ² + m·p(1−p)·(ln10/400)²). The intervals stop overlapping once
 * 1.96·(σa'(m) + σb'(m)) < d; the answer is the smallest such m (binary search), 0 when they
 * already do not overlap (at least 1 while they do), and `cap` when d ≈ 0 or more than `cap` would be needed.
 * (For one pair alone this is the familiar half-width 1.96·√(p(1−p)/n) in win-rate terms.)
 */
/** Head-to-head votes below which two models are never reported as separated. */
export const MIN_VOTES_TO_SEPARATE = 10;

export function votesToSeparate(a: Rating, b: Rating, cap: number): number {
  if (a.low > b.high || b.low > a.high) return 0;
  const d = Math.abs(a.rating - b.rating);
  if (!(d > 1e-9)) return cap;
  const p = 1 / (1 + 10 ** (-d / 400));
  const perVote = p * (1 - p) * (Math.LN10 / 400) ** 2;
  const sigmaA = Math.max((a.high - a.low) / (2 * 1.96), 1e-9);
  const sigmaB = Math.max((b.high - b.low) / (2 * 1.96), 1e-9);
  const separated = (m: number): boolean =>
    1.96 *
      (1 / Math.sqrt(1 / sigmaA ** 2 + m * perVote) +
        1 / Math.sqrt(1 / sigmaB ** 2 + m * perVote)) <
    d;
  // The intervals overlap now, so at least one more vote is needed even when the symmetric
  // approximation (skewed bootstrap intervals) says otherwise.
  if (separated(1)) return 1;
  if (!separated(cap)) return cap;
  let lo = 1; // not separated
  let hi = cap; // separated
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (separated(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function pairVotes(comparisons: Comparisons): Map<string, number> {
  const out = new Map<string, number>();
  for (let p = 0; p < comparisons.pairFirst.length; p += 1) {
    const a = comparisons.models[comparisons.pairFirst[p]!]!;
    const b = comparisons.models[comparisons.pairSecond[p]!]!;
    let all = 0;
    for (let k = 0; k < CELLS; k += 1) all += comparisons.counts[p * CELLS + k]!;
    out.set(pairKey(a, b), all);
  }
  return out;
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/**
 * Every board: overall, one per category, one per pool. Each board's bootstrap seed is derived
 * from the seed option and the board's own votes (boardSeed), so a board depends on nothing but
 * its votes: a vote in one pool never moves another pool's board, and a board whose subset is
 * every vote (one category or one pool holding all of them) is fitted once and shared.
 */
export function computeRatingsEncoded(
  encoded: EncodedVotes,
  options: RatingsOptions = {},
): RatingsResult {
  const settings = ratingsOptionsSchema.parse(options);
  const total = encoded.verdict.length;
  const categorySizes = new Int32Array(encoded.categories.length);
  const poolSizes = new Int32Array(encoded.pools.length);
  for (let k = 0; k < total; k += 1) {
    categorySizes[encoded.category[k]!]! += 1;
    poolSizes[encoded.pool[k]!]! += 1;
  }
  let full: [Rating[], Comparisons] | undefined;
  const board = (keys?: Int32Array, index = -1, size = total): [Rating[], Comparisons] => {
    if (size === total && full) return full;
    const comparisons = buildComparisons(encoded, size === total ? undefined : keys, index);
    const result: [Rating[], Comparisons] = [
      rateBoard(comparisons, {
        resamples: settings.resamples,
        seed: boardSeed(settings.seed, comparisons, settings.bothBad === 'tie'),
        priorWeight: settings.priorWeight,
        bothBadAsTie: settings.bothBad === 'tie',
      }),
      comparisons,
    ];
    if (size === total) full = result;
    return result;
  };
  const byCategory: Record<string, Rating[]> = {};
  [...encoded.categories]
    .map((name, index) => ({ name, index }))
    .sort((x, y) => x.name.localeCompare(y.name, 'en'))
    .forEach(({ name, index }) => {
      byCategory[name] = board(encoded.category, index, categorySizes[index]!)[0];
    });
  const byPool: Partial<Record<Pool, Rating[]>> = {};
  const pools: { pool: Pool; votes: number }[] = [];
  for (const pool of POOLS) {
    const index = encoded.pools.indexOf(pool);
    if (index < 0 || poolSizes[index] === 0) continue;
    byPool[pool] = board(encoded.pool, index, poolSizes[index]!)[0];
    pools.push({ pool, votes: poolSizes[index]! });
  }
  const [overall, comparisons] = board();
  const between = pairVotes(comparisons);
  const votesStillNeeded: VotesStillNeeded[] = [];
  for (let k = 0; k + 1 < overall.length; k += 1) {
    const a = overall[k]!;
    const b = overall[k + 1]!;
    const existingVotes = between.get(pairKey(a.model, b.model)) ?? 0;
    // Bootstrap intervals from a handful of votes look separated when they are not: a pair
    // is never called separated before MIN_VOTES_TO_SEPARATE head-to-head votes.
    const floor = Math.max(0, MIN_VOTES_TO_SEPARATE - existingVotes);
    votesStillNeeded.push({
      modelA: a.model,
      modelB: b.model,
      votes: Math.min(
        settings.votesNeededCap,
        Math.max(votesToSeparate(a, b, settings.votesNeededCap), floor),
      ),
      existingVotes,
    });
  }
  return {
    overall,
    byCategory,
    byPool,
    pools,
    votesStillNeeded,
    resamples: settings.resamples,
    seed: settings.seed,
    totalVotes: total,
  };
}

/** Synchronous: blocks the calling thread. In the main process use computeRatingsOffThread. */
export function computeRatings(
  votes: readonly VoteForRating[],
  options: RatingsOptions = {},
): RatingsResult {
  return computeRatingsEncoded(encodeVotes(votes), options);
}
