/**
 * Proposed IPC channels for the production watch, in the contract's shape ({input, output} per
 * channel, a payload per event), ready to be spread into `invokeChannels` / `eventChannels`.
 */
import { z } from 'zod';
import { watchEnvSchema, watchSettingsSchema } from './watch-settings';
import {
  seriesReportSchema,
  stabilityReportSchema,
  tierBudgetsReportSchema,
  watchReportSchema,
} from './watch-types';

const tier = z.string().min(1).max(100);
/** ms since the epoch */
const instant = z.number().int().nonnegative();

export const watchInvokeChannels = {
  'watch:get-settings': { input: z.object({}).strict(), output: watchSettingsSchema },
  'watch:save-settings': {
    input: z.object({ settings: watchSettingsSchema }).strict(),
    output: watchSettingsSchema,
  },
  'watch:check-now': {
    input: z.object({ env: watchEnvSchema }).strict(),
    output: watchReportSchema,
  },
  'watch:get-series': {
    input: z
      .object({ tier, from: instant, to: instant, env: watchEnvSchema.optional() })
      .strict()
      .refine((value) => value.to > value.from, { message: 'to must be after from', path: ['to'] })
      .refine((value) => value.to - value.from <= 400 * 86400000, {
        message: 'the range may span at most 400 days',
        path: ['from'],
      }),
    output: seriesReportSchema,
  },
  'watch:get-stability': {
    input: z.object({ tier, env: watchEnvSchema.optional() }).strict(),
    output: stabilityReportSchema,
  },
  /** Each tier's budget and quota from the routing config the environment runs (read-only). */
  'watch:get-budgets': {
    input: z.object({ env: watchEnvSchema }).strict(),
    output: tierBudgetsReportSchema,
  },
} as const;

export const guardBreachedEventSchema = z.object({
  env: watchEnvSchema,
  status: z.enum(['breach', 'no_data', 'error']),
  checkedAt: z.number(),
  stepVersion: z.number().int().nullable(),
  summary: z.string(),
  action: z.enum(['paused', 'rolled_back', 'rollback_failed']).optional(),
  /**
   * A retry of a failed automatic rollback that failed again for a reason already told for this
   * rollout step: recorded, not notified (no toast, no new inbox entry, no desktop notice).
   */
  repeated: z.boolean().optional(),
});

export const watchEventChannels = {
  'watch:guard-breached': guardBreachedEventSchema,
} as const;

export const WATCH_INVOKE_CHANNEL_NAMES = [
  'watch:get-settings',
  'watch:save-settings',
  'watch:check-now',
  'watch:get-series',
  'watch:get-stability',
  'watch:get-budgets',
] as const;
export const WATCH_EVENT_CHANNEL_NAMES = ['watch:guard-breached'] as const;
