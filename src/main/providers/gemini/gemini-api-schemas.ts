/**
 * The parts of the Gemini API (v1beta) responses the Veo adapter reads. Loose on purpose:
 * unknown fields pass, every documented variant is accepted.
 */
import { z } from 'zod';

/** A Veo job id: the operation name `models/<model>/operations/<id>`. */
export const GEMINI_OPERATION_NAME = /^models\/[^/]+\/operations\/[^/]+$/;

/** POST models/{model}:predictLongRunning → a long-running operation. */
export const geminiCreateResponseSchema = z.looseObject({
  name: z
    .string()
    .regex(GEMINI_OPERATION_NAME, 'not an operation name (models/<model>/operations/<id>)'),
});

export const geminiStatusSchema = z.looseObject({
  code: z.number().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  details: z.array(z.unknown()).optional(),
});

const generatedSampleSchema = z.looseObject({
  video: z
    .looseObject({
      uri: z.string().optional(),
      encoding: z.string().optional(),
      mimeType: z.string().optional(),
    })
    .optional(),
});

export const geminiOperationSchema = z.looseObject({
  name: z.string().optional(),
  done: z.boolean().optional(),
  metadata: z.unknown().optional(),
  error: geminiStatusSchema.optional(),
  response: z
    .looseObject({
      generateVideoResponse: z
        .looseObject({
          generatedSamples: z.array(generatedSampleSchema).optional(),
          raiMediaFilteredCount: z.number().optional(),
          raiMediaFilteredReasons: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type GeminiOperation = z.infer<typeof geminiOperationSchema>;

/** {"error":{code, message, status, details}} */
export const geminiErrorBodySchema = z.looseObject({ error: geminiStatusSchema });

export const geminiModelListSchema = z.looseObject({
  models: z
    .array(
      z.looseObject({
        name: z.string(),
        displayName: z.string().optional(),
        supportedGenerationMethods: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  nextPageToken: z.string().optional(),
});
