/**
 * Google Veo models on the Gemini API (generativelanguage.googleapis.com), with capabilities and
 * prices. Facts from /work/shared/reference/provider-apis.md section 4 (Gemini docs copy dated
 * 2025-11-05, js-genai SDK source, third-party price pages), read 2026-09.
 */
import type { ModelCapabilities, ModelInfo } from '../../../shared/providers/video-provider-spec';

const PRICE_SOURCE =
  'provider-apis.md §4: Gemini API pricing per second, audio included [3P citing Gemini pricing]';
const AS_OF = '2026-09-15';

/** Veo 3.1: 4/6/8 s, 720p or 1080p (1080p only at 8 s), 16:9 or 9:16, audio always on. */
const VEO_31: ModelCapabilities = {
  textToVideo: true,
  imageToVideo: true,
  durationsSeconds: [4, 6, 8],
  defaultDurationSeconds: 8,
  resolutions: ['720p', '1080p'],
  aspectRatios: ['16:9', '9:16'],
  audio: true,
  seed: true,
};

/** Veo 3.0: 8 s only. */
const VEO_30: ModelCapabilities = { ...VEO_31, durationsSeconds: [8] };

/** Veo 2: 5–8 s, 720p, no audio. */
const VEO_2: ModelCapabilities = {
  textToVideo: true,
  imageToVideo: true,
  durationsSeconds: [5, 6, 7, 8],
  defaultDurationSeconds: 8,
  resolutions: ['720p'],
  aspectRatios: ['16:9', '9:16'],
  audio: false,
  seed: true,
};

function veo(
  modelId: string,
  displayName: string,
  lifecycle: ModelInfo['lifecycle'],
  capabilities: ModelCapabilities,
  usdPerSecond: number,
  source = PRICE_SOURCE,
): ModelInfo {
  return {
    provider: 'gemini',
    modelId,
    displayName,
    lifecycle,
    capabilities: {
      ...capabilities,
      durationsSeconds: [...capabilities.durationsSeconds],
      resolutions: [...capabilities.resolutions],
      aspectRatios: [...capabilities.aspectRatios],
    },
    pricing: { usdPerSecond, source, asOf: AS_OF },
    simulated: false,
  };
}

export const GEMINI_MODELS: readonly ModelInfo[] = [
  veo('veo-3.1-generate-preview', 'Veo 3.1', 'preview', VEO_31, 0.4),
  veo(
    'veo-3.1-fast-generate-preview',
    'Veo 3.1 Fast',
    'preview',
    VEO_31,
    0.15,
    `${PRICE_SOURCE}; sources differ (0.10–0.15), the higher figure is used`,
  ),
  veo('veo-3.0-generate-001', 'Veo 3', 'active', VEO_30, 0.75),
  veo(
    'veo-3.0-fast-generate-001',
    'Veo 3 Fast',
    'active',
    VEO_30,
    0.4,
    'not in provider-apis.md; assumed $0.40/s (earlier Gemini price list, unverified)',
  ),
  veo('veo-2.0-generate-001', 'Veo 2', 'active', VEO_2, 0.35),
];

/** Capabilities assumed for a Veo model the live list shows but the table does not know. */
export const UNKNOWN_VEO_CAPABILITIES: ModelCapabilities = VEO_31;

export function findGeminiModel(modelId: string): ModelInfo | undefined {
  const bare = modelId.startsWith('models/') ? modelId.slice('models/'.length) : modelId;
  return GEMINI_MODELS.find((model) => model.modelId === bare);
}
