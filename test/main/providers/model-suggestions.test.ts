import { describe, expect, it } from 'vitest';
import { similarModelIds } from '../../../src/main/providers/model-suggestions';

const TOGETHER = [
  'kwaivgI/kling-2.1-master',
  'kwaivgI/kling-2.1-standard',
  'kwaivgI/kling-2.1-pro',
  'kwaivgI/kling-1.6-pro',
  'google/veo-3.0',
  'Wan-AI/Wan2.2-T2V-A14B',
];

describe('similarModelIds', () => {
  it('offers the ids a part of which was typed, the closest in length first', () => {
    expect(similarModelIds('kling-2.1', TOGETHER)).toEqual([
      'kwaivgI/kling-2.1-pro',
      'kwaivgI/kling-2.1-master',
      'kwaivgI/kling-2.1-standard',
    ]);
  });

  it('finds an id typed in another case or with a slip, also without its owner', () => {
    expect(similarModelIds('wan-ai/wan2.2-t2v-a14b', TOGETHER)).toEqual(['Wan-AI/Wan2.2-T2V-A14B']);
    expect(similarModelIds('google/veo-3.1', TOGETHER)).toEqual(['google/veo-3.0']);
    expect(similarModelIds('kling-1.6-prp', TOGETHER)[0]).toBe('kwaivgI/kling-1.6-pro');
  });

  it('offers nothing for a name that is not close to any', () => {
    expect(similarModelIds('zzz', TOGETHER)).toEqual([]);
    expect(similarModelIds('  ', TOGETHER)).toEqual([]);
    expect(similarModelIds('sora-2', TOGETHER)).toEqual([]);
  });

  it('keeps to the number asked for', () => {
    expect(similarModelIds('kwaivgI/kling', TOGETHER, 2)).toHaveLength(2);
  });
});
