/** The zod schema of an admin's price entry (IPC input); the checks are priceEntryIssues'. */
import { z } from 'zod';
import { priceEntryIssues, type EndedModelPrice, type ModelPriceEntry } from './model-price';

export const modelPriceEntrySchema: z.ZodType<ModelPriceEntry> = z
  .object({
    unit: z.enum(['second', 'clip'], { error: 'must be "second" or "clip"' }),
    // Finite-ness and range are priceEntryIssues' (one message for the form, IPC and the CLI).
    usd: z.number({ error: 'must be a number of dollars, e.g. 0.12' }),
    resolutionPrices: z
      .record(z.string(), z.number({ error: 'must be a number of dollars, e.g. 0.20' }))
      .optional(),
    audioUsdPerSecond: z.number({ error: 'must be a number of dollars, e.g. 0.05' }).optional(),
  })
  .strict()
  .superRefine((entry, context) => {
    for (const issue of priceEntryIssues(entry))
      context.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
  });

/** An ended entry as main answers it (models:price-history); not checked against the limits. */
export const endedModelPriceSchema: z.ZodType<EndedModelPrice> = z.object({
  provider: z.string(),
  modelId: z.string(),
  unit: z.enum(['second', 'clip']),
  usd: z.number(),
  resolutionPrices: z.record(z.string(), z.number()).optional(),
  audioUsdPerSecond: z.number().optional(),
  enteredBy: z.string(),
  enteredAt: z.number(),
  endedBy: z.string(),
  endedAt: z.number(),
  endedHow: z.enum(['replaced', 'cleared']),
});
