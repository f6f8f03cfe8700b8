/**
 * Domain records shared by main and renderer (zod schemas; types via z.infer).
 * These are what crosses IPC: no file paths, no keys.
 */
import { z } from 'zod';
import {
  generationSettingsSchema,
  modelRefSchema,
  providerIdSchema,
} from './providers/video-provider-spec';

export const promptCategorySchema = z.enum([
  'people',
  'animals',
  'physics',
  'camera',
  'text',
  'multi-object',
  'stylised',
  'image-to-video',
  'general',
]);
export type PromptCategory = z.infer<typeof promptCategorySchema>;

export const suitePromptSchema = z.object({
  /** Stable id within the suite, e.g. "p01". */
  id: z.string().min(1).max(64),
  text: z.string().min(1).max(4000),
  category: promptCategorySchema.default('general'),
  /** Reference image for image-to-video prompts (https URL or data: URI). */
  imageUrl: z.string().optional(),
});
export type SuitePrompt = z.infer<typeof suitePromptSchema>;

export const suiteDefinitionSchema = z.object({
  name: z.string().min(1).max(120),
  description: z.string().max(2000).default(''),
  settings: generationSettingsSchema.default({}),
  prompts: z.array(suitePromptSchema).min(1).max(1000),
});
export type SuiteDefinition = z.infer<typeof suiteDefinitionSchema>;

export const suiteSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.number().int(),
  promptCount: z.number().int(),
  builtIn: z.boolean(),
});
export type SuiteSummary = z.infer<typeof suiteSummarySchema>;

export const generationStateSchema = z.enum([
  'queued',
  'submitting',
  'submitted',
  'downloading',
  'succeeded',
  'failed',
  'cancelled',
]);
export type GenerationState = z.infer<typeof generationStateSchema>;

/** How a finished generation ended; `undefined` while it is still running. */
export const generationOutcomeSchema = z.enum([
  'success',
  'policy_refusal',
  'failure',
  'timeout',
  'bad_output',
  'cancelled',
  'skipped_budget',
  'submit_unknown',
  /** Not sent: the model cannot take this prompt (text to an image-to-video-only model, or the reverse). */
  'skipped_unsupported',
  /**
   * The vendor refused the account, not the prompt: the API key (401/403) or payment (402) at
   * the create, so nothing was made. Says nothing about the model: counted, not rated.
   */
  'account_refused',
]);
export type GenerationOutcome = z.infer<typeof generationOutcomeSchema>;

export const mediaRefSchema = z.object({
  /** Opaque id (content hash). The renderer turns it into a URL through its transport. */
  id: z.string().regex(/^[a-f0-9]{64}$/),
  contentType: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type MediaRef = z.infer<typeof mediaRefSchema>;

export const generationRecordSchema = z.object({
  id: z.string(),
  runId: z.string(),
  promptId: z.string(),
  prompt: z.string(),
  category: promptCategorySchema,
  provider: providerIdSchema,
  modelId: z.string(),
  state: generationStateSchema,
  outcome: generationOutcomeSchema.nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  /** 0..1 while running, when the vendor reports it. */
  progress: z.number().nullable(),
  /** submit → vendor started, ms. */
  queueMs: z.number().nullable(),
  /** vendor started → vendor done, ms. */
  generationMs: z.number().nullable(),
  downloadMs: z.number().nullable(),
  totalMs: z.number().nullable(),
  estimatedCostUsd: z.number(),
  /** Actual cost: vendor-reported where available, else the estimate for a success, 0 otherwise. */
  costUsd: z.number().nullable(),
  cached: z.boolean(),
  simulated: z.boolean(),
  media: mediaRefSchema.nullable(),
  submittedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** What ffprobe/ffmpeg found in the video; null = not analysed (yet). */
  analysis: z
    .object({
      durationSeconds: z.number().nullable(),
      width: z.number().nullable(),
      height: z.number().nullable(),
      fps: z.number().nullable(),
      /**
       * Frame timing measured from every frame's timestamp; `variable` flags a variable frame
       * rate. Absent or null when not measured (older rows, probe only).
       */
      frameRate: z
        .object({
          variable: z.boolean(),
          minFps: z.number(),
          maxFps: z.number(),
          avgFps: z.number(),
        })
        .nullable()
        .optional(),
      /** Display rotation in degrees (0, 90, 180, 270); width and height are after it. */
      rotation: z.number().nullable().optional(),
      videoCodec: z.string().nullable(),
      hasAudio: z.boolean().nullable(),
      /** flicker, blur, frozenFraction, blackFraction, sceneCuts, motion. */
      measures: z.record(z.string(), z.number().nullable()),
      /** Where the video differs from what was asked (duration, aspect, resolution, audio). */
      findings: z.array(z.string()),
      /** Why the analysis did not run or finish (e.g. ffmpeg missing). */
      error: z.string().nullable(),
    })
    .nullable(),
  /**
   * Why the job is waiting rather than being looked at, e.g. "Rate limited by the provider,
   * waiting 30 s"; null (or absent, from older consoles) when it is not.
   */
  waiting: z.string().nullable().optional(),
});
export type GenerationRecord = z.infer<typeof generationRecordSchema>;

export const runStateSchema = z.enum(['running', 'finished', 'cancelled', 'interrupted']);
export type RunState = z.infer<typeof runStateSchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  suiteId: z.string(),
  suiteName: z.string(),
  suiteVersion: z.number().int(),
  models: z.array(modelRefSchema),
  state: runStateSchema,
  budgetUsd: z.number(),
  estimatedCostUsd: z.number(),
  /** What the vendors billed: the sum of the generations' costs, in USD. */
  spentUsd: z.number(),
  /**
   * What counts against the budget, in USD: the billed costs, and for each submission whose
   * outcome is unknown (it may have been billed unseen) at least its estimate. The budget check
   * before each submission uses this figure, so it is never below `spentUsd`.
   */
  countedUsd: z.number(),
  /**
   * How many generations ended with their submission's outcome unknown (`submit_unknown`), or
   * were given up on at the vendor with no confirmed cancel (they may be billed).
   */
  unknownOutcomes: z.number().int(),
  total: z.number().int(),
  done: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  /**
   * The run is being driven by another console process (CLI, browser mode or app) on this data
   * folder: only that process submits and polls its generations. null when driven here or by
   * no one; left out by older producers.
   */
  drivenElsewhere: z
    .object({
      pid: z.number().int(),
      host: z.string(),
      /** When that process last renewed its lease, ms since the epoch. */
      heartbeatAt: z.number(),
      /** When the lease lapses unless renewed, ms since the epoch. */
      expiresAt: z.number(),
    })
    .nullable()
    .optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runDetailSchema = z.object({
  run: runSummarySchema,
  generations: z.array(generationRecordSchema),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const planModelLineSchema = z.object({
  provider: providerIdSchema,
  modelId: z.string(),
  displayName: z.string(),
  generations: z.number().int(),
  estimatedCostUsd: z.number(),
  /**
   * No price is known for this (real) model: `estimatedCostUsd` is then an upper bound (each
   * clip counted at the highest price of any model the console knows, for that clip), or 0 when
   * no known price bounds it. Shown "≤ $X" or "price unknown", never as the model's price.
   */
  priceUnknown: z.boolean(),
  /**
   * The estimate uses a price an admin entered (Models screen, `aideon models price set`): who
   * and when (ms since the epoch). Absent = the built-in table's price (or none).
   */
  priceEntered: z.object({ by: z.string(), at: z.number() }).optional(),
  simulated: z.boolean(),
  warnings: z.array(z.string()),
  /**
   * Prompts this model cannot take (e.g. a text-only prompt for an image-to-video-only model):
   * they are not sent and cost nothing; `generations` and the estimate leave them out.
   */
  skipped: z.array(z.object({ promptId: z.string(), reason: z.string() })).optional(),
});

export const runPlanSchema = z.object({
  suiteId: z.string(),
  suiteName: z.string(),
  suiteVersion: z.number().int(),
  generations: z.number().int(),
  estimatedCostUsd: z.number(),
  /** Rough wall-clock estimate, seconds. */
  expectedDurationSeconds: z.number(),
  models: z.array(planModelLineSchema),
  budgetUsd: z.number().nullable(),
  withinBudget: z.boolean(),
});
export type RunPlan = z.infer<typeof runPlanSchema>;
