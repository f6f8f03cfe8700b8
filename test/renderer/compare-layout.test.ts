import { describe, expect, it } from 'vitest';
import {
  choiceForKey,
  fillSlots,
  placeInSlot,
  playerCount,
} from '../../src/renderer/src/compare/compare-layout';

const key = (k: string, extra: Partial<KeyboardEvent> = {}) => ({
  key: k,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  repeat: false,
  target: null,
  ...extra,
});

describe('compare layout', () => {
  it('shows as many players as the grid holds, or fewer when videos are missing', () => {
    expect(playerCount(2, 5)).toBe(2);
    expect(playerCount(4, 5)).toBe(4);
    expect(playerCount(4, 3)).toBe(3);
    expect(playerCount(4, 1)).toBe(1);
  });

  it('keeps earlier picks in their slots and fills the rest in order', () => {
    expect(fillSlots([], ['a', 'b', 'c', 'd', 'e'], 4)).toEqual(['a', 'b', 'c', 'd']);
    expect(fillSlots(['d', 'b'], ['a', 'b', 'c', 'd'], 4)).toEqual(['d', 'b', 'a', 'c']);
    expect(fillSlots(['d', 'gone', 'd'], ['a', 'b', 'c', 'd'], 2)).toEqual(['d', 'a']);
  });

  it('swaps two slots rather than showing one video twice', () => {
    expect(placeInSlot(['a', 'b', 'c', 'd'], 0, 'c')).toEqual(['c', 'b', 'a', 'd']);
    expect(placeInSlot(['a', 'b'], 1, 'e')).toEqual(['a', 'e']);
    expect(placeInSlot(['a', 'b'], 5, 'e')).toEqual(['a', 'b']);
  });

  it('maps 1–4 to the players shown, ignoring modifiers and other keys', () => {
    expect(choiceForKey(key('1'), 4)).toBe(0);
    expect(choiceForKey(key('4'), 4)).toBe(3);
    expect(choiceForKey(key('3'), 2)).toBeNull();
    expect(choiceForKey(key('5'), 4)).toBeNull();
    expect(choiceForKey(key('1', { ctrlKey: true }), 4)).toBeNull();
    expect(choiceForKey(key('2', { repeat: true }), 4)).toBeNull();
  });
});
