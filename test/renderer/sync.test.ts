import { describe, expect, it } from 'vitest';
import {
  decideSync,
  DRIFT_TOLERANCE_SECONDS,
  JUMP_THRESHOLD_SECONDS,
  MAX_NUDGE,
  stepFrame,
} from '../../src/renderer/src/compare/sync';

describe('decideSync', () => {
  it('leaves a follower within half a frame alone, at the chosen rate', () => {
    expect(
      decideSync({ masterTime: 2, followerTime: 2 + DRIFT_TOLERANCE_SECONDS * 0.9, baseRate: 1 }),
    ).toEqual({
      kind: 'none',
      playbackRate: 1,
    });
    expect(decideSync({ masterTime: 2, followerTime: 2, baseRate: 0.5 })).toEqual({
      kind: 'none',
      playbackRate: 0.5,
    });
  });

  it('slows a follower that is slightly ahead and speeds up one that is slightly behind', () => {
    const ahead = decideSync({ masterTime: 2, followerTime: 2.05, baseRate: 1 });
    expect(ahead.kind).toBe('nudge');
    expect(ahead.playbackRate).toBeLessThan(1);
    expect(ahead.playbackRate).toBeGreaterThanOrEqual(1 - MAX_NUDGE);

    const behind = decideSync({ masterTime: 2, followerTime: 1.95, baseRate: 1 });
    expect(behind.kind).toBe('nudge');
    expect(behind.playbackRate).toBeGreaterThan(1);
    expect(behind.playbackRate).toBeLessThanOrEqual(1 + MAX_NUDGE);
  });

  it('scales the nudge with the chosen speed', () => {
    const action = decideSync({ masterTime: 2, followerTime: 1.9, baseRate: 2 });
    expect(action.kind).toBe('nudge');
    expect(action.playbackRate).toBeCloseTo(2 * (1 + 0.1), 5);
  });

  it('jumps when the drift is larger than a quarter second', () => {
    const action = decideSync({
      masterTime: 3,
      followerTime: 3 - JUMP_THRESHOLD_SECONDS - 0.01,
      baseRate: 1,
    });
    expect(action).toMatchObject({ kind: 'jump', currentTime: 3, playbackRate: 1 });
    expect(decideSync({ masterTime: 0.2, followerTime: 1.5, baseRate: 1 })).toMatchObject({
      kind: 'jump',
      currentTime: 0.2,
    });
  });

  it('never places the follower past its own end', () => {
    expect(
      decideSync({ masterTime: 5, followerTime: 4, baseRate: 1, followerDuration: 4 }),
    ).toEqual({
      kind: 'none',
      playbackRate: 1,
    });
    expect(
      decideSync({ masterTime: 5, followerTime: 1, baseRate: 1, followerDuration: 4 }),
    ).toMatchObject({
      kind: 'jump',
      currentTime: 4,
    });
  });
});

describe('stepFrame', () => {
  it('moves one 24 fps frame and stays inside the clip', () => {
    expect(stepFrame(1, 1, 4)).toBeCloseTo(25 / 24, 6);
    expect(stepFrame(1, -1, 4)).toBeCloseTo(23 / 24, 6);
    expect(stepFrame(0, -1, 4)).toBe(0);
    expect(stepFrame(4, 1, 4)).toBe(4);
  });
});

describe('frame rates other than 24', () => {
  it('steps by the clip’s own frame rate and numbers frames from 1', async () => {
    const { frameRateOf, frameAt, frameLabel } =
      await import('../../src/renderer/src/compare/sync');
    expect(frameRateOf(30)).toBe(30);
    expect(frameRateOf(null)).toBe(24);
    expect(frameRateOf(0)).toBe(24);
    expect(stepFrame(1, 1, 4, 30)).toBeCloseTo(31 / 30, 6);
    expect(stepFrame(2 / 30, -1, 4, 30)).toBeCloseTo(1 / 30, 6);
    expect(frameAt(2 / 30, 30)).toBe(2);
    expect(frameLabel(0, 4, 30)).toEqual({ frame: 1, total: 120 });
    expect(frameLabel(4, 4, 30)).toEqual({ frame: 120, total: 120 });
    expect(frameLabel(1, 4, 25)).toEqual({ frame: 26, total: 100 });
  });
});
