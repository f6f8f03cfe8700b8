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
