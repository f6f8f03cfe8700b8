/**
 * Luma Dream Machine models (provider-apis.md §6: ray-2, ray-flash-2; SDK lumaai 1.19
 * VideoCreateParams). Capabilities from the SDK types; prices are NOT in provider-apis.md.
 */
import type { ModelCapabilities, ModelInfo } from '../../../shared/providers/video-provider-spec';

const CAPABILITIES: ModelCapabilities = {
  textToVideo: true,
  imageToVideo: true,
  durationsSeconds: [5, 9],
  defaultDurationSeconds: 5,
  resolutions: ['540p', '720p', '1080p', '4k'],
  aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'],
  audio: false,
  seed: false,
};

/** Luma prices by pixels generated: relative to 720p, 540p is 0.5625×, 1080p 2.25×, 4k 9×. */
const PIXEL_MULTIPLIERS = { '540p': 0.5625, '720p': 1, '1080p': 2.25, '4k': 9 };
const AS_OF = '2026-11-25';

function ray(
  modelId: string,
  displayName: string,
  usdPerSecondAt720p: number,
  source: string,
): ModelInfo {
  return {
    provider: 'luma',
    modelId,
    displayName,
    lifecycle: 'active',
    capabilities: {
      ...CAPABILITIES,
      durationsSeconds: [...CAPABILITIES.durationsSeconds],
      resolutions: [...CAPABILITIES.resolutions],
      aspectRatios: [...CAPABILITIES.aspectRatios],
    },
    pricing: {
      usdPerSecond: usdPerSecondAt720p,
      resolutionMultiplier: { ...PIXEL_MULTIPLIERS },
      source,
      asOf: AS_OF,
    },
    simulated: false,
  };
}

export const LUMA_MODELS: readonly ModelInfo[] = [
  ray(
    'ray-2',
    'Luma Ray 2',
    0.142,
    'Luma API pricing, per-million-pixel rate ($0.0064/Mpx ≈ $0.71 per 5 s at 720p) — recalled, not in provider-apis.md; unverified (one reseller lists $0.50/s)',
  ),
  ray(
    'ray-flash-2',
    'Luma Ray Flash 2',
    0.049,
    'Luma API pricing, per-million-pixel rate ($0.0022/Mpx ≈ $0.24 per 5 s at 720p) — recalled, not in provider-apis.md; unverified',
  ),
];

export function findLumaModel(modelId: string): ModelInfo | undefined {
  return LUMA_MODELS.find((model) => model.modelId === modelId);
}
