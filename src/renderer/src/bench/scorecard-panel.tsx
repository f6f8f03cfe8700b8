/**
 * The Scorecard tab of a run: a table with one column per model, three charts (outcomes,
 * latency per phase, cost per successful second), a category filter, CSV/JSON export and a
 * comparison with another finished run.
 */
import { formatLatency, formatMoney, formatPercent } from '../../../shared/format';
import * as Dialog from '@radix-ui/react-dialog';
import * as Tooltip from '@radix-ui/react-tooltip';
import { TooltipRoot } from '../components/tooltip-root';
import { useEffect, useId, useMemo, useState, type ReactElement } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  Legend,
  Rectangle,
  ResponsiveContainer,
  Tooltip as ChartTooltip,
  XAxis,
  YAxis,
} from '../components/recharts';
import type { ScorecardLineView } from '../../../shared/bench/scorecard-schema';
import type { RunSummary } from '../../../shared/domain';
import type { ChannelOutput } from '../../../shared/ipc/contract';
import type { ProviderId } from '../../../shared/providers/video-provider-spec';
import { CompareIcon, DownloadIcon, InfoIcon } from '../components/icons';
import { Badge, InlineError, Loading } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { formatDateTime } from '../lib/format';
import { modelName } from '../lib/models';
import { notify } from '../store/actions';
import { exportRun } from '../store/bench-actions';
import { useAppStore } from '../store/store';
import { CATEGORY_LABELS } from './suite-form';
import './compare-runs.css';
import {
  AXIS_TICK,
  ChartCard,
  LEGEND_STYLE,
  LegendToggles,
  OUTCOME_COLORS,
  roundAxis,
  SERIES_COLORS,
  TexturePattern,
  textureFill,
  TextureSwatch,
  TICK_FORMAT,
  TOOLTIP_STYLE,
  useChartImage,
  useCardSeries,
  yAxisTitle,
} from '../components/chart-kit';
import {
  OUTCOME_NAMES,
  RATED_OUTCOMES,
  changeMetricName,
  costChartData,
  costChartText,
  latencyChartText,
  outcomeChartText,
  formatChangeValue,
  latencyChartData,
  modelMark,
  NO_DATA,
  outcomeChartData,
  scorecardCategories,
  scorecardSections,
} from './scorecard-format';
import { DialogHeader } from '../components/dialog-header';

type Scorecard = ChannelOutput<'bench:get-scorecard'>;
type Comparison = ChannelOutput<'bench:compare-runs-detail'>;

const MODEL_COLORS = SERIES_COLORS;
const CHART_HEIGHT = 240;

function categoryName(category: string): string {
  return CATEGORY_LABELS[category as keyof typeof CATEGORY_LABELS] ?? category;
}

export function ScorecardPanel({ run }: { run: RunSummary }): ReactElement {
  const models = useAppStore((state) => state.models);
  const [scorecard, setScorecard] = useState<Scorecard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [category, setCategory] = useState('');
  const [reload, setReload] = useState(0);
  const [other, setOther] = useState<RunSummary | null>(null);

  // Re-read when generations finish (done changes) or the run ends.
  useEffect(() => {
    let stale = false;
    getClient()
      .invoke('bench:get-scorecard', { runId: run.id })
      .then((value) => {
        if (stale) return;
        setScorecard(value);
        setError(null);
      })
      .catch((cause: unknown) => {
        if (!stale) setError(describeError(cause));
      });
    return () => {
      stale = true;
    };
  }, [run.id, run.done, run.state, reload]);

  const categories = useMemo(
    () => (scorecard ? scorecardCategories(scorecard.models) : []),
    [scorecard],
  );
  const lines: ScorecardLineView[] = useMemo(() => {
    if (!scorecard) return [];
    return scorecard.models.flatMap((model) => {
      if (!category) return [model.overall];
      const line = model.categories.find((entry) => entry.category === category);
      return line ? [line] : [];
    });
  }, [scorecard, category]);
  const names = lines.map((line) =>
    modelName(models, { provider: line.provider as ProviderId, modelId: line.modelId }),
  );

  if (error && !scorecard) {
    return <InlineError message={error} onRetry={() => setReload((n) => n + 1)} />;
  }
  if (!scorecard) return <Loading label="Working out the scorecard…" skeleton="cards" count={3} />;

  return (
    <div className="scorecard" data-testid="scorecard">
      <div className="review-toolbar">
        <label className="inline-field">
          <span className="muted small">Category</span>
          <select
            value={category}
            onChange={(event) => setCategory(event.target.value)}
            data-testid="scorecard-category"
          >
            <option value="">All categories</option>
            {categories.map((entry) => (
              <option key={entry} value={entry}>
                {categoryName(entry)}
              </option>
            ))}
          </select>
        </label>
        {run.state === 'running' ? (
          <span className="muted small">Still running: figures update as generations finish.</span>
        ) : null}
        <span className="toolbar-spacer" />
        <ExportButtons runId={run.id} />
        <CompareRunPicker run={run} onPick={setOther} />
      </div>
      {other ? (
        <ComparisonResult key={other.id} run={run} other={other} onClose={() => setOther(null)} />
      ) : null}

      {lines.length === 0 ? (
        <p className="muted">No generations in this category.</p>
      ) : (
        <div className="scorecard-body">
          <ScorecardTable lines={lines} names={names} />
          <div className="chart-grid">
            <ChartCard
              title="Outcomes"
              subtitle="Share of finished generations, by how they ended"
              testId="chart-outcomes"
              viewKey="scorecard-outcomes"
              {...outcomeChartText(lines, names)}
            >
              <OutcomeChart lines={lines} names={names} />
            </ChartCard>
            <ChartCard
              title="Latency per phase"
              subtitle="Solid to the median (p50), hatched on to p95; a bar's number is its model"
              testId="chart-latency"
              viewKey="scorecard-latency"
              {...latencyChartText(lines, names)}
            >
              <LatencyChart lines={lines} names={names} />
            </ChartCard>
            <ChartCard
              title="Cost per successful second"
              subtitle="Everything spent ÷ seconds of video that worked"
              testId="chart-cost"
              viewKey="scorecard-cost"
              {...costChartText(lines, names)}
            >
              <CostChart lines={lines} names={names} />
            </ChartCard>
          </div>
        </div>
      )}
    </div>
  );
}

export function ScorecardTable({
  lines,
  names,
}: {
  lines: readonly ScorecardLineView[];
  names: readonly string[];
}): ReactElement {
  const sections = scorecardSections(lines);
  return (
    <div className="table-wrap">
      <table className="table scorecard-table" data-testid="scorecard-table">
        <thead>
          <tr>
            <th scope="col">Measure</th>
            {names.map((name, index) => (
              <th key={`${name}-${index}`} scope="col" className="num">
                <span className="legend-swatch" style={{ background: MODEL_COLORS[index % 6] }} />
                <span
                  className="series-mark"
                  aria-hidden="true"
                  title="This model's number on the charts"
                >
                  {modelMark(index)}
                </span>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        {sections.map((section) => (
          <tbody key={section.title}>
            <tr className="scorecard-section">
              <th scope="rowgroup" colSpan={names.length + 1}>
                {section.title}
              </th>
            </tr>
            {section.rows.map((row) => (
              <tr key={row.key} data-testid={`scorecard-row-${row.key}`}>
                <th scope="row" className="scorecard-label">
                  {row.label}
                  {row.hint ? <Hint text={row.hint} /> : null}
                </th>
                {row.values.map((value, index) => (
                  <td
                    key={index}
                    className={`num ${row.best === index ? 'is-best' : ''}`}
                    title={row.best === index ? 'Best of these models' : undefined}
                  >
                    {value}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

function Hint({ text }: { text: string }): ReactElement {
  return (
    <TooltipRoot>
      <Tooltip.Trigger asChild>
        <button type="button" className="hint-trigger" aria-label={text}>
          <InfoIcon width={13} height={13} />
        </button>
      </Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className="tooltip" side="top" sideOffset={4}>
          {text}
          <Tooltip.Arrow className="tooltip-arrow" />
        </Tooltip.Content>
      </Tooltip.Portal>
    </TooltipRoot>
  );
}

function OutcomeChart({
  lines,
  names,
}: {
  lines: readonly ScorecardLineView[];
  names: readonly string[];
}): ReactElement {
  const data = outcomeChartData(lines, names);
  const series = useCardSeries();
  const image = useChartImage();
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
      <BarChart {...image} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 4 }}>
        <CartesianGrid stroke="var(--color-border)" vertical={false} />
        <XAxis dataKey="model" tick={AXIS_TICK} tickLine={false} interval={0} />
        <YAxis
          domain={[0, 100]}
          ticks={[0, 25, 50, 75, 100]}
          tickFormatter={TICK_FORMAT.percent}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          label={yAxisTitle('Share of rated generations')}
        />
        <ChartTooltip
          contentStyle={TOOLTIP_STYLE}
          cursor={{ fill: 'var(--color-surface-sunken)' }}
          formatter={(value) => formatPercent(typeof value === 'number' ? value / 100 : null)}
        />
        <Legend
          wrapperStyle={LEGEND_STYLE}
          iconSize={10}
          itemSorter={null}
          formatter={series.legendText}
          onClick={series.onLegendClick}
        />
        {RATED_OUTCOMES.map((outcome) => (
          <Bar
            key={outcome}
            hide={series.hidden.has(outcome)}
            dataKey={outcome}
            name={OUTCOME_NAMES[outcome]}
            stackId="outcomes"
            fill={OUTCOME_COLORS[outcome]}
            maxBarSize={56}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/**
 * Latency per phase: per model one bar, solid up to the median (p50) and hatched on up to p95
 * (the review latency chart's textures, in the model's colour), its number over it and again by
 * its name in the legend and the table, so neither the models nor p50/p95 are told apart by
 * colour or opacity alone (WCAG 1.4.1).
 */
function LatencyChart({
  lines,
  names,
}: {
  lines: readonly ScorecardLineView[];
  names: readonly string[];
}): ReactElement {
  const data = latencyChartData(lines);
  const series = useCardSeries();
  const image = useChartImage();
  // Pattern ids unique to this chart (useId's colons do not belong in a url(#...) reference).
  const patterns = `scorecard-latency-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const colorOf = (index: number): string => MODEL_COLORS[index % 6] ?? 'var(--chart-1)';
  const seconds = (value: unknown): string =>
    typeof value === 'number' ? formatLatency(value * 1000) : NO_DATA;
  // The p50 to p95 part draws a 1 px cap where p95 = p50, so the bar still ends visibly; a
  // model with no time for the phase (or a zero) gets no cap: its label says so instead.
  const capOf =
    (index: number) =>
    (_value: unknown, at: number): number => {
      const p50 = data[at]?.[`m${index}_p50`];
      return typeof p50 === 'number' && p50 > 0 ? 1 : 0;
    };
  return (
    <>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <BarChart
          {...image}
          data={data}
          margin={{ top: 18, right: 8, bottom: 0, left: 4 }}
          barGap={2}
        >
          <defs>
            {names.map((_, index) => (
              <TexturePattern
                key={index}
                id={`${patterns}-m${index}`}
                texture="hatch-up"
                color={colorOf(index)}
              />
            ))}
            <TexturePattern
              id={`${patterns}-key`}
              texture="hatch-up"
              color="var(--color-text-muted)"
            />
          </defs>
          <CartesianGrid stroke="var(--color-border)" vertical={false} />
          <XAxis dataKey="phase" tick={AXIS_TICK} tickLine={false} interval={0} />
          <YAxis
            tickFormatter={TICK_FORMAT.seconds}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            width={68}
            label={yAxisTitle('Time')}
          />
          <ChartTooltip
            contentStyle={TOOLTIP_STYLE}
            cursor={{ fill: 'var(--color-surface-sunken)' }}
            content={({ active, payload, label }) => {
              const entry = active ? (payload?.[0]?.payload as (typeof data)[number]) : undefined;
              if (!entry) return null;
              return (
                <div style={TOOLTIP_STYLE} className="chart-tooltip num">
                  <strong>{String(label)}</strong>
                  {names.map((name, index) =>
                    series.isHidden(`m${index}`) ? null : (
                      <div key={index}>
                        <span className="series-mark">{modelMark(index)}</span> {name}: p50{' '}
                        {seconds(entry[`m${index}_p50`])} · p95 {seconds(entry[`m${index}_p95`])}
                      </div>
                    ),
                  )}
                </div>
              );
            }}
          />
          {names.flatMap((name, index) => [
            <Bar
              key={`${index}-p50`}
              hide={series.isHidden(`m${index}`)}
              dataKey={`m${index}_p50`}
              name={`${name} p50`}
              stackId={`m${index}`}
              fill={colorOf(index)}
              maxBarSize={28}
              isAnimationActive={false}
            />,
            <Bar
              key={`${index}-tail`}
              hide={series.isHidden(`m${index}`)}
              dataKey={`m${index}_tail`}
              name={`${name} p50 to p95`}
              stackId={`m${index}`}
              fill={textureFill(`${patterns}-m${index}`, 'hatch-up', colorOf(index))}
              data-texture="hatch-up"
              minPointSize={capOf(index)}
              // A shape of its own keeps a bar of no height in the chart (recharts drops those),
              // so its label can say "no data" or "0 s" where the bar would stand.
              shape={tailShape}
              maxBarSize={28}
              isAnimationActive={false}
            >
              <LabelList
                dataKey={`m${index}_top`}
                content={(props) => <LatencyBarLabel {...props} entry={data} model={index} />}
              />
            </Bar>,
          ])}
        </BarChart>
      </ResponsiveContainer>
      <ul className="chart-legend" aria-label="Models and percentiles" data-testid="latency-legend">
        <LegendToggles
          items={names.map((name, index) => ({
            key: `m${index}`,
            label: name,
            color: colorOf(index),
            mark: modelMark(index),
          }))}
          series={series}
          label="the latency chart"
        />
        <li className="chart-legend-key">
          <TextureSwatch
            patternId={`${patterns}-key`}
            texture="solid"
            color="var(--color-text-muted)"
          />
          p50 (median)
        </li>
        <li className="chart-legend-key">
          <TextureSwatch
            patternId={`${patterns}-key`}
            texture="hatch-up"
            color="var(--color-text-muted)"
          />
          on to p95
        </li>
      </ul>
    </>
  );
}

/** The p50-to-p95 part of a latency bar: recharts' own rectangle, nothing where it has no height. */
function tailShape(props: unknown): ReactElement {
  const rectangle = props as { height?: number };
  return (rectangle.height ?? 0) > 0 ? (
    <Rectangle {...(props as Record<string, unknown>)} />
  ) : (
    <g />
  );
}

/**
 * A latency bar's label: the model's number over a bar one can see; over a bar too short to see
 * (or none), the number and the value written up from the axis ("2 · 0 s", "3 · no data"), so no
 * bare number sits on the axis as if it labelled a bar.
 */
function LatencyBarLabel(props: {
  x?: number | string;
  y?: number | string;
  width?: number | string;
  height?: number | string;
  index?: number;
  entry: readonly Record<string, unknown>[];
  model: number;
}): ReactElement | null {
  const row = props.entry[props.index ?? -1];
  if (!row) return null;
  const x = Number(props.x ?? 0) + Number(props.width ?? 0) / 2;
  const y = Number(props.y ?? 0);
  const mark = modelMark(props.model);
  const top = String(row[`m${props.model}_top`] ?? NO_DATA);
  if (row[`m${props.model}_flat`] === true) {
    // From just above the axis (the bottom of this part: the bar is at most a few px tall).
    const base = y + Number(props.height ?? 0) - 4;
    return (
      <text
        className={`bar-mark is-flat${top === NO_DATA ? ' is-missing' : ''}`}
        x={x}
        y={base}
        transform={`rotate(-90 ${x} ${base})`}
        dominantBaseline="central"
        fontSize={10}
        fill={top === NO_DATA ? 'var(--color-text-muted)' : 'var(--color-text)'}
      >
        {mark} · {top}
      </text>
    );
  }
  return (
    <text
      className="bar-mark"
      x={x}
      y={y - 5}
      textAnchor="middle"
      fontSize={11}
      fontWeight={700}
      fill="var(--color-text)"
    >
      {mark}
    </text>
  );
}

function CostChart({
  lines,
  names,
}: {
  lines: readonly ScorecardLineView[];
  names: readonly string[];
}): ReactElement {
  const data = costChartData(lines, names);
  const image = useChartImage();
  if (data.length === 0) {
    return (
      <p className="muted small chart-empty">No successful videos yet, so no cost per second.</p>
    );
  }
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
      <BarChart {...image} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--color-border)" vertical={false} />
        <XAxis dataKey="model" tick={AXIS_TICK} tickLine={false} interval={0} />
        <YAxis
          {...roundAxis(Math.max(...data.map((entry) => entry.costPerSecond)))}
          tickFormatter={TICK_FORMAT.money}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={64}
          label={yAxisTitle('Dollars per second of video')}
        />
        <ChartTooltip
          contentStyle={TOOLTIP_STYLE}
          cursor={{ fill: 'var(--color-surface-sunken)' }}
          formatter={(value) => (typeof value === 'number' ? formatMoney(value) : '—')}
        />
        <Bar
          dataKey="costPerSecond"
          name="Cost per successful second"
          maxBarSize={56}
          isAnimationActive={false}
        >
          {data.map((entry) => (
            <Cell key={entry.model} fill={MODEL_COLORS[entry.index % 6]} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

function ExportButtons({ runId }: { runId: string }): ReactElement {
  const [busy, setBusy] = useState<'csv' | 'json' | null>(null);
  const run = (format: 'csv' | 'json'): void => {
    setBusy(format);
    void exportRun(runId, format).then((result) => {
      setBusy(null);
      if (result.ok) notify('Exported', `${result.fileName} is in your downloads.`, 'success');
      else
        useAppStore
          .getState()
          .pushToast({ title: 'Export failed', description: result.message, tone: 'error' });
    });
  };
  return (
    <div className="csv-buttons">
      <button
        type="button"
        className="button button-secondary button-small"
        disabled={busy !== null}
        data-testid="export-csv"
        onClick={() => run('csv')}
        title="The scorecard as a spreadsheet: one row per model and category"
      >
        <DownloadIcon width={16} height={16} /> {busy === 'csv' ? 'Exporting…' : 'CSV'}
      </button>
      <button
        type="button"
        className="button button-secondary button-small"
        disabled={busy !== null}
        data-testid="export-json"
        onClick={() => run('json')}
        title="The run, every generation and the scorecard"
      >
        <DownloadIcon width={16} height={16} /> {busy === 'json' ? 'Exporting…' : 'JSON'}
      </button>
    </div>
  );
}

function CompareRunPicker({
  run,
  onPick,
}: {
  run: RunSummary;
  onPick: (other: RunSummary) => void;
}): ReactElement {
  const runs = useAppStore((state) => state.runs);
  const [open, setOpen] = useState(false);
  // Runs of the same suite version first: those compare like for like.
  const likeness = (entry: RunSummary): number =>
    entry.suiteId !== run.suiteId ? 2 : entry.suiteVersion !== run.suiteVersion ? 1 : 0;
  const candidates = runs
    .filter((entry) => entry.id !== run.id && entry.state !== 'running')
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => likeness(a.entry) - likeness(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger
        className="button button-secondary button-small"
        data-testid="compare-runs"
        disabled={run.state === 'running'}
        title={run.state === 'running' ? 'Wait until this run has finished' : undefined}
      >
        <CompareIcon width={16} height={16} /> Compare with another run…
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-narrow" aria-describedby={undefined}>
          <DialogHeader closable>Compare with another run</DialogHeader>
          <div className="dialog-body">
            {candidates.length === 0 ? (
              <p className="muted">
                There is no other finished run yet. Run the same suite again (for example after a
                provider update) to see what changed.
              </p>
            ) : (
              <>
                <p className="muted small">
                  The older of the two runs is “before”. Only the prompts and models both runs share
                  are compared; runs of another suite are marked.
                </p>
                <ul className="pick-list">
                  {candidates.map((entry) => (
                    <li key={entry.id}>
                      <button
                        type="button"
                        className="pick-item"
                        data-testid="compare-run-option"
                        onClick={() => {
                          setOpen(false);
                          onPick(entry);
                        }}
                      >
                        <span className="strong">{entry.name}</span>
                        <span className="muted small">
                          {entry.suiteName} v{entry.suiteVersion} ·{' '}
                          {formatDateTime(entry.createdAt)}
                        </span>
                        {likeness(entry) === 2 ? (
                          <span className="compare-unlike" data-testid="compare-run-other-suite">
                            Another suite
                          </span>
                        ) : likeness(entry) === 1 ? (
                          <span className="compare-unlike" data-testid="compare-run-other-version">
                            Another suite version
                          </span>
                        ) : null}
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function ComparisonResult({
  run,
  other,
  onClose,
}: {
  run: RunSummary;
  other: RunSummary;
  onClose: () => void;
}): ReactElement {
  const models = useAppStore((state) => state.models);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The older run is "before", whichever was picked.
  const [before, after] = other.createdAt <= run.createdAt ? [other, run] : [run, other];
  useEffect(() => {
    let stale = false;
    setComparison(null);
    setError(null);
    getClient()
      .invoke('bench:compare-runs-detail', { beforeRunId: before.id, afterRunId: after.id })
      .then((value) => {
        if (!stale) setComparison(value);
      })
      .catch((cause: unknown) => {
        if (!stale) setError(describeError(cause));
      });
    return () => {
      stale = true;
    };
  }, [before.id, after.id]);
  const changes = comparison?.changes ?? null;
  const counts = comparison?.counts;
  const plural = (count: number, one: string, many: string): string =>
    `${count} ${count === 1 ? one : many}`;
  return (
    <section className="comparison" data-testid="comparison" aria-label="Comparison">
      <div className="comparison-header">
        <div>
          <h3 className="section-title">
            {before.id === run.id ? 'This run' : before.name} →{' '}
            {after.id === run.id ? 'this run' : after.name}
          </h3>
          <p className="muted small">
            Before: {formatDateTime(before.createdAt)} · after: {formatDateTime(after.createdAt)}.
            Only changes beyond the thresholds are listed (success or compliance ±5 points, p95 ±10
            % and 0.5 s, cost ±10 %).
          </p>
        </div>
        <button type="button" className="link-button small" onClick={onClose}>
          Close
        </button>
      </div>
      {comparison && comparison.differences.length > 0 ? (
        <div
          className={`compare-differences${comparison.comparable ? '' : ' is-blocking'}`}
          role="note"
          data-testid="comparison-differences"
        >
          <p className="strong">
            {comparison.comparable
              ? 'These runs differ, so only what both ran is compared:'
              : 'These runs cannot be compared like for like:'}
          </p>
          <ul>
            {comparison.differences.map((difference) => (
              <li
                key={difference.aspect}
                data-testid="comparison-difference"
                data-aspect={difference.aspect}
              >
                {difference.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {error ? (
        <InlineError message={error} />
      ) : !comparison || !changes || !counts ? (
        <Loading label="Comparing…" />
      ) : !comparison.comparable ? null : changes.length === 0 ? (
        <p className="muted" data-testid="comparison-empty">
          Nothing changed beyond the thresholds: {plural(counts.unchanged, 'figure', 'figures')}{' '}
          compared for {plural(comparison.models.shared.length, 'model', 'models')} on{' '}
          {plural(comparison.prompts.shared, 'prompt', 'prompts')}.
        </p>
      ) : (
        <>
          <p className="small compare-counts" data-testid="comparison-counts">
            {counts.worse === 0 ? (
              <Badge tone="success">Nothing got worse</Badge>
            ) : (
              <Badge tone="danger">{plural(counts.worse, 'figure', 'figures')} worse</Badge>
            )}
            {counts.better > 0 ? (
              <Badge tone="success">{plural(counts.better, 'figure', 'figures')} better</Badge>
            ) : null}
            <span className="muted">
              {plural(counts.unchanged, 'figure', 'figures')} within the thresholds ·{' '}
              {plural(comparison.models.shared.length, 'model', 'models')} on{' '}
              {plural(comparison.prompts.shared, 'prompt', 'prompts')}
            </span>
          </p>
          <div className="table-wrap">
            <table className="table comparison-table" data-testid="comparison-table">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Category</th>
                  <th scope="col">Figure</th>
                  <th scope="col" className="num">
                    Before
                  </th>
                  <th scope="col" className="num">
                    After
                  </th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((change) => (
                  <tr
                    key={`${change.provider}:${change.modelId}:${change.category ?? ''}:${change.metric}`}
                    className={change.worse ? 'is-worse' : 'is-better'}
                    data-testid="comparison-row"
                    data-worse={change.worse}
                  >
                    <td className="strong">
                      {modelName(models, {
                        provider: change.provider as ProviderId,
                        modelId: change.modelId,
                      })}
                    </td>
                    <td>{change.category ? categoryName(change.category) : 'All'}</td>
                    <td>{changeMetricName(change.metric)}</td>
                    <td className="num">{formatChangeValue(change.metric, change.before)}</td>
                    <td className="num strong">{formatChangeValue(change.metric, change.after)}</td>
                    <td>
                      {change.worse ? (
                        <Badge tone="danger">Worse</Badge>
                      ) : (
                        <Badge tone="success">Better</Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
