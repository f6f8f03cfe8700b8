/**
 * The parts of Replicate's responses the adapter reads (provider-apis.md §3; replicate-javascript
 * index.d.ts). `output` may be a URI string, an array of them, or null (after data removal);
 * statuses are starting, processing, succeeded, failed, canceled, aborted.
 */
import { z } from 'zod';

export const replicatePredictionSchema = z.object({
  id: z.string().min(1),
  model: z.string().nullish(),
  version: z.string().nullish(),
  status: z.string(),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  logs: z.string().nullish(),
  data_removed: z.boolean().nullish(),
  metrics: z
    .object({ predict_time: z.number().nullish(), total_time: z.number().nullish() })
    .nullish(),
  created_at: z.string().nullish(),
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  deadline: z.string().nullish(),
  urls: z
    .object({
      get: z.string().nullish(),
      cancel: z.string().nullish(),
      web: z.string().nullish(),
      stream: z.string().nullish(),
    })
    .nullish(),
});
export type ReplicatePrediction = z.infer<typeof replicatePredictionSchema>;

/** What the create call must answer at least: the prediction id (the rest may vary by model). */
export const replicateCreatedSchema = z.looseObject({ id: z.string().min(1) });

/** RFC 7807 problem details; a 429 may carry only `detail`. */
export const replicateProblemSchema = z.object({
  type: z.string().nullish(),
  title: z.string().nullish(),
  status: z.number().nullish(),
  detail: z.string().nullish(),
  instance: z.string().nullish(),
});

export const replicateCollectionSchema = z.object({
  name: z.string().nullish(),
  slug: z.string().nullish(),
  models: z.array(z.unknown()),
});

export const replicateCollectionModelSchema = z.object({
  owner: z.string().min(1),
  name: z.string().min(1),
  description: z.string().nullish(),
  visibility: z.string().nullish(),
  latest_version: z.object({ id: z.string() }).nullish(),
});
