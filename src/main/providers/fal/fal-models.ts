/**
 * Video models reached through fal's queue API, with capabilities, prices and the way each app
 * spells its inputs (fal apps differ: Veo takes duration "8s", Kling takes "5").
 *
 * provider-apis.md §6 documents fal's queue protocol but lists no models or prices, so the
 * prices below come from fal's model pages and third-party copies of them, as noted per model.
 */
import type { ModelCapabilities, ModelInfo } from '../../../shared/providers/video-provider-spec';

export interface FalModelSpec {
  info: ModelInfo;
  /** How the app spells the duration: "8s", "5" or 5. */
  durationStyle: 'suffix-s' | 'string' | 'number';
  /** The app's own default when the request leaves audio undefined (for cost estimates). */
  audioDefault: boolean;
  /** The input field for the reference image, when the app takes one. */
  imageField?: 'image_url';
}

const AS_OF = '2026-11-25';

function model(
  modelId: string,
  displayName: string,
  capabilities: ModelCapabilities,
  pricing: Omit<ModelInfo['pricing'], 'asOf'>,
  spec: Omit<FalModelSpec, 'info'>,
): FalModelSpec {
  return {
    info: {
      provider: 'fal',
      modelId,
      displayName,
      lifecycle: 'active',
      capabilities,
      pricing: { ...pricing, asOf: AS_OF },
      simulated: false,
    },
    ...spec,
  };
}

const VEO31_SOURCE =
  'fal.ai/models/fal-ai/veo3.1 page: $0.20/s without audio, $0.40/s with audio at 720p/1080p; 4k $0.40/$0.60';

export const FAL_MODELS: readonly FalModelSpec[] = [
  model(
    'fal-ai/veo3.1',
    'Veo 3.1 (fal)',
    {
      textToVideo: true,
      imageToVideo: false,
      durationsSeconds: [4, 6, 8],
      defaultDurationSeconds: 8,
      resolutions: ['720p', '1080p', '4k'],
      aspectRatios: ['16:9', '9:16'],
      audio: true,
      seed: true,
    },
    {
      usdPerSecond: 0.2,
      audioUsdPerSecond: 0.2,
      resolutionMultiplier: { '4k': 2 },
      source: VEO31_SOURCE,
    },
    { durationStyle: 'suffix-s', audioDefault: true },
  ),
  model(
    'fal-ai/veo3.1/image-to-video',
    'Veo 3.1 image-to-video (fal)',
    {
      textToVideo: false,
      imageToVideo: true,
      durationsSeconds: [4, 6, 8],
      defaultDurationSeconds: 8,
      resolutions: ['720p', '1080p', '4k'],
      aspectRatios: ['16:9', '9:16'],
      audio: true,
      seed: true,
    },
    {
      usdPerSecond: 0.2,
      audioUsdPerSecond: 0.2,
      resolutionMultiplier: { '4k': 2 },
      source: `${VEO31_SOURCE} (image-to-video priced the same, per videopromptkit.com)`,
    },
    { durationStyle: 'suffix-s', audioDefault: true, imageField: 'image_url' },
  ),
  model(
    'fal-ai/kling-video/v2.5-turbo/pro/text-to-video',
    'Kling 2.5 Turbo Pro (fal)',
    {
      textToVideo: true,
      imageToVideo: false,
      durationsSeconds: [5, 10],
      defaultDurationSeconds: 5,
      resolutions: ['1080p'],
      aspectRatios: ['16:9', '9:16', '1:1'],
      audio: false,
      seed: false,
    },
    {
      usdPerSecond: 0.07,
      source:
        '[3P] forgedemy fal-models reference: Kling v2.5 Turbo Pro $0.07/s (image-to-video figure; text-to-video assumed equal)',
    },
    { durationStyle: 'string', audioDefault: false },
  ),
  model(
    'fal-ai/luma-dream-machine/ray-2',
    'Luma Ray 2 (fal)',
    {
      textToVideo: true,
      imageToVideo: true,
      durationsSeconds: [5, 9],
      defaultDurationSeconds: 5,
      resolutions: ['540p', '720p', '1080p'],
      aspectRatios: ['16:9', '9:16', '4:3', '3:4', '21:9', '9:21'],
      audio: false,
      seed: false,
    },
    {
      usdPerSecond: 0.1,
      resolutionMultiplier: { '720p': 2, '1080p': 4 },
      source:
        '[3P] KeiSeiKit fal.ai catalogue: $0.50 per 5 s at 540p; 720p ×2 and 1080p ×4 from the fal model page (unverified)',
    },
    { durationStyle: 'suffix-s', audioDefault: false, imageField: 'image_url' },
  ),
];

export function findFalModel(modelId: string): FalModelSpec | undefined {
  return FAL_MODELS.find((entry) => entry.info.modelId === modelId);
}
