/**
 * The parts of Runway's responses the adapter reads (provider-apis.md §2; @runwayml/sdk tasks.ts).
 * Create answers `{id}` (newer API versions add `estimatedCost{credits}`); a task always has
 * `id`, `createdAt` and `status`; RUNNING adds `progress`, FAILED `failure`/`failureCode`,
 * SUCCEEDED `output[]`, terminal tasks may carry `cost{credits}`.
 */
import { z } from 'zod';

const credits = z.object({ credits: z.number() }).nullish();

export const runwayCreateSchema = z.object({ id: z.string().min(1), estimatedCost: credits });

export const runwayTaskSchema = z.object({
  id: z.string().min(1),
  createdAt: z.string().nullish(),
  status: z.string(),
  progress: z.number().nullish(),
  failure: z.string().nullish(),
  failureCode: z.string().nullish(),
  output: z.array(z.string()).nullish(),
  estimatedCost: credits,
  cost: credits,
});
export type RunwayTask = z.infer<typeof runwayTaskSchema>;

export const runwayErrorBodySchema = z.object({
  error: z.string().nullish(),
  issues: z
    .array(
      z.object({
        code: z.string().nullish(),
        path: z.array(z.union([z.string(), z.number()])).nullish(),
        message: z.string().nullish(),
      }),
    )
    .nullish(),
  docUrl: z.string().nullish(),
});
