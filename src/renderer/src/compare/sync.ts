/**
 * Two-up player sync, as pure math. One master clock (video A); the follower is corrected on
 * every animation frame: within half a frame it plays at the base rate, a small drift is
 * nudged away through playbackRate, a large one is jumped over by setting currentTime.
 */
export const FRAME_RATE = 24;
export const FRAME_SECONDS = 1 / FRAME_RATE;
/** Half a frame at 24 fps: below this the eye cannot tell. */
export const DRIFT_TOLERANCE_SECONDS = 1 / 48;
/** Beyond this a nudge would take too long to catch up: jump instead. */
export const JUMP_THRESHOLD_SECONDS = 0.25;
/** Largest fraction the follower's rate is bent by when nudging (±10 %). */
export const MAX_NUDGE = 0.1;
/** Seconds over which a nudge aims to close the drift. */
const CATCH_UP_SECONDS = 1;

export type SyncAction =
  | { kind: 'none'; playbackRate: number }
  | { kind: 'nudge'; playbackRate: number; drift: number }
  | { kind: 'jump'; currentTime: number; playbackRate: number; drift: number };

export interface SyncInput {
  masterTime: number;
  followerTime: number;
  /** The rate the user chose (0.25, 0.5, 1, 2). */
  baseRate: number;
  /** Follower's duration in seconds, when known: it cannot be placed past its own end. */
  followerDuration?: number;
}

export function decideSync({
  masterTime,
  followerTime,
  baseRate,
  followerDuration,
}: SyncInput): SyncAction {
  const target =
    followerDuration !== undefined && Number.isFinite(followerDuration)
      ? Math.min(masterTime, followerDuration)
      : masterTime;
  const drift = followerTime - target; // > 0: follower is ahead
  const size = Math.abs(drift);
  if (size <= DRIFT_TOLERANCE_SECONDS) return { kind: 'none', playbackRate: baseRate };
  if (size > JUMP_THRESHOLD_SECONDS)
    return { kind: 'jump', currentTime: target, playbackRate: baseRate, drift };
  const bend = Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, drift / CATCH_UP_SECONDS));
  return { kind: 'nudge', playbackRate: baseRate * (1 - bend), drift };
}

/** Where a frame step lands, kept inside [0, duration]. */
export function stepFrame(time: number, direction: 1 | -1, duration: number): number {
  const frame = Math.round(time * FRAME_RATE) + direction;
  const next = frame / FRAME_RATE;
  return clampTime(next, duration);
}

export function clampTime(time: number, duration: number): number {
  const end = Number.isFinite(duration) && duration > 0 ? duration : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(end, time));
}
