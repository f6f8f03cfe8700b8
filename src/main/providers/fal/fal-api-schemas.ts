/**
 * The parts of fal's queue API responses the adapter reads (provider-apis.md §6). Loose: extra
 * fields pass; every documented variant is accepted.
 */
import { z } from 'zod';

/** POST https://queue.fal.run/{owner}/{app}[/{path}] */
export const falSubmitResponseSchema = z.looseObject({
  request_id: z.string().min(1),
  status: z.string().optional(),
  status_url: z.string().optional(),
  response_url: z.string().optional(),
  cancel_url: z.string().optional(),
  queue_position: z.number().optional(),
});

/** GET …/requests/{id}/status (202 while IN_QUEUE / IN_PROGRESS, 200 when COMPLETED). */
export const falStatusResponseSchema = z.looseObject({
  // A string: a status fal adds later (a new step) is the adapter's to report, not a shape error.
  status: z.string(),
  queue_position: z.number().optional(),
  logs: z.array(z.unknown()).nullable().optional(),
  metrics: z
    .looseObject({ inference_time: z.number().nullable().optional() })
    .nullable()
    .optional(),
  response_url: z.string().optional(),
  /** Newer queue versions may put the failure on the status too. */
  error: z.string().nullable().optional(),
  error_type: z.string().nullable().optional(),
});

export type FalStatusResponse = z.infer<typeof falStatusResponseSchema>;

const falFileSchema = z.looseObject({
  url: z.string().min(1),
  content_type: z.string().nullable().optional(),
  file_name: z.string().nullable().optional(),
  file_size: z.number().nullable().optional(),
});

/** GET …/requests/{id} on success: the app's output, e.g. {video:{url,…}} or {videos:[…]}. */
export const falVideoResultSchema = z.union([
  z.looseObject({ video: falFileSchema }),
  z.looseObject({ videos: z.array(falFileSchema).min(1) }),
]);

const falDetailItemSchema = z.looseObject({
  loc: z.array(z.union([z.string(), z.number()])).optional(),
  msg: z.string().optional(),
  type: z.string().optional(),
});

/** Error bodies: {detail: string | [{loc,msg,type}]} with optional error_type. */
export const falErrorBodySchema = z.looseObject({
  detail: z.union([z.string(), z.array(falDetailItemSchema)]).optional(),
  error_type: z.string().optional(),
  status: z.string().optional(),
});
export type FalErrorBody = z.infer<typeof falErrorBodySchema>;

/** PUT …/requests/{id}/cancel */
export const falCancelResponseSchema = z.looseObject({ status: z.string().optional() });
