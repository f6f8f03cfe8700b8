/**
 * Players started before the screen that shows them has rendered. Most of the time from a
 * click on "Compare" to the first frame is the browser's media pipeline (fetch, demux,
 * decoder set-up), not React; so the click handler creates the video elements at once and the
 * synced player adopts them when it mounts, instead of creating new ones a render later.
 * Elements nobody adopts within a few seconds are released.
 */

const UNCLAIMED_MS = 5_000;
const pool = new Map<string, { video: HTMLVideoElement; timer: ReturnType<typeof setTimeout> }>();

/** A muted, inline player element loading `src` in full (the compare players are never heard). */
export function createPlayerVideo(src: string): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.defaultMuted = true;
  video.playsInline = true;
  video.preload = 'auto';
  video.src = src;
  return video;
}

/** Starts loading `srcs` now, for a player that mounts shortly (see claimVideo). */
export function warmVideos(srcs: readonly string[]): void {
  for (const src of srcs) {
    if (pool.has(src)) continue;
    const video = createPlayerVideo(src);
    const timer = setTimeout(() => {
      if (pool.get(src)?.video !== video) return;
      pool.delete(src);
      releaseVideo(video);
    }, UNCLAIMED_MS);
    pool.set(src, { video, timer });
  }
}

/** The warmed element for `src` if there is one (it leaves the pool), else a new one. */
export function claimVideo(src: string): HTMLVideoElement {
  const entry = pool.get(src);
  if (!entry) return createPlayerVideo(src);
  pool.delete(src);
  clearTimeout(entry.timer);
  return entry.video;
}

/** Stops the download and decoding of an element that is no longer shown. */
export function releaseVideo(video: HTMLVideoElement): void {
  video.pause();
  video.remove();
  video.removeAttribute('src');
  video.load();
}
