/**
 * What the watch reports: guard results, check reports, stability, series and budgets.
 * Pure TypeScript + zod; the IPC schemas and the CLI's --json output use these.
 */
import { z } from 'zod';
import { guardKindSchema, watchEnvSchema } from './watch-settings';

/** Why a query gave no usable answer. None of these is ever "healthy". */
export const queryProblemKindSchema = z.enum([
  'not_configured',
  'unreachable',
  'http_error',
  'query_error',
  'empty',
  'malformed',
]);
export type QueryProblemKind = z.infer<typeof queryProblemKindSchema>;

export const queryProblemSchema = z.object({
  kind: queryProblemKindSchema,
  message: z.string(),
  /** Which measure's query (success_rate, p95_latency, ...), when known. */
  measure: z.string().optional(),
});
export type QueryProblem = z.infer<typeof queryProblemSchema>;

export const guardStatusSchema = z.enum(['pass', 'breach', 'no_data', 'error']);
export type GuardStatus = z.infer<typeof guardStatusSchema>;

export const rolloutStepSchema = z.object({
  version: z.number().int().nonnegative(),
  flag: z.string().optional(),
  percent: z.number().min(0).max(100).optional(),
  startedAt: z.number().int().nonnegative(),
  /** When the rollout's next step is due (ms); the bake covers the step at least until then. */
  nextStepAt: z.number().int().nonnegative().optional(),
  /**
   * The step's rollout is paused while its content is still live: it is watched only so that an
   * automatic rollback that failed or never ran gets done (where auto-rollback is on).
   * undefined: the rollout is running or completed.
   */
  paused: z.literal(true).optional(),
  /**
   * A rollout state of the environment cannot be read (cut short, edited by hand): no step is
   * advanced, and this live step is guarded until the state is mended. `keys`: the damaged
   * states; `problem`: why the first cannot be read; `fromVersion`: the content before the
   * rollout (from the signed bundles; null: not known, so the step cannot be rolled back by
   * itself). undefined: every rollout state reads.
   */
  damaged: z
    .object({
      keys: z.string(),
      problem: z.string(),
      fromVersion: z.number().int().positive().nullable(),
    })
    .optional(),
});
export type RolloutStep = z.infer<typeof rolloutStepSchema>;

export const guardResultSchema = z.object({
  tier: z.string(),
  /** null: the whole tier (its query failed, or nothing at all reported). */
  provider: z.string().nullable(),
  model: z.string().nullable(),
  guard: guardKindSchema,
  mode: z.enum(['absolute', 'previous_step', 'peers']),
  status: guardStatusSchema,
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  /** The value compared against in a relative guard (previous window or peers). */
  reference: z.number().nullable(),
  critical: z.boolean(),
  message: z.string(),
  problem: queryProblemSchema.optional(),
});
export type GuardResult = z.infer<typeof guardResultSchema>;

export const checkStatusSchema = z.enum(['pass', 'breach', 'no_data', 'error']);
export type CheckStatus = z.infer<typeof checkStatusSchema>;

export const watchReportSchema = z.object({
  env: watchEnvSchema,
  /** ms since the epoch. */
  checkedAt: z.number(),
  window: z.string(),
  step: rolloutStepSchema.nullable(),
  /** pass only when every guard passed; breach wins over error, error over no_data. */
  status: checkStatusSchema,
  counts: z.object({
    pass: z.number().int(),
    breach: z.number().int(),
    no_data: z.number().int(),
    error: z.number().int(),
  }),
  guards: z.array(guardResultSchema),
  /** Problems that stop the check as a whole (no settings for the environment, ...). */
  problems: z.array(queryProblemSchema),
});
export type WatchReport = z.infer<typeof watchReportSchema>;

export const stabilityFailureSchema = z.object({
  /** rollback / kill_switch: production was rolled back or a flag killed that day. */
  guard: z.union([
    guardKindSchema,
    z.literal('no_data'),
    z.literal('error'),
    z.literal('rollback'),
    z.literal('kill_switch'),
  ]),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  message: z.string(),
});
export type StabilityFailure = z.infer<typeof stabilityFailureSchema>;

export const stabilityDaySchema = z.object({
  /** UTC day, YYYY-MM-DD. */
  day: z.string(),
  start: z.number(),
  end: z.number(),
  /** in_progress: today, with no critical issue so far (it does not count yet). */
  status: z.enum(['ok', 'critical', 'no_data', 'error', 'in_progress']),
  failures: z.array(stabilityFailureSchema),
});
export type StabilityDay = z.infer<typeof stabilityDaySchema>;

export const stabilityReportSchema = z.object({
  tier: z.string(),
  computedAt: z.number(),
  requiredDays: z.number().int(),
  /** Consecutive complete days without a critical issue, ending with the last complete day. */
  count: z.number().int(),
  stable: z.boolean(),
  /** The most recent day that broke the streak, and why; null when none in the lookback. */
  resetBy: z
    .object({ day: z.string(), status: z.string(), failures: z.array(stabilityFailureSchema) })
    .nullable(),
  days: z.array(stabilityDaySchema),
  problems: z.array(queryProblemSchema),
});
export type StabilityReport = z.infer<typeof stabilityReportSchema>;

/** [ms since the epoch, value]; null where Prometheus had no value (NaN, a gap). */
export const pointSchema = z.tuple([z.number(), z.number().nullable()]);

export const SERIES_MEASURES = [
  'volume',
  'success_rate',
  'p95_latency',
  'generated_seconds',
  'cost',
] as const;
export type SeriesMeasure = (typeof SERIES_MEASURES)[number];

export const targetSeriesSchema = z.object({
  provider: z.string(),
  model: z.string(),
  volume: z.array(pointSchema),
  success_rate: z.array(pointSchema),
  p95_latency: z.array(pointSchema),
  generated_seconds: z.array(pointSchema),
  cost: z.array(pointSchema),
});
export type TargetSeries = z.infer<typeof targetSeriesSchema>;

export const configChangeSchema = z.object({
  /** First instant (ms) the version reported in the range. */
  at: z.number(),
  version: z.string(),
  /** The version that reported just before, when any did in the range. */
  previous: z.string().nullable(),
});
export type ConfigChange = z.infer<typeof configChangeSchema>;

export const budgetItemSchema = z.object({
  kind: z.enum(['daily_usd', 'monthly_usd', 'daily_requests', 'daily_generated_seconds']),
  used: z.number().nullable(),
  limit: z.number(),
  /** used / limit; null when the usage could not be read. */
  fraction: z.number().nullable(),
  over: z.boolean(),
});
export type BudgetItem = z.infer<typeof budgetItemSchema>;

/**
 * Where the watch read the tiers' budget and quota: the routing config live in the watched
 * environment, else (nothing published there) the saved routing draft or the example config.
 * `none`: this process has no routing config (the controller, a bare WatchService).
 */
export const budgetSourceSchema = z.object({
  kind: z.enum(['published', 'draft', 'example', 'none']),
  env: watchEnvSchema,
  /** The published version (published only). */
  version: z.number().int().nullable(),
  /** The draft's revision (draft and example only). */
  revision: z.number().int().nullable(),
  /** Why the published config could not be read, when the draft stood in for it. */
  problem: z.string().nullable(),
});
export type BudgetSource = z.infer<typeof budgetSourceSchema>;

/** A tier's budget and quota as the routing config sets them (`tiers.<tier>.budget`). */
export const tierBudgetLimitsSchema = z.object({
  dailyUsd: z.number().optional(),
  monthlyUsd: z.number().optional(),
  dailyRequests: z.number().optional(),
  dailyGeneratedSeconds: z.number().optional(),
});
export type TierBudgetLimits = z.infer<typeof tierBudgetLimitsSchema>;

export const budgetStatusSchema = z.object({
  tier: z.string(),
  at: z.number(),
  items: z.array(budgetItemSchema),
  problems: z.array(queryProblemSchema),
  /** Where the limits come from (the routing config); undefined in reports made before it. */
  from: budgetSourceSchema.optional(),
});
export type BudgetStatus = z.infer<typeof budgetStatusSchema>;

export const seriesReportSchema = z.object({
  tier: z.string(),
  from: z.number(),
  to: z.number(),
  stepSeconds: z.number(),
  targets: z.array(targetSeriesSchema),
  configChanges: z.array(configChangeSchema),
  budget: budgetStatusSchema,
  problems: z.array(queryProblemSchema),
});
export type SeriesReport = z.infer<typeof seriesReportSchema>;

/**
 * `watch:get-budgets`: every tier's budget and quota as the routing config for `env` sets them
 * (read-only in the watch settings; edited in Routing), and budgets still found in the watch
 * settings from before they moved there (ignored; shown so they can be copied over).
 */
export const tierBudgetsReportSchema = z.object({
  from: budgetSourceSchema,
  tiers: z.array(z.object({ tier: z.string(), budget: tierBudgetLimitsSchema })),
  legacy: z.array(z.object({ tier: z.string(), budget: tierBudgetLimitsSchema })),
});
export type TierBudgetsReport = z.infer<typeof tierBudgetsReportSchema>;
