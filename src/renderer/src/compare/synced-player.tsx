/**
 * Two-up synced player. Video A is the master clock; a requestAnimationFrame loop keeps B on
 * it (see sync.ts). One control bar drives both. Used by Compare (named models) and by the
 * blind review (sides only).
 */
import * as Slider from '@radix-ui/react-slider';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type ReactElement,
  type ReactNode,
  type RefObject,
} from 'react';
import { FrameBackIcon, FrameForwardIcon, PauseIcon, PlayIcon } from '../components/icons';
import { InlineError } from '../components/ui';
import { formatClock } from '../lib/format';
import { clampTime, decideSync, stepFrame } from './sync';

const SPEEDS = [0.25, 0.5, 1, 2] as const;

export function SyncedPlayer({
  srcA,
  srcB,
  captionA,
  captionB,
  testIdPrefix = 'compare',
}: {
  /** Media URLs; A is the master clock. */
  srcA: string;
  srcB: string;
  /** What is shown under each video next to its side letter. */
  captionA?: ReactNode;
  captionB?: ReactNode;
  /** data-testid prefix: `<prefix>-video-a`, `<prefix>-play`, … */
  testIdPrefix?: string;
}): ReactElement {
  const masterRef = useRef<HTMLVideoElement>(null);
  const followerRef = useRef<HTMLVideoElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [speed, setSpeed] = useState<number>(1);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const speedRef = useRef(speed);
  speedRef.current = speed;

  // The sync loop: runs every frame while playing.
  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const tick = (): void => {
      const master = masterRef.current;
      const follower = followerRef.current;
      if (master && follower) {
        const action = decideSync({
          masterTime: master.currentTime,
          followerTime: follower.currentTime,
          baseRate: speedRef.current,
          followerDuration: Number.isFinite(follower.duration) ? follower.duration : undefined,
        });
        if (action.kind === 'jump') follower.currentTime = action.currentTime;
        if (Math.abs(follower.playbackRate - action.playbackRate) > 1e-3)
          follower.playbackRate = action.playbackRate;
        setTime(master.currentTime);
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  const videos = (): HTMLVideoElement[] =>
    [masterRef.current, followerRef.current].filter((v): v is HTMLVideoElement => v !== null);

  const play = useCallback(async () => {
    const master = masterRef.current;
    const follower = followerRef.current;
    if (!master || !follower) return;
    if (master.ended || master.currentTime >= master.duration - 0.01) {
      master.currentTime = 0;
      follower.currentTime = 0;
    }
    follower.currentTime = Math.min(
      master.currentTime,
      Number.isFinite(follower.duration) ? follower.duration : Infinity,
    );
    master.playbackRate = speedRef.current;
    follower.playbackRate = speedRef.current;
    try {
      await Promise.all([master.play(), follower.play()]);
      setPlaying(true);
    } catch {
      master.pause();
      follower.pause();
      setMediaError(
        'The videos could not be played. They may still be loading; try again in a moment.',
      );
    }
  }, []);

  const pause = useCallback(() => {
    for (const video of videos()) video.pause();
    setPlaying(false);
    if (masterRef.current) setTime(masterRef.current.currentTime);
  }, []);

  const seek = useCallback((target: number) => {
    const master = masterRef.current;
    if (!master) return;
    const next = clampTime(target, master.duration);
    for (const video of videos()) video.currentTime = clampTime(next, video.duration);
    setTime(next);
  }, []);

  const step = useCallback(
    (direction: 1 | -1) => {
      const master = masterRef.current;
      if (!master) return;
      pause();
      seek(stepFrame(master.currentTime, direction, master.duration));
    },
    [pause, seek],
  );

  const toggle = useCallback(() => (playing ? pause() : void play()), [playing, pause, play]);

  const changeSpeed = (value: number): void => {
    setSpeed(value);
    for (const video of videos()) video.playbackRate = value;
  };

  // Keyboard: space = play/pause, ←/→ = ±1 s, , and . = one frame.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const inSlider = Boolean(target?.closest('[role="slider"]'));
      if (event.key === ' ') {
        event.preventDefault();
        toggle();
      } else if ((event.key === 'ArrowLeft' || event.key === 'ArrowRight') && !inSlider) {
        event.preventDefault();
        const master = masterRef.current;
        if (master) seek(master.currentTime + (event.key === 'ArrowLeft' ? -1 : 1));
      } else if (event.key === ',' || event.key === '.') {
        event.preventDefault();
        step(event.key === ',' ? -1 : 1);
      }
    };
    // Space on a focused button would also "click" it on keyup: swallow that.
    const onKeyUp = (event: KeyboardEvent): void => {
      if (
        event.key === ' ' &&
        !(event.target instanceof Element && event.target.closest('input, textarea, select'))
      )
        event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, [toggle, seek, step]);

  useEffect(() => {
    rootRef.current?.focus();
  }, []);

  const onMasterEnded = (): void => {
    followerRef.current?.pause();
    setPlaying(false);
    if (masterRef.current) setTime(masterRef.current.duration);
  };

  const panel = (
    side: 'a' | 'b',
    ref: RefObject<HTMLVideoElement | null>,
    src: string,
    caption: ReactNode,
  ): ReactElement => (
    <figure className="compare-panel">
      <video
        ref={ref}
        src={src}
        muted
        playsInline
        preload="auto"
        data-testid={`${testIdPrefix}-video-${side}`}
        onLoadedMetadata={
          side === 'a' ? (event) => setDuration(event.currentTarget.duration) : undefined
        }
        onEnded={side === 'a' ? onMasterEnded : undefined}
        onError={() =>
          setMediaError(
            'A video could not be loaded. It may have been removed from the media folder.',
          )
        }
        onClick={toggle}
      />
      <figcaption className="compare-caption">
        <span className="compare-side">{side.toUpperCase()}</span>
        {caption}
      </figcaption>
    </figure>
  );

  return (
    <div className="compare-player" ref={rootRef} tabIndex={-1} aria-label="Side-by-side player">
      {mediaError ? <InlineError message={mediaError} /> : null}
      <div className="compare-grid">
        {panel('a', masterRef, srcA, captionA)}
        {panel('b', followerRef, srcB, captionB)}
      </div>
      <div className="control-bar" role="group" aria-label="Playback controls for both videos">
        <button
          type="button"
          className="icon-button control-play"
          onClick={toggle}
          aria-label={playing ? 'Pause both' : 'Play both'}
          data-testid={`${testIdPrefix}-play`}
          data-playing={playing}
        >
          {playing ? <PauseIcon /> : <PlayIcon />}
        </button>
        <button
          type="button"
          className="icon-button"
          onClick={() => step(-1)}
          aria-label="Previous frame"
          title="Previous frame (,)"
        >
          <FrameBackIcon />
        </button>
        <button
          type="button"
          className="icon-button"
          onClick={() => step(1)}
          aria-label="Next frame"
          title="Next frame (.)"
        >
          <FrameForwardIcon />
        </button>
        <Slider.Root
          className="slider"
          min={0}
          max={duration > 0 ? duration : 1}
          step={1 / 24}
          value={[Math.min(time, duration || 1)]}
          onValueChange={([value]) => {
            if (value !== undefined) {
              if (playing) pause();
              seek(value);
            }
          }}
          aria-label="Seek"
          data-testid={`${testIdPrefix}-seek`}
        >
          <Slider.Track className="slider-track">
            <Slider.Range className="slider-range" />
          </Slider.Track>
          <Slider.Thumb className="slider-thumb" aria-label="Position" />
        </Slider.Root>
        <span className="num control-time" aria-live="off" data-testid={`${testIdPrefix}-time`}>
          {formatClock(time)} / {formatClock(duration)}
        </span>
        <div className="speed-group" role="radiogroup" aria-label="Speed">
          {SPEEDS.map((value) => (
            <button
              key={value}
              type="button"
              role="radio"
              aria-checked={speed === value}
              className={`speed-button ${speed === value ? 'is-active' : ''}`}
              onClick={() => changeSpeed(value)}
            >
              {value}×
            </button>
          ))}
        </div>
      </div>
      <p className="muted small keyboard-hint">
        <kbd>Space</kbd> play/pause · <kbd>←</kbd>/<kbd>→</kbd> 1 s · <kbd>,</kbd>/<kbd>.</kbd> one
        frame · A is the master clock; B follows it.
      </p>
    </div>
  );
}
