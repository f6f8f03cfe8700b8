/**
 * Replicate video models (official-model endpoints seen in public code, provider-apis.md §3).
 *
 * Prices: Replicate bills official models per output ("$ / second of output video"), but
 * provider-apis.md records a figure for only one model (wavespeedai/wan-2.1-i2v-480p, $0.09/s,
 * third party). For the others no price is recorded, so estimates say "no price known" rather
 * than invent one; the API itself returns no cost, only metrics.predict_time (billed seconds).
 *
 * Each entry also names the model's input fields where they differ between models (the image
 * field in particular), since Replicate inputs follow each model's own openapi_schema.
 */
import type { ModelCapabilities, ModelInfo } from '../../../shared/providers/video-provider-spec';

export const REPLICATE_PRICE_AS_OF = '2026-09-01';
const NO_PRICE =
  'Not recorded in provider-apis.md §3: Replicate prices official models per output on each model page; the API reports no cost';

export interface ReplicateInputNames {
  /** Field for the reference image; undefined = the model takes none. */
  image?: string;
  duration: string;
  aspectRatio: string;
  resolution: string;
  seed: string;
  audio: string;
}

const DEFAULT_INPUTS: ReplicateInputNames = {
  image: 'image',
  duration: 'duration',
  aspectRatio: 'aspect_ratio',
  resolution: 'resolution',
  seed: 'seed',
  audio: 'generate_audio',
};

export interface ReplicateModelEntry {
  info: ModelInfo;
  inputs: ReplicateInputNames;
}

function entry(
  modelId: string,
  displayName: string,
  capabilities: ModelCapabilities,
  options: { usdPerSecond?: number; source?: string; image?: string | null } = {},
): ReplicateModelEntry {
  const inputs: ReplicateInputNames = { ...DEFAULT_INPUTS };
  if (options.image === null) delete inputs.image;
  else if (options.image !== undefined) inputs.image = options.image;
  return {
    info: {
      provider: 'replicate',
      modelId,
      displayName,
      lifecycle: 'active',
      capabilities,
      pricing: {
        ...(options.usdPerSecond === undefined ? {} : { usdPerSecond: options.usdPerSecond }),
        source: options.source ?? NO_PRICE,
        asOf: REPLICATE_PRICE_AS_OF,
      },
      simulated: false,
    },
    inputs,
  };
}

const VEO3: ModelCapabilities = {
  textToVideo: true,
  imageToVideo: true,
  durationsSeconds: [8],
  defaultDurationSeconds: 8,
  resolutions: ['720p', '1080p'],
  aspectRatios: ['16:9', '9:16'],
  audio: true,
  seed: true,
};
const VEO31: ModelCapabilities = { ...VEO3, durationsSeconds: [4, 6, 8] };
const RAY = (resolutions: string[]): ModelCapabilities => ({
  textToVideo: true,
  imageToVideo: true,
  durationsSeconds: [5, 9],
  defaultDurationSeconds: 5,
  resolutions,
  aspectRatios: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', '9:21'],
  audio: false,
  seed: false,
});
const SEEDANCE = (resolutions: string[]): ModelCapabilities => ({
  textToVideo: true,
  imageToVideo: true,
  durationsSeconds: [5, 10],
  defaultDurationSeconds: 5,
  resolutions,
  aspectRatios: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'],
  audio: false,
  seed: true,
});

export const REPLICATE_MODELS: readonly ReplicateModelEntry[] = [
  entry('google/veo-3', 'Google Veo 3', VEO3),
  entry('google/veo-3-fast', 'Google Veo 3 Fast', VEO3),
  entry('google/veo-3.1', 'Google Veo 3.1', VEO31),
  entry('google/veo-3.1-fast', 'Google Veo 3.1 Fast', VEO31),
  entry(
    'kwaivgi/kling-v2.1',
    'Kling v2.1 (image-to-video)',
    {
      textToVideo: false,
      imageToVideo: true,
      durationsSeconds: [5, 10],
      defaultDurationSeconds: 5,
      resolutions: ['720p', '1080p'],
      aspectRatios: ['16:9', '9:16', '1:1'],
      audio: false,
      seed: false,
    },
    { image: 'start_image' },
  ),
  entry(
    'minimax/video-01',
    'MiniMax Video-01',
    {
      textToVideo: true,
      imageToVideo: true,
      durationsSeconds: [6],
      defaultDurationSeconds: 6,
      resolutions: ['720p'],
      aspectRatios: ['16:9'],
      audio: false,
      seed: false,
    },
    { image: 'first_frame_image' },
  ),
  entry(
    'minimax/hailuo-02',
    'MiniMax Hailuo 02',
    {
      textToVideo: true,
      imageToVideo: true,
      durationsSeconds: [6, 10],
      defaultDurationSeconds: 6,
      resolutions: ['512p', '768p', '1080p'],
      aspectRatios: ['16:9'],
      audio: false,
      seed: false,
    },
    { image: 'first_frame_image' },
  ),
  entry(
    'wan-video/wan-2.2-t2v-fast',
    'Wan 2.2 T2V Fast',
    {
      textToVideo: true,
      imageToVideo: false,
      durationsSeconds: [5],
      defaultDurationSeconds: 5,
      resolutions: ['480p', '720p'],
      aspectRatios: ['16:9', '9:16'],
      audio: false,
      seed: true,
    },
    { image: null },
  ),
  entry(
    'wan-video/wan-2.5-t2v-fast',
    'Wan 2.5 T2V Fast',
    {
      textToVideo: true,
      imageToVideo: false,
      durationsSeconds: [5, 10],
      defaultDurationSeconds: 5,
      resolutions: ['720p', '1080p'],
      aspectRatios: ['16:9', '9:16'],
      audio: false,
      seed: true,
    },
    { image: null },
  ),
  entry('luma/ray', 'Luma Ray', RAY(['540p', '720p']), { image: 'start_image_url' }),
  entry('luma/ray-2-720p', 'Luma Ray 2 (720p)', RAY(['720p']), { image: 'start_image_url' }),
  entry('luma/ray-flash-2-540p', 'Luma Ray Flash 2 (540p)', RAY(['540p']), {
    image: 'start_image_url',
  }),
  entry('bytedance/seedance-1-pro', 'Seedance 1 Pro', SEEDANCE(['480p', '1080p'])),
  entry('bytedance/seedance-1-lite', 'Seedance 1 Lite', SEEDANCE(['480p', '720p'])),
  entry(
    'wavespeedai/wan-2.1-i2v-480p',
    'Wan 2.1 I2V 480p (WaveSpeed)',
    {
      textToVideo: false,
      imageToVideo: true,
      durationsSeconds: [5],
      defaultDurationSeconds: 5,
      resolutions: ['480p'],
      aspectRatios: ['16:9', '9:16'],
      audio: false,
      seed: true,
    },
    {
      usdPerSecond: 0.09,
      source: 'Third party: "$0.09 / second of output video" (via provider-apis.md §3)',
    },
  ),
];

/** A community model pinned to a version (`owner/name:<64 hex>`): billed per GPU-second. */
export const REPLICATE_VERSIONED_ID = /^([\w.-]+)\/([\w.-]+):([0-9a-f]{64})$/;

export function communityModel(modelId: string): ReplicateModelEntry {
  return entry(
    modelId,
    modelId,
    {
      textToVideo: true,
      imageToVideo: true,
      durationsSeconds: [5],
      defaultDurationSeconds: 5,
      resolutions: ['720p'],
      aspectRatios: ['16:9'],
      audio: false,
      seed: true,
    },
    {
      source:
        'Community model: billed per GPU-second (e.g. H100 $0.001525/s, third party via provider-apis.md §3); no per-video price',
    },
  );
}

export function findReplicateModel(modelId: string): ReplicateModelEntry | undefined {
  const exact = REPLICATE_MODELS.find((candidate) => candidate.info.modelId === modelId);
  if (exact) return exact;
  if (REPLICATE_VERSIONED_ID.test(modelId)) return communityModel(modelId);
  return undefined;
}
