/** A routing check names where it is in the editor's words, not as a raw config path. */
import { describe, expect, it } from 'vitest';
import { problemPathLabel } from '../../src/renderer/src/rollout/problem-notes';

describe('problemPathLabel', () => {
  it('names tiers, targets (numbered as the editor numbers them) and fields in words', () => {
    expect(problemPathLabel('tiers.free.targets.0.provider')).toBe(
      'Tier “free” · target 1 · model',
    );
    expect(problemPathLabel('tiers.free.targets.1.model')).toBe('Tier “free” · target 2 · model');
    expect(problemPathLabel('tiers.premium.targets.2.weight')).toBe(
      'Tier “premium” · target 3 · weight',
    );
    expect(problemPathLabel('tiers.free.targets')).toBe('Tier “free” · targets');
    expect(problemPathLabel('tiers.free.limits.dailyQuota')).toBe(
      'Tier “free” · limits · daily quota per user',
    );
    expect(problemPathLabel('tiers.free.breaker.failureRate')).toBe(
      'Tier “free” · circuit breaker · failure rate',
    );
  });

  it('names flags, presets, the cache and the whole document', () => {
    expect(problemPathLabel('flags.premium-pro-video.defaultVariant')).toBe(
      'Flag “premium-pro-video” · default variant',
    );
    expect(problemPathLabel('flags.x.variants.on')).toBe('Flag “x” · variant “on”');
    expect(problemPathLabel('presets.0.tiers.1')).toBe('Preset 1 · tiers · #2');
    expect(problemPathLabel('cache.keyFields')).toBe('Cache · key fields');
    expect(problemPathLabel('')).toBe('The whole config');
  });
});
