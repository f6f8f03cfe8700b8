/**
 * Recommendation proposals: each is a list of patch-like changes the admin can accept on its
 * own. Changes are semantic (set-primary, order-fallbacks, set-weights) rather than raw JSON
 * Patch, so that accepting several proposals composes: each change applies to the config as it
 * is at that moment. Pure TypeScript + zod.
 */
import { z } from 'zod';
import { providerIdSchema } from '../providers/video-provider-spec';
import { tierIdSchema } from './routing-config-schema';

export const routingChangeSchema = z.discriminatedUnion('op', [
  z.object({
    /**
     * Make provider:model the tier's first target: moved there if present (the copy without a
     * flag condition), else inserted with the timeout and retries of the current first target.
     * In a weighted tier it also gets at least the largest weight of the other targets.
     */
    op: z.literal('set-primary'),
    tier: tierIdSchema,
    provider: providerIdSchema,
    model: z.string().min(1),
  }),
  z.object({
    /**
     * Reorder the fallbacks by `order` (provider:model keys, best first). A fallback tier keeps
     * its first target first and reorders the rest; a weighted tier reorders all targets (the
     * order its fallbacks follow). Targets not listed keep their relative order at the end.
     */
    op: z.literal('order-fallbacks'),
    tier: tierIdSchema,
    order: z.array(z.string().min(1)),
  }),
  z.object({
    /** Set the weights of the listed targets (provider:model → weight); others unchanged. */
    op: z.literal('set-weights'),
    tier: tierIdSchema,
    weights: z.record(z.string(), z.number().nonnegative()),
  }),
]);
export type RoutingChange = z.infer<typeof routingChangeSchema>;

export const proposalEvidenceSchema = z.object({
  model: z.string(),
  /** Bradley-Terry rating (Elo-like) and its 95 % interval; null = not rated. */
  rating: z.number().nullable(),
  ratingLow: z.number().nullable(),
  ratingHigh: z.number().nullable(),
  votes: z.number().int().nonnegative(),
  successRate: z.number().nullable(),
  successes: z.number().int().nonnegative(),
  p95LatencyMs: z.number().nullable(),
  /** Dollars per video at the tier's defaults; null = unknown. */
  priceUsd: z.number().nullable(),
  /** Not beaten on both rating and price by another candidate. */
  onParetoFront: z.boolean(),
  /** Meets the tier's bar (success rate, and rating for the cheap tier). */
  meetsBar: z.boolean(),
});
export type ProposalEvidence = z.infer<typeof proposalEvidenceSchema>;

export const routingProposalSchema = z.object({
  /** Stable for the same inputs, e.g. `placement:free`. */
  id: z.string().min(1),
  kind: z.enum(['placement', 'fallback-order', 'weights']),
  tier: tierIdSchema,
  title: z.string(),
  /** Why, in one or two sentences with the figures. */
  reason: z.string(),
  changes: z.array(routingChangeSchema).min(1),
  evidence: z.array(proposalEvidenceSchema),
});
export type RoutingProposal = z.infer<typeof routingProposalSchema>;

export const tierQualityBarSchema = z.object({
  /** Tier that gets the cheapest model meeting the bar (default "free"). */
  cheapTier: tierIdSchema.default('free'),
  /** Minimum rating (Elo-like scale, mean 1000) for the cheap tier. */
  minRating: z.number(),
  /** Judge the rating by the low end of its 95 % interval instead of the point (default false). */
  useLowerBound: z.boolean().default(false),
  /** Tier that gets the best-rated model (default "premium"). */
  bestTier: tierIdSchema.default('premium'),
  /** Minimum benchmark success rate for any recommended model (default 0.95). */
  minSuccessRate: z.number().min(0).max(1).default(0.95),
});
export type TierQualityBar = z.infer<typeof tierQualityBarSchema>;
export type TierQualityBarInput = z.input<typeof tierQualityBarSchema>;
