/**
 * The evidence the routing checks, recommendations and simulator work from. Pure TS + zod.
 * Keys of every map are `provider:model` (see `targetKey`).
 */
import { z } from 'zod';

/** What the benchmark scorecards say about one model (all runs together). */
export const modelEvidenceSchema = z.object({
  /** Successful benchmark generations. */
  successes: z.number().int().nonnegative(),
  /** Rated generations (the success-rate denominator). */
  rated: z.number().int().nonnegative(),
  /** successes ÷ rated; null when nothing was rated. */
  successRate: z.number().min(0).max(1).nullable(),
  /** Share of rated generations refused for content policy; null when nothing was rated. */
  refusalRate: z.number().min(0).max(1).nullable().optional(),
  /** Median submit-to-done latency of successes, ms; null when none. */
  p50LatencyMs: z.number().nonnegative().nullable(),
  /** 95th percentile submit-to-done latency of successes, ms; null when none. */
  p95LatencyMs: z.number().nonnegative().nullable(),
  /** Observed dollars per successful video (failures that cost money included); null = unknown. */
  costPerSuccessUsd: z.number().nonnegative().nullable().optional(),
});
export type ModelEvidence = z.infer<typeof modelEvidenceSchema>;

export const evidenceMapSchema = z.record(z.string(), modelEvidenceSchema);
export type EvidenceMap = z.infer<typeof evidenceMapSchema>;

/**
 * One model's behaviour as the simulator draws it.
 *
 * Billing assumption (documented, and adjustable per model): a failed attempt the vendor reports
 * as failed costs `failureCostFraction` × the price (default 0: vendors generally do not charge
 * for failed generations); an attempt abandoned at the timeout costs the full price when
 * `timeoutBilled` (default true: the vendor usually finishes the job and bills it, whether or not
 * anyone downloads it). A policy refusal costs nothing.
 */
export const modelObservationSchema = z.object({
  /** Probability that one attempt succeeds (0–1). */
  successRate: z.number().min(0).max(1),
  /** Probability that one attempt is refused for content policy (0–1, default 0). */
  refusalRate: z.number().min(0).max(1).default(0),
  /** Median latency of an attempt, ms (latency is lognormal through p50 and p95). */
  p50LatencyMs: z.number().positive(),
  /** 95th percentile latency of an attempt, ms; must be ≥ p50. */
  p95LatencyMs: z.number().positive(),
  /** Dollars per clip (flat part of the price). */
  usdPerClip: z.number().nonnegative().default(0),
  /** Dollars per second of video (× the tier's default duration, else `defaultDurationSeconds`). */
  usdPerSecond: z.number().nonnegative().default(0),
  /** Clip length used for per-second prices when the tier sets none, seconds (default 5). */
  defaultDurationSeconds: z.number().positive().default(5),
  /** Fraction of the price billed for a failed attempt (default 0). */
  failureCostFraction: z.number().min(0).max(1).default(0),
  /** Whether an attempt abandoned at the timeout is billed in full (default true). */
  timeoutBilled: z.boolean().default(true),
});
export type ModelObservation = z.infer<typeof modelObservationSchema>;
export type ModelObservationInput = z.input<typeof modelObservationSchema>;

export const observationMapSchema = z.record(z.string(), modelObservationSchema);
export type ObservationMap = z.infer<typeof observationMapSchema>;
