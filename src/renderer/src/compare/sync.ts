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

/** The frame rate to step by: the clip's own (from ffprobe) when known, else FRAME_RATE. */
export function frameRateOf(fps: number | null | undefined): number {
  return fps !== null && fps !== undefined && Number.isFinite(fps) && fps > 0 ? fps : FRAME_RATE;
}

/** The frame shown at `time` (0-based), at `fps` frames per second. */
export function frameAt(time: number, fps: number = FRAME_RATE): number {
  if (!Number.isFinite(time) || time <= 0) return 0;
  // A hair of tolerance: 2/30 s is stored as 0.0666…, which must read as frame 2.
  return Math.floor(time * fps + 1e-6);
}

/** Where a frame step lands, kept inside [0, duration], at `fps` frames per second. */
export function stepFrame(
  time: number,
  direction: 1 | -1,
  duration: number,
  fps: number = FRAME_RATE,
): number {
  const frame = Math.round(time * fps) + direction;
  return clampTime(frame / fps, duration);
}

/** "frame 49 of 96": the 1-based frame shown at `time`, and how many the clip has. */
export function frameLabel(
  time: number,
  duration: number,
  fps: number,
): { frame: number; total: number | null } {
  const total = Number.isFinite(duration) && duration > 0 ? Math.round(duration * fps) : null;
  const frame = frameAt(time, fps) + 1;
  return { frame: total === null ? frame : Math.min(frame, total), total };
}

export function clampTime(time: number, duration: number): number {
  const end = Number.isFinite(duration) && duration > 0 ? duration : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(end, time));
}
