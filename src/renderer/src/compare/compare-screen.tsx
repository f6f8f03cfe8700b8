/**
 * Compare: two finished videos of one prompt, named, in the synced player.
 */
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GenerationRecord } from '../../../shared/domain';
import { CloseIcon } from '../components/icons';
import { InlineError, Loading, SimulatedBadge } from '../components/ui';
import { getClient } from '../ipc';
import { formatMsAsSeconds, formatUsd } from '../lib/format';
import { modelName } from '../lib/models';
import { loadRun } from '../store/actions';
import { useAppStore } from '../store/store';
import { SyncedPlayer } from './synced-player';

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
      <NamedPlayer
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

function NamedPlayer({
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
  const client = getClient();
  const caption = (generation: GenerationRecord, side: 'a' | 'b'): ReactElement => (
    <>
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
    </>
  );
  return (
    <SyncedPlayer
      srcA={client.mediaUrl(a.media!.id)}
      srcB={client.mediaUrl(b.media!.id)}
      captionA={caption(a, 'a')}
      captionB={caption(b, 'b')}
      tools
    />
  );
}
