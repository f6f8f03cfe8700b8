/**
 * Runway's video models (provider-apis.md §2; @runwayml/sdk 4.20 parameter types). Prices are
 * Runway credits per second at $0.01 per credit (runwayml/skills, read Sep 2026). veo3.1 and
 * veo3.1_fast cost more with audio: the lower figure is the silent rate and the difference is
 * the audio surcharge.
 *
 * Runway takes `ratio` as output pixels ("1280:720"), not as an aspect ratio; the table maps the
 * console's aspect ratio + resolution labels to Runway's pixel ratios.
 */
import type { ModelInfo } from '../../../shared/providers/video-provider-spec';

export const RUNWAY_USD_PER_CREDIT = 0.01;
export const RUNWAY_PRICE_SOURCE =
  'runwayml/skills credits per second × $0.01/credit (via provider-apis.md §2)';
export const RUNWAY_PRICE_AS_OF = '2026-09-01';

/** Runway pixel ratio for an aspect ratio at a resolution label. */
export const RUNWAY_PIXEL_RATIOS: Record<string, string> = {
  '16:9@720p': '1280:720',
  '9:16@720p': '720:1280',
  '16:9@1080p': '1920:1080',
  '9:16@1080p': '1080:1920',
  '4:3@720p': '1104:832',
  '1:1@720p': '960:960',
  '3:4@720p': '832:1104',
  '21:9@720p': '1584:672',
};

export interface RunwayModelExtra {
  /** Pixel ratios accepted by text_to_video (empty = no text-to-video). */
  textRatios: string[];
  /** Pixel ratios accepted by image_to_video (empty = no image-to-video). */
  imageRatios: string[];
  /** Whether `duration` must be sent. */
  durationRequired: boolean;
  /** Whether the model takes an `audio` flag (veo3.1 family). */
  audioFlag: boolean;
  creditsPerSecond: number;
}

const I2V_GEN4 = ['1280:720', '720:1280', '1104:832', '960:960', '832:1104', '1584:672'];
const VEO = ['1280:720', '720:1280', '1080:1920', '1920:1080'];

function info(
  modelId: string,
  displayName: string,
  caps: Omit<ModelInfo['capabilities'], 'seed'>,
  usdPerSecond: number,
  audioUsdPerSecond?: number,
): ModelInfo {
  return {
    provider: 'runway',
    modelId,
    displayName,
    lifecycle: 'active',
    capabilities: { ...caps, seed: true },
    pricing: {
      usdPerSecond,
      ...(audioUsdPerSecond === undefined ? {} : { audioUsdPerSecond }),
      source: RUNWAY_PRICE_SOURCE,
      asOf: RUNWAY_PRICE_AS_OF,
    },
    simulated: false,
  };
}

export const RUNWAY_MODELS: ReadonlyArray<{ info: ModelInfo; extra: RunwayModelExtra }> = [
  {
    info: info(
      'gen4.5',
      'Runway Gen-4.5',
      {
        textToVideo: true,
        imageToVideo: true,
        durationsSeconds: [2, 3, 4, 5, 6, 7, 8, 9, 10],
        defaultDurationSeconds: 5,
        resolutions: ['720p'],
        aspectRatios: ['16:9', '9:16', '4:3', '1:1', '3:4', '21:9'],
        audio: false,
      },
      12 * RUNWAY_USD_PER_CREDIT,
    ),
    extra: {
      textRatios: ['1280:720', '720:1280'],
      imageRatios: I2V_GEN4,
      durationRequired: true,
      audioFlag: false,
      creditsPerSecond: 12,
    },
  },
  {
    info: info(
      'gen4_turbo',
      'Runway Gen-4 Turbo (image-to-video)',
      {
        textToVideo: false,
        imageToVideo: true,
        durationsSeconds: [5, 10],
        defaultDurationSeconds: 5,
        resolutions: ['720p'],
        aspectRatios: ['16:9', '9:16', '4:3', '1:1', '3:4', '21:9'],
        audio: false,
      },
      5 * RUNWAY_USD_PER_CREDIT,
    ),
    extra: {
      textRatios: [],
      imageRatios: I2V_GEN4,
      durationRequired: false,
      audioFlag: false,
      creditsPerSecond: 5,
    },
  },
  {
    info: info(
      'veo3',
      'Google Veo 3 (via Runway)',
      {
        textToVideo: true,
        imageToVideo: true,
        durationsSeconds: [8],
        defaultDurationSeconds: 8,
        resolutions: ['720p', '1080p'],
        aspectRatios: ['16:9', '9:16'],
        audio: true,
      },
      40 * RUNWAY_USD_PER_CREDIT,
    ),
    extra: {
      textRatios: VEO,
      imageRatios: VEO,
      durationRequired: false,
      audioFlag: false,
      creditsPerSecond: 40,
    },
  },
  {
    info: info(
      'veo3.1',
      'Google Veo 3.1 (via Runway)',
      {
        textToVideo: true,
        imageToVideo: true,
        durationsSeconds: [4, 6, 8],
        defaultDurationSeconds: 8,
        resolutions: ['720p', '1080p'],
        aspectRatios: ['16:9', '9:16'],
        audio: true,
      },
      20 * RUNWAY_USD_PER_CREDIT,
      20 * RUNWAY_USD_PER_CREDIT,
    ),
    extra: {
      textRatios: VEO,
      imageRatios: VEO,
      durationRequired: false,
      audioFlag: true,
      creditsPerSecond: 20,
    },
  },
  {
    info: info(
      'veo3.1_fast',
      'Google Veo 3.1 Fast (via Runway)',
      {
        textToVideo: true,
        imageToVideo: true,
        durationsSeconds: [4, 6, 8],
        defaultDurationSeconds: 8,
        resolutions: ['720p', '1080p'],
        aspectRatios: ['16:9', '9:16'],
        audio: true,
      },
      10 * RUNWAY_USD_PER_CREDIT,
      5 * RUNWAY_USD_PER_CREDIT,
    ),
    extra: {
      textRatios: VEO,
      imageRatios: VEO,
      durationRequired: false,
      audioFlag: true,
      creditsPerSecond: 10,
    },
  },
];

export function findRunwayModel(
  modelId: string,
): { info: ModelInfo; extra: RunwayModelExtra } | undefined {
  return RUNWAY_MODELS.find((entry) => entry.info.modelId === modelId);
}
