/**
 * A finished video's poster frame in the results list: a small JPEG that main makes with ffmpeg
 * and caches (`mediaUrl(id, { poster: true })`). Loaded lazily, so a long run only fetches the
 * rows scrolled into view; a placeholder of the same size stands in when there is no video yet,
 * or when the frame cannot be had (no ffmpeg, an unreadable file).
 */
import { useState, type ReactElement } from 'react';
import { getClient } from '../ipc';

export function PosterThumb({
  mediaId,
  label,
}: {
  /** The finished video; null while it is running, or when it failed. */
  mediaId: string | null;
  /** Whose video it is, for the image's text alternative. */
  label: string;
}): ReactElement {
  const [failedId, setFailedId] = useState<string | null>(null);
  if (mediaId === null || failedId === mediaId) {
    return (
      <span
        className={`poster-thumb poster-thumb-empty${mediaId ? ' is-unavailable' : ''}`}
        data-testid="poster-placeholder"
        title={mediaId ? 'No preview frame (is ffmpeg installed?)' : undefined}
        aria-hidden="true"
      />
    );
  }
  return (
    <img
      className="poster-thumb"
      data-testid="poster-thumb"
      src={getClient().mediaUrl(mediaId, { poster: true })}
      alt={`First second of the ${label} video`}
      loading="lazy"
      decoding="async"
      width={64}
      height={36}
      onError={() => setFailedId(mediaId)}
    />
  );
}
