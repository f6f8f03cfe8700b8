/**
 * Together AI's video models: ids from togethercomputer/skills `together-video/references/models.md`,
 * per-clip prices from a third party (HeyPuter/puter `ai-video/providers/together/models.ts`), as
 * collected in reference/provider-apis.md §1a (Sep 2026). video-01-director's 0.28 is also the
 * `cost` in Together's own docs example. Ids are mixed-case and must be sent exactly as written.
 *
 * Capabilities beyond the default clip length are not documented per model at Together; the
 * durations listed are the default lengths the price applies to, so any other length is warned.
 */
import type {
  ModelCapabilities,
  ModelInfo,
  ModelLifecycle,
} from '../../../shared/providers/video-provider-spec';

export const TOGETHER_PRICE_SOURCE =
  'Third party: HeyPuter/puter ai-video/providers/together/models.ts (via provider-apis.md §1a)';
export const TOGETHER_PRICE_AS_OF = '2026-09-01';
/** OpenAI's Sora Videos API shut down on this date; Together's sora-2 ids route to it. */
export const SORA_SHUTDOWN_DATE = '2026-09-24';

interface Row {
  id: string;
  name: string;
  usdPerClip?: number;
  seconds: number;
  durations?: number[];
  t2v?: boolean;
  i2v?: boolean;
  audio?: boolean;
  seed?: boolean;
  resolutions?: string[];
  lifecycle?: ModelLifecycle;
  source?: string;
}

const ROWS: Row[] = [
  {
    id: 'minimax/video-01-director',
    name: 'MiniMax Video-01 Director',
    usdPerClip: 0.28,
    seconds: 5,
    source: 'Together docs example (cost 0.28) and HeyPuter/puter models.ts',
  },
  {
    id: 'minimax/hailuo-02',
    name: 'MiniMax Hailuo 02',
    usdPerClip: 0.49,
    seconds: 10,
    resolutions: ['768p', '1080p'],
  },
  { id: 'google/veo-2.0', name: 'Google Veo 2.0', usdPerClip: 2.5, seconds: 5 },
  {
    id: 'google/veo-3.0',
    name: 'Google Veo 3.0',
    usdPerClip: 1.6,
    seconds: 8,
    resolutions: ['720p', '1080p'],
  },
  {
    id: 'google/veo-3.0-audio',
    name: 'Google Veo 3.0 with audio',
    usdPerClip: 3.2,
    seconds: 8,
    audio: true,
    resolutions: ['720p', '1080p'],
  },
  {
    id: 'google/veo-3.0-fast',
    name: 'Google Veo 3.0 Fast',
    usdPerClip: 0.8,
    seconds: 8,
    resolutions: ['720p', '1080p'],
  },
  {
    id: 'google/veo-3.0-fast-audio',
    name: 'Google Veo 3.0 Fast with audio',
    usdPerClip: 1.2,
    seconds: 8,
    audio: true,
    resolutions: ['720p', '1080p'],
  },
  {
    id: 'openai/sora-2',
    name: 'OpenAI Sora 2 (retired 2026-09-24)',
    usdPerClip: 0.8,
    seconds: 8,
    durations: [4, 8, 12],
    audio: true,
    seed: false,
    lifecycle: 'retired',
  },
  {
    id: 'openai/sora-2-pro',
    name: 'OpenAI Sora 2 Pro (retired 2026-09-24)',
    usdPerClip: 3.0,
    seconds: 8,
    durations: [4, 8, 12],
    audio: true,
    seed: false,
    lifecycle: 'retired',
  },
  {
    id: 'kwaivgI/kling-2.1-master',
    name: 'Kling 2.1 Master',
    usdPerClip: 0.92,
    seconds: 5,
    durations: [5, 10],
  },
  {
    id: 'kwaivgI/kling-2.1-standard',
    name: 'Kling 2.1 Standard',
    usdPerClip: 0.18,
    seconds: 5,
    durations: [5, 10],
    t2v: false,
  },
  {
    id: 'kwaivgI/kling-2.1-pro',
    name: 'Kling 2.1 Pro',
    usdPerClip: 0.32,
    seconds: 5,
    durations: [5, 10],
    t2v: false,
  },
  {
    id: 'kwaivgI/kling-2.0-master',
    name: 'Kling 2.0 Master',
    usdPerClip: 0.92,
    seconds: 5,
    durations: [5, 10],
  },
  {
    id: 'kwaivgI/kling-1.6-standard',
    name: 'Kling 1.6 Standard',
    usdPerClip: 0.19,
    seconds: 5,
    durations: [5, 10],
  },
  {
    id: 'kwaivgI/kling-1.6-pro',
    name: 'Kling 1.6 Pro',
    usdPerClip: 0.32,
    seconds: 5,
    durations: [5, 10],
  },
  {
    id: 'ByteDance/Seedance-1.0-lite',
    name: 'Seedance 1.0 Lite',
    usdPerClip: 0.14,
    seconds: 5,
    resolutions: ['480p', '720p', '1080p'],
  },
  {
    id: 'ByteDance/Seedance-1.0-pro',
    name: 'Seedance 1.0 Pro',
    usdPerClip: 0.57,
    seconds: 5,
    resolutions: ['480p', '720p', '1080p'],
  },
  { id: 'pixverse/pixverse-v5', name: 'PixVerse v5', usdPerClip: 0.3, seconds: 5 },
  { id: 'vidu/vidu-2.0', name: 'Vidu 2.0', usdPerClip: 0.28, seconds: 8 },
  { id: 'vidu/vidu-q1', name: 'Vidu Q1', usdPerClip: 0.22, seconds: 5 },
  {
    id: 'Wan-AI/Wan2.2-T2V-A14B',
    name: 'Wan 2.2 T2V A14B',
    usdPerClip: 0.66,
    seconds: 5,
    i2v: false,
  },
  {
    id: 'Wan-AI/Wan2.2-I2V-A14B',
    name: 'Wan 2.2 I2V A14B',
    usdPerClip: 0.31,
    seconds: 5,
    t2v: false,
  },
  { id: 'Wan-AI/wan2.7-t2v', name: 'Wan 2.7 T2V', usdPerClip: 0.1, seconds: 5, i2v: false },
  {
    id: 'black-forest-labs/FLUX-3',
    name: 'FLUX-3 video (price unknown)',
    seconds: 5,
    durations: [5, 10, 15, 20],
    lifecycle: 'preview',
    source:
      'Model id from togethercomputer/skills models.md; no price published (provider-apis.md §1a)',
  },
];

function capabilities(row: Row): ModelCapabilities {
  return {
    textToVideo: row.t2v ?? true,
    imageToVideo: row.i2v ?? true,
    durationsSeconds: row.durations ?? [row.seconds],
    defaultDurationSeconds: row.seconds,
    resolutions: row.resolutions ?? ['720p'],
    aspectRatios: ['16:9', '9:16', '1:1'],
    audio: row.audio ?? false,
    seed: row.seed ?? true,
    // POST /v2/videos takes `fps` (default 24, 15–60) for every model (provider-apis.md §1a).
    fps: { min: 15, max: 60, default: 24 },
  };
}

export const TOGETHER_MODELS: readonly ModelInfo[] = ROWS.map((row) => ({
  provider: 'together',
  modelId: row.id,
  displayName: row.name,
  lifecycle: row.lifecycle ?? 'active',
  capabilities: capabilities(row),
  pricing: {
    ...(row.usdPerClip === undefined ? {} : { usdPerClip: row.usdPerClip }),
    source: row.source ?? TOGETHER_PRICE_SOURCE,
    asOf: TOGETHER_PRICE_AS_OF,
  },
  simulated: false,
}));

export function findTogetherModel(modelId: string): ModelInfo | undefined {
  return (
    TOGETHER_MODELS.find((model) => model.modelId === modelId) ??
    TOGETHER_MODELS.find((model) => model.modelId.toLowerCase() === modelId.toLowerCase())
  );
}
