/**
 * Which pair to show next: the one that most reduces uncertainty in the leaderboard.
 *
 * Only model pairs that have a prompt where BOTH models have a successful generation are
 * eligible (the candidates). Each eligible pair (i, j) gets
 *
 *   overlap(i, j) = max(0, min(highᵢ, highⱼ) − max(lowᵢ, lowⱼ)) / min(widthᵢ, widthⱼ)  ∈ [0, 1]
 *                   (1 when either model has no rating yet or a zero-width interval that
 *                    lies inside the other's)
 *   score(i, j)   = (0.1 + overlap(i, j)) / (1 + votes between i and j)
 *
 * i.e. pairs whose 95% intervals overlap most (still unresolved) and that have been compared
 * least come first; the 0.1 floor keeps already-separated pairs in rotation, least-voted first,
 * once everything is separated. Equal scores are broken with the injected random().
 * For the chosen pair, the prompt with the fewest votes for that pair is used (ties: random),
 * then one of its generation pairs (random), and the sides are swapped with probability ½.
 * The result names no models: only generation ids and an opaque token, which main maps back.
 */
import type { BlindPair, Rating } from '../../shared/review/review-schemas';
import type { PairCandidate, PairCount, PairPromptCount } from './review-repository';

export interface PairSelectionInput {
  /** The board being refined (overall or one category). Models missing here count as unrated. */
  ratings: readonly Rating[];
  candidates: readonly PairCandidate[];
  pairVotes: readonly PairCount[];
  pairPromptVotes: readonly PairPromptCount[];
  /** Uniform in [0, 1). Injected so tests are deterministic. */
  random: () => number;
  /** Opaque token generator; default 128 bits from `random` (pass crypto in production). */
  token?: () => string;
}

export interface SelectedPair {
  /** What the renderer may see. */
  blind: BlindPair;
  /** Stays in main: which model is on which side, for recording the vote. */
  hidden: {
    modelLeft: string;
    modelRight: string;
    score: number;
    overlap: number;
    votesBetween: number;
  };
}

const key = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

export function intervalOverlap(a: Rating | undefined, b: Rating | undefined): number {
  if (!a || !b) return 1;
  const shared = Math.min(a.high, b.high) - Math.max(a.low, b.low);
  if (shared < 0) return 0;
  const narrower = Math.min(a.high - a.low, b.high - b.low);
  if (!(narrower > 0)) return 1;
  return Math.min(1, shared / narrower);
}

export function pairScore(overlap: number, votesBetween: number): number {
  return (0.1 + overlap) / (1 + votesBetween);
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))]!;
}

function randomToken(random: () => number): string {
  let out = '';
  for (let k = 0; k < 4; k += 1) {
    out += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  }
  return out;
}

/** The next blind pair, or undefined when no two models share a successful prompt. */
export function selectNextPair(input: PairSelectionInput): SelectedPair | undefined {
  const ratingOf = new Map(input.ratings.map((rating) => [rating.model, rating]));
  const votesOf = new Map(input.pairVotes.map((row) => [key(row.modelA, row.modelB), row.votes]));
  const promptVotesOf = new Map(
    input.pairPromptVotes.map((row) => [
      `${key(row.modelA, row.modelB)}\u0000${row.promptId}`,
      row.votes,
    ]),
  );
  const byPair = new Map<string, PairCandidate[]>();
  for (const candidate of input.candidates) {
    if (candidate.modelA === candidate.modelB) continue;
    const pairKey = key(candidate.modelA, candidate.modelB);
    const list = byPair.get(pairKey);
    if (list) list.push(candidate);
    else byPair.set(pairKey, [candidate]);
  }
  if (byPair.size === 0) return undefined;

  let best: { pairKey: string; score: number; overlap: number; votes: number }[] = [];
  for (const [pairKey, list] of byPair) {
    const { modelA, modelB } = list[0]!;
    const overlap = intervalOverlap(ratingOf.get(modelA), ratingOf.get(modelB));
    const votes = votesOf.get(pairKey) ?? 0;
    const score = pairScore(overlap, votes);
    const top = best[0]?.score ?? -Infinity;
    if (score > top + 1e-12) best = [{ pairKey, score, overlap, votes }];
    else if (Math.abs(score - top) <= 1e-12) best.push({ pairKey, score, overlap, votes });
  }
  const chosen = pick(best, input.random);
  const candidates = byPair.get(chosen.pairKey)!;

  const promptVotes = (candidate: PairCandidate): number =>
    promptVotesOf.get(`${chosen.pairKey}\u0000${candidate.promptId}`) ?? 0;
  const fewest = Math.min(...candidates.map(promptVotes));
  const prompts = [
    ...new Set(candidates.filter((c) => promptVotes(c) === fewest).map((c) => c.promptId)),
  ];
  const promptId = pick(prompts, input.random);
  const generation = pick(
    candidates.filter((candidate) => candidate.promptId === promptId),
    input.random,
  );

  const swap = input.random() < 0.5;
  const left = swap ? generation.generationB : generation.generationA;
  const right = swap ? generation.generationA : generation.generationB;
  return {
    blind: {
      token: input.token ? input.token() : randomToken(input.random),
      promptId,
      category: generation.category,
      left,
      right,
    },
    hidden: {
      modelLeft: swap ? generation.modelB : generation.modelA,
      modelRight: swap ? generation.modelA : generation.modelB,
      score: chosen.score,
      overlap: chosen.overlap,
      votesBetween: chosen.votes,
    },
  };
}

/**
 * Remembers the pairs handed out, so a vote cast on a token is recorded against the right
 * generations and models (the renderer never sends or sees model names). Tokens expire.
 */
export class BlindPairRegistry {
  private readonly pairs = new Map<
    string,
    { pair: SelectedPair; expiresAt: number; owner: string | undefined }
  >();

  constructor(
    private readonly ttlMs = 6 * 60 * 60 * 1000,
    private readonly limit = 10_000,
  ) {}

  /** `owner`: the reviewer the pair was handed to; only they can vote on it. */
  remember(pair: SelectedPair, now: number, owner?: string): void {
    if (this.pairs.size >= this.limit) {
      const oldest = this.pairs.keys().next();
      if (!oldest.done) this.pairs.delete(oldest.value);
    }
    this.pairs.set(pair.blind.token, { pair, expiresAt: now + this.ttlMs, owner });
  }

  /**
   * The pair for a token, once (a token cannot be voted twice). A pair handed to a reviewer
   * is only given back to that reviewer; anyone else gets undefined and the pair stays open.
   */
  take(token: string, now: number, owner?: string): SelectedPair | undefined {
    const entry = this.pairs.get(token);
    if (!entry) return undefined;
    if (entry.owner !== owner) return undefined;
    this.pairs.delete(token);
    return entry.expiresAt >= now ? entry.pair : undefined;
  }
}
