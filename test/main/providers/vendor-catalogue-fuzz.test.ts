/**
 * Property tests (fast-check) of the model catalogues the monitor reads: Together's
 * GET /v1/models (the adapter's listModels and the monitor's own reading, together-catalogue.ts),
 * Replicate's text-to-video collection and Gemini's models list, served broken answers (a valid
 * list with fields removed, retyped, nulled or blown up, arbitrary JSON, bodies that are not
 * JSON). The call resolves to models the spec documents (a non-empty id, the model schema) or
 * rejects with a retryable ProviderError that does not show the key; the monitor's reading
 * never throws on a 2xx and says why an answer it cannot use was refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fetchTogetherCatalogue } from '../../../src/main/monitor/together-catalogue';
import { createGeminiAdapter } from '../../../src/main/providers/gemini/gemini-video-adapter';
import { createReplicateAdapter } from '../../../src/main/providers/replicate/replicate-video-adapter';
import { createTogetherAdapter } from '../../../src/main/providers/together/together-video-adapter';
import { catalogueEntrySchema } from '../../../src/shared/monitor/monitor-schemas';
import type { VendorAdapterSettings } from '../../../src/main/providers/http/vendor-http';
import type { VideoProviderAdapter } from '../../../src/shared/providers/video-provider-spec';
import {
  brokenAnswer,
  expectDocumentedModel,
  expectProviderError,
  settle,
  answerServerForFile,
  validAnswer,
} from './__fixtures__/vendor-answer-arbitraries';

const KEY = 'PLANTED-catalogue-fuzz-key-81b2';
/** Cases per property (AIDEON_FUZZ_RUNS asks for more in a search by hand). */
const RUNS = Number(process.env.AIDEON_FUZZ_RUNS) || 100;

type Json = Parameters<typeof brokenAnswer>[0];

const TOGETHER_LIST: Json = [
  {
    id: 'google/veo-3.0',
    object: 'model',
    created: 1767225600,
    type: 'video',
    display_name: 'Veo 3.0',
    organization: 'Google',
    pricing: { hourly: 0, input: 0, output: 0, base: 1.6, finetune: 0 },
  },
  { id: 'kling/kling-2.1-master', type: null, display_name: 'Kling 2.1 Master' },
  { id: 'meta-llama/Llama-3-8b', type: 'chat', display_name: 'Llama 3 8B' },
];

const CATALOGUES: Array<{
  name: string;
  create: (settings: VendorAdapterSettings) => VideoProviderAdapter;
  valid: Json;
}> = [
  { name: 'together', create: createTogetherAdapter, valid: TOGETHER_LIST },
  {
    name: 'replicate',
    create: createReplicateAdapter,
    valid: {
      name: 'Text to video',
      slug: 'text-to-video',
      models: [
        { owner: 'google', name: 'veo-3', description: 'Veo 3', latest_version: { id: 'abc' } },
        { owner: 'newco', name: 'vid-1', description: null, visibility: 'public' },
      ],
    },
  },
  {
    name: 'gemini',
    create: createGeminiAdapter,
    valid: {
      models: [
        {
          name: 'models/veo-3.0-generate-001',
          displayName: 'Veo 3',
          supportedGenerationMethods: ['predictLongRunning'],
        },
        {
          name: 'models/veo-4.0-generate-preview',
          displayName: 'Veo 4 preview',
          supportedGenerationMethods: ['predictLongRunning'],
        },
        { name: 'models/gemini-2.5-pro', supportedGenerationMethods: ['generateContent'] },
      ],
    },
  },
];

const { server, dispatcher, settings, unhandled } = answerServerForFile(KEY);

describe.each(CATALOGUES)('$name: the model list call, answered broken', ({ create, valid }) => {
  it('lists models the spec documents, or rejects with a retryable ProviderError', async () => {
    await fc.assert(
      fc.asyncProperty(brokenAnswer(valid, KEY, [200]), async (answer) => {
        server.plan = () => answer;
        const outcome = await settle(create(settings()).listModels());
        if (outcome.ok) {
          for (const model of outcome.value) expectDocumentedModel(model);
          // The same model twice would be two rows of one model in the monitor.
          const ids = outcome.value.map((model) => model.modelId);
          expect(new Set(ids).size).toBe(ids.length);
        } else {
          // A list call changes nothing at the vendor: asking again is always safe.
          expect(expectProviderError(outcome.error, KEY).retryable).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the monitor's reading of Together's /v1/models", () => {
  it('never throws on a 2xx: entries the monitor schema takes, or the reason the answer was refused', async () => {
    await fc.assert(
      fc.asyncProperty(brokenAnswer(TOGETHER_LIST, KEY, [200]), async (answer) => {
        server.plan = () => answer;
        const outcome = await settle(
          fetchTogetherCatalogue({ apiKey: KEY, baseUrl: server.baseUrl, dispatcher }),
        );
        if (!outcome.ok) {
          expectProviderError(outcome.error, KEY);
          return;
        }
        const fetched = outcome.value;
        for (const entry of fetched.entries) {
          const parsed = catalogueEntrySchema.safeParse(entry);
          expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
        }
        if (fetched.malformed !== undefined) {
          expect(fetched.entries).toEqual([]);
          expect(fetched.malformed).toMatch(/Together AI answered/);
          expect(fetched.malformed).not.toContain(KEY);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a valid answer lists its video models (the property above is not vacuous)', async () => {
    server.plan = () => validAnswer(TOGETHER_LIST);
    const fetched = await fetchTogetherCatalogue({
      apiKey: KEY,
      baseUrl: server.baseUrl,
      dispatcher,
    });
    expect(fetched.entries.map((entry) => entry.modelId)).toEqual([
      'google/veo-3.0',
      'kling/kling-2.1-master',
    ]);
  });
});

describe('regressions the properties found, kept as examples', () => {
  it('gemini: an entry named "models/" (no id) is skipped, not listed with an empty model id', async () => {
    server.plan = () =>
      validAnswer({
        models: [
          { name: 'models/', supportedGenerationMethods: ['predictLongRunning'] },
          { name: '', supportedGenerationMethods: ['predictLongRunning'] },
          {
            name: 'models/veo-3.0-generate-001',
            supportedGenerationMethods: ['predictLongRunning'],
          },
        ],
      });
    const models = await createGeminiAdapter(settings()).listModels();
    expect(models.map((model) => model.modelId)).toEqual(['veo-3.0-generate-001']);
  });
});

describe('never an unhandled rejection', () => {
  it('none was left behind by any case above', () => {
    expect(unhandled().map((reason) => String(reason).slice(0, 200))).toEqual([]);
  });
});
