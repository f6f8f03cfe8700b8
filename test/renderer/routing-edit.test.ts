import { describe, expect, it } from 'vitest';
import {
  formatShare,
  fractionalEntries,
  moveItem,
  setFractionalWeight,
  updateIn,
  weightPercentages,
} from '../../src/renderer/src/rollout/routing-edit';

describe('weightPercentages', () => {
  it('gives each weight as a share of the total', () => {
    expect(weightPercentages([70, 30, 0])).toEqual([70, 30, 0]);
    const thirds = weightPercentages([1, 1, 1]);
    expect(thirds[0]).toBeCloseTo(33.333, 2);
    expect(thirds.reduce<number>((s, v) => s + (v ?? 0), 0)).toBeCloseTo(100, 9);
  });
  it('counts a missing or negative weight as nothing and marks it null', () => {
    expect(weightPercentages([3, undefined, -1, 1])).toEqual([75, null, null, 25]);
  });
  it('has no shares when the total is not positive', () => {
    expect(weightPercentages([0, 0])).toEqual([null, null]);
    expect(weightPercentages([])).toEqual([]);
  });
  it('formats shares with one decimal only when needed', () => {
    expect(formatShare(70)).toBe('70%');
    expect(formatShare(100 / 3)).toBe('33.3%');
    expect(formatShare(null)).toBe('—');
  });
});

describe('moveItem', () => {
  it('moves an item up and down without touching the input', () => {
    const list = ['a', 'b', 'c'];
    expect(moveItem(list, 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(list, 0, 1)).toEqual(['b', 'a', 'c']);
    expect(list).toEqual(['a', 'b', 'c']);
  });
  it('clamps the destination and ignores a bad source', () => {
    expect(moveItem(['a', 'b'], 0, 9)).toEqual(['b', 'a']);
    expect(moveItem(['a', 'b'], 1, -3)).toEqual(['b', 'a']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
  });
});

describe('fractional rules', () => {
  const targeting = {
    if: [
      { '==': [{ var: 'tier' }, 'premium'] },
      {
        fractional: [
          ['on', 25],
          ['off', 75],
        ],
      },
      'off',
    ],
  };
  it('finds the entries inside an if', () => {
    expect(fractionalEntries(targeting)).toEqual([
      { variant: 'on', weight: 25 },
      { variant: 'off', weight: 75 },
    ]);
    expect(fractionalEntries({ '==': [1, 1] })).toBeNull();
  });
  it('skips a bucketing expression and sets one weight immutably', () => {
    const withKey = { fractional: [{ var: 'email' }, ['a', 50], ['b', 50]] };
    const next = setFractionalWeight(withKey, 1, 10);
    expect(fractionalEntries(next)).toEqual([
      { variant: 'a', weight: 50 },
      { variant: 'b', weight: 10 },
    ]);
    expect(withKey.fractional[2]).toEqual(['b', 50]);
    expect(fractionalEntries(setFractionalWeight(targeting, 0, 40))?.[0]?.weight).toBe(40);
  });
});

describe('updateIn', () => {
  it('replaces a nested value and deletes it when undefined', () => {
    const config = { tiers: { free: { targets: [{ weight: 1 }, { weight: 2 }] } } };
    expect(updateIn(config, ['tiers', 'free', 'targets', 1, 'weight'], 5)).toEqual({
      tiers: { free: { targets: [{ weight: 1 }, { weight: 5 }] } },
    });
    expect(updateIn(config, ['tiers', 'free', 'targets', 0, 'weight'], undefined)).toEqual({
      tiers: { free: { targets: [{}, { weight: 2 }] } },
    });
    expect(config.tiers.free.targets[1]?.weight).toBe(2);
  });
});
