/**
 * Pure helpers for the production views: time ranges, chart rows per measure, cost per UTC
 * day, which problems block which chart, and words for budgets. No React, no recharts, so the
 * views' logic is tested without drawing.
 */
import {
  formatLatency,
  formatMoney,
  formatNumber,
  formatRatePercent,
  plural,
} from '../../../shared/format';
import { extremeOf, type ChartText } from '../lib/chart-text';
import type {
  BudgetItem,
  ConfigChange,
  QueryProblem,
  SeriesMeasure,
  SeriesReport,
  TargetSeries,
} from '../../../shared/watch/watch-types';

export const RANGE_PRESETS = [
  { id: '24h', label: '24 h', ms: 24 * 3600_000 },
  { id: '7d', label: '7 days', ms: 7 * 86400_000 },
  { id: '30d', label: '30 days', ms: 30 * 86400_000 },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]['id'];

/** Charted measures in the order shown, with their title, unit and how a value reads. */
export const MEASURE_INFO: Record<
  SeriesMeasure,
  {
    title: string;
    unit: string;
    /**
     * Its column name in Copy as CSV, after the target's name: the unit as the scorecard export
     * writes it (a rate as a fraction 0–1, latency in ms, money in USD).
     */
    csvName: string;
    /** Multiplies a stored value (the series as queried) into that CSV unit. */
    csvScale: number;
    /** The value axis' title. */
    axisTitle: string;
    scale: number;
    format: (value: number) => string;
  }
> = {
  volume: {
    csvName: 'requests',
    csvScale: 1,
    axisTitle: 'Requests per step',
    title: 'Volume',
    unit: 'requests per step',
    scale: 1,
    format: (value) => formatNumber(value, 0),
  },
  success_rate: {
    csvName: 'success_rate',
    csvScale: 1,
    axisTitle: 'Success rate (%)',
    title: 'Success rate',
    unit: '% of requests',
    scale: 100,
    format: (value) => formatRatePercent(value / 100),
  },
  p95_latency: {
    csvName: 'p95_latency_ms',
    csvScale: 1000,
    axisTitle: 'Seconds (p95)',
    title: 'Latency (p95)',
    unit: 'seconds',
    scale: 1,
    format: (value) => formatLatency(value * 1000),
  },
  generated_seconds: {
    csvName: 'video_seconds',
    csvScale: 1,
    axisTitle: 'Video seconds per step',
    title: 'Generated seconds',
    unit: 'seconds of video per step',
    scale: 1,
    format: (value) => formatNumber(value, 0),
  },
  cost: {
    csvName: 'cost_usd',
    csvScale: 1,
    axisTitle: 'Dollars per step',
    title: 'Cost',
    unit: 'dollars per step',
    scale: 1,
    format: (value) => formatMoney(value),
  },
};

/** ms since the epoch for a `datetime-local` value read as UTC; null when empty or invalid. */
export function parseUtcInput(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const value = Date.UTC(y, mo - 1, d, h, mi);
  return Number.isFinite(value) ? value : null;
}

/** The `datetime-local` text (UTC) for an instant. */
export function utcInputValue(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

export function rangeFor(preset: RangePreset, endMs: number): { from: number; to: number } {
  const span = RANGE_PRESETS.find((item) => item.id === preset)?.ms ?? RANGE_PRESETS[0].ms;
  const to = Math.floor(endMs / 60_000) * 60_000;
  return { from: to - span, to };
}

export const targetName = (target: { provider: string; model: string }): string =>
  `${target.provider}/${target.model}`;

/** The targets a provider selection shows ('all' = every one). */
export function visibleTargets(targets: readonly TargetSeries[], provider: string): TargetSeries[] {
  return provider === 'all' ? [...targets] : targets.filter((t) => t.provider === provider);
}

export type ChartRow = { t: number } & Record<string, number | null>;

/**
 * One row per instant with a column per target (`s0`, `s1`, ... — index keys, since recharts
 * reads dots in a dataKey as a path), scaled for display (success rate in %). A gap stays null,
 * so the line breaks instead of pretending a value.
 */
export function chartRows(targets: readonly TargetSeries[], measure: SeriesMeasure): ChartRow[] {
  const scale = MEASURE_INFO[measure].scale;
  const rows = new Map<number, ChartRow>();
  targets.forEach((target, index) => {
    for (const [time, value] of target[measure]) {
      const row = rows.get(time) ?? ({ t: time } as ChartRow);
      row[`s${index}`] = value === null ? null : value * scale;
      rows.set(time, row);
    }
  });
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

const DAY = 86400_000;

/**
 * Cost per UTC day per target: each point is the increase over the step ending at it, so it
 * belongs to the day of (time − 1 ms). `partial` marks a day the range covers only in part.
 */
export function dailyCost(
  targets: readonly TargetSeries[],
  from: number,
  to: number,
): { rows: ChartRow[]; partial: Set<number> } {
  const rows = new Map<number, ChartRow>();
  targets.forEach((target, index) => {
    for (const [time, value] of target.cost) {
      // A point covers the step ending at it: the one at `from` is about the time before.
      if (value === null || time <= from) continue;
      const day = Math.floor((time - 1) / DAY) * DAY;
      const row = rows.get(day) ?? ({ t: day } as ChartRow);
      row[`s${index}`] = (row[`s${index}`] ?? 0) + value;
      rows.set(day, row);
    }
  });
  const partial = new Set<number>();
  for (const day of rows.keys()) if (day < from || day + DAY > to) partial.add(day);
  return { rows: [...rows.values()].sort((a, b) => a.t - b.t), partial };
}

export interface ProblemLayout {
  /** Problems that leave nothing to chart (no source, or every measure failed alike). */
  blocking: QueryProblem[];
  /** A measure's own failure, drawn in place of its chart. */
  byMeasure: Partial<Record<SeriesMeasure, QueryProblem>>;
  /** The config versions could not be read: the charts carry no version markers. */
  versions: QueryProblem | null;
}

export function layoutProblems(
  report: SeriesReport,
  measures: readonly SeriesMeasure[],
): ProblemLayout {
  const byMeasure: Partial<Record<SeriesMeasure, QueryProblem>> = {};
  let versions: QueryProblem | null = null;
  const general: QueryProblem[] = [];
  for (const problem of report.problems) {
    if (problem.measure === 'config_versions') versions = problem;
    else if (problem.measure && (measures as readonly string[]).includes(problem.measure))
      byMeasure[problem.measure as SeriesMeasure] = problem;
    else general.push(problem);
  }
  const failed = measures.map((measure) => byMeasure[measure]);
  const first = failed[0];
  const allAlike =
    first !== undefined &&
    failed.every((problem) => problem?.kind === first.kind && problem.message === first.message);
  if (general.length > 0 || allAlike) {
    const blocking =
      general.length > 0 ? general : first ? [{ ...first, measure: 'every chart' }] : [];
    // A source that is down usually makes the versions fail the same way: say it once.
    const sameAsBlocking =
      versions !== null && blocking.some((problem) => problem.kind === versions?.kind);
    return { blocking, byMeasure: {}, versions: sameAsBlocking ? null : versions };
  }
  return { blocking: [], byMeasure, versions };
}

export const BUDGET_WORDS: Record<BudgetItem['kind'], { label: string; unit: 'usd' | 'count' }> = {
  daily_usd: { label: 'Spend', unit: 'usd' },
  monthly_usd: { label: 'Spend', unit: 'usd' },
  daily_requests: { label: 'Requests (quota)', unit: 'count' },
  daily_generated_seconds: { label: 'Generated seconds', unit: 'count' },
};

/** "on 2025-06-08 (UTC)" / "in 2025-06 (UTC)": the period a budget item covers, ending at `at`. */
export function budgetPeriod(kind: BudgetItem['kind'], at: number): string {
  const day = new Date(at - 1).toISOString();
  return kind === 'monthly_usd' ? `in ${day.slice(0, 7)} (UTC)` : `on ${day.slice(0, 10)} (UTC)`;
}

export function budgetAmount(value: number, unit: 'usd' | 'count'): string {
  return unit === 'usd'
    ? `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    : Math.round(value).toLocaleString('en-US');
}

/** The smallest 1, 2 or 5 × 10^n at or above `value`: a round top for an axis. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

/** Axis ticks: hours for a day or less, dates beyond. Always UTC, like the budget days. */
export function formatTick(time: number, spanMs: number): string {
  const iso = new Date(time).toISOString();
  return spanMs <= 2 * DAY ? iso.slice(11, 16) : iso.slice(5, 10);
}

/**
 * Tick positions on whole UTC hours or days, so labels never repeat a day: every 3 h up to a
 * day, every 6 h up to two days, else every n-th midnight (about 8 ticks at most).
 */
export function timeTicks(from: number, to: number): number[] {
  const span = to - from;
  const HOUR = 3600_000;
  const step =
    span <= DAY ? 3 * HOUR : span <= 2 * DAY ? 6 * HOUR : Math.ceil(span / DAY / 8) * DAY;
  const ticks: number[] = [];
  for (let tick = Math.ceil(from / step) * step; tick <= to; tick += step) ticks.push(tick);
  return ticks;
}

export function formatInstant(time: number): string {
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Where a time-axis marker comes from. */
export type MarkerSource = 'metrics' | 'console' | 'both';

/** A config version marked on the time axis of the views. */
export interface VersionMarker {
  at: number;
  version: string;
  /** The version reported before it in the metrics (metric-derived markers only). */
  previous: string | null;
  /** "v42", "v5 rollback", "v43 rollout 10%". */
  label: string;
  source: MarkerSource;
  /** The console's history action behind it (null for a metrics-only marker). */
  action: string | null;
  /** The metrics' first report of the version, when they saw it. */
  seenAt: number | null;
}

/** The part of a publish history row the markers need (`publish:list-history`). */
export interface PublishEntry {
  at: number;
  action: string;
  environment: string | null;
  version: number | null;
  detail: Record<string, unknown>;
}

/** History actions that make a new live version, and how a marker names them. */
const ACTION_WORDS: Record<string, string> = {
  publish: 'publish',
  promote: 'promotion',
  rollback: 'rollback',
  rollout_step: 'rollout',
  kill_switch: 'kill switch',
  cosign: 'co-signed',
};

/** The word after "vN" for a history entry; null when the entry made no live version. */
export function publishWord(entry: PublishEntry): string | null {
  const word = ACTION_WORDS[entry.action];
  if (word === undefined) return null;
  // A co-signature makes a version live only when it completes the threshold.
  if (entry.action === 'cosign' && entry.detail.published !== true) return null;
  if (entry.action === 'rollout_step' && typeof entry.detail.percent === 'number')
    return `rollout ${entry.detail.percent}%`;
  return word;
}

/**
 * The markers of a range: config versions first seen in the metrics (`config_version` label)
 * and the console's own publishes, promotions, rollbacks and rollout steps in `environment`.
 * When both say the same version within `toleranceMs` of each other they are one marker
 * (`both`, at the console's exact time, labelled with its action).
 */
export function versionMarkers(
  changes: readonly ConfigChange[],
  history: readonly PublishEntry[],
  environment: string,
  from: number,
  to: number,
  toleranceMs: number,
): VersionMarker[] {
  const unmatched = [...changes];
  const markers: VersionMarker[] = [];
  const published = history
    .filter(
      (entry) =>
        entry.environment === environment &&
        entry.version !== null &&
        entry.at >= from &&
        entry.at <= to &&
        publishWord(entry) !== null,
    )
    .sort((a, b) => a.at - b.at);
  for (const entry of published) {
    const version = String(entry.version);
    const label = `v${version} ${publishWord(entry) ?? ''}`;
    let best = -1;
    unmatched.forEach((change, index) => {
      if (change.version !== version || Math.abs(change.at - entry.at) > toleranceMs) return;
      const current = unmatched[best];
      if (!current || Math.abs(change.at - entry.at) < Math.abs(current.at - entry.at))
        best = index;
    });
    const seen = best >= 0 ? unmatched.splice(best, 1)[0] : undefined;
    markers.push({
      at: entry.at,
      version,
      previous: seen?.previous ?? null,
      label,
      source: seen ? 'both' : 'console',
      action: entry.action,
      seenAt: seen?.at ?? null,
    });
  }
  for (const change of unmatched)
    markers.push({
      at: change.at,
      version: change.version,
      previous: change.previous,
      label: `v${change.version}`,
      source: 'metrics',
      action: null,
      seenAt: change.at,
    });
  return markers.sort((a, b) => a.at - b.at);
}

/** "About the same time": two query steps, and never under 15 minutes. */
export function markerTolerance(stepSeconds: number): number {
  return Math.max(2 * stepSeconds * 1000, 15 * 60_000);
}

/** A marker label's place: pixels from the plot's left edge, a row from the top, which side. */
export interface MarkerLabelPlace {
  marker: VersionMarker;
  x: number;
  row: number;
  anchor: 'start' | 'end';
}

/**
 * Places the markers' labels so they never write over each other: each goes right of its line
 * (left of it when it would run past the plot's right edge), in the first row where it does not
 * overlap a label already placed; at most `maxRows` rows, after which rows are reused.
 * Widths are estimated from the text (`charWidth` px per character at the label's font size).
 */
export function layoutMarkerLabels(
  markers: readonly VersionMarker[],
  from: number,
  to: number,
  plotWidth: number,
  charWidth = 6.6,
  maxRows = 3,
): MarkerLabelPlace[] {
  const span = Math.max(1, to - from);
  const rows: [number, number][][] = [];
  const places: MarkerLabelPlace[] = [];
  const gap = 4;
  [...markers]
    .filter((marker) => marker.at >= from && marker.at <= to)
    .sort((a, b) => a.at - b.at)
    .forEach((marker, index) => {
      const x = ((marker.at - from) / span) * plotWidth;
      const width = marker.label.length * charWidth;
      const anchor = x + gap + width > plotWidth && x - gap - width >= 0 ? 'end' : 'start';
      const left = anchor === 'start' ? x + gap : x - gap - width;
      const right = left + width;
      let row = rows.findIndex((taken) =>
        taken.every(([a, b]) => right + gap <= a || left >= b + gap),
      );
      if (row < 0) row = rows.length < maxRows ? rows.length : index % maxRows;
      (rows[row] ??= []).push([left, right]);
      places.push({ marker, x, row, anchor });
    });
  return places;
}

/** An instant for a spreadsheet: ISO 8601 in UTC, to the second ("2025-06-09T10:00:00Z"). */
function csvInstant(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A measure's chart as a table: one row per instant (UTC), one column per target in the value's
 * unit, gaps as "—"; and a summary naming the target with the highest latest value.
 */
export function measureText(
  targets: readonly TargetSeries[],
  measure: SeriesMeasure,
  from: number,
  to: number,
): ChartText {
  const info = MEASURE_INFO[measure];
  const rows = chartRows(targets, measure);
  const latest = targets.map((target, index) => {
    const last = [...rows].reverse().find((row) => typeof row[`s${index}`] === 'number');
    return { target, value: last ? (last[`s${index}`] ?? null) : null };
  });
  const top = extremeOf(latest, (entry) => entry.value, 'highest');
  return {
    table: {
      caption: `${info.title} in ${info.unit}, from ${formatInstant(from)} to ${formatInstant(to)}.`,
      columns: ['Time (UTC)', ...targets.map((target) => `${targetName(target)} (${info.unit})`)],
      // The charts' shared legend hides a target by its name: its column.
      columnSeries: [null, ...targets.map(targetName)],
      csvColumns: ['time_utc', ...targets.map((target) => `${targetName(target)} ${info.csvName}`)],
      rows: rows.map((row) => ({
        key: String(row.t),
        header: formatInstant(row.t),
        cells: targets.map((_, index) => {
          const value = row[`s${index}`];
          return typeof value === 'number' ? info.format(value) : '—';
        }),
        csv: [
          csvInstant(row.t),
          ...targets.map((_, index) => {
            const value = row[`s${index}`];
            // The chart's rows hold the drawn value (a rate in percent): back to the stored one.
            return typeof value === 'number' ? (value / info.scale) * info.csvScale : null;
          }),
        ],
      })),
    },
    summary:
      `${info.title}, ${plural(targets.length, 'provider model', 'provider models')} from ${formatInstant(from)} to ${formatInstant(to)}` +
      (top && top.value !== null
        ? `: highest latest value ${targetName(top.target)} at ${info.format(top.value)}`
        : ': no values'),
  };
}

/**
 * Cost per UTC day as a table: one row per day, a column per target and the day's total over
 * every target ("All targets": the table keeps series hidden in the chart, so "shown" misled).
 */
export function dailyCostText(
  targets: readonly TargetSeries[],
  from: number,
  to: number,
  dailyBudgetUsd: number | null,
): ChartText {
  const { rows, partial } = dailyCost(targets, from, to);
  const days = rows.map((row) => ({
    row,
    total: targets.reduce((sum, _, index) => sum + (row[`s${index}`] ?? 0), 0),
  }));
  const dayName = (t: number): string =>
    `${new Date(t).toISOString().slice(0, 10)}${partial.has(t) ? ' (part of the day)' : ''}`;
  const top = extremeOf(days, (day) => day.total, 'highest');
  const budget =
    dailyBudgetUsd === null ? 'no daily budget set' : `budget ${formatMoney(dailyBudgetUsd)}`;
  return {
    table: {
      caption: `Cost per UTC day in dollars, ${budget}.`,
      columns: [
        'Day (UTC)',
        ...targets.map((target) => `${targetName(target)} (USD)`),
        'All targets (USD)',
      ],
      columnSeries: [null, ...targets.map(targetName), null],
      csvColumns: [
        'day_utc',
        'partial_day',
        ...targets.map((target) => `${targetName(target)} cost_usd`),
        'all_targets cost_usd',
      ],
      rows: days.map(({ row, total }) => ({
        key: String(row.t),
        header: dayName(row.t),
        cells: [
          ...targets.map((_, index) => formatMoney(row[`s${index}`] ?? null)),
          formatMoney(total),
        ],
        csv: [
          new Date(row.t).toISOString().slice(0, 10),
          String(partial.has(row.t)),
          ...targets.map((_, index) => row[`s${index}`] ?? null),
          total,
        ],
      })),
    },
    summary:
      `Cost per day, ${plural(days.length, 'day')}, ${budget}` +
      (top ? `: highest ${dayName(top.row.t)} at ${formatMoney(top.total)}` : ''),
  };
}
