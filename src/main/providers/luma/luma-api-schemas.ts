/**
 * The parts of Luma Dream Machine API responses the adapter reads (provider-apis.md §6;
 * lumaai SDK Generation type). Loose: extra fields pass; nullable where Luma sends null.
 */
import { z } from 'zod';

/** A Luma generation id as this adapter accepts it (it becomes part of a URL path). */
export const LUMA_GENERATION_ID = /^[\w-]{1,100}$/;

/**
 * What the create call must answer at least: a generation id (whether it is usable is checked
 * by the adapter: an unusable one is an unknown outcome, not a shape error).
 */
export const lumaCreatedSchema = z.looseObject({ id: z.string() });

export const lumaGenerationSchema = z.looseObject({
  id: z.string().min(1),
  // A string: a state Luma adds later (a new step) is the adapter's to report, not a shape error.
  state: z.string(),
  failure_reason: z.string().nullable().optional(),
  generation_type: z.string().nullable().optional(),
  created_at: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  assets: z
    .looseObject({
      video: z.string().nullable().optional(),
      image: z.string().nullable().optional(),
      progress_video: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type LumaGeneration = z.infer<typeof lumaGenerationSchema>;

/** Error bodies: {"detail": "…"} (a FastAPI-style array is accepted too). */
export const lumaErrorBodySchema = z.looseObject({
  detail: z.union([z.string(), z.array(z.unknown())]),
});
