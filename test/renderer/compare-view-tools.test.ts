import { describe, expect, it } from 'vitest';
import {
  FIT,
  MIN_LOOP_SECONDS,
  NO_LOOP,
  absoluteDifference,
  isLoopActive,
  loopSeekTarget,
  nextViewMode,
  oneToOneScale,
  panBy,
  setLoopEnd,
  setLoopStart,
  zoomTo,
} from '../../src/renderer/src/compare/view-tools';

describe('absoluteDifference', () => {
  it('takes |a - b| per colour channel and makes every pixel opaque', () => {
    const a = new Uint8ClampedArray([10, 200, 0, 255, 255, 255, 255, 0]);
    const b = new Uint8ClampedArray([30, 100, 0, 12, 0, 255, 1, 7]);
    expect([...absoluteDifference(a, b)]).toEqual([20, 100, 0, 255, 255, 0, 254, 255]);
  });

  it('is symmetric and zero for identical frames', () => {
    const a = new Uint8ClampedArray([1, 2, 3, 4, 250, 5, 6, 7]);
    const b = new Uint8ClampedArray([9, 0, 3, 4, 5, 250, 6, 0]);
    expect([...absoluteDifference(a, b)]).toEqual([...absoluteDifference(b, a)]);
    expect([...absoluteDifference(a, a)]).toEqual([0, 0, 0, 255, 0, 0, 0, 255]);
  });

  it('can write into one of its inputs', () => {
    const a = new Uint8ClampedArray([100, 100, 100, 255]);
    const b = new Uint8ClampedArray([40, 160, 100, 255]);
    const out = absoluteDifference(a, b, a);
    expect(out).toBe(a);
    expect([...a]).toEqual([60, 60, 0, 255]);
  });

  it('refuses frames of different sizes or non-RGBA data', () => {
    expect(() => absoluteDifference(new Uint8ClampedArray(8), new Uint8ClampedArray(4))).toThrow(
      /same size/,
    );
    expect(() => absoluteDifference(new Uint8ClampedArray(6), new Uint8ClampedArray(6))).toThrow(
      /RGBA/,
    );
  });
});

describe('loop range', () => {
  it('loops only once both ends are set, and jumps back to the start past the end', () => {
    const started = setLoopStart(NO_LOOP, 1);
    expect(isLoopActive(started)).toBe(false);
    expect(loopSeekTarget(started, 5)).toBeNull();
    const loop = setLoopEnd(started, 2.5, 4);
    expect(loop).toEqual({ start: 1, end: 2.5 });
    expect(isLoopActive(loop)).toBe(true);
    expect(loopSeekTarget(loop, 1.7)).toBeNull();
    expect(loopSeekTarget(loop, 2.5)).toBe(1);
    expect(loopSeekTarget(loop, 3.9)).toBe(1);
    expect(loopSeekTarget(loop, 0.2)).toBe(1);
  });

  it('can be set end first, and keeps the end inside the video', () => {
    const loop = setLoopStart(setLoopEnd(NO_LOOP, 9, 3), 0.5);
    expect(loop).toEqual({ start: 0.5, end: 3 });
  });

  it('drops the other end when the new one would make the range empty or backwards', () => {
    const loop = { start: 1, end: 2 };
    expect(setLoopStart(loop, 2.5)).toEqual({ start: 2.5, end: null });
    expect(setLoopEnd(loop, 0.5)).toEqual({ start: null, end: 0.5 });
    expect(setLoopEnd(loop, 1 + MIN_LOOP_SECONDS / 2)).toEqual({
      start: null,
      end: 1 + MIN_LOOP_SECONDS / 2,
    });
    expect(setLoopStart(loop, -3)).toEqual({ start: 0, end: 2 });
  });
});

describe('zoom and pan', () => {
  it('keeps the point under the pointer still while zooming', () => {
    const focus = { x: 100, y: -40 };
    const zoomed = zoomTo(FIT, 2, focus);
    // The focus point of the picture (at `focus` when unzoomed) stays at `focus` on screen.
    expect(zoomed.x + zoomed.scale * focus.x).toBeCloseTo(focus.x, 9);
    expect(zoomed).toEqual({ scale: 2, x: -100, y: 40 });
    const back = zoomTo(zoomed, 1, focus);
    expect(back).toEqual({ scale: 1, x: 0, y: 0 });
  });

  it('clamps the scale and pans only when zoomed in, within limits', () => {
    expect(zoomTo(FIT, 1000).scale).toBe(16);
    expect(panBy(FIT, 50, 50, { width: 400, height: 200 })).toEqual(FIT);
    const view = panBy({ scale: 2, x: 0, y: 0 }, 10_000, -30, { width: 400, height: 200 });
    expect(view).toEqual({ scale: 2, x: 400, y: -30 });
  });

  it('finds the 1:1 scale from the contained video size and the device pixel ratio', () => {
    // 1280×720 in a 640×360 box: shown at half size, so 1:1 is ×2.
    expect(oneToOneScale({ width: 1280, height: 720 }, { width: 640, height: 360 })).toBe(2);
    // Letterboxed: a 4:3 video in a 16:9 box is limited by the height.
    expect(oneToOneScale({ width: 640, height: 480 }, { width: 640, height: 360 })).toBeCloseTo(
      480 / 360,
      9,
    );
    // On a 2× display a video pixel is one device pixel at half the CSS size.
    expect(oneToOneScale({ width: 640, height: 360 }, { width: 640, height: 360 }, 2)).toBe(0.5);
    expect(oneToOneScale({ width: 0, height: 0 }, { width: 640, height: 360 })).toBe(1);
  });

  it('cycles the view modes', () => {
    expect(nextViewMode('side')).toBe('wipe');
    expect(nextViewMode('wipe')).toBe('difference');
    expect(nextViewMode('difference')).toBe('side');
  });
});
