/**
 * Shapes ratings and chart data into what each review chart draws. Pure functions, tested in
 * test/renderer/review-chart-format.test.ts, so the numbers on screen are the tested ones.
 */
import {
  RATED_OUTCOME_KEYS,
  type ModelChartFacts,
  type RatedOutcomeKey,
  type WinRateCell,
} from '../../../shared/review/review-chart-schemas';
import type { Rating } from '../../../shared/review/review-schemas';
import { paretoFront } from '../../../shared/review/pareto';
import type { Texture } from '../components/chart-kit';
import { extremeOf, type ChartText } from '../lib/chart-text';
import { OUTCOME_NAMES } from '../bench/scorecard-format';
import {
  formatLatency,
  formatMoney,
  formatNumber,
  formatPercent,
  plural,
} from '../../../shared/format';

export type NameOf = (modelKey: string) => string;

export interface LeaderboardPoint {
  model: string;
  name: string;
  rating: number;
  low: number;
  high: number;
  /** [below, above] the rating, for an asymmetric error bar. */
  error: [number, number];
  votes: number;
}

/** Best first, as the ratings come. */
export function leaderboardData(ratings: readonly Rating[], nameOf: NameOf): LeaderboardPoint[] {
  return ratings.map((rating) => ({
    model: rating.model,
    name: nameOf(rating.model),
    rating: Math.round(rating.rating * 10) / 10,
    low: rating.low,
    high: rating.high,
    error: [Math.max(0, rating.rating - rating.low), Math.max(0, rating.high - rating.rating)],
    votes: rating.votes,
  }));
}

/** Tick spacing for a rating axis: 25, 50, 100 or 200 points, aiming at 4–8 ticks. */
function ratingStep(span: number): number {
  return [25, 50, 100, 200, 500].find((step) => span / step <= 8) ?? 1000;
}

/** Axis bounds on round numbers that hold every interval with a little room either side. */
export function ratingDomain(points: readonly { low: number; high: number }[]): [number, number] {
  if (points.length === 0) return [900, 1100];
  const min = Math.min(...points.map((p) => p.low));
  const max = Math.max(...points.map((p) => p.high));
  const pad = Math.max(5, (max - min) * 0.05);
  const step = ratingStep(max - min + 2 * pad);
  return [Math.floor((min - pad) / step) * step, Math.ceil((max + pad) / step) * step];
}

/** Ticks on the round numbers of a rating domain. */
export function ratingTicks([low, high]: [number, number]): number[] {
  const step = ratingStep(high - low);
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + 1e-9; tick += step) ticks.push(tick);
  return ticks;
}

/** A display name short enough for an axis: the model's name, else its id without provider. */
export function shortModelName(name: string, key: string, max = 22): string {
  const base = name === key ? key.split(':').slice(1).join(':') || key : name;
  return base.length > max ? `${base.slice(0, max - 1)}…` : base;
}

export interface HeatmapRow {
  /** Row model (the winner's side). */
  model: string;
  name: string;
  /** One entry per column, in `columns` order. */
  cells: { opponent: string; rate: number | null; wins: number; games: number }[];
}

/**
 * The matrix in leaderboard order (rows and columns alike): the cell at (row, column) is how
 * often the row's model beat the column's. The diagonal and pairs that never met are null.
 */
export function winRateRows(
  order: readonly string[],
  cells: readonly WinRateCell[],
  nameOf: NameOf,
): HeatmapRow[] {
  const byPair = new Map(cells.map((cell) => [`${cell.model}\u0000${cell.opponent}`, cell]));
  return order.map((model) => ({
    model,
    name: nameOf(model),
    cells: order.map((opponent) => {
      const cell = model === opponent ? undefined : byPair.get(`${model}\u0000${opponent}`);
      return {
        opponent,
        rate: cell?.rate ?? null,
        wins: cell?.wins ?? 0,
        games: cell?.games ?? 0,
      };
    }),
  }));
}

/**
 * Diverging colour for a win rate: red below 50 %, neutral at 50 %, green above; grey when
 * there is no rate. Interpolated in sRGB between fixed stops (legible in light and dark).
 */
export function winRateColor(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return 'var(--color-surface-sunken)';
  const lowColor = [220, 38, 38];
  const mid = [241, 245, 249];
  const highColor = [22, 163, 74];
  const t = Math.max(0, Math.min(1, rate));
  const [from, to, f] = t < 0.5 ? [lowColor, mid, t / 0.5] : [mid, highColor, (t - 0.5) / 0.5];
  const mix = from.map((value, i) => Math.round(value + (to[i]! - value) * f));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

/** Dark text on pale cells, white on saturated ones. */
export function winRateTextColor(rate: number | null): string {
  if (rate === null) return 'var(--color-text-muted)';
  return Math.abs(rate - 0.5) > 0.3 ? '#fff' : '#1e293b';
}

export interface QualityCostPoint {
  model: string;
  name: string;
  /** USD per second of successful video. */
  cost: number;
  rating: number;
  error: [number, number];
  onFront: boolean;
}

/**
 * Rated models that also have a cost per second, with the Pareto front (cheaper and better is
 * best) marked. `front` is sorted by cost, for drawing the front as a line.
 */
export function qualityCostData(
  ratings: readonly Rating[],
  facts: readonly ModelChartFacts[],
  nameOf: NameOf,
): { points: QualityCostPoint[]; front: QualityCostPoint[]; missing: string[] } {
  const costOf = new Map(facts.map((fact) => [fact.model, fact.costPerSecondUsd]));
  const missing: string[] = [];
  const base: Omit<QualityCostPoint, 'onFront'>[] = [];
  for (const rating of ratings) {
    const cost = costOf.get(rating.model);
    if (cost === null || cost === undefined || !Number.isFinite(cost)) {
      missing.push(nameOf(rating.model));
      continue;
    }
    base.push({
      model: rating.model,
      name: nameOf(rating.model),
      cost,
      rating: Math.round(rating.rating * 10) / 10,
      error: [Math.max(0, rating.rating - rating.low), Math.max(0, rating.high - rating.rating)],
    });
  }
  const frontIndices = paretoFront(base.map((point) => ({ x: point.cost, y: point.rating })));
  const onFront = new Set(frontIndices);
  const points = base.map((point, index) => ({ ...point, onFront: onFront.has(index) }));
  return { points, front: frontIndices.map((index) => points[index]!), missing };
}

/** How a part of a latency bar is filled: plain, or the series colour under a pattern. */
export type LatencyTexture = Texture;

/**
 * The four parts of a latency bar, in stacking order. Each is told apart by its texture as well
 * as its colour (WCAG 1.4.1: not by colour alone), in the chart and in its legend alike: the tails
 * are a faint tint under diagonal lines (rising for fastest–p25, falling for p75–p95), the box is
 * solid below the median and dotted above it. (The tails used to be the boxes' colour at 30 %
 * opacity, which the legend did not show: "fastest–p25" and "p25–median" had one swatch.)
 */
export const LATENCY_PARTS = [
  { key: 'lowTail', name: 'fastest–p25', color: 'var(--chart-2)', texture: 'hatch-up' },
  { key: 'lowBox', name: 'p25–median', color: 'var(--chart-2)', texture: 'solid' },
  { key: 'highBox', name: 'median–p75', color: 'var(--chart-1)', texture: 'dots' },
  { key: 'highTail', name: 'p75–p95', color: 'var(--chart-1)', texture: 'hatch-down' },
] as const satisfies readonly {
  key: 'lowTail' | 'lowBox' | 'highBox' | 'highTail';
  name: string;
  color: string;
  texture: LatencyTexture;
}[];

export interface LatencyBox {
  model: string;
  name: string;
  n: number;
  /** Seconds. Stacked: offset (invisible) + the four segments = max. */
  offset: number;
  lowTail: number;
  lowBox: number;
  highBox: number;
  highTail: number;
  /** The figures themselves, in seconds, for the tooltip. */
  min: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

/**
 * Box-like latency bars (seconds): an invisible offset up to the fastest, then min→p25,
 * p25→median, median→p75, p75→p95. Models without a successful uncached generation are left out.
 */
export function latencyBoxes(facts: readonly ModelChartFacts[], nameOf: NameOf): LatencyBox[] {
  const out: LatencyBox[] = [];
  for (const fact of facts) {
    const { n, min, p25, p50, p75, p95, max } = fact.latencyMs;
    if (
      n === 0 ||
      min === null ||
      p25 === null ||
      p50 === null ||
      p75 === null ||
      p95 === null ||
      max === null
    )
      continue;
    const s = (ms: number) => ms / 1000;
    out.push({
      model: fact.model,
      name: nameOf(fact.model),
      n,
      offset: s(min),
      lowTail: s(p25 - min),
      lowBox: s(p50 - p25),
      highBox: s(p75 - p50),
      highTail: s(p95 - p75),
      min: s(min),
      p25: s(p25),
      p50: s(p50),
      p75: s(p75),
      p95: s(p95),
      max: s(max),
    });
  }
  return out;
}

export type OutcomeShare = { model: string; name: string; finished: number } & Record<
  RatedOutcomeKey,
  number
>;

/** Share of finished generations per outcome, in percent (one decimal), per model. */
export function outcomeShares(facts: readonly ModelChartFacts[], nameOf: NameOf): OutcomeShare[] {
  return facts
    .map((fact) => {
      const finished = RATED_OUTCOME_KEYS.reduce((sum, key) => sum + fact.outcomes[key], 0);
      const share = Object.fromEntries(
        RATED_OUTCOME_KEYS.map((key) => [
          key,
          finished > 0 ? Math.round((fact.outcomes[key] / finished) * 1000) / 10 : 0,
        ]),
      ) as Record<RatedOutcomeKey, number>;
      return { model: fact.model, name: nameOf(fact.model), finished, ...share };
    })
    .filter((row) => row.finished > 0);
}

const rating = (value: number): string => formatNumber(value, 0);

/** The leaderboard's numbers: rating, its 95 % interval and votes, best first. */
export function leaderboardText(ratings: readonly Rating[], nameOf: NameOf): ChartText {
  const best = ratings[0];
  return {
    table: {
      caption: 'Leaderboard: rating of each model with its 95% bootstrap interval, best first.',
      columns: ['Model', 'Rating (points)', '95% low (points)', '95% high (points)', 'Votes'],
      csvColumns: ['model', 'rating', 'rating_low_95', 'rating_high_95', 'votes'],
      rows: ratings.map((entry) => ({
        key: entry.model,
        header: nameOf(entry.model),
        cells: [
          rating(entry.rating),
          rating(entry.low),
          rating(entry.high),
          formatNumber(entry.votes, 0),
        ],
        csv: [nameOf(entry.model), entry.rating, entry.low, entry.high, entry.votes],
      })),
    },
    summary:
      `Leaderboard, ${plural(ratings.length, 'model')}` +
      (best
        ? `: highest rating ${nameOf(best.model)} at ${rating(best.rating)} (95% interval ${rating(best.low)} to ${rating(best.high)})`
        : ': no model has enough votes yet'),
  };
}

/**
 * Quality versus cost: every rated model, its cost per second ("—" where none is known, as the
 * chart leaves it out) and whether it is on the Pareto front.
 */
export function qualityCostText(
  ratings: readonly Rating[],
  facts: readonly ModelChartFacts[],
  nameOf: NameOf,
): ChartText {
  const { points } = qualityCostData(ratings, facts, nameOf);
  const byModel = new Map(points.map((point) => [point.model, point]));
  const best = extremeOf(points, (point) => point.rating, 'highest');
  return {
    table: {
      caption:
        'Quality versus cost: rating against cost per second of video; the Pareto front holds the models nothing is both cheaper and better than.',
      columns: ['Model', 'Rating (points)', 'Cost per second (USD)', 'On the Pareto front'],
      csvColumns: ['model', 'rating', 'cost_per_second_usd', 'on_pareto_front'],
      rows: ratings.map((entry) => {
        const point = byModel.get(entry.model);
        return {
          key: entry.model,
          header: nameOf(entry.model),
          // The chart's legend hides the front or the dominated points (by their names).
          ...(point ? { series: point.onFront ? 'Pareto front' : 'Dominated' } : {}),
          cells: [
            rating(entry.rating),
            formatMoney(point?.cost),
            point ? (point.onFront ? 'yes' : 'no') : '—',
          ],
          csv: [
            nameOf(entry.model),
            entry.rating,
            point?.cost ?? null,
            point ? String(point.onFront) : null,
          ],
        };
      }),
    },
    summary:
      `Quality vs cost, ${plural(points.length, 'model')}` +
      (best
        ? `: highest rating ${best.name} at ${formatMoney(best.cost)} per second of video`
        : ': no rated model has a cost yet'),
  };
}

/** The win-rate matrix as a table: one row per model, one column per opponent. */
export function winRateText(rows: readonly HeatmapRow[], votes: number): ChartText {
  const cellText = (cell: HeatmapRow['cells'][number], self: boolean): string =>
    self
      ? '—'
      : cell.rate === null
        ? 'never met'
        : `${formatPercent(cell.rate)} (${formatNumber(cell.wins, 1)} of ${plural(cell.games, 'game')})`;
  return {
    table: {
      caption: `Win rate from ${plural(votes, 'vote')}: how often the row's model beat the column's (ties count half).`,
      columns: ['Model', ...rows.map((row) => `vs ${row.name} (% won)`)],
      // The share won as a fraction 0–1 (ties count half); empty against itself or never met.
      csvColumns: ['model', ...rows.map((row) => `win_rate vs ${row.name}`)],
      rows: rows.map((row) => ({
        key: row.model,
        header: row.name,
        cells: row.cells.map((cell) => cellText(cell, cell.opponent === row.model)),
        csv: [
          row.name,
          ...row.cells.map((cell) => (cell.opponent === row.model ? null : cell.rate)),
        ],
      })),
    },
    summary: `Win rate matrix of ${plural(rows.length, 'model')} from ${plural(votes, 'vote')}: how often each model beat each other model`,
  };
}

/** The latency spread's figures, in the table's order. */
const LATENCY_STATS = ['min', 'p25', 'p50', 'p75', 'p95', 'max'] as const;

/** Latency from submit to file on disk: every model's spread, "—" where none was timed. */
export function latencyText(facts: readonly ModelChartFacts[], nameOf: NameOf): ChartText {
  const fastest = extremeOf(facts, (fact) => fact.latencyMs.p50, 'lowest');
  return {
    table: {
      caption:
        'Latency from submit to file on disk, successful uncached videos: fastest, quartiles, p95 and slowest.',
      columns: [
        'Model',
        'Videos timed',
        'Fastest (time)',
        'p25 (time)',
        'Median (time)',
        'p75 (time)',
        'p95 (time)',
        'Slowest (time)',
      ],
      // Submit to file on disk is the export's "total" phase; times in milliseconds.
      csvColumns: ['model', 'videos_timed', ...LATENCY_STATS.map((key) => `total_${key}_ms`)],
      rows: facts.map((fact) => ({
        key: fact.model,
        header: nameOf(fact.model),
        cells: [
          formatNumber(fact.latencyMs.n, 0),
          ...LATENCY_STATS.map((key) => formatLatency(fact.latencyMs[key])),
        ],
        csv: [
          nameOf(fact.model),
          fact.latencyMs.n,
          ...LATENCY_STATS.map((key) => fact.latencyMs[key] ?? null),
        ],
      })),
    },
    summary:
      `Latency, ${plural(facts.length, 'model')}` +
      (fastest
        ? `: fastest median ${nameOf(fastest.model)} at ${formatLatency(fastest.latencyMs.p50)}`
        : ': no successful, uncached video timed yet'),
  };
}

/** Outcomes per model: finished generations and each outcome's share of them. */
export function outcomeText(facts: readonly ModelChartFacts[], nameOf: NameOf): ChartText {
  const shares = facts.map((fact) => {
    const finished = RATED_OUTCOME_KEYS.reduce((sum, key) => sum + fact.outcomes[key], 0);
    return { fact, finished, share: (key: RatedOutcomeKey) => fact.outcomes[key] / finished };
  });
  const best = extremeOf(
    shares,
    (entry) => (entry.finished > 0 ? entry.share('success') : null),
    'highest',
  );
  return {
    table: {
      caption: 'Outcomes: finished generations per model and the share of each outcome.',
      columns: [
        'Model',
        'Finished generations',
        ...RATED_OUTCOME_KEYS.map((key) => `${OUTCOME_NAMES[key]} (% of finished)`),
      ],
      columnSeries: [null, null, ...RATED_OUTCOME_KEYS],
      // As the scorecard export: "rated" counts these five outcomes, a rate is a fraction 0–1.
      csvColumns: ['model', 'rated', ...RATED_OUTCOME_KEYS.map((key) => `${key}_rate`)],
      rows: shares.map(({ fact, finished, share }) => ({
        key: fact.model,
        header: nameOf(fact.model),
        cells: [
          formatNumber(finished, 0),
          ...RATED_OUTCOME_KEYS.map((key) => (finished > 0 ? formatPercent(share(key)) : '—')),
        ],
        csv: [
          nameOf(fact.model),
          finished,
          ...RATED_OUTCOME_KEYS.map((key) => (finished > 0 ? share(key) : null)),
        ],
      })),
    },
    summary:
      `Outcomes, ${plural(facts.length, 'model')}` +
      (best
        ? `: highest success share ${nameOf(best.fact.model)} at ${formatPercent(best.share('success'))}`
        : ': no finished generations yet'),
  };
}
