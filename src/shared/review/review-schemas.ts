/**
 * Review records shared by main and renderer: votes, ratings and the blind pair shown next.
 * Pure TypeScript + zod (no node:*). Types via z.infer.
 */
import { z } from 'zod';

/** A model as `provider:model`, e.g. `runway:gen4_turbo`. */
export const modelKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*:\S.*$/, 'must be "provider:model", e.g. "runway:gen4_turbo"');
export type ModelKey = z.infer<typeof modelKeySchema>;

/**
 * Category pools, as the public video arenas keep them: a vote is rated only against votes of
 * the same kind of task. A pool is derived from the generation's inputs (a reference image given
 * or not) and its audio (the video has a sound track: ffprobe, else the audio setting asked for).
 * A pair whose two videos differ in audio is not offered for a vote (it fits neither pool).
 * `unspecified`: imported arena votes whose category names no pool, and votes from before pools
 * were recorded whose generations are gone. Never mixed with the others without saying so.
 */
export const POOLS = [
  'text-to-video',
  'text-to-video-audio',
  'image-to-video',
  'image-to-video-audio',
  'unspecified',
] as const;
export const poolSchema = z.enum(POOLS);
export type Pool = z.infer<typeof poolSchema>;
export const UNSPECIFIED_POOL: Pool = 'unspecified';

const POOL_LABELS: Record<Pool, string> = {
  'text-to-video': 'text-to-video',
  'text-to-video-audio': 'text-to-video with audio',
  'image-to-video': 'image-to-video',
  'image-to-video-audio': 'image-to-video with audio',
  unspecified: 'unspecified pool',
};
export function poolLabel(pool: Pool): string {
  return POOL_LABELS[pool];
}

export function poolOf(input: { imageGiven: boolean; audio: boolean }): Pool {
  const kind = input.imageGiven ? 'image-to-video' : 'text-to-video';
  return input.audio ? `${kind}-audio` : kind;
}

/**
 * The pool an arena CSV category names, or `unspecified`. Case, spaces and punctuation are
 * ignored: text-to-video / t2v / text2video, image-to-video / i2v / image2video, optionally
 * followed by "audio", "with audio", "sound" (with a track) or "no audio", "without audio",
 * "silent", "muted" (without). Anything else names no pool.
 */
export function poolOfCategory(category: string): Pool {
  const key = category.toLowerCase().replace(/[^a-z0-9]/g, '');
  const kinds: [string, 'text-to-video' | 'image-to-video'][] = [
    ['texttovideo', 'text-to-video'],
    ['text2video', 'text-to-video'],
    ['t2v', 'text-to-video'],
    ['imagetovideo', 'image-to-video'],
    ['image2video', 'image-to-video'],
    ['i2v', 'image-to-video'],
  ];
  for (const [prefix, kind] of kinds) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    if (['', 'noaudio', 'withoutaudio', 'silent', 'muted', 'nosound'].includes(rest)) return kind;
    if (['audio', 'withaudio', 'sound', 'withsound'].includes(rest)) return `${kind}-audio`;
    return UNSPECIFIED_POOL;
  }
  return UNSPECIFIED_POOL;
}

/** The allowed verdicts, exactly as stored and as written in CSV. */
export const VERDICTS = ['a', 'b', 'tie', 'both_bad'] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

export const voteSchema = z
  .object({
    id: z.string().min(1).max(100),
    /** Generation shown as A. Which side A was on screen is not recorded (sides are random). */
    generationA: z.string().min(1),
    generationB: z.string().min(1),
    modelA: modelKeySchema,
    modelB: modelKeySchema,
    /** Copied from the generations at vote time, so votes outlive deleted runs. */
    promptId: z.string().min(1),
    category: z.string().min(1),
    /** The pair's category pool (see POOLS); `undefined` = unspecified. */
    pool: poolSchema.optional(),
    verdict: verdictSchema,
    comment: z.string().max(4000).optional(),
    voter: z.string().min(1).max(200),
    /** How the voter's name was established; `undefined` = local (desktop admin or CLI actor). */
    voterVia: z.enum(['local', 'reviewer', 'import']).optional(),
    /** Epoch milliseconds. */
    votedAt: z.number().int().nonnegative(),
  })
  .refine((vote) => vote.modelA !== vote.modelB, {
    message: 'modelA and modelB must differ',
    path: ['modelB'],
  })
  .refine((vote) => vote.generationA !== vote.generationB, {
    message: 'generationA and generationB must differ',
    path: ['generationB'],
  });
export type Vote = z.infer<typeof voteSchema>;

export const ratingSchema = z.object({
  /** `provider:model` for the console's own votes; any name for imported arena votes. */
  model: z.string().min(1),
  /** Elo-like: 1000 + 400·log10(strength), strengths scaled so the mean rating is 1000. */
  rating: z.number(),
  /** 2.5th bootstrap percentile. */
  low: z.number(),
  /** 97.5th bootstrap percentile. */
  high: z.number(),
  /** All votes the model appeared in, both_bad included. */
  votes: z.number().int().nonnegative(),
  wins: z.number().int().nonnegative(),
  losses: z.number().int().nonnegative(),
  ties: z.number().int().nonnegative(),
  /** Counted; in the fit as a tie by default (ratings option `bothBad`). */
  bothBad: z.number().int().nonnegative(),
});
export type Rating = z.infer<typeof ratingSchema>;

export const votesStillNeededSchema = z.object({
  /** The higher-rated neighbour. */
  modelA: z.string().min(1),
  modelB: z.string().min(1),
  /** Estimated further A-vs-B votes until their intervals stop overlapping (0 = separated). */
  votes: z.number().int().nonnegative(),
  /** Votes between the two so far (both_bad included). */
  existingVotes: z.number().int().nonnegative(),
});
export type VotesStillNeeded = z.infer<typeof votesStillNeededSchema>;

/** How one reviewer's votes agree with another's on the generation pairs both voted on. */
export const reviewerPairAgreementSchema = z.object({
  reviewerA: z.string(),
  reviewerB: z.string(),
  /** Generation pairs both voted on (each reviewer's latest vote on a pair counts). */
  shared: z.number().int().nonnegative(),
  /** Share of shared pairs with the same verdict (0–1); null when nothing is shared. */
  agreement: z.number().nullable(),
  /** Cohen's kappa on the shared pairs; null when undefined (nothing shared or no variation). */
  kappa: z.number().nullable(),
});
export type ReviewerPairAgreement = z.infer<typeof reviewerPairAgreementSchema>;

export const reviewerSummarySchema = z.object({
  reviewer: z.string(),
  votes: z.number().int().nonnegative(),
  /** Pairs this reviewer shares with at least one other reviewer. */
  sharedPairs: z.number().int().nonnegative(),
  /** Agreement with the other reviewers' majority verdict on those pairs (0–1); null = none. */
  agreementWithOthers: z.number().nullable(),
  /** Cohen's kappa against the others' majority verdict; null when undefined. */
  kappaWithOthers: z.number().nullable(),
  /** Disagrees with everyone else: see review/agreement.ts for the rule. */
  flagged: z.boolean(),
  /** Why it is flagged (or null). */
  flagReason: z.string().nullable(),
});
export type ReviewerSummary = z.infer<typeof reviewerSummarySchema>;

export const reviewerAgreementSchema = z.object({
  reviewers: z.array(reviewerSummarySchema),
  pairs: z.array(reviewerPairAgreementSchema),
});
export type ReviewerAgreement = z.infer<typeof reviewerAgreementSchema>;

export const ratingsResultSchema = z.object({
  /** Sorted by rating, best first. */
  overall: z.array(ratingSchema),
  byCategory: z.record(z.string(), z.array(ratingSchema)),
  /** One board per category pool that has votes; pools are never fitted together here. */
  byPool: z.partialRecord(poolSchema, z.array(ratingSchema)).default({}),
  /**
   * The pools `overall` combines, with their vote counts, so a combined board always says what
   * it mixes. One entry when the votes come from one pool (or a pool filter was given).
   */
  pools: z.array(z.object({ pool: poolSchema, votes: z.number().int().nonnegative() })).default([]),
  /** The pool filter the ratings were computed for; absent = every pool. */
  pool: poolSchema.optional(),
  /** For each pair of neighbours in `overall`, top to bottom. */
  votesStillNeeded: z.array(votesStillNeededSchema),
  resamples: z.number().int().positive(),
  seed: z.number().int(),
  totalVotes: z.number().int().nonnegative(),
  /** Who voted, and how their votes agree (absent when not computed). */
  agreement: reviewerAgreementSchema.optional(),
});
export type RatingsResult = z.output<typeof ratingsResultSchema>;

/** `review:get-ratings` input: optionally one pool only. */
export const ratingsFilterSchema = z.object({ pool: poolSchema.optional() });
export type RatingsFilter = z.infer<typeof ratingsFilterSchema>;

export const ratingsOptionsSchema = z.object({
  /** Bootstrap resamples (at least 200). */
  resamples: z.number().int().min(200).max(100_000).default(500),
  seed: z.number().int().default(1),
  /** Weight of the virtual tie each model plays against a mean-strength opponent. */
  priorWeight: z.number().min(0).max(10).default(0.01),
  /** Upper bound reported for "votes still needed". */
  votesNeededCap: z.number().int().positive().default(10_000),
  /**
   * How a "both bad" vote enters the fit: `tie` (default, as the public arenas do: half a win
   * each way, like any tie) or `exclude` (counted in the tallies, left out of the fit).
   */
  bothBad: z.enum(['tie', 'exclude']).default('tie'),
});
export type RatingsOptions = z.input<typeof ratingsOptionsSchema>;

/** What the renderer gets to show next: no model names, only generations and an opaque token. */
export const blindPairSchema = z.object({
  token: z.string().min(16),
  promptId: z.string(),
  category: z.string(),
  /** Shown on the left. */
  left: z.string(),
  /** Shown on the right. */
  right: z.string(),
});
export type BlindPair = z.infer<typeof blindPairSchema>;

/** A vote as the renderer casts it on a blind pair. `a` = left, `b` = right. */
export const castVoteInputSchema = z.object({
  token: z.string().min(16),
  verdict: verdictSchema,
  comment: z.string().max(4000).optional(),
});
export type CastVoteInput = z.infer<typeof castVoteInputSchema>;

export const importVotesResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  imported: z.number().int().nonnegative(),
  /** Rows identical to a vote already stored (same voter, generations and time): skipped. */
  duplicates: z.number().int().nonnegative(),
});
export type ImportVotesResult = z.infer<typeof importVotesResultSchema>;
