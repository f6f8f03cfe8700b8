/**
 * What the review charts and the library list read, as it crosses IPC: the win-rate matrix
 * from the votes, and per-model cost, latency and outcomes from the runs the rated
 * generations came from. Ratings themselves come from `review:get-ratings`.
 * Pure TypeScript + zod (no node:*).
 */
import { z } from 'zod';
import { modelKeySchema, type Verdict } from './review-schemas';
import { RATED_OUTCOMES } from '../bench/scorecard-table';

const count = z.number().int().nonnegative();
const nullableNumber = z.number().nullable();

/** One ordered cell of the win-rate matrix: how often `model` beat `opponent`. */
export const winRateCellSchema = z.object({
  model: modelKeySchema,
  opponent: modelKeySchema,
  /** Wins of `model` over `opponent`, ties counted as half a win. */
  wins: z.number().nonnegative(),
  /** Votes between the two that count (a, b or tie; both_bad left out). */
  games: count,
  /** wins / games; null when they never met. */
  rate: nullableNumber,
});
export type WinRateCell = z.infer<typeof winRateCellSchema>;

/** Total latency (submitted → file on disk) of successful, uncached generations, in ms. */
export const latencyDistributionSchema = z.object({
  n: count,
  min: nullableNumber,
  p25: nullableNumber,
  p50: nullableNumber,
  p75: nullableNumber,
  p95: nullableNumber,
  max: nullableNumber,
});
export type LatencyDistribution = z.infer<typeof latencyDistributionSchema>;

/** The scorecard's rated outcomes (shared/bench/scorecard-table.ts), in its order. */
export const RATED_OUTCOME_KEYS = RATED_OUTCOMES;
export type RatedOutcomeKey = (typeof RATED_OUTCOME_KEYS)[number];

export const modelChartFactsSchema = z.object({
  model: modelKeySchema,
  /** Generations of this model in those runs (pending ones included). */
  generations: count,
  /** Finished generations by outcome (cancelled and skipped are left out). */
  outcomes: z.object({
    success: count,
    policy_refusal: count,
    failure: count,
    timeout: count,
    bad_output: count,
  }),
  /** Money spent per second of successful video, USD; null when nothing succeeded. */
  costPerSecondUsd: nullableNumber,
  latencyMs: latencyDistributionSchema,
});
export type ModelChartFacts = z.infer<typeof modelChartFactsSchema>;

export const reviewChartDataSchema = z.object({
  /** Every ordered pair of models that met in a vote (both directions). */
  winRates: z.array(winRateCellSchema),
  /** Sorted by model key. */
  models: z.array(modelChartFactsSchema),
  /** The runs the rated generations came from. */
  runIds: z.array(z.string()),
  /** Votes read (both_bad included). */
  votes: count,
});
export type ReviewChartData = z.infer<typeof reviewChartDataSchema>;

/** One prompt of one run in the library list. */
export const libraryEntrySchema = z.object({
  runId: z.string(),
  runName: z.string(),
  /** Epoch ms the run was created. */
  runCreatedAt: z.number(),
  promptId: z.string(),
  prompt: z.string(),
  category: z.string(),
  /** Generations of this prompt in this run, whatever their state. */
  generations: count,
  /** Of which have a finished video to watch. */
  videos: count,
  /** `provider:model` of each generation with a video, sorted. */
  models: z.array(z.string()),
});
export type LibraryEntry = z.infer<typeof libraryEntrySchema>;

export const libraryListSchema = z.object({
  /** Newest run first, prompts in suite order within a run. */
  entries: z.array(libraryEntrySchema),
  /** All generations counted in the entries. */
  generations: count,
});
export type LibraryList = z.infer<typeof libraryListSchema>;

export const reviewChartChannels = {
  'review:get-chart-data': {
    /** `category`: only that category's votes feed the win rates; absent = all votes. */
    input: z.object({ category: z.string().min(1).max(200).optional() }).strict(),
    output: reviewChartDataSchema,
  },
  'review:list-library': { input: z.object({}).strict(), output: libraryListSchema },
} as const;

/**
 * The win-rate matrix from votes: for each ordered pair that met, wins (ties as half) over
 * votes that count. both_bad says nothing about which is better and is left out. Sorted by
 * model, then opponent.
 */
export function winRateMatrix(
  votes: Iterable<{ modelA: string; modelB: string; verdict: Verdict }>,
): WinRateCell[] {
  const cells = new Map<string, { model: string; opponent: string; wins: number; games: number }>();
  const cell = (model: string, opponent: string) => {
    const key = `${model}\u0000${opponent}`;
    let entry = cells.get(key);
    if (!entry) {
      entry = { model, opponent, wins: 0, games: 0 };
      cells.set(key, entry);
    }
    return entry;
  };
  for (const vote of votes) {
    if (vote.verdict === 'both_bad' || vote.modelA === vote.modelB) continue;
    const ab = cell(vote.modelA, vote.modelB);
    const ba = cell(vote.modelB, vote.modelA);
    ab.games += 1;
    ba.games += 1;
    if (vote.verdict === 'a') ab.wins += 1;
    else if (vote.verdict === 'b') ba.wins += 1;
    else {
      ab.wins += 0.5;
      ba.wins += 0.5;
    }
  }
  return [...cells.values()]
    .sort((x, y) =>
      x.model === y.model ? (x.opponent < y.opponent ? -1 : 1) : x.model < y.model ? -1 : 1,
    )
    .map((entry) => ({ ...entry, rate: entry.games > 0 ? entry.wins / entry.games : null }));
}
