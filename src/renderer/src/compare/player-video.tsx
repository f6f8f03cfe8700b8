/**
 * One <video> of the synced player, in its viewport. The element is adopted from
 * warm-videos.ts when the click that opened the screen already started it, so it is managed
 * here rather than rendered by React: React renders the viewport (with no children) and the
 * element is appended to it.
 */
import {
  useCallback,
  useLayoutEffect,
  useRef,
  type HTMLAttributes,
  type ReactElement,
  type RefObject,
} from 'react';
import { claimVideo, releaseVideo } from './warm-videos';

export interface PlayerVideoProps extends Omit<
  HTMLAttributes<HTMLDivElement>,
  'children' | 'onLoadedMetadata' | 'onEnded' | 'onError'
> {
  /** Filled with the viewport (the element that holds the video). */
  hostRef?: RefObject<HTMLDivElement | null> | undefined;
  /** Filled with the element while it is mounted. */
  videoRef: RefObject<HTMLVideoElement | null>;
  src: string;
  testId: string;
  /** CSS transform (locked zoom and pan), or undefined for none. */
  transform?: string | undefined;
  onLoadedMetadata?: ((video: HTMLVideoElement) => void) | undefined;
  onEnded?: (() => void) | undefined;
  onError?: (() => void) | undefined;
  onVideoClick?: (() => void) | undefined;
}

export function PlayerVideo({
  hostRef: outerHostRef,
  videoRef,
  src,
  testId,
  transform,
  onLoadedMetadata,
  onEnded,
  onError,
  onVideoClick: onClick,
  ...host
}: PlayerVideoProps): ReactElement {
  const hostRef = useRef<HTMLDivElement | null>(null);
  const setHost = useCallback(
    (element: HTMLDivElement | null) => {
      hostRef.current = element;
      if (outerHostRef) outerHostRef.current = element;
    },
    [outerHostRef],
  );
  const elementRef = useRef<HTMLVideoElement | null>(null);
  const handlers = useRef({ onLoadedMetadata, onEnded, onError, onClick });
  handlers.current = { onLoadedMetadata, onEnded, onError, onClick };
  const initialSrc = useRef(src);

  useLayoutEffect(() => {
    const viewport = hostRef.current;
    if (!viewport) return;
    const video = claimVideo(initialSrc.current);
    video.setAttribute('data-testid', testId);
    const listeners: [string, () => void][] = [
      ['loadedmetadata', () => handlers.current.onLoadedMetadata?.(video)],
      ['ended', () => handlers.current.onEnded?.()],
      ['error', () => handlers.current.onError?.()],
      ['click', () => handlers.current.onClick?.()],
    ];
    for (const [type, listener] of listeners) video.addEventListener(type, listener);
    viewport.append(video);
    elementRef.current = video;
    videoRef.current = video;
    // A warmed element may be further along than this component: catch up on what it missed.
    if (video.readyState >= HTMLMediaElement.HAVE_METADATA)
      handlers.current.onLoadedMetadata?.(video);
    if (video.error) handlers.current.onError?.();
    return () => {
      for (const [type, listener] of listeners) video.removeEventListener(type, listener);
      if (videoRef.current === video) videoRef.current = null;
      elementRef.current = null;
      releaseVideo(video);
    };
    // Mounted once per panel; src, test id and transform changes are applied below.
  }, []);

  useLayoutEffect(() => {
    const video = elementRef.current;
    if (video && video.getAttribute('src') !== src) video.src = src;
  }, [src]);

  useLayoutEffect(() => {
    elementRef.current?.setAttribute('data-testid', testId);
  }, [testId]);

  useLayoutEffect(() => {
    const video = elementRef.current;
    if (video) video.style.transform = transform ?? '';
  }, [transform]);

  return <div {...host} ref={setHost} />;
}
