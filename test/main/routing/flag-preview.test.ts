import { FlagdCore } from '@openfeature/flagd-core';
import { describe, expect, it } from 'vitest';
import { previewFlags, sampleKey } from '../../../src/main/rollout/routing/flag-preview';
import {
  routingConfigSchema,
  toFlagdDocument,
} from '../../../src/shared/routing/routing-config-schema';
import { ValidationError } from '../../../src/shared/errors';
import { exampleConfig } from './fixtures';

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

describe('previewFlags', () => {
  const config = routingConfigSchema.parse(exampleConfig());

  it('gives about 25 % of premium users Together and no free user', () => {
    const result = previewFlags(config, { sampleSize: 10_000 });
    expect(result.sampleSize).toBe(10_000);
    const flag = result.flags.find((f) => f.flag === 'premium-together-video')!;
    const premium = flag.tiers.find((t) => t.tier === 'premium')!;
    const on = premium.variants.find((v) => v.variant === 'on')!;
    expect(on.value).toBe(true);
    expect(Math.abs(on.share - 0.25)).toBeLessThanOrEqual(0.015);
    expect(premium.variants.reduce((sum, v) => sum + v.count, 0)).toBe(10_000);
    const free = flag.tiers.find((t) => t.tier === 'free')!;
    expect(free.variants.find((v) => v.variant === 'on')!.count).toBe(0);
  });

  it('equals a direct flagd-core evaluation for every sample key', () => {
    const result = previewFlags(config, {
      sampleSize: 10_000,
      includeAssignments: true,
      tiers: ['premium'],
    });
    const assignments = result.flags[0]!.tiers[0]!.assignments!;
    const core = new FlagdCore(undefined, silent);
    core.setConfigurations(JSON.stringify(toFlagdDocument(config)));
    for (let i = 0; i < 10_000; i += 1) {
      const direct = core.resolveBooleanEvaluation('premium-together-video', false, {
        targetingKey: sampleKey(i),
        tier: 'premium',
      });
      expect(assignments[i]).toBe(direct.variant);
    }
  });

  it('passes extra context attributes to the targeting rule', () => {
    const regional = structuredClone(config);
    regional.flags['premium-together-video']!.targeting = {
      if: [{ '==': [{ var: 'region' }, 'eu'] }, 'on', 'off'],
    };
    const eu = previewFlags(regional, {
      sampleSize: 100,
      context: { region: 'eu' },
      tiers: ['free'],
    });
    expect(eu.flags[0]!.tiers[0]!.variants.find((v) => v.variant === 'on')!.share).toBe(1);
    const us = previewFlags(regional, {
      sampleSize: 100,
      context: { region: 'us' },
      tiers: ['free'],
    });
    expect(us.flags[0]!.tiers[0]!.variants.find((v) => v.variant === 'on')!.share).toBe(0);
  });

  it('reports a disabled flag as giving no variant', () => {
    const disabled = structuredClone(config);
    disabled.flags['premium-together-video']!.state = 'DISABLED';
    const result = previewFlags(disabled, { sampleSize: 50, tiers: ['premium'] });
    const none = result.flags[0]!.tiers[0]!.variants.find((v) => v.variant === '(none)');
    expect(none?.count).toBe(50);
  });

  it('refuses a sample size out of range', () => {
    expect(() => previewFlags(config, { sampleSize: 0 })).toThrow(ValidationError);
  });
});
