/**
 * Pure helpers for the production views: time ranges, chart rows per measure, cost per UTC
 * day, which problems block which chart, and words for budgets. No React, no recharts, so the
 * views' logic is tested without drawing.
 */
import type {
  BudgetItem,
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
  { title: string; unit: string; scale: number; format: (value: number) => string }
> = {
  volume: {
    title: 'Volume',
    unit: 'requests per step',
    scale: 1,
    format: (value) => Math.round(value).toLocaleString('en-US'),
  },
  success_rate: {
    title: 'Success rate',
    unit: '% of requests',
    scale: 100,
    format: (value) => `${value.toFixed(1)}%`,
  },
  p95_latency: {
    title: 'Latency (p95)',
    unit: 'seconds',
    scale: 1,
    format: (value) => `${value.toFixed(0)} s`,
  },
  generated_seconds: {
    title: 'Generated seconds',
    unit: 'seconds of video per step',
    scale: 1,
    format: (value) => Math.round(value).toLocaleString('en-US'),
  },
  cost: {
    title: 'Cost',
    unit: 'dollars per step',
    scale: 1,
    format: (value) => `$${value.toFixed(2)}`,
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
