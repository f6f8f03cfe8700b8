import * as Tabs from '../components/tabs';
import type { ReactElement } from 'react';
import { SuitesPanel } from '../bench/suites-panel';
import { ImportBundleButton } from '../bench/import-bundle-button';
import type { RunState, RunSummary } from '../../../shared/domain';
import { overBudgetUsd, runSpendFigures } from '../../../shared/bench/run-spend';
import { BenchIcon, PlusIcon, SparkIcon } from '../components/icons';
import {
  Badge,
  EmptyState,
  InlineError,
  Loading,
  PageHeader,
  ProgressBar,
  SimulatedBadge,
  type Tone,
} from '../components/ui';
import { formatDateTime, formatMoney, formatRelativeTime } from '../lib/format';
import { loadRuns } from '../store/actions';
import { useAppStore } from '../store/store';

export const RUN_STATE: Record<RunState, { label: string; tone: Tone }> = {
  running: { label: 'Running', tone: 'info' },
  finished: { label: 'Finished', tone: 'success' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  interrupted: { label: 'Interrupted', tone: 'warning' },
};

function RunListItem({ run }: { run: RunSummary }): ReactElement {
  const navigate = useAppStore((state) => state.navigate);
  const state = RUN_STATE[run.state];
  const simulated = run.models.every((model) => model.provider === 'sandbox');
  const overBudget = overBudgetUsd(runSpendFigures(run));
  return (
    <li>
      <button
        type="button"
        className="run-card"
        data-testid="run-list-item"
        data-state={run.state}
        onClick={() => navigate({ screen: 'run', runId: run.id })}
      >
        <div className="run-card-main">
          <span className="run-card-title strong" title={run.name}>
            {run.name}
          </span>
          <span className="muted small run-card-meta">
            {simulated ? <SimulatedBadge /> : null}
            <span>
              {run.suiteName} · {run.models.length} {run.models.length === 1 ? 'model' : 'models'} ·{' '}
              <time
                dateTime={new Date(run.createdAt).toISOString()}
                title={formatDateTime(run.createdAt)}
              >
                {formatRelativeTime(run.createdAt)}
              </time>
            </span>
          </span>
        </div>
        <div className="run-card-state">
          <Badge tone={state.tone}>{state.label}</Badge>
        </div>
        <div className="run-card-progress">
          <ProgressBar
            value={run.done}
            max={run.total}
            label={`${run.done} of ${run.total} generations done`}
            tone={
              run.state === 'running'
                ? 'info'
                : run.failed > 0 && run.succeeded === 0
                  ? 'danger'
                  : 'success'
            }
          />
          <span className="small muted num">
            {run.done}/{run.total} done
          </span>
        </div>
        <div className="run-card-counts small">
          <span className="count-ok">{run.succeeded} succeeded</span>
          <span className={run.failed > 0 ? 'count-bad' : 'muted'}>{run.failed} failed</span>
        </div>
        <div
          className="run-card-spend small num"
          {...(overBudget > 0
            ? {
                title: `${formatMoney(overBudget)} over the budget: the vendors billed more than estimated`,
              }
            : {})}
        >
          <span className={overBudget > 0 ? 'strong count-bad' : 'strong'}>
            {formatMoney(run.spentUsd)}
          </span>
          <span className="muted"> of {formatMoney(run.budgetUsd)}</span>
          {overBudget > 0 ? (
            <span className="count-bad" data-testid="run-card-over">
              {formatMoney(overBudget)} over
            </span>
          ) : null}
        </div>
      </button>
    </li>
  );
}

export function BenchmarksScreen(): ReactElement {
  const runs = useAppStore((state) => state.runs);
  const status = useAppStore((state) => state.runsStatus);
  const openNewRunDialog = useAppStore((state) => state.openNewRunDialog);
  const tab = useAppStore((state) => state.benchmarksTab);
  const setTab = useAppStore((state) => state.setBenchmarksTab);

  const newButtons = (
    <>
      <ImportBundleButton />
      <button
        type="button"
        className="button button-secondary"
        data-testid="new-sandbox-benchmark"
        onClick={() => openNewRunDialog('sandbox')}
      >
        <SparkIcon /> New sandbox benchmark
      </button>
      <button
        type="button"
        className="button button-primary"
        onClick={() => openNewRunDialog('blank')}
      >
        <PlusIcon /> New benchmark
      </button>
    </>
  );

  return (
    <div className="page">
      <PageHeader
        title="Benchmarks"
        subtitle="Run a suite of prompts through several models and compare speed, cost, failures and the videos themselves."
        actions={runs.length > 0 ? newButtons : undefined}
      />
      <Tabs.Root
        className="tabs"
        value={tab}
        onValueChange={(value) => setTab(value as 'runs' | 'suites')}
        activationMode="manual"
      >
        <Tabs.List className="tab-list" aria-label="Benchmarks">
          <Tabs.Trigger className="tab" value="runs" data-testid="tab-runs">
            Runs
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="suites" data-testid="tab-suites">
            Suites
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content className="tab-panel" value="runs">
          {status.kind === 'error' ? (
            <InlineError message={status.message} onRetry={() => void loadRuns()} />
          ) : status.kind !== 'loaded' ? (
            <Loading label="Loading benchmarks…" skeleton="table" count={5} />
          ) : runs.length === 0 ? (
            <EmptyState
              icon={<BenchIcon />}
              title="No benchmarks yet"
              action={
                <div className="row-actions">
                  <button
                    type="button"
                    className="button button-primary button-large"
                    data-testid="new-sandbox-benchmark"
                    onClick={() => openNewRunDialog('sandbox')}
                  >
                    <SparkIcon /> New sandbox benchmark
                  </button>
                  {/* A run from another console can be brought in before any run here. */}
                  <ImportBundleButton />
                </div>
              }
            >
              <p>
                Start with the <strong>sandbox</strong>: simulated models that run offline, cost
                nothing and need no API key. They behave like real providers — queueing, progress,
                the odd failure — and return real short clips, so you can try every screen before
                spending money.
              </p>
            </EmptyState>
          ) : (
            <ul className="run-list" aria-label="Benchmark runs">
              {runs.map((run) => (
                <RunListItem key={run.id} run={run} />
              ))}
            </ul>
          )}
        </Tabs.Content>
        <Tabs.Content className="tab-panel" value="suites">
          <SuitesPanel />
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
