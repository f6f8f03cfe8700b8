/**
 * Pure helpers for the compare player's view tools: the difference image, the A-B loop range,
 * and the zoom/pan transform shared by both players.
 */

export type ViewMode = 'side' | 'wipe' | 'difference';
export const VIEW_MODES: readonly ViewMode[] = ['side', 'wipe', 'difference'];
export const VIEW_MODE_LABELS: Record<ViewMode, string> = {
  side: 'Side by side',
  wipe: 'Wipe',
  difference: 'Difference',
};

export function nextViewMode(mode: ViewMode): ViewMode {
  const index = VIEW_MODES.indexOf(mode);
  return VIEW_MODES[(index + 1) % VIEW_MODES.length] ?? 'side';
}

/**
 * Per-pixel absolute difference of two RGBA images of the same size: |a - b| per colour
 * channel, alpha fully opaque. `out` may be passed to reuse a buffer (it may be `a`).
 */
export function absoluteDifference(
  a: Uint8ClampedArray,
  b: Uint8ClampedArray,
  out: Uint8ClampedArray = new Uint8ClampedArray(a.length),
): Uint8ClampedArray {
  if (a.length !== b.length || out.length !== a.length)
    throw new RangeError(
      `Difference needs images of the same size: got ${a.length}, ${b.length} and ${out.length} bytes.`,
    );
  if (a.length % 4 !== 0) throw new RangeError('Difference needs RGBA data (4 bytes a pixel).');
  for (let i = 0; i < a.length; i += 4) {
    out[i] = Math.abs(a[i]! - b[i]!);
    out[i + 1] = Math.abs(a[i + 1]! - b[i + 1]!);
    out[i + 2] = Math.abs(a[i + 2]! - b[i + 2]!);
    out[i + 3] = 255;
  }
  return out;
}

/** An A-B loop: either end may be unset; playback loops only when both are. */
export interface LoopRange {
  start: number | null;
  end: number | null;
}
export const NO_LOOP: LoopRange = { start: null, end: null };
/** A loop shorter than this (two frames at 24 fps) is refused. */
export const MIN_LOOP_SECONDS = 2 / 24;

/** Sets the loop's start at `time`; an end at or before it is dropped. */
export function setLoopStart(range: LoopRange, time: number): LoopRange {
  const start = Math.max(0, time);
  const end = range.end !== null && range.end - start >= MIN_LOOP_SECONDS ? range.end : null;
  return { start, end };
}

/** Sets the loop's end at `time`; a start at or after it is dropped. */
export function setLoopEnd(range: LoopRange, time: number, duration?: number): LoopRange {
  const end =
    duration !== undefined && Number.isFinite(duration) && duration > 0
      ? Math.min(time, duration)
      : time;
  const start = range.start !== null && end - range.start >= MIN_LOOP_SECONDS ? range.start : null;
  return { start, end };
}

export function isLoopActive(range: LoopRange): range is { start: number; end: number } {
  return range.start !== null && range.end !== null && range.end > range.start;
}

/**
 * While playing: where to jump so that playback stays inside the loop, or null to carry on.
 * Past the end (or before the start) goes back to the start.
 */
export function loopSeekTarget(range: LoopRange, time: number): number | null {
  if (!isLoopActive(range)) return null;
  if (time >= range.end || time < range.start) return range.start;
  return null;
}

/** Zoom and pan, in CSS pixels of the viewport, applied identically to every player. */
export interface ViewTransform {
  scale: number;
  x: number;
  y: number;
}
export const FIT: ViewTransform = { scale: 1, x: 0, y: 0 };
export const MIN_SCALE = 0.1;
export const MAX_SCALE = 16;
export const ZOOM_STEP = 1.25;

export function clampScale(scale: number): number {
  if (!Number.isFinite(scale)) return 1;
  return Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale));
}

/**
 * Zooms to `scale`, keeping the point `focus` (relative to the viewport centre, CSS px) still
 * on screen. At scale 1 or below there is nothing to pan, so the picture is centred.
 */
export function zoomTo(
  view: ViewTransform,
  scale: number,
  focus: { x: number; y: number } = { x: 0, y: 0 },
): ViewTransform {
  let next = clampScale(scale);
  if (Math.abs(next - 1) < 0.02) next = 1;
  if (next <= 1) return { scale: next, x: 0, y: 0 };
  const ratio = next / view.scale;
  return {
    scale: next,
    x: focus.x - (focus.x - view.x) * ratio,
    y: focus.y - (focus.y - view.y) * ratio,
  };
}

/** Pans by a drag of (dx, dy), kept so the picture still covers the viewport's centre. */
export function panBy(
  view: ViewTransform,
  dx: number,
  dy: number,
  viewport: { width: number; height: number },
): ViewTransform {
  if (view.scale <= 1) return { scale: view.scale, x: 0, y: 0 };
  const limitX = (viewport.width * (view.scale - 1)) / 2 + viewport.width / 2;
  const limitY = (viewport.height * (view.scale - 1)) / 2 + viewport.height / 2;
  return {
    scale: view.scale,
    x: Math.max(-limitX, Math.min(limitX, view.x + dx)),
    y: Math.max(-limitY, Math.min(limitY, view.y + dy)),
  };
}

/**
 * The scale at which one video pixel is one screen (device) pixel, for a video of
 * videoWidth × videoHeight shown with object-fit: contain in a box of boxWidth × boxHeight CSS px.
 */
export function oneToOneScale(
  video: { width: number; height: number },
  box: { width: number; height: number },
  devicePixelRatio = 1,
): number {
  if (video.width <= 0 || video.height <= 0 || box.width <= 0 || box.height <= 0) return 1;
  const fit = Math.min(box.width / video.width, box.height / video.height);
  return 1 / (fit * devicePixelRatio);
}

export function transformCss(view: ViewTransform): string {
  return `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
}
