/**
 * Synced player for 2 or 4 videos. Video A is the master clock; a requestAnimationFrame loop
 * keeps every other video on it (see sync.ts). One control bar drives all of them, and zoom and
 * pan are locked across them. Wipe and difference views need exactly two videos. Used by
 * Compare (named models, 2-up or 4-up) and by the blind review (two sides only).
 */
import { dialogOpen } from '../commands/shortcuts';
import * as Slider from '@radix-ui/react-slider';
import {
  Fragment,
  useCallback,
  useEffect,
  useRef,
  useState,
  type ReactElement,
  type PointerEvent as ReactPointerEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import { FrameBackIcon, FrameForwardIcon, PauseIcon, PlayIcon } from '../components/icons';
import { InlineError } from '../components/ui';
import { formatClock } from '../lib/format';
import { clampTime, decideSync, frameLabel, frameRateOf, stepFrame } from './sync';
import { DifferenceCanvas } from './difference-canvas';
import { PlayerVideo } from './player-video';
import {
  FIT,
  NO_LOOP,
  VIEW_MODE_LABELS,
  VIEW_MODES,
  ZOOM_STEP,
  isLoopActive,
  loopSeekTarget,
  nextViewMode,
  oneToOneScale,
  panBy,
  setLoopEnd,
  setLoopStart,
  transformCss,
  zoomTo,
  type LoopRange,
  type ViewMode,
  type ViewTransform,
} from './view-tools';
import './compare-tools.css';

const SPEEDS = [0.25, 0.5, 1, 2] as const;
const SIDES = ['a', 'b', 'c', 'd'] as const;

/** One video of the grid. */
export interface PlayerSource {
  /** Media URL. The first source is the master clock. */
  src: string;
  /** What is shown under the video next to its side letter. */
  caption?: ReactNode;
  /** The clip's frame rate from ffprobe; frame steps use the master's (24 when unknown). */
  fps?: number | null;
}

export function SyncedPlayer({
  sources,
  testIdPrefix = 'compare',
  tools = false,
  chosen = null,
}: {
  /** Two to four videos, shown A, B, C, D; A is the master clock. */
  sources: readonly PlayerSource[];
  /** data-testid prefix: `<prefix>-video-a`, `<prefix>-play`, … */
  testIdPrefix?: string;
  /** Locked zoom and pan and an A-B loop; with two videos also wipe and difference views. */
  tools?: boolean;
  /** Index of the video the viewer picked (highlighted), or null. */
  chosen?: number | null;
}): ReactElement {
  const masterRef = useRef<HTMLVideoElement>(null);
  const followerRef = useRef<HTMLVideoElement>(null);
  const thirdRef = useRef<HTMLVideoElement>(null);
  const fourthRef = useRef<HTMLVideoElement>(null);
  const count = Math.min(4, Math.max(2, sources.length));
  const videoRefs = [masterRef, followerRef, thirdRef, fourthRef].slice(0, count);
  const videoRefsRef = useRef(videoRefs);
  videoRefsRef.current = videoRefs;
  /** Wipe and difference compare exactly two pictures. */
  const pairTools = tools && count === 2;
  const rootRef = useRef<HTMLDivElement>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [speed, setSpeed] = useState<number>(1);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const masterFps = sources[0]?.fps ?? null;
  const fps = frameRateOf(masterFps);
  const fpsRef = useRef(fps);
  fpsRef.current = fps;
  const speedRef = useRef(speed);
  speedRef.current = speed;
  const [mode, setMode] = useState<ViewMode>('side');
  const [view, setView] = useState<ViewTransform>(FIT);
  const [wipe, setWipe] = useState(50);
  const [loop, setLoop] = useState<LoopRange>(NO_LOOP);
  const loopRef = useRef(loop);
  loopRef.current = loop;
  const stageRef = useRef<HTMLDivElement>(null);
  const viewportARef = useRef<HTMLDivElement>(null);
  const dragRef = useRef<{ x: number; y: number; moved: boolean } | null>(null);
  const swallowClickRef = useRef(false);

  /** Every video but the master, in order. Read at call time (refs fill in after render). */
  const followersOf = (): HTMLVideoElement[] =>
    videoRefsRef.current
      .slice(1)
      .map((ref) => ref.current)
      .filter((v): v is HTMLVideoElement => v !== null);

  // The sync loop: runs every frame while playing.
  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const tick = (): void => {
      const master = masterRef.current;
      const followers = followersOf();
      if (master) {
        const loopTarget = loopSeekTarget(loopRef.current, master.currentTime);
        if (loopTarget !== null) {
          master.currentTime = loopTarget;
          for (const follower of followers)
            follower.currentTime = clampTime(loopTarget, follower.duration);
        }
        for (const follower of followers) {
          const action = decideSync({
            masterTime: master.currentTime,
            followerTime: follower.currentTime,
            baseRate: speedRef.current,
            followerDuration: Number.isFinite(follower.duration) ? follower.duration : undefined,
          });
          if (action.kind === 'jump') follower.currentTime = action.currentTime;
          if (Math.abs(follower.playbackRate - action.playbackRate) > 1e-3)
            follower.playbackRate = action.playbackRate;
        }
        setTime(master.currentTime);
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  const videos = (): HTMLVideoElement[] =>
    videoRefsRef.current.map((ref) => ref.current).filter((v): v is HTMLVideoElement => v !== null);

  const play = useCallback(async () => {
    const master = masterRef.current;
    const followers = followersOf();
    if (!master || followers.length === 0) return;
    const loopStart = loopSeekTarget(loopRef.current, master.currentTime);
    if (loopStart !== null) master.currentTime = loopStart;
    else if (master.ended || master.currentTime >= master.duration - 0.01) {
      master.currentTime = 0;
    }
    for (const follower of followers)
      follower.currentTime = Math.min(
        master.currentTime,
        Number.isFinite(follower.duration) ? follower.duration : Infinity,
      );
    const all = [master, ...followers];
    for (const video of all) video.playbackRate = speedRef.current;
    try {
      await Promise.all(all.map((video) => video.play()));
      setPlaying(true);
    } catch {
      for (const video of all) video.pause();
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
      seek(stepFrame(master.currentTime, direction, master.duration, fpsRef.current));
    },
    [pause, seek],
  );

  const toggle = useCallback(() => (playing ? pause() : void play()), [playing, pause, play]);

  const changeSpeed = (value: number): void => {
    setSpeed(value);
    for (const video of videos()) video.playbackRate = value;
  };

  const viewportBox = (): { width: number; height: number } => {
    const box = viewportARef.current?.getBoundingClientRect();
    return { width: box?.width ?? 0, height: box?.height ?? 0 };
  };
  // 1:1 stays 1:1 when the frame's size changes (view mode, window size) until zoom changes.
  const [pixelLock, setPixelLock] = useState(false);
  const zoomBy = useCallback((factor: number, focus?: { x: number; y: number }) => {
    setPixelLock(false);
    setView((current) => zoomTo(current, current.scale * factor, focus));
  }, []);
  const fit = useCallback(() => {
    setPixelLock(false);
    setView(FIT);
  }, []);
  const applyOneToOne = useCallback(() => {
    const master = masterRef.current;
    if (!master) return;
    const scale = oneToOneScale(
      { width: master.videoWidth, height: master.videoHeight },
      viewportBox(),
      window.devicePixelRatio || 1,
    );
    setView((current) => zoomTo(current, scale));
  }, []);
  const oneToOne = useCallback(() => {
    setPixelLock(true);
    applyOneToOne();
  }, [applyOneToOne]);
  useEffect(() => {
    if (!pixelLock) return;
    applyOneToOne();
    window.addEventListener('resize', applyOneToOne);
    return () => window.removeEventListener('resize', applyOneToOne);
  }, [pixelLock, mode, applyOneToOne]);
  const markLoop = useCallback((edge: 'start' | 'end') => {
    const master = masterRef.current;
    if (!master) return;
    setLoop((current) =>
      edge === 'start'
        ? setLoopStart(current, master.currentTime)
        : setLoopEnd(current, master.currentTime, master.duration),
    );
  }, []);
  const clearLoop = useCallback(() => setLoop(NO_LOOP), []);

  // Wheel zoom, about the pointer; a native listener so the page does not scroll.
  useEffect(() => {
    const stage = stageRef.current;
    if (!tools || !stage) return;
    const onWheel = (event: WheelEvent): void => {
      const viewport =
        event.target instanceof Element ? event.target.closest('.compare-viewport') : null;
      if (!viewport) return;
      event.preventDefault();
      const box = viewport.getBoundingClientRect();
      const focus = {
        x: event.clientX - box.left - box.width / 2,
        y: event.clientY - box.top - box.height / 2,
      };
      zoomBy(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, focus);
    };
    stage.addEventListener('wheel', onWheel, { passive: false });
    return () => stage.removeEventListener('wheel', onWheel);
  }, [tools, zoomBy]);

  const onPanStart = (event: ReactPointerEvent<HTMLDivElement>): void => {
    if (!tools || event.button !== 0) return;
    dragRef.current = { x: event.clientX, y: event.clientY, moved: false };
  };
  const onPanMove = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const drag = dragRef.current;
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) event.currentTarget.setPointerCapture(event.pointerId);
    drag.moved = true;
    drag.x = event.clientX;
    drag.y = event.clientY;
    setView((current) => panBy(current, dx, dy, viewportBox()));
  };
  const onPanEnd = (): void => {
    if (dragRef.current?.moved) swallowClickRef.current = true;
    dragRef.current = null;
  };
  const onVideoClick = (): void => {
    if (swallowClickRef.current) {
      swallowClickRef.current = false;
      return;
    }
    toggle();
  };

  // Keyboard: space = play/pause, ←/→ = ±1 s, , and . = one frame.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (dialogOpen()) return;
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
      } else if (pairTools && (event.key === 'w' || event.key === 'W')) {
        event.preventDefault();
        setMode(nextViewMode);
      } else if (tools && (event.key === '+' || event.key === '=')) {
        event.preventDefault();
        zoomBy(ZOOM_STEP);
      } else if (tools && (event.key === '-' || event.key === '_')) {
        event.preventDefault();
        zoomBy(1 / ZOOM_STEP);
      } else if (tools && event.key === '0') {
        event.preventDefault();
        fit();
      } else if (tools && (event.key === '[' || event.key === ']')) {
        event.preventDefault();
        markLoop(event.key === '[' ? 'start' : 'end');
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
  }, [toggle, seek, step, tools, pairTools, zoomBy, fit, markLoop]);

  // Focus for the keyboard once the screen is painted: focus() forces a style and layout pass,
  // which here would run before the players' first frames instead of alongside them.
  useEffect(() => {
    const timer = setTimeout(() => rootRef.current?.focus({ preventScroll: true }), 0);
    return () => clearTimeout(timer);
  }, []);

  const onMasterEnded = (): void => {
    const loopStart = loopSeekTarget(loopRef.current, Number.POSITIVE_INFINITY);
    if (loopStart !== null && playing) {
      seek(loopStart);
      void play();
      return;
    }
    for (const follower of followersOf()) follower.pause();
    setPlaying(false);
    if (masterRef.current) setTime(masterRef.current.duration);
  };

  const transform = transformCss(view);
  const shownMode: ViewMode = pairTools ? mode : 'side';
  const panel = (
    index: number,
    ref: RefObject<HTMLVideoElement | null>,
    src: string,
    caption: ReactNode,
  ): ReactElement => {
    const side = SIDES[index] ?? 'a';
    const isChosen = chosen === index;
    return (
      <figure
        key={side}
        className={`compare-panel compare-panel-${side}${isChosen ? ' is-chosen' : ''}`}
        data-testid={`${testIdPrefix}-panel-${side}`}
        data-chosen={isChosen}
      >
        <PlayerVideo
          className="compare-viewport"
          hostRef={side === 'a' ? viewportARef : undefined}
          style={
            shownMode === 'wipe' && side === 'a'
              ? { clipPath: `inset(0 ${100 - wipe}% 0 0)` }
              : undefined
          }
          onPointerDown={onPanStart}
          onPointerMove={onPanMove}
          onPointerUp={onPanEnd}
          onPointerCancel={onPanEnd}
          videoRef={ref}
          src={src}
          testId={`${testIdPrefix}-video-${side}`}
          transform={tools ? transform : undefined}
          onLoadedMetadata={
            side === 'a'
              ? (video) => setDuration(video.duration)
              : (video) => {
                  // A player added (2-up → 4-up) or given another clip starts where A is, also
                  // while paused; while playing the sync loop keeps it there.
                  const master = masterRef.current;
                  if (master) video.currentTime = clampTime(master.currentTime, video.duration);
                }
          }
          onEnded={side === 'a' ? onMasterEnded : undefined}
          onError={() =>
            setMediaError(
              'A video could not be loaded. It may have been removed from the media folder.',
            )
          }
          onVideoClick={onVideoClick}
        />
        <figcaption className="compare-caption">
          <span className="compare-side">{side.toUpperCase()}</span>
          {caption}
          {isChosen ? <span className="compare-chosen-badge">Your pick</span> : null}
        </figcaption>
      </figure>
    );
  };

  const onWipeDrag = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const box = stageRef.current?.getBoundingClientRect();
    if (!box || box.width <= 0) return;
    setWipe(Math.max(0, Math.min(100, ((event.clientX - box.left) / box.width) * 100)));
  };

  return (
    <div className="compare-player" ref={rootRef} tabIndex={-1} aria-label="Side-by-side player">
      {mediaError ? <InlineError message={mediaError} /> : null}
      {tools ? (
        <div className="compare-toolbar" role="group" aria-label="View">
          {pairTools ? (
            <div className="speed-group" role="radiogroup" aria-label="View mode">
              {VIEW_MODES.map((value) => (
                <button
                  key={value}
                  type="button"
                  role="radio"
                  aria-checked={mode === value}
                  className={`speed-button ${mode === value ? 'is-active' : ''}`}
                  onClick={() => setMode(value)}
                  data-testid={`${testIdPrefix}-mode-${value}`}
                  title="Cycle view modes (w)"
                >
                  {VIEW_MODE_LABELS[value]}
                </button>
              ))}
            </div>
          ) : null}
          <div className="compare-zoom" role="group" aria-label="Zoom, locked across all videos">
            <button
              type="button"
              className="speed-button"
              onClick={() => zoomBy(1 / ZOOM_STEP)}
              aria-label="Zoom out"
              title="Zoom out (-)"
              data-testid={`${testIdPrefix}-zoom-out`}
            >
              −
            </button>
            <span className="num small compare-zoom-level" data-testid={`${testIdPrefix}-zoom`}>
              {Math.round(view.scale * 100)}%
            </span>
            <button
              type="button"
              className="speed-button"
              onClick={() => zoomBy(ZOOM_STEP)}
              aria-label="Zoom in"
              title="Zoom in (+)"
              data-testid={`${testIdPrefix}-zoom-in`}
            >
              +
            </button>
            <button
              type="button"
              className={`speed-button ${pixelLock ? 'is-active' : ''}`}
              aria-pressed={pixelLock}
              onClick={oneToOne}
              title="One video pixel to one screen pixel"
              data-testid={`${testIdPrefix}-zoom-1to1`}
            >
              1:1 pixels
            </button>
            <button
              type="button"
              className="speed-button"
              onClick={fit}
              title="Fit (0)"
              data-testid={`${testIdPrefix}-zoom-fit`}
            >
              Fit
            </button>
          </div>
          <div className="compare-loop" role="group" aria-label="Loop a range">
            <button
              type="button"
              className="speed-button"
              onClick={() => markLoop('start')}
              title="Loop from here ([)"
              data-testid={`${testIdPrefix}-loop-start`}
            >
              [ Loop start
            </button>
            <button
              type="button"
              className="speed-button"
              onClick={() => markLoop('end')}
              title="Loop to here (])"
              data-testid={`${testIdPrefix}-loop-end`}
            >
              Loop end ]
            </button>
            <span className="num small muted" data-testid={`${testIdPrefix}-loop`}>
              {loop.start === null && loop.end === null
                ? 'No loop'
                : `${loop.start === null ? '…' : formatClock(loop.start)} – ${
                    loop.end === null ? '…' : formatClock(loop.end)
                  }${isLoopActive(loop) ? ' (looping)' : ''}`}
            </span>
            {loop.start !== null || loop.end !== null ? (
              <button
                type="button"
                className="speed-button"
                onClick={clearLoop}
                data-testid={`${testIdPrefix}-loop-clear`}
              >
                Clear loop
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
      <div
        className={`compare-grid compare-grid-${count} compare-mode-${shownMode}`}
        ref={stageRef}
        data-testid={`${testIdPrefix}-stage`}
        data-mode={shownMode}
        data-players={count}
      >
        {videoRefs.map((ref, index) =>
          panel(index, ref, sources[index]!.src, sources[index]!.caption),
        )}
        {shownMode === 'difference' ? (
          <div
            className="compare-viewport compare-difference"
            onPointerDown={onPanStart}
            onPointerMove={onPanMove}
            onPointerUp={onPanEnd}
            onPointerCancel={onPanEnd}
          >
            <DifferenceCanvas
              masterRef={masterRef}
              followerRef={followerRef}
              transform={transform}
              onClick={onVideoClick}
              testId={`${testIdPrefix}-difference`}
            />
            <span className="compare-overlay-label">|A − B|</span>
          </div>
        ) : null}
        {shownMode === 'wipe' ? (
          <div
            className="compare-wipe-divider"
            style={{ left: `${wipe}%` }}
            role="slider"
            tabIndex={0}
            aria-label="Wipe position: A is left of it, B right of it"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(wipe)}
            data-testid={`${testIdPrefix}-wipe-divider`}
            onPointerDown={(event) => {
              event.stopPropagation();
              event.currentTarget.setPointerCapture(event.pointerId);
            }}
            onPointerMove={(event) => {
              if (event.currentTarget.hasPointerCapture(event.pointerId)) onWipeDrag(event);
            }}
            onKeyDown={(event) => {
              if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
                event.preventDefault();
                const delta = event.key === 'ArrowLeft' ? -2 : 2;
                setWipe((current) => Math.max(0, Math.min(100, current + delta)));
              }
            }}
          >
            <span className="compare-wipe-handle" aria-hidden="true" />
          </div>
        ) : null}
      </div>
      <div className="control-bar" role="group" aria-label="Playback controls for all videos">
        <button
          type="button"
          className="icon-button control-play"
          onClick={toggle}
          aria-label={playing ? 'Pause all' : 'Play all'}
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
          step={1 / fps}
          value={[Math.min(time, duration || 1)]}
          onValueChange={([value]) => {
            if (value !== undefined) {
              if (playing) pause();
              seek(value);
            }
          }}
          // A named group around the thumb (the real slider): a bare span may not carry a name.
          role="group"
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
        <span
          className="num small muted control-frame"
          data-testid={`${testIdPrefix}-frame`}
          data-fps={fps}
          title={
            masterFps === null
              ? 'The frame rate was not measured (no ffprobe analysis): 24 fps is assumed.'
              : `Frame rate of video A, measured by ffprobe: ${fps} fps.`
          }
        >
          {(() => {
            const { frame, total } = frameLabel(time, duration, fps);
            return (
              <>
                {`frame ${frame}${total === null ? '' : ` / ${total}`}`}
                {/* A narrow window leaves the frame rate to the tooltip. */}
                <span className="control-fps">{` · ${Number(fps.toFixed(3))} fps${masterFps === null ? ' (assumed)' : ''}`}</span>
              </>
            );
          })()}
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
        {hintItems(tools, pairTools, count).map((item, index) => (
          // Each key with its words stays on one line: a narrow window wraps between them.
          <Fragment key={index}>
            {index > 0 ? ' · ' : null}
            <span className="hint-item">{item}</span>
          </Fragment>
        ))}
      </p>
    </div>
  );
}

/** The key hint under the player, one entry per key (or keys) and what it does. */
function hintItems(tools: boolean, pairTools: boolean, count: number): ReactNode[] {
  return [
    <>
      <kbd>Space</kbd> play/pause
    </>,
    <>
      <kbd>←</kbd>/<kbd>→</kbd> 1 s
    </>,
    <>
      <kbd>,</kbd>/<kbd>.</kbd> one frame
    </>,
    ...(tools && pairTools
      ? [
          <>
            <kbd>w</kbd> view mode
          </>,
        ]
      : []),
    ...(tools
      ? [
          <>
            <kbd>+</kbd>/<kbd>-</kbd> zoom
          </>,
          <>
            <kbd>0</kbd> fit
          </>,
          <>
            <kbd>[</kbd>/<kbd>]</kbd> loop
          </>,
        ]
      : []),
    // Esc closes Compare; the blind vote (no tools) has nothing for it to close.
    ...(tools
      ? [
          <>
            <kbd>Esc</kbd> close
          </>,
        ]
      : []),
    <>
      <kbd>?</kbd> all keys
    </>,
    count === 2
      ? 'A is the master clock; B follows it.'
      : 'A is the master clock; the others follow it.',
  ];
}
