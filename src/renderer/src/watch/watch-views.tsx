/**
 * Rollout → Production watch → Views: per tier and provider, volume, success rate, p95 latency,
 * generated seconds and cost over a range, with the config version changes marked on the time
 * axis, and the tier's spend and usage against its budget and quota (from the routing config).
 *
 * Every problem is shown as what it is: an unreachable Prometheus, a query error, a malformed
 * answer or an empty result replaces the chart it affects, never an empty chart that looks
 * fine. Times are UTC, like the budget days.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { formatPercent } from '../../../shared/format';
import type { WatchEnv, WatchSettings } from '../../../shared/watch/watch-settings';
import { SERIES_MEASURES, type SeriesReport } from '../../../shared/watch/watch-types';
import { Badge, InlineError, Loading, ProgressBar } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { ProblemBox } from './watch-problem';
import { sourceText } from './watch-budgets';
import {
  BUDGET_WORDS,
  RANGE_PRESETS,
  budgetAmount,
  budgetPeriod,
  formatInstant,
  layoutProblems,
  markerTolerance,
  parseUtcInput,
  rangeFor,
  versionMarkers,
  type PublishEntry,
  type RangePreset,
  type VersionMarker,
} from './watch-views-format';

// recharts loads only when the views are shown, keeping start-up small (as the scorecard does).
const WatchCharts = lazy(() =>
  import('./watch-charts').then((module) => ({ default: module.WatchCharts })),
);

/** The console's publish history for the environment (markers); a failure keeps the charts. */
type History =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'loaded'; entries: PublishEntry[] };

const MARKER_SOURCE_WORDS: Record<VersionMarker['source'], string> = {
  metrics: 'first seen in the metrics',
  console: 'published from this console; not (yet) seen in the metrics',
  both: 'published from this console and seen in the metrics',
};

/** The markers of the range, in words, under the range line. */
function MarkerList({ markers }: { markers: readonly VersionMarker[] }): ReactElement {
  if (markers.length === 0) return <>none published or first seen in this range</>;
  return (
    <>
      {markers.map((marker) => (
        <span
          key={`${marker.source}-${marker.at}-${marker.version}`}
          data-testid="watch-version-marker"
          data-source={marker.source}
          data-action={marker.action ?? ''}
          className={`wt-version wt-version-${marker.source}${marker.action === 'rollback' ? ' wt-version-rollback' : ''}`}
          title={`${marker.label}: ${MARKER_SOURCE_WORDS[marker.source]}${marker.source === 'both' && marker.seenAt !== null ? ` (metrics from ${formatInstant(marker.seenAt)})` : ''}`}
        >
          {marker.source !== 'console' && marker.previous ? `v${marker.previous} → ` : ''}
          {marker.label} at {formatInstant(marker.at)}
          {marker.source === 'both' ? ' ✓ metrics' : ''}
        </span>
      ))}
    </>
  );
}

type Load =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'loaded'; report: SeriesReport };

function BudgetPanel({ report }: { report: SeriesReport }): ReactElement {
  const { budget } = report;
  return (
    <div className="wt-budget" data-testid="watch-budget">
      <h4>Budget and quota · {budget.tier}</h4>
      {budget.items.length === 0 && budget.problems.length === 0 ? (
        <p className="muted small" data-testid="watch-budget-none">
          No budget or quota is set for {budget.tier}. Set them in the routing config (the
          tier&apos;s Budget in Routing) to see spending against them.
        </p>
      ) : null}
      {budget.from ? (
        <p className="muted small" data-testid="watch-budget-source">
          Limits: {sourceText(budget.from)}
        </p>
      ) : null}
      <ul className="wt-budget-list">
        {budget.items.map((item) => {
          const words = BUDGET_WORDS[item.kind];
          return (
            <li
              key={item.kind}
              data-testid="watch-budget-item"
              data-kind={item.kind}
              data-over={item.over}
            >
              <div className="wt-budget-line">
                <span>
                  {words.label} {budgetPeriod(item.kind, budget.at)}
                </span>
                <span className="num">
                  {item.used === null ? (
                    <Badge tone="warning">unknown: could not be read</Badge>
                  ) : (
                    <>
                      <strong>{budgetAmount(item.used, words.unit)}</strong> of{' '}
                      {budgetAmount(item.limit, words.unit)}
                      {item.fraction !== null ? ` (${formatPercent(item.fraction)})` : ''}{' '}
                      {item.over ? <Badge tone="danger">Over</Badge> : null}
                    </>
                  )}
                </span>
              </div>
              <ProgressBar
                value={Math.min(item.used ?? 0, item.limit)}
                max={item.limit}
                label={`${words.label} against the limit`}
                tone={item.used === null ? 'neutral' : item.over ? 'danger' : 'info'}
                size="sm"
              />
            </li>
          );
        })}
      </ul>
      {budget.problems.map((problem) => (
        <ProblemBox key={`${problem.kind}:${problem.measure ?? ''}`} problem={problem} />
      ))}
    </div>
  );
}

export function WatchViews({
  env,
  settings,
}: {
  env: WatchEnv;
  settings: WatchSettings;
}): ReactElement {
  const tiers = settings.tiers.map((tier) => tier.tier);
  const [tier, setTier] = useState<string>(tiers[0] ?? '');
  const [provider, setProvider] = useState('all');
  const [preset, setPreset] = useState<RangePreset>('24h');
  const [endText, setEndText] = useState('');
  const [load, setLoad] = useState<Load>({ kind: 'idle' });
  const [history, setHistory] = useState<History>({ kind: 'loading' });
  const request = useRef(0);
  const configured = settings.environments[env] !== undefined;
  const end = endText === '' ? null : parseUtcInput(endText);
  const endInvalid = endText !== '' && end === null;
  const currentTier = tiers.includes(tier) ? tier : (tiers[0] ?? '');

  const fetchSeries = useCallback(async (): Promise<void> => {
    if (!configured || currentTier === '' || endInvalid) return;
    const id = ++request.current;
    const { from, to } = rangeFor(preset, end ?? Date.now());
    setLoad({ kind: 'loading' });
    try {
      const report = await getClient().invoke('watch:get-series', {
        tier: currentTier,
        from,
        to,
        env,
      });
      if (id === request.current) setLoad({ kind: 'loaded', report });
    } catch (error) {
      if (id === request.current) setLoad({ kind: 'error', message: describeError(error) });
    }
  }, [configured, currentTier, endInvalid, preset, end, env]);

  useEffect(() => {
    void fetchSeries();
  }, [fetchSeries]);

  // The console's own publishes in this environment, kept fresh as it publishes.
  const fetchHistory = useCallback(async (): Promise<void> => {
    try {
      const entries = await getClient().invoke('publish:list-history', {
        environment: env,
        limit: 5000,
      });
      setHistory({ kind: 'loaded', entries });
    } catch (error) {
      setHistory({ kind: 'error', message: describeError(error) });
    }
  }, [env]);
  useEffect(() => {
    if (!configured) return undefined;
    void fetchHistory();
    return getClient().on('publish:state-changed', () => void fetchHistory());
  }, [configured, fetchHistory]);

  if (!configured)
    return (
      <div className="wt-views" data-testid="watch-views" data-state="not_configured">
        <h3>Views</h3>
        <p className="muted small">Charts appear once a Prometheus URL is saved for {env}.</p>
      </div>
    );
  if (tiers.length === 0)
    return (
      <div className="wt-views" data-testid="watch-views" data-state="no_tiers">
        <h3>Views</h3>
        <p className="muted small">
          Add a tier above (its name is the <code>tier</code> label in production&apos;s metrics)
          and save to chart it.
        </p>
      </div>
    );

  const report = load.kind === 'loaded' ? load.report : null;
  const markers = report
    ? versionMarkers(
        report.configChanges,
        history.kind === 'loaded' ? history.entries : [],
        env,
        report.from,
        report.to,
        markerTolerance(report.stepSeconds),
      )
    : [];
  const providers = report ? [...new Set(report.targets.map((t) => t.provider))].sort() : [];
  const problems = report ? layoutProblems(report, SERIES_MEASURES) : null;
  // The daily budget line: the routing config's, as the report read it.
  const dailyBudgetUsd =
    report?.budget.items.find((item) => item.kind === 'daily_usd')?.limit ?? null;
  const state =
    load.kind !== 'loaded'
      ? load.kind
      : problems && problems.blocking.length > 0
        ? 'problem'
        : 'charts';

  return (
    <div className="wt-views" data-testid="watch-views" data-state={state}>
      <h3>Views ({env})</h3>
      <div className="wt-view-controls">
        <div className="field">
          <label htmlFor="watch-view-tier">Tier</label>
          <select
            id="watch-view-tier"
            data-testid="watch-view-tier"
            value={currentTier}
            onChange={(event) => {
              setTier(event.target.value);
              setProvider('all');
            }}
          >
            {tiers.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="watch-view-provider">Provider</label>
          <select
            id="watch-view-provider"
            data-testid="watch-view-provider"
            value={providers.includes(provider) ? provider : 'all'}
            onChange={(event) => setProvider(event.target.value)}
            disabled={providers.length === 0}
          >
            <option value="all">All providers</option>
            {providers.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <span className="field-label" id="watch-view-range-label">
            Range
          </span>
          <div className="wt-segmented" role="group" aria-labelledby="watch-view-range-label">
            {RANGE_PRESETS.map((item) => (
              <button
                key={item.id}
                type="button"
                className={`button button-small ${preset === item.id ? 'button-primary' : 'button-secondary'}`}
                aria-pressed={preset === item.id}
                data-testid={`watch-view-range-${item.id}`}
                onClick={() => setPreset(item.id)}
              >
                {item.label}
              </button>
            ))}
          </div>
        </div>
        <div className="field">
          <label htmlFor="watch-view-end">Ending (UTC)</label>
          <div className="wt-end">
            <input
              id="watch-view-end"
              data-testid="watch-view-end"
              type="datetime-local"
              value={endText}
              aria-invalid={endInvalid ? true : undefined}
              onChange={(event) => setEndText(event.target.value)}
            />
            <button
              type="button"
              className="button button-secondary button-small"
              disabled={endText === ''}
              onClick={() => setEndText('')}
              title="End the range now"
            >
              Now
            </button>
          </div>
          {endInvalid ? (
            <span className="error-text">must be a date and time, or empty for now</span>
          ) : null}
        </div>
        <button
          type="button"
          className="button button-secondary wt-refresh"
          data-testid="watch-view-refresh"
          disabled={load.kind === 'loading'}
          onClick={() => void fetchSeries()}
        >
          {load.kind === 'loading' ? 'Loading…' : 'Refresh'}
        </button>
      </div>

      {report ? (
        <>
          <p className="muted small" data-testid="watch-view-range">
            {formatInstant(report.from)} to {formatInstant(report.to)}
            {end === null ? ' (now)' : ''}
          </p>
          <p className="small wt-markers" data-testid="watch-markers">
            <span className="muted">Config versions: </span>
            <MarkerList markers={markers} />
          </p>
        </>
      ) : null}
      {report && history.kind === 'error' ? (
        <p className="muted small" data-testid="watch-history-problem">
          The console&apos;s publish history could not be read, so only the versions seen in the
          metrics are marked: {history.message}
        </p>
      ) : null}

      {load.kind === 'loading' || load.kind === 'idle' ? (
        <Loading label="Reading the series from Prometheus…" />
      ) : null}
      {load.kind === 'error' ? (
        <InlineError message={load.message} onRetry={() => void fetchSeries()} />
      ) : null}
      {report && problems ? (
        <>
          {problems.blocking.map((problem) => (
            <ProblemBox key={`${problem.kind}:${problem.message}`} problem={problem} />
          ))}
          {problems.versions ? (
            <ProblemBox
              problem={{
                ...problems.versions,
                message: `Config version markers are missing: ${problems.versions.message}`,
              }}
            />
          ) : null}
          {problems.blocking.length === 0 ? (
            <Suspense fallback={<Loading label="Loading the charts…" />}>
              <WatchCharts
                report={report}
                provider={providers.includes(provider) ? provider : 'all'}
                problems={problems}
                markers={markers}
                dailyBudgetUsd={dailyBudgetUsd}
              />
            </Suspense>
          ) : null}
          <BudgetPanel report={report} />
        </>
      ) : null}
    </div>
  );
}
