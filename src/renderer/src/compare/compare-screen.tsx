/**
 * Compare: finished videos of one prompt from different models, named, in the synced player,
 * two or four at a time. Keys 1–4 choose the best-looking one (highlighted, not stored).
 */
import { dialogOpen, isTyping } from '../commands/shortcuts';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GenerationRecord } from '../../../shared/domain';
import { CloseIcon } from '../components/icons';
import { InlineError, Loading, SimulatedBadge } from '../components/ui';
import { getClient } from '../ipc';
import { formatLatency, formatMoney } from '../lib/format';
import { modelName } from '../lib/models';
import { loadRun } from '../store/actions';
import { useAppStore } from '../store/store';
import { SyncedPlayer } from './synced-player';
import { warmVideos } from './warm-videos';
import {
  GRID_SIZES,
  choiceForKey,
  fillSlots,
  placeInSlot,
  playerCount,
  type GridSize,
} from './compare-layout';

/** The finished videos of one prompt, in the order Compare fills its slots. */
export function comparable(
  generations: readonly GenerationRecord[],
  promptId: string,
): GenerationRecord[] {
  return generations.filter(
    (generation) =>
      generation.promptId === promptId && generation.state === 'succeeded' && generation.media,
  );
}

/** The players are always muted: they load the video track only (faster first frame). */
function mediaSrc(generation: GenerationRecord): string {
  return getClient().mediaUrl(generation.media!.id, { videoOnly: true });
}

/**
 * Opens Compare on a prompt of a loaded run. The first players' videos start loading in this
 * click, before the screen renders (see warm-videos.ts): that is most of the time to their
 * first frame.
 */
export function openCompare(runId: string, promptId: string, back?: 'run' | 'library'): void {
  const state = useAppStore.getState();
  const ready = comparable(state.runDetails[runId]?.generations ?? [], promptId);
  const first = fillSlots(
    [],
    ready.map((generation) => generation.id),
    playerCount(2, ready.length),
  );
  warmVideos(
    first.flatMap((id) => {
      const generation = ready.find((candidate) => candidate.id === id);
      return generation ? [mediaSrc(generation)] : [];
    }),
  );
  // Render in the next task: the elements' load starts first, and the media pipeline runs on
  // its own threads while the screen renders.
  setTimeout(
    () => state.navigate({ screen: 'compare', runId, promptId, ...(back ? { back } : {}) }),
    0,
  );
}

export function CompareScreen({
  runId,
  promptId,
  back = 'run',
}: {
  runId: string;
  promptId: string;
  /** Where Close goes: the run, or the review library the prompt was picked from. */
  back?: 'run' | 'library';
}): ReactElement {
  const ready = useAppStore(
    useShallow((state) => comparable(state.runDetails[runId]?.generations ?? [], promptId)),
  );
  const status = useAppStore((state) => state.runStatus[runId]);
  const hasDetail = useAppStore((state) => Boolean(state.runDetails[runId]));
  const navigate = useAppStore((state) => state.navigate);
  const close = useCallback(() => {
    // The screen it goes back to puts the focus back on this prompt (it fell to the page's body).
    useAppStore.setState({ returnFromCompare: { runId, promptId } });
    navigate(back === 'library' ? { screen: 'review', tab: 'library' } : { screen: 'run', runId });
  }, [navigate, runId, promptId, back]);

  const [grid, setGrid] = useState<GridSize>(2);
  const [picked, setPicked] = useState<string[]>([]);
  const [chosen, setChosen] = useState<number | null>(null);

  useEffect(() => {
    if (!hasDetail) void loadRun(runId);
  }, [hasDetail, runId]);

  const count = playerCount(grid, ready.length);
  const slots = fillSlots(
    picked,
    ready.map((generation) => generation.id),
    count,
  );
  const shown = slots
    .map((id) => ready.find((generation) => generation.id === id))
    .filter((generation): generation is GenerationRecord => generation !== undefined);

  /** Starts the videos a grid of `size` adds to the ones on screen (A and B stay mounted). */
  const warmSlots = (size: GridSize): void => {
    const next = fillSlots(
      picked,
      ready.map((generation) => generation.id),
      playerCount(size, ready.length),
    );
    warmVideos(
      next
        .filter((id) => !slots.includes(id))
        .flatMap((id) => {
          const generation = ready.find((candidate) => candidate.id === id);
          return generation ? [mediaSrc(generation)] : [];
        }),
    );
  };

  // 1–4 choose a player (again to un-choose); g switches between 2-up and 4-up.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      // A dialog (palette, shortcut sheet) has the keyboard; Esc there closes the dialog only.
      if (event.defaultPrevented || dialogOpen()) return;
      if (
        event.key === 'Escape' &&
        !event.altKey &&
        !event.ctrlKey &&
        !event.metaKey &&
        !isTyping(event.target)
      ) {
        event.preventDefault();
        close();
        return;
      }
      const choice = choiceForKey(event, shown.length);
      if (choice !== null) {
        event.preventDefault();
        setChosen((current) => (current === choice ? null : choice));
        return;
      }
      const target = event.target instanceof Element ? event.target : null;
      if (
        (event.key === 'g' || event.key === 'G') &&
        !event.altKey &&
        !event.ctrlKey &&
        !event.metaKey &&
        !target?.closest('input, textarea, select, [contenteditable="true"]') &&
        ready.length > 2
      ) {
        event.preventDefault();
        warmSlots(grid === 2 ? 4 : 2);
        setGrid((current) => (current === 2 ? 4 : 2));
        setChosen(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  let body: ReactElement;
  if (!hasDetail) {
    body =
      status?.kind === 'error' ? (
        <InlineError message={status.message} />
      ) : (
        <Loading label="Loading videos…" />
      );
  } else if (shown.length < 2) {
    body = (
      <InlineError message="This prompt needs two finished videos to compare. Go back and wait for the run, or pick another prompt." />
    );
  } else {
    body = (
      // Not keyed by the slots: going 2-up → 4-up keeps A and B playing where they are and only
      // loads C and D; a swapped slot just changes that player's source.
      <NamedPlayer
        shown={shown}
        candidates={ready}
        chosen={chosen}
        onPick={(slot, id) => {
          setPicked(placeInSlot(slots, slot, id));
          setChosen(null);
        }}
      />
    );
  }

  const prompt = ready[0]?.prompt;
  const chosenGeneration = chosen === null ? undefined : shown[chosen];
  return (
    <div className="page compare-page">
      <header className="compare-header">
        <div className="compare-prompt">
          <h1 className="compare-heading muted small">Compare · prompt</h1>
          <p>{prompt ?? '…'}</p>
        </div>
        {hasDetail && ready.length >= 2 ? (
          <div className="compare-layout">
            <div className="speed-group" role="radiogroup" aria-label="Grid">
              {GRID_SIZES.map((size) => (
                <button
                  key={size}
                  type="button"
                  role="radio"
                  aria-checked={grid === size}
                  className={`speed-button ${grid === size ? 'is-active' : ''}`}
                  disabled={size === 4 && ready.length < 3}
                  title={
                    size === 4 && ready.length < 3
                      ? 'Needs three or more finished videos of this prompt'
                      : 'Switch the grid (g)'
                  }
                  onClick={() => {
                    if (size !== grid) warmSlots(size);
                    setGrid(size);
                    setChosen(null);
                  }}
                  data-testid={`compare-grid-${size}`}
                >
                  {size}-up
                </button>
              ))}
            </div>
            <span className="muted small num" data-testid="compare-available">
              {ready.length} {ready.length === 1 ? 'video' : 'videos'}
            </span>
          </div>
        ) : null}
        <button
          type="button"
          className="button button-secondary"
          onClick={close}
          title="Close (Esc)"
          data-testid="compare-close"
        >
          <CloseIcon width={16} height={16} /> Close
        </button>
      </header>
      {chosenGeneration ? (
        <p className="compare-choice" role="status" data-testid="compare-choice">
          Your pick: <strong>{String.fromCharCode(65 + chosen!)}</strong> ·{' '}
          <ChosenName generation={chosenGeneration} />{' '}
          <span className="muted small">(press {chosen! + 1} again to clear)</span>
        </p>
      ) : null}
      {body}
    </div>
  );
}

function ChosenName({ generation }: { generation: GenerationRecord }): ReactElement {
  const models = useAppStore((state) => state.models);
  return <>{modelName(models, generation)}</>;
}

function NamedPlayer({
  shown,
  candidates,
  chosen,
  onPick,
}: {
  shown: GenerationRecord[];
  candidates: GenerationRecord[];
  chosen: number | null;
  onPick: (slot: number, id: string) => void;
}): ReactElement {
  const models = useAppStore((state) => state.models);
  const caption = (generation: GenerationRecord, slot: number): ReactElement => (
    <>
      {candidates.length > shown.length ? (
        <select
          aria-label={`Video ${String.fromCharCode(65 + slot)}`}
          value={generation.id}
          onChange={(event) => onPick(slot, event.target.value)}
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
        {formatLatency(generation.totalMs)} · {formatMoney(generation.costUsd)}
      </span>
    </>
  );
  return (
    <SyncedPlayer
      sources={shown.map((generation, slot) => ({
        src: mediaSrc(generation),
        caption: caption(generation, slot),
        fps: generation.analysis?.fps ?? null,
      }))}
      chosen={chosen}
      tools
    />
  );
}
