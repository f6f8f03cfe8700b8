/**
 * The parts of Together's responses the adapter reads (provider-apis.md §1). Every documented
 * variant is accepted: the current VideoJob object, the v1 create answer that is only `{id}`,
 * the older docs shape with `info{errors}` and ISO dates, and all five statuses (plus unknown
 * strings, which the adapter reports as a vendor fault rather than crashing).
 */
import { z } from 'zod';

const timestamp = z.union([z.number(), z.string()]).nullish();

const errorObject = z
  .object({
    code: z.union([z.string(), z.number()]).nullish(),
    message: z.string().nullish(),
    type: z.string().nullish(),
  })
  .nullish();

export const togetherVideoJobSchema = z.object({
  id: z.string().min(1),
  object: z.string().nullish(),
  model: z.string().nullish(),
  status: z.string().nullish(),
  created_at: timestamp,
  completed_at: timestamp,
  claimed_at: timestamp,
  done_at: timestamp,
  size: z.string().nullish(),
  seconds: z.union([z.string(), z.number()]).nullish(),
  error: z.union([errorObject, z.string()]).nullish(),
  outputs: z
    .object({
      cost: z.union([z.number(), z.string()]).nullish(),
      video_url: z.string().nullish(),
    })
    .nullish(),
  /** Older docs shape: errors live in info.errors. */
  info: z
    .object({
      user_id: z.string().nullish(),
      errors: z.unknown().optional(),
    })
    .nullish(),
});
export type TogetherVideoJob = z.infer<typeof togetherVideoJobSchema>;

/** The create answer: a full VideoJob, or only `{id}` (v1 Python SDK). */
export const togetherCreateSchema = z.object({ id: z.string().min(1) }).passthrough();

export const togetherModelSchema = z.object({
  id: z.string().min(1),
  object: z.string().nullish(),
  created: z.number().nullish(),
  /** chat|language|code|image|embedding|moderation|rerank|audio|transcribe|video, or a new string. */
  type: z.string().nullish(),
  display_name: z.string().nullish(),
  organization: z.string().nullish(),
  pricing: z
    .object({
      hourly: z.number().nullish(),
      input: z.number().nullish(),
      output: z.number().nullish(),
      base: z.number().nullish(),
      finetune: z.number().nullish(),
      cached_input: z.number().nullish(),
    })
    .nullish(),
});
export type TogetherModel = z.infer<typeof togetherModelSchema>;

/** GET /v1/models is a bare array; entries that do not parse are skipped one by one. */
export const togetherModelListSchema = z.array(z.unknown());

export const togetherErrorBodySchema = z.object({
  error: z
    .object({
      message: z.string().nullish(),
      type: z.string().nullish(),
      param: z.string().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
    })
    .nullish(),
  error_type: z.string().nullish(),
});
