/**
 * Proposed IPC channels for the routing editor (Rollout → Config). To wire them, spread
 * `routingInvokeChannels` into `invokeChannels` in src/shared/ipc/contract.ts and add
 * `ROUTING_CHANNEL_NAMES` to INVOKE_CHANNEL_NAMES in channel-names.ts.
 *
 * Configs travel as JSON. `routing:check` and `routing:save-draft` take any JSON (a draft may be
 * half-written; the answer lists its problems); the others take a config that matches the schema
 * (main refuses anything else with a message naming the field).
 */
import { z } from 'zod';
import { routingConfigSchema } from './routing-config-schema';
import { observationMapSchema } from './routing-evidence';
import { routingProblemSchema } from './routing-problem';
import { routingProposalSchema, tierQualityBarSchema } from './routing-proposals';

const nullableNumber = z.number().nullable();
const flagContextSchema = z.record(
  z.string().max(100),
  z.union([z.string(), z.number(), z.boolean()]),
);

export const routingDraftSchema = z.object({
  /** The draft as last saved (any JSON: it may not pass the checks yet). */
  config: z.unknown(),
  /** Goes up by one on every save; 0 = nothing saved yet (config is the built-in example). */
  revision: z.number().int().nonnegative(),
  /** Epoch ms of the last save; null = never saved. */
  updatedAt: z.number().int().nullable(),
  source: z.enum(['draft', 'example']),
});
export type RoutingDraft = z.infer<typeof routingDraftSchema>;

export const checkResultSchema = z.object({
  ok: z.boolean(),
  problems: z.array(routingProblemSchema),
});

const targetSimulationSchema = z.object({
  index: z.number().int(),
  provider: z.string(),
  model: z.string(),
  firstChoiceShare: z.number(),
  attempts: z.number(),
  successes: z.number(),
  timeouts: z.number(),
  failures: z.number(),
  refusals: z.number(),
  costUsd: z.number(),
  servedShare: z.number(),
});

export const tierSimulationSchema = z.object({
  tier: z.string(),
  requests: z.number().int(),
  successes: z.number().int(),
  successRate: z.number(),
  failedBy: z.object({
    provider_unavailable: z.number().int(),
    timeout: z.number().int(),
    content_policy: z.number().int(),
  }),
  costUsd: z.number(),
  costPer1000RequestsUsd: z.number(),
  costPer1000VideosUsd: nullableNumber,
  latencyMs: z.object({ p50: nullableNumber, p95: nullableNumber, mean: nullableNumber }),
  attemptsPerRequest: z.number(),
  targets: z.array(targetSimulationSchema),
  flagShares: z.array(
    z.object({ assignment: z.record(z.string(), z.string()), share: z.number() }),
  ),
});

export const simulationResultSchema = z.object({
  seed: z.number().int(),
  requestsPerTier: z.number().int(),
  tiers: z.record(z.string(), tierSimulationSchema),
  assumptions: z.array(z.string()),
});

const metricDeltaSchema = z.object({
  before: nullableNumber,
  after: nullableNumber,
  change: nullableNumber,
});
export const tierComparisonSchema = z.object({
  tier: z.string(),
  status: z.enum(['changed', 'added', 'removed']),
  successRate: metricDeltaSchema,
  costPer1000VideosUsd: metricDeltaSchema,
  costPer1000RequestsUsd: metricDeltaSchema,
  p50LatencyMs: metricDeltaSchema,
  p95LatencyMs: metricDeltaSchema,
});

export const flagPreviewResultSchema = z.object({
  sampleSize: z.number().int(),
  keyPattern: z.string(),
  flags: z.array(
    z.object({
      flag: z.string(),
      state: z.enum(['ENABLED', 'DISABLED']),
      tiers: z.array(
        z.object({
          tier: z.string(),
          variants: z.array(
            z.object({
              variant: z.string(),
              value: z.unknown(),
              count: z.number().int(),
              share: z.number(),
            }),
          ),
        }),
      ),
    }),
  ),
});

export const routingInvokeChannels = {
  /** The saved draft, or the built-in example when nothing was saved yet. */
  'routing:get-draft': {
    input: z.object({}).strict(),
    output: routingDraftSchema,
  },
  /** Saves the draft when `expectedRevision` is still current (else `conflict`), and checks it. */
  'routing:save-draft': {
    input: z
      .object({ config: z.unknown(), expectedRevision: z.number().int().nonnegative() })
      .strict(),
    output: routingDraftSchema.extend({ problems: z.array(routingProblemSchema) }),
  },
  /** Every problem of a config (errors refuse signing, warnings do not). */
  'routing:check': {
    input: z.object({ config: z.unknown() }).strict(),
    output: checkResultSchema,
  },
  /** Simulates a config (and optionally a baseline, with the comparison). */
  'routing:simulate': {
    input: z
      .object({
        config: routingConfigSchema,
        baseline: routingConfigSchema.optional(),
        requests: z.number().int().min(1).max(1_000_000).default(100_000),
        seed: z.number().int().default(1),
        /** Overrides the observations main builds from the benchmark scorecards. */
        observed: observationMapSchema.optional(),
      })
      .strict(),
    output: z.object({
      result: simulationResultSchema,
      baseline: simulationResultSchema.optional(),
      comparison: z.array(tierComparisonSchema).optional(),
    }),
  },
  /** Share of each tier's users that gets each variant of each flag (flagd-core dry run). */
  'routing:preview-flags': {
    input: z
      .object({
        config: routingConfigSchema,
        sampleSize: z.number().int().min(100).max(200_000).default(10_000),
        context: flagContextSchema.optional(),
      })
      .strict(),
    output: flagPreviewResultSchema,
  },
  /** Proposals from scorecards, ratings and prices. */
  'routing:recommend': {
    input: z.object({ config: routingConfigSchema, qualityBar: tierQualityBarSchema }).strict(),
    output: z.object({ proposals: z.array(routingProposalSchema) }),
  },
  /** The config with the accepted proposals applied (not saved: the editor saves the draft). */
  'routing:apply-proposals': {
    input: z
      .object({
        config: routingConfigSchema,
        proposals: z.array(routingProposalSchema),
        acceptedIds: z.array(z.string().min(1)),
      })
      .strict(),
    output: z.object({ config: routingConfigSchema }),
  },
} as const;

export const ROUTING_CHANNEL_NAMES = [
  'routing:get-draft',
  'routing:save-draft',
  'routing:check',
  'routing:simulate',
  'routing:preview-flags',
  'routing:recommend',
  'routing:apply-proposals',
] as const;
