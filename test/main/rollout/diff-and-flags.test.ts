import { describe, expect, it } from 'vitest';
import { diffJson, summarizeDiff } from '../../../src/shared/rollout/json-diff';
import {
  type FlagdFlag,
  flagdFileOf,
  parseRolloutPlan,
  rolloutPercentOf,
  withFlagOff,
  withRolloutPercent,
} from '../../../src/shared/rollout/flag-rollout';
import { sampleConfig } from './fixtures';

describe('json diff', () => {
  it('lists added, removed and changed paths; arrays are one value; key order is ignored', () => {
    const before = { a: 1, b: { c: [1, 2], d: 'x' }, gone: true };
    const after = { b: { d: 'y', c: [1, 2] }, a: 1, added: { z: 1 } };
    expect(diffJson(before, after)).toEqual([
      { path: 'added', kind: 'added', after: { z: 1 } },
      { path: 'b.d', kind: 'changed', before: 'x', after: 'y' },
      { path: 'gone', kind: 'removed', before: true },
    ]);
    expect(summarizeDiff(diffJson(before, after))).toBe(
      '1 changed, 1 added, 1 removed: added, b.d, gone',
    );
    expect(diffJson({ a: [1, 2] }, { a: [2, 1] })).toEqual([
      { path: 'a', kind: 'changed', before: [1, 2], after: [2, 1] },
    ]);
    expect(summarizeDiff([])).toBe('no change');
  });
});

describe('flag rewrites', () => {
  it('writes fractional splits, then a static variant at 100%, without touching the input', () => {
    const config = sampleConfig();
    const five = withRolloutPercent(config, 'new-video-model', 'on', 'off', 5);
    const flags = five.flags as Record<string, { targeting?: unknown; defaultVariant: string }>;
    expect(flags['new-video-model']!.targeting).toEqual({
      fractional: [
        ['on', 5],
        ['off', 95],
      ],
    });
    expect(
      (config.flags as Record<string, { targeting?: unknown }>)['new-video-model']!.targeting,
    ).toBeUndefined();
    expect(rolloutPercentOf(flags['new-video-model'] as FlagdFlag, 'on')).toBe(5);
    const full = withRolloutPercent(five, 'new-video-model', 'on', 'off', 100);
    expect((full.flags as Record<string, unknown>)['new-video-model']).toMatchObject({
      defaultVariant: 'on',
    });
    expect(
      rolloutPercentOf((full.flags as Record<string, FlagdFlag>)['new-video-model']!, 'on'),
    ).toBe(100);
  });

  it('refuses unknown flags and variants, hand-written targeting, and bad plans', () => {
    const config = sampleConfig();
    expect(() => withRolloutPercent(config, 'nope', 'on', 'off', 5)).toThrow(
      /flags.nope: no such flag/,
    );
    expect(() => withRolloutPercent(config, 'new-video-model', 'blue', 'off', 5)).toThrow(
      /onVariant: flag "new-video-model" has no variant "blue"/,
    );
    const ruled = sampleConfig();
    (ruled.flags as Record<string, { targeting?: unknown }>)['new-video-model']!.targeting = {
      if: [true, 'on', 'off'],
    };
    expect(() => withRolloutPercent(ruled, 'new-video-model', 'on', 'off', 5)).toThrow(
      /targeting rules other than a fractional/,
    );
    expect(() =>
      parseRolloutPlan({
        environment: 'dev',
        flagKey: 'f',
        onVariant: 'on',
        offVariant: 'off',
        steps: [5, 1],
      }),
    ).toThrow(/steps.1: steps must go up/);
    expect(
      parseRolloutPlan({ environment: 'dev', flagKey: 'f', onVariant: 'on', offVariant: 'off' }),
    ).toMatchObject({
      steps: [1, 5, 25, 50, 100],
      bakeMinutes: 60,
    });
  });

  it('turns a flag off with its false variant, or the one named; flagd file holds flags only', () => {
    const off = withFlagOff(sampleConfig(), 'new-video-model');
    expect((off.flags as Record<string, unknown>)['new-video-model']).toMatchObject({
      defaultVariant: 'off',
      state: 'ENABLED',
    });
    expect(() => withFlagOff(sampleConfig(), 'video-provider')).toThrow(
      /name the variant that means off/,
    );
    expect(
      (withFlagOff(sampleConfig(), 'video-provider', 'together').flags as Record<string, unknown>)[
        'video-provider'
      ],
    ).toMatchObject({
      defaultVariant: 'together',
    });
    expect(Object.keys(flagdFileOf(sampleConfig()))).toEqual(['flags']);
  });
});
