/** The scorecard as it crosses IPC (computed in src/main/bench/scorecard.ts). */
import { z } from 'zod';

const nullableNumber = z.number().nullable();
const latency = z.object({ n: z.number().int(), p50: nullableNumber, p95: nullableNumber });

export const scorecardLineSchema = z.object({
  provider: z.string(),
  modelId: z.string(),
  /** null = all categories of this model. */
  category: z.string().nullable(),
  total: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  pending: z.number().int(),
  rated: z.number().int(),
  rates: z.record(z.string(), nullableNumber),
  latencyMs: z.object({ queue: latency, generation: latency, download: latency, total: latency }),
  costUsd: z.number(),
  videoSeconds: z.number(),
  costPerSuccessUsd: nullableNumber,
  costPerSecondUsd: nullableNumber,
  complianceChecked: z.number().int(),
  compliant: z.number().int(),
  complianceRate: nullableNumber,
  findingsBySetting: z.record(z.string(), z.number().int()),
  measured: z.number().int(),
  measures: z.record(z.string(), nullableNumber),
});
export type ScorecardLineView = z.infer<typeof scorecardLineSchema>;

export const scorecardSchema = z.object({
  models: z.array(
    z.object({
      provider: z.string(),
      modelId: z.string(),
      overall: scorecardLineSchema,
      categories: z.array(scorecardLineSchema),
    }),
  ),
});

export const scorecardChangeSchema = z.object({
  provider: z.string(),
  modelId: z.string(),
  category: z.string().nullable(),
  metric: z.string(),
  before: z.number(),
  after: z.number(),
  worse: z.boolean(),
  message: z.string(),
});

/** One way two compared runs differ, in words. */
export const runDifferenceSchema = z.object({
  aspect: z.enum(['suite', 'suite-version', 'prompts', 'settings', 'models']),
  message: z.string(),
});
export type RunDifference = z.infer<typeof runDifferenceSchema>;

/**
 * Two runs compared like for like: only prompts both ran (same text, image and settings) and
 * models both ran enter the figures; everything else that differs is listed in `differences`.
 */
export const runComparisonSchema = z.object({
  before: z.object({ runId: z.string(), suiteName: z.string(), suiteVersion: z.number().int() }),
  after: z.object({ runId: z.string(), suiteName: z.string(), suiteVersion: z.number().int() }),
  /** Empty when the runs are like for like (same suite version, prompts, settings, models). */
  differences: z.array(runDifferenceSchema),
  /** False when the runs share no prompt or no model: nothing could be compared. */
  comparable: z.boolean(),
  /** Prompts both runs ran (same text, image and settings), and each run's total. */
  prompts: z.object({
    shared: z.number().int(),
    before: z.number().int(),
    after: z.number().int(),
  }),
  /** `provider:model` keys both runs ran (compared), and those only one of them ran. */
  models: z.object({
    shared: z.array(z.string()),
    onlyBefore: z.array(z.string()),
    onlyAfter: z.array(z.string()),
  }),
  /** The figures that changed beyond the thresholds (one table row each). */
  changes: z.array(scorecardChangeSchema),
  /** worse + better = changes.length; unchanged = figures compared within the thresholds. */
  counts: z.object({
    worse: z.number().int(),
    better: z.number().int(),
    unchanged: z.number().int(),
  }),
});
export type RunComparison = z.infer<typeof runComparisonSchema>;
