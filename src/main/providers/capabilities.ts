/**
 * Capability checks and price estimates shared by every adapter: settings a model cannot honour
 * become warnings (nothing is silently changed); costs come from the model's price table.
 */
import type {
  CostEstimate,
  GenerationRequest,
  ModelCapabilities,
  Pricing,
  SpecWarning,
} from '../../shared/providers/video-provider-spec';
import { formatMoney, formatMoneyPer } from '../../shared/format';

/**
 * What is assumed of a text-to-video model that a vendor's catalogue lists but the model table
 * does not know yet: the narrowest common settings, so nothing is promised that it may not honour.
 */
export const UNKNOWN_TEXT_TO_VIDEO_CAPABILITIES: ModelCapabilities = {
  textToVideo: true,
  imageToVideo: false,
  durationsSeconds: [5],
  defaultDurationSeconds: 5,
  resolutions: ['720p'],
  aspectRatios: ['16:9'],
  audio: false,
  seed: true,
};

export function checkRequestAgainstCapabilities(
  capabilities: ModelCapabilities,
  request: GenerationRequest,
): SpecWarning[] {
  const warnings: SpecWarning[] = [];
  if (request.imageUrl !== undefined && !capabilities.imageToVideo) {
    warnings.push({
      setting: 'imageUrl',
      message: 'this model does not take a reference image (text-to-video only)',
    });
  }
  if (request.imageUrl === undefined && !capabilities.textToVideo) {
    warnings.push({
      setting: 'imageUrl',
      message: 'this model needs a reference image (image-to-video only)',
    });
  }
  if (
    request.durationSeconds !== undefined &&
    !capabilities.durationsSeconds.includes(request.durationSeconds)
  ) {
    warnings.push({
      setting: 'durationSeconds',
      message: `${request.durationSeconds} s is not offered; this model offers ${capabilities.durationsSeconds.join(', ')} s`,
    });
  }
  if (request.resolution !== undefined && !capabilities.resolutions.includes(request.resolution)) {
    warnings.push({
      setting: 'resolution',
      message: `${request.resolution} is not offered; this model offers ${capabilities.resolutions.join(', ')}`,
    });
  }
  if (
    request.aspectRatio !== undefined &&
    !capabilities.aspectRatios.includes(request.aspectRatio)
  ) {
    warnings.push({
      setting: 'aspectRatio',
      message: `${request.aspectRatio} is not offered; this model offers ${capabilities.aspectRatios.join(', ')}`,
    });
  }
  if (request.audio === true && !capabilities.audio) {
    warnings.push({ setting: 'audio', message: 'this model cannot generate audio' });
  }
  if (request.fps !== undefined) {
    const range = capabilities.fps;
    if (!range) {
      warnings.push({
        setting: 'fps',
        message: 'this model has a fixed frame rate; fps cannot be asked for',
      });
    } else if (request.fps < range.min || request.fps > range.max) {
      warnings.push({
        setting: 'fps',
        message: `${request.fps} fps is not offered; this model offers ${range.min}–${range.max} fps`,
      });
    }
  }
  if (request.seed !== undefined && !capabilities.seed) {
    warnings.push({
      setting: 'seed',
      message: 'this model ignores the seed, so results are not repeatable',
    });
  }
  return warnings;
}

export function estimateFromPricing(
  pricing: Pricing,
  capabilities: ModelCapabilities,
  request: GenerationRequest,
): CostEstimate {
  const asked = request.durationSeconds ?? capabilities.defaultDurationSeconds;
  // A length the model does not offer is sent as asked (nothing is silently changed), but the
  // vendor may make and bill its own length instead (a fixed 6 s, the next one up): the estimate
  // counts the longest the bill could be, so a budget holds whatever the vendor does.
  const longestOffered = Math.max(0, ...capabilities.durationsSeconds);
  const seconds =
    capabilities.durationsSeconds.length === 0 || capabilities.durationsSeconds.includes(asked)
      ? asked
      : Math.max(asked, longestOffered);
  const multiplier = request.resolution
    ? (pricing.resolutionMultiplier?.[request.resolution] ?? 1)
    : 1;
  let usd = 0;
  const parts: string[] = [];
  if (pricing.usdPerClip !== undefined) {
    usd += pricing.usdPerClip * multiplier;
    parts.push(`${formatMoney(pricing.usdPerClip)} per clip`);
  }
  if (pricing.usdPerSecond !== undefined) {
    usd += pricing.usdPerSecond * seconds * multiplier;
    parts.push(
      seconds === asked
        ? `${seconds} s × ${formatMoneyPer(pricing.usdPerSecond, 's')}`
        : `${seconds} s (the longest offered; ${asked} s is not) × ${formatMoneyPer(pricing.usdPerSecond, 's')}`,
    );
  }
  if (request.audio === true && pricing.audioUsdPerSecond !== undefined) {
    usd += pricing.audioUsdPerSecond * seconds;
    parts.push(`audio ${seconds} s × ${formatMoneyPer(pricing.audioUsdPerSecond, 's')}`);
  }
  if (multiplier !== 1) parts.push(`× ${multiplier} for ${request.resolution}`);
  return { usd: Math.round(usd * 1e6) / 1e6, basis: parts.join(' + ') || 'no price known' };
}
