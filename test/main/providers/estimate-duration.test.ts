/**
 * A clip length the model does not offer is sent as asked, but the vendor may make (and bill) its
 * own length: the estimate, which the budget is held against, counts the longest the bill could be.
 */
import { describe, expect, it } from 'vitest';
import { estimateFromPricing } from '../../../src/main/providers/capabilities';
import type { ModelCapabilities } from '../../../src/shared/providers/video-provider-spec';

const capabilities: ModelCapabilities = {
  textToVideo: true,
  imageToVideo: false,
  durationsSeconds: [6, 10],
  defaultDurationSeconds: 6,
  resolutions: ['720p'],
  aspectRatios: ['16:9'],
  audio: true,
  seed: true,
};
const source = { source: 'test', asOf: '2026-12-01' };
const perSecond = { ...source, usdPerSecond: 0.1, audioUsdPerSecond: 0.05 };

describe('estimateFromPricing and clip lengths', () => {
  it('counts an offered length as asked', () => {
    expect(
      estimateFromPricing(perSecond, capabilities, {
        modelId: 'm',
        prompt: 'p',
        durationSeconds: 6,
      }),
    ).toMatchObject({ usd: 0.6, basis: '6 s × $0.10/s' });
  });

  it('counts a length the model does not offer at its longest offered length', () => {
    const estimate = estimateFromPricing(perSecond, capabilities, {
      modelId: 'm',
      prompt: 'p',
      durationSeconds: 4,
      audio: true,
    });
    expect(estimate.usd).toBeCloseTo(1.5, 9);
    expect(estimate.basis).toMatch(/^10 s \(the longest offered; 4 s is not\) × \$0\.10\/s/);
    expect(estimate.basis).toMatch(/audio 10 s/);
  });

  it('counts a length longer than any offered as asked (never less than the request)', () => {
    expect(
      estimateFromPricing(perSecond, capabilities, {
        modelId: 'm',
        prompt: 'p',
        durationSeconds: 12,
      }).usd,
    ).toBeCloseTo(1.2, 9);
  });

  it('leaves per-clip prices alone', () => {
    expect(
      estimateFromPricing({ ...source, usdPerClip: 0.5 }, capabilities, {
        modelId: 'm',
        prompt: 'p',
        durationSeconds: 4,
      }).usd,
    ).toBe(0.5);
  });
});
