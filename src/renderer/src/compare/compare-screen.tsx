/**
 * Two-up synced player. Video A is the master clock; a requestAnimationFrame loop keeps B on
 * it (see sync.ts). One control bar drives both.
 */
import * as Slider from '@radix-ui/react-slider';
import { useCallback, useEffect, useRef, useState, type ReactElement, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GenerationRecord } from '../../../shared/domain';
import {
  CloseIcon,
  FrameBackIcon,
  FrameForwardIcon,
  PauseIcon,
  PlayIcon,
} from '../components/icons';
import { InlineError, Loading, SimulatedBadge } from '../components/ui';
import { getClient } from '../ipc';
import { formatClock, formatMsAsSeconds, formatUsd } from '../lib/format';
import { modelName } from '../lib/models';
import { loadRun } from '../store/actions';
import { useAppStore } from '../store/store';
import { clampTime, decideSync, stepFrame } from './sync';

const SPEEDS = [0.25, 0.5, 1, 2] as const;

export function CompareScreen({
  runId,
  promptId,
}: {
  runId: string;
  promptId: string;
}): ReactElement {
  const ready = useAppStore(
    useShallow((state) =>
      (state.runDetails[runId]?.generations ?? []).filter(
        (generation) =>
          generation.promptId === promptId && generation.state === 'succeeded' && generation.media,
      ),
    ),
  );
  const status = useAppStore((state) => state.runStatus[runId]);
  const hasDetail = useAppStore((state) => Boolean(state.runDetails[runId]));
  const navigate = useAppStore((state) => state.navigate);
  const close = useCallback(() => navigate({ screen: 'run', runId }), [navigate, runId]);

  const [pickA, setPickA] = useState<string | null>(null);
  const [pickB, setPickB] = useState<string | null>(null);

  useEffect(() => {
    if (!hasDetail) void loadRun(runId);
  }, [hasDetail, runId]);

  const a = ready.find((generation) => generation.id === pickA) ?? ready[0];
  const b =
    ready.find((generation) => generation.id === pickB && generation.id !== a?.id) ??
    ready.find((g) => g.id !== a?.id);

  let body: ReactElement;
  if (!hasDetail) {
    body =
      status?.kind === 'error' ? (
        <InlineError message={status.message} />
      ) : (
        <Loading label="Loading videos…" />
      );
  } else if (!a || !b) {
    body = (
      <InlineError message="This prompt needs two finished videos to compare. Go back and wait for the run, or pick another prompt." />
    );
  } else {
    body = (
      <SyncedPlayer
        key={`${a.id}|${b.id}`}
        a={a}
        b={b}
        candidates={ready}
        onPickA={setPickA}
        onPickB={setPickB}
      />
    );
  }

  const prompt = ready[0]?.prompt;
  return (
    <div className="page compare-page">
      <header className="compare-header">
        <div className="compare-prompt">
          <span className="muted small">Prompt</span>
          <p>{prompt ?? '…'}</p>
        </div>
        <button
          type="button"
          className="button button-secondary"
          onClick={close}
          data-testid="compare-close"
        >
          <CloseIcon width={16} height={16} /> Close
        </button>
      </header>
      {body}
    </div>
  );
}

function SyncedPlayer({
  a,
  b,
  candidates,
  onPickA,
  onPickB,
}: {
  a: GenerationRecord;
  b: GenerationRecord;
  candidates: GenerationRecord[];
  onPickA: (id: string) => void;
  onPickB: (id: string) => void;
}): ReactElement {
  const models = useAppStore((state) => state.models);
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

  const client = getClient();
  const srcA = client.mediaUrl(a.media!.id);
  const srcB = client.mediaUrl(b.media!.id);

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
      const target = event.target as HTMLElement | null;
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
        !(event.target as HTMLElement | null)?.closest('input, textarea, select')
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
    generation: GenerationRecord,
    side: 'a' | 'b',
    ref: RefObject<HTMLVideoElement | null>,
    src: string,
  ): ReactElement => (
    <figure className="compare-panel">
      <video
        ref={ref}
        src={src}
        muted
        playsInline
        preload="auto"
        data-testid={`compare-video-${side}`}
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
        {candidates.length > 2 ? (
          <select
            aria-label={`Video ${side.toUpperCase()}`}
            value={generation.id}
            onChange={(event) => (side === 'a' ? onPickA : onPickB)(event.target.value)}
          >
            {candidates.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {modelName(models, candidate)}
              </option>
            ))}
          </select>
        ) : (
          <span className="strong">{modelName(models, generation)}</span>
        )}
        {generation.simulated ? <SimulatedBadge /> : null}
        <span className="muted small num compare-stats">
          {formatMsAsSeconds(generation.totalMs)} · {formatUsd(generation.costUsd, 3)}
        </span>
      </figcaption>
    </figure>
  );

  return (
    <div className="compare-player" ref={rootRef} tabIndex={-1} aria-label="Side-by-side player">
      {mediaError ? <InlineError message={mediaError} /> : null}
      <div className="compare-grid">
        {panel(a, 'a', masterRef, srcA)}
        {panel(b, 'b', followerRef, srcB)}
      </div>
      <div className="control-bar" role="group" aria-label="Playback controls for both videos">
        <button
          type="button"
          className="icon-button control-play"
          onClick={toggle}
          aria-label={playing ? 'Pause both' : 'Play both'}
          data-testid="compare-play"
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
          data-testid="compare-seek"
        >
          <Slider.Track className="slider-track">
            <Slider.Range className="slider-range" />
          </Slider.Track>
          <Slider.Thumb className="slider-thumb" aria-label="Position" />
        </Slider.Root>
        <span className="num control-time" aria-live="off" data-testid="compare-time">
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
