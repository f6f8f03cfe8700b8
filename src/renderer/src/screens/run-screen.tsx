/** One run: header with progress and spend, results grouped by prompt, live from events. */
import { plural } from '../../../shared/format';
import * as Dialog from '@radix-ui/react-dialog';
import * as Tabs from '../components/tabs';
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { GenerationOutcome, GenerationRecord, GenerationState } from '../../../shared/domain';
import { isPaymentRequired } from '../../../shared/errors';
import { BackIcon, CompareIcon } from '../components/icons';
import {
  Badge,
  InlineError,
  Loading,
  PageHeader,
  ProgressBar,
  SimulatedBadge,
  type Tone,
} from '../components/ui';
import { formatDateTime, formatLatency, formatMoney } from '../lib/format';
import { modelName } from '../lib/models';
import { cancelGeneration, cancelRun, loadRun } from '../store/actions';
import { useAppStore } from '../store/store';
import { RUN_STATE } from './benchmarks-screen';
import { openCompare } from '../compare/compare-screen';
import {
  AnalysisDetails,
  ModelProgressList,
  RunSpendSummary,
  timeLeftText,
  useNow,
} from '../bench/run-parts';
import { modelProgress, runRemainingSeconds } from '../bench/run-progress';
import { PosterThumb } from '../bench/poster-thumb';
import { DialogHeader } from '../components/dialog-header';

// The charts (recharts) load only when the Scorecard tab is opened, keeping start-up small.
const ScorecardPanel = lazy(() =>
  import('../bench/scorecard-panel').then((module) => ({ default: module.ScorecardPanel })),
);

const GENERATION_STATE: Record<GenerationState, { label: string; tone: Tone }> = {
  queued: { label: 'Queued', tone: 'neutral' },
  submitting: { label: 'Submitting', tone: 'info' },
  submitted: { label: 'Generating', tone: 'info' },
  downloading: { label: 'Downloading', tone: 'info' },
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

const OUTCOME_LABEL: Record<GenerationOutcome, string> = {
  success: 'Video ready',
  policy_refusal: 'Refused by content policy',
  failure: 'Provider error',
  timeout: 'Timed out',
  bad_output: 'Unusable video',
  cancelled: 'Cancelled',
  skipped_budget: 'Skipped: budget reached',
  skipped_unsupported: 'Skipped: model cannot take this prompt',
  submit_unknown: 'Submission unconfirmed',
  account_refused: 'Account refused',
};

/**
 * The outcome column: a vendor's error is named by its class where that says more than
 * "Provider error" (a 402 needs payment at the vendor, not another try).
 */
function outcomeLabel(generation: GenerationRecord): string | null {
  if (!generation.outcome) return null;
  if (generation.outcome === 'account_refused') {
    // The vendor refused the account, not the prompt.
    if (isPaymentRequired(generation.errorCode, generation.errorMessage)) return 'Payment required';
    return generation.errorCode === 'auth' ? 'API key refused' : OUTCOME_LABEL.account_refused;
  }
  if (generation.outcome === 'failure') {
    if (isPaymentRequired(generation.errorCode, generation.errorMessage)) return 'Payment required';
    if (generation.errorCode === 'quota') return 'Quota or rate limit';
    if (generation.errorCode === 'auth') return 'API key refused';
  }
  return OUTCOME_LABEL[generation.outcome];
}

/** What to tell a person when a generation failed, in plain words. */
function failureText(generation: GenerationRecord): string | null {
  if (generation.state !== 'failed' && generation.outcome !== 'skipped_budget') return null;
  // Failed, refused, timed-out and unusable generations carry the vendor and what to do in
  // their message already (main's generation-advice.ts); these outcomes say it here.
  const hint: Partial<Record<GenerationOutcome, string>> = {
    skipped_budget: 'Not sent, so the run stayed within its budget.',
    skipped_unsupported: 'Not sent and not charged: the model does not take this kind of input.',
    account_refused:
      "Not counted in the model's success rate: the vendor refused the account, not the prompt.",
    submit_unknown:
      'We could not confirm the provider received it; it was not retried to avoid paying twice.',
  };
  const message = generation.errorMessage ?? '';
  const saidAlready =
    generation.outcome === 'submit_unknown' && /not (sent|send it) again/i.test(message);
  const extra = generation.outcome && !saidAlready ? hint[generation.outcome] : undefined;
  return (
    [message, extra].filter(Boolean).join(' ') ||
    'The generation failed without a message from the provider.'
  );
}

const RUNNING: ReadonlySet<GenerationState> = new Set([
  'queued',
  'submitting',
  'submitted',
  'downloading',
]);

interface PromptGroup {
  promptId: string;
  prompt: string;
  category: string;
  generations: GenerationRecord[];
}

export function groupByPrompt(generations: readonly GenerationRecord[]): PromptGroup[] {
  const groups = new Map<string, PromptGroup>();
  for (const generation of generations) {
    let group = groups.get(generation.promptId);
    if (!group) {
      group = {
        promptId: generation.promptId,
        prompt: generation.prompt,
        category: generation.category,
        generations: [],
      };
      groups.set(generation.promptId, group);
    }
    group.generations.push(generation);
  }
  return [...groups.values()];
}

export function RunScreen({ runId }: { runId: string }): ReactElement {
  const detail = useAppStore((state) => state.runDetails[runId]);
  const status = useAppStore((state) => state.runStatus[runId]);
  const navigate = useAppStore((state) => state.navigate);

  useEffect(() => {
    void loadRun(runId);
  }, [runId]);

  const back = (
    <button
      type="button"
      className="icon-button"
      aria-label="Back to benchmarks"
      onClick={() => navigate({ screen: 'benchmarks' })}
    >
      <BackIcon />
    </button>
  );

  if (!detail) {
    return (
      <div className="page">
        <PageHeader leading={back} title="Benchmark run" />
        {status?.kind === 'error' ? (
          <InlineError message={status.message} onRetry={() => void loadRun(runId)} />
        ) : (
          <Loading label="Loading the run…" skeleton="cards" />
        )}
      </div>
    );
  }
  return <RunDetailView runId={runId} back={back} />;
}

function RunDetailView({ runId, back }: { runId: string; back: ReactElement }): ReactElement {
  const run = useAppStore((state) => state.runDetails[runId]!.run);
  const generations = useAppStore((state) => state.runDetails[runId]!.generations);
  const models = useAppStore((state) => state.models);
  const groups = useMemo(() => groupByPrompt(generations), [generations]);
  const simulated = run.models.some((model) => model.provider === 'sandbox');
  const state = RUN_STATE[run.state];
  const running = run.state === 'running';
  const now = useNow(running);
  const progress = useMemo(() => modelProgress(run, generations, now), [run, generations, now]);
  const left = runRemainingSeconds(run, progress, now);
  const [tab, setTab] = useState<'results' | 'scorecard'>('results');

  return (
    <div className="page">
      <PageHeader
        leading={back}
        title={<span className="run-title">{run.name}</span>}
        subtitle={
          <>
            {simulated ? <SimulatedBadge /> : null} {run.suiteName} (v{run.suiteVersion}) ·{' '}
            {run.models.map((model) => modelName(models, model)).join(', ')} · started{' '}
            {formatDateTime(run.createdAt)}
          </>
        }
        actions={run.state === 'running' ? <CancelRunButton runId={run.id} /> : undefined}
      />
      <section className="run-summary" aria-label="Run progress">
        <div className="run-summary-state">
          <Badge tone={state.tone}>{state.label}</Badge>
          {running && run.drivenElsewhere ? (
            <span
              className="muted small"
              data-testid="run-driven-elsewhere"
              title={`Its lease runs until ${formatDateTime(run.drivenElsewhere.expiresAt)} unless that process renews it; if it stops, this console takes the run over.`}
            >
              Driven by another process (pid {run.drivenElsewhere.pid} on {run.drivenElsewhere.host}
              )
            </span>
          ) : null}
        </div>
        <div className="run-summary-progress">
          <div className="run-summary-line">
            <span className="strong num">
              {run.done} of {run.total} done
            </span>
            <span className="small">
              <span className="count-ok">{run.succeeded} succeeded</span> ·{' '}
              <span className={run.failed > 0 ? 'count-bad' : 'muted'}>{run.failed} failed</span>
              {running ? (
                <span className="muted" data-testid="run-time-left">
                  {' '}
                  · {timeLeftText(left, running)}
                </span>
              ) : null}
            </span>
          </div>
          <ProgressBar
            value={run.done}
            max={run.total}
            label={`${run.done} of ${run.total} generations done`}
            tone={run.state === 'running' ? 'info' : 'success'}
            testId="run-progress"
          />
        </div>
        <RunSpendSummary run={run} />
        {run.models.length > 1 || running ? (
          <div className="run-summary-models">
            <ModelProgressList run={run} progress={progress} />
          </div>
        ) : null}
      </section>
      <Tabs.Root
        className="tabs"
        value={tab}
        onValueChange={(value) => setTab(value as 'results' | 'scorecard')}
        activationMode="manual"
      >
        <Tabs.List className="tab-list" aria-label="Run">
          <Tabs.Trigger className="tab" value="results" data-testid="tab-results">
            Results
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="scorecard" data-testid="tab-scorecard">
            Scorecard
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content className="tab-panel" value="results">
          <FilteredResults runId={run.id} groups={groups} />
        </Tabs.Content>
        <Tabs.Content className="tab-panel" value="scorecard">
          {tab === 'scorecard' ? (
            <Suspense fallback={<p className="muted">Loading the scorecard…</p>}>
              <ScorecardPanel run={run} />
            </Suspense>
          ) : null}
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}

function CancelRunButton({ runId }: { runId: string }): ReactElement {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className="button button-danger-outline" data-testid="cancel-run">
        Cancel run
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-narrow" role="alertdialog">
          <DialogHeader>Cancel this run?</DialogHeader>
          <Dialog.Description className="dialog-body">
            Generations still queued or running are stopped. Finished videos and their results are
            kept. Providers may still bill a generation they had already started.
          </Dialog.Description>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary">Keep running</Dialog.Close>
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              data-testid="confirm-cancel-run"
              onClick={() => {
                setBusy(true);
                void cancelRun(runId).finally(() => {
                  setBusy(false);
                  setOpen(false);
                });
              }}
            >
              {busy ? 'Cancelling…' : 'Cancel run'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

type OutcomeFilter = 'all' | 'succeeded' | 'failed' | 'unfinished';

/** Which outcome filter a generation passes: finished videos, failures, or still going. */
export function passesOutcome(generation: GenerationRecord, filter: OutcomeFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'succeeded') return generation.state === 'succeeded';
  if (filter === 'failed') return generation.state === 'failed' || generation.state === 'cancelled';
  return !['succeeded', 'failed', 'cancelled'].includes(generation.state);
}

/** The results with filters by outcome and model, and a compact density. */
function FilteredResults({
  runId,
  groups,
}: {
  runId: string;
  groups: PromptGroup[];
}): ReactElement {
  const models = useAppStore((state) => state.models);
  const [outcome, setOutcome] = useState<OutcomeFilter>('all');
  const [model, setModel] = useState('all');
  const [compact, setCompact] = useState(true);
  const runModels = [
    ...new Set(
      groups.flatMap((group) => group.generations.map((g) => `${g.provider}:${g.modelId}`)),
    ),
  ];
  const shown = groups
    .map((group) => ({
      ...group,
      generations: group.generations.filter(
        (generation) =>
          passesOutcome(generation, outcome) &&
          (model === 'all' || `${generation.provider}:${generation.modelId}` === model),
      ),
    }))
    .filter((group) => group.generations.length > 0);
  const total = groups.reduce((sum, group) => sum + group.generations.length, 0);
  const visible = shown.reduce((sum, group) => sum + group.generations.length, 0);
  return (
    <>
      <div className="results-filters" data-testid="results-filters">
        <label className="rt-inline">
          <span>Outcome</span>
          <select
            value={outcome}
            onChange={(event) => setOutcome(event.target.value as OutcomeFilter)}
            data-testid="results-filter-outcome"
          >
            <option value="all">All</option>
            <option value="succeeded">Succeeded</option>
            <option value="failed">Failed or cancelled</option>
            <option value="unfinished">Still running</option>
          </select>
        </label>
        <label className="rt-inline">
          <span>Model</span>
          <select
            value={model}
            onChange={(event) => setModel(event.target.value)}
            data-testid="results-filter-model"
          >
            <option value="all">All models</option>
            {runModels.map((key) => {
              const cut = key.indexOf(':');
              const ref = {
                provider: key.slice(0, cut) as GenerationRecord['provider'],
                modelId: key.slice(cut + 1),
              };
              return (
                <option key={key} value={key}>
                  {modelName(models, ref)}
                </option>
              );
            })}
          </select>
        </label>
        <label className="check-label">
          <input
            type="checkbox"
            checked={compact}
            onChange={(event) => setCompact(event.target.checked)}
            data-testid="results-compact"
          />{' '}
          Compact
        </label>
        <span className="muted small" data-testid="results-count">
          {visible === total
            ? plural(total, 'generation')
            : `${visible} of ${plural(total, 'generation')}`}
        </span>
      </div>
      {shown.length === 0 ? (
        <p className="muted" data-testid="results-none">
          No generation matches these filters.
        </p>
      ) : (
        <ResultsTable runId={runId} groups={shown} compact={compact} />
      )}
    </>
  );
}

function ResultsTable({
  runId,
  groups,
  compact,
}: {
  runId: string;
  groups: PromptGroup[];
  compact: boolean;
}): ReactElement {
  const table = useRef<HTMLTableElement>(null);
  // Back from Compare: the focus goes to the Compare button of the prompt just watched.
  useEffect(() => {
    const back = useAppStore.getState().returnFromCompare;
    if (!back || back.runId !== runId) return;
    const button = [
      ...(table.current?.querySelectorAll<HTMLElement>('[data-testid="compare-button"]') ?? []),
    ].find((element) => element.dataset.promptId === back.promptId);
    if (!button) return;
    useAppStore.setState({ returnFromCompare: null });
    button.scrollIntoView({ block: 'center' });
    button.focus();
  }, [runId, groups]);
  return (
    <div className="table-wrap results-table-wrap">
      <table
        ref={table}
        className={`table results-table ${compact ? 'is-compact' : ''}`}
        data-testid="results-table"
      >
        {/* Widths in app.css (.results-col-*): a narrow window gives the figures other widths. */}
        <colgroup>
          <col className="results-col-model" />
          <col className="results-col-status" />
          <col className="results-col-outcome" />
          <col span={4} className="results-col-time" />
          <col className="results-col-cost" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Queue
            </th>
            <th scope="col" className="num">
              Generate
            </th>
            <th scope="col" className="num">
              Download
            </th>
            <th scope="col" className="num">
              Total
            </th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        {groups.map((group, index) => {
          const succeeded = group.generations.filter(
            (generation) => generation.state === 'succeeded' && generation.media,
          ).length;
          return (
            <tbody key={group.promptId} className="prompt-group">
              <tr className="prompt-row">
                <th scope="rowgroup" colSpan={8}>
                  <div className="prompt-row-inner">
                    <span className="prompt-index num">{index + 1}</span>
                    <div className="prompt-text">
                      <span>{group.prompt}</span>
                      <span className="muted small">{group.category}</span>
                    </div>
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      data-testid="compare-button"
                      data-prompt-id={group.promptId}
                      disabled={succeeded < 2}
                      title={
                        succeeded < 2
                          ? 'Needs at least two finished videos for this prompt'
                          : 'Watch side by side'
                      }
                      onClick={() => openCompare(runId, group.promptId)}
                    >
                      <CompareIcon width={16} height={16} /> Compare
                    </button>
                  </div>
                </th>
              </tr>
              {group.generations.map((generation) => (
                <GenerationRow key={generation.id} generation={generation} />
              ))}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function GenerationRow({ generation }: { generation: GenerationRecord }): ReactElement {
  const name = useAppStore((state) => modelName(state.models, generation));
  const state = GENERATION_STATE[generation.state];
  const running = RUNNING.has(generation.state);
  const failure = failureText(generation);
  return (
    <>
      <tr
        className={`generation-row ${failure ? 'has-error' : ''}`}
        data-testid="generation-row"
        data-state={generation.state}
        data-outcome={generation.outcome ?? ''}
      >
        <td>
          <div className="model-cell">
            <PosterThumb
              mediaId={generation.state === 'succeeded' ? (generation.media?.id ?? null) : null}
              label={name}
            />
            <span className="model-cell-name">
              <span className="strong">{name}</span>{' '}
              {generation.simulated ? <SimulatedBadge /> : null}
            </span>
          </div>
        </td>
        <td>
          <div className="status-cell">
            <Badge tone={state.tone}>{state.label}</Badge>
            {running && generation.waiting ? (
              <Badge tone="warning" title={generation.waiting}>
                rate limited, waiting
              </Badge>
            ) : null}
            {running ? (
              <>
                <ProgressBar
                  size="sm"
                  value={generation.progress ?? 0}
                  max={1}
                  label={`${name}: ${Math.round((generation.progress ?? 0) * 100)} %`}
                />
                <button
                  type="button"
                  className="link-button small"
                  onClick={() => void cancelGeneration(generation.id, generation.runId)}
                  aria-label={`Cancel the ${name} generation`}
                >
                  Cancel
                </button>
              </>
            ) : null}
          </div>
        </td>
        <td>
          {generation.outcome ? outcomeLabel(generation) : <span className="muted">—</span>}
          {generation.cached ? (
            <Badge
              tone="neutral"
              title="Reused an earlier identical generation; nothing was spent."
            >
              cached
            </Badge>
          ) : null}
        </td>
        <td className="num">{formatLatency(generation.queueMs)}</td>
        <td className="num">{formatLatency(generation.generationMs)}</td>
        <td className="num">{formatLatency(generation.downloadMs)}</td>
        <td className="num strong">{formatLatency(generation.totalMs)}</td>
        <td className="num">{formatMoney(generation.costUsd ?? (running ? null : 0))}</td>
      </tr>
      {generation.state === 'succeeded' && generation.analysis ? (
        <tr className="analysis-row">
          <td />
          <td colSpan={7}>
            <AnalysisDetails analysis={generation.analysis} />
          </td>
        </tr>
      ) : null}
      {failure ? (
        <tr className="error-row">
          <td />
          <td colSpan={7}>
            <span className="error-text">{failure}</span>
          </td>
        </tr>
      ) : null}
    </>
  );
}
