/**
 * Scorecard figures for charts. Pure functions, so the numbers on screen are tested and every
 * chart writes them the same way. The table's rows (shared/bench/scorecard-table.ts) are the
 * same ones `aideon bench show` prints; they are re-exported here for the panel.
 */
// Shares, latencies and dollars are written by the shared formatters, so the scorecard reads like
// every other screen: "67%", "4.5%", "0.042%"; "320 ms", "2.57 s"; "$0.125".
import {
  formatLatency,
  formatMoney,
  formatNumber,
  formatPercent,
  plural,
} from '../../../shared/format';
import { extremeOf, type ChartText } from '../lib/chart-text';
import type { ScorecardLineView } from '../../../shared/bench/scorecard-schema';
import {
  LATENCY_PHASES,
  OUTCOME_NAMES,
  PHASE_NAMES,
  RATED_OUTCOMES,
  isNumber,
  type LatencyPhase,
  type RatedOutcome,
} from '../../../shared/bench/scorecard-table';

export {
  LATENCY_PHASES,
  OUTCOME_NAMES,
  PHASE_NAMES,
  RATED_OUTCOMES,
  scorecardSections,
  type LatencyPhase,
  type RatedOutcome,
  type ScorecardRow,
  type ScorecardSection,
} from '../../../shared/bench/scorecard-table';

/** Stacked outcome shares per model, in percent of rated generations. */
export function outcomeChartData(
  lines: readonly ScorecardLineView[],
  names: readonly string[],
): ({ model: string } & Record<RatedOutcome, number>)[] {
  return lines.map((line, index) => {
    const entry = { model: names[index] ?? line.modelId } as { model: string } & Record<
      RatedOutcome,
      number
    >;
    for (const outcome of RATED_OUTCOMES) {
      entry[outcome] = Math.round((line.rates[outcome] ?? 0) * 1000) / 10;
    }
    return entry;
  });
}

/**
 * Latency per phase, grouped: one entry per phase with, per model (`m<index>_`), `p50` and `p95`
 * in seconds, `tail` (p95 − p50: the hatched part stacked on the solid p50), `mark`, the
 * model's number drawn over its bar (its name in the legend and the table), so the bars are told
 * apart without their colour, `top`, what the bar reaches in words ("2.57 s"), or "no data"
 * when the phase was never timed for the model, and `flat`: no bar, or one too short to see,
 * which is labelled with its number and `top` written up from the axis, not with a bare number
 * floating on the axis as if it were a bar's.
 */
export function latencyChartData(
  lines: readonly ScorecardLineView[],
): ({ phase: string } & Record<string, number | null | string | boolean>)[] {
  // The longest bar, in ms: the axis ends just above it, so a bar's height is its share of it.
  const tallest = Math.max(
    0,
    ...lines.flatMap((line) =>
      LATENCY_PHASES.map((phase) => line.latencyMs[phase].p95 ?? line.latencyMs[phase].p50 ?? 0),
    ),
  );
  return LATENCY_PHASES.map((phase) => {
    const entry: { phase: string } & Record<string, number | null | string | boolean> = {
      phase: PHASE_NAMES[phase],
    };
    lines.forEach((line, index) => {
      const seconds = (ms: number | null | undefined): number | null =>
        isNumber(ms) ? Math.round(ms) / 1000 : null;
      const p50 = seconds(line.latencyMs[phase].p50);
      const p95 = seconds(line.latencyMs[phase].p95);
      entry[`m${index}_p50`] = p50;
      entry[`m${index}_p95`] = p95;
      // No p95 (too few videos): the bar stops at p50, still numbered.
      entry[`m${index}_tail`] =
        p50 === null ? null : p95 === null ? 0 : Math.max(0, Math.round((p95 - p50) * 1000) / 1000);
      entry[`m${index}_mark`] = p50 !== null || p95 !== null ? modelMark(index) : null;
      const top = line.latencyMs[phase].p95 ?? line.latencyMs[phase].p50;
      entry[`m${index}_top`] = isNumber(top) ? formatLatency(top) : NO_DATA;
      entry[`m${index}_flat`] = isNumber(top) ? top <= 0 || top < tallest * FLAT_SHARE : true;
    });
    return entry;
  });
}

/**
 * A bar under this share of the tallest is too short to carry its number (under 4 px of the
 * chart's 200): it is labelled with its value, written up from the axis, instead.
 */
const FLAT_SHARE = 0.02;

/** What a chart writes where a value is missing (never a bar, never "0"). */
export const NO_DATA = 'no data';

/** A model's number on the scorecard's charts and table: "1", "2", … in the columns' order. */
export function modelMark(index: number): string {
  return String(index + 1);
}

/** Cost per successful second per model; models without a success are left out. */
export function costChartData(
  lines: readonly ScorecardLineView[],
  names: readonly string[],
): { model: string; index: number; costPerSecond: number }[] {
  return lines.flatMap((line, index) =>
    isNumber(line.costPerSecondUsd)
      ? [{ model: names[index] ?? line.modelId, index, costPerSecond: line.costPerSecondUsd }]
      : [],
  );
}

/** Categories any model has, sorted. */
export function scorecardCategories(
  models: readonly { categories: readonly ScorecardLineView[] }[],
): string[] {
  const set = new Set<string>();
  for (const model of models)
    for (const line of model.categories) if (line.category) set.add(line.category);
  return [...set].sort();
}

/** A compared metric's value in words: rates as %, p95s as times, costs in dollars. */
export function formatChangeValue(metric: string, value: number): string {
  if (metric === 'successRate' || metric === 'complianceRate') return formatPercent(value);
  if (metric.startsWith('p95.')) return formatLatency(value);
  if (metric.startsWith('cost')) return formatMoney(value);
  return String(value);
}

export function changeMetricName(metric: string): string {
  if (metric === 'successRate') return 'Success rate';
  if (metric === 'complianceRate') return 'Compliance';
  if (metric === 'costPerSecondUsd') return 'Cost per successful second';
  if (metric === 'costPerSuccessUsd') return 'Cost per successful clip';
  if (metric.startsWith('p95.')) {
    const phase = metric.slice(4) as LatencyPhase;
    return `${PHASE_NAMES[phase] ?? phase} p95`;
  }
  return metric;
}

/** The outcome chart's numbers: one row per model, one column per outcome's share. */
export function outcomeChartText(
  lines: readonly ScorecardLineView[],
  names: readonly string[],
): ChartText {
  const nameOf = (index: number): string => names[index] ?? lines[index]?.modelId ?? '';
  const best = extremeOf(
    lines.map((line, index) => ({ line, index })),
    ({ line }) => line.rates.success,
    'highest',
  );
  return {
    table: {
      caption: 'Outcomes: share of rated generations per model, by how they ended.',
      columns: [
        'Model',
        'Rated generations',
        ...RATED_OUTCOMES.map((outcome) => `${OUTCOME_NAMES[outcome]} (% of rated)`),
      ],
      // The chart's legend hides an outcome: its column.
      columnSeries: [null, null, ...RATED_OUTCOMES],
      // The export's names and units: a rate is a fraction 0–1 of the rated generations.
      csvColumns: ['model', 'rated', ...RATED_OUTCOMES.map((outcome) => `${outcome}_rate`)],
      rows: lines.map((line, index) => ({
        key: `${line.provider}:${line.modelId}`,
        header: nameOf(index),
        cells: [
          String(line.rated),
          ...RATED_OUTCOMES.map((outcome) => formatPercent(line.rates[outcome] ?? null)),
        ],
        csv: [
          nameOf(index),
          line.rated,
          ...RATED_OUTCOMES.map((outcome) => line.rates[outcome] ?? null),
        ],
      })),
    },
    summary:
      `Outcomes, ${plural(lines.length, 'model')}` +
      (best
        ? `: highest success rate ${nameOf(best.index)} at ${formatPercent(best.line.rates.success)}`
        : ': no rated generations yet'),
  };
}

/** The latency chart's numbers: one row per phase and model, its p50 and p95. */
export function latencyChartText(
  lines: readonly ScorecardLineView[],
  names: readonly string[],
): ChartText {
  const nameOf = (index: number): string => names[index] ?? lines[index]?.modelId ?? '';
  const fastest = extremeOf(
    lines.map((line, index) => ({ line, index })),
    ({ line }) => line.latencyMs.total.p50,
    'lowest',
  );
  return {
    table: {
      caption: 'Latency per phase of successful generations, per model: median (p50) and p95.',
      columns: ['Phase, model', 'p50, median (time)', 'p95 (time)'],
      // Phase and model apart (the export's phase names); times in milliseconds, as exported.
      csvColumns: ['phase', 'model', 'p50_ms', 'p95_ms'],
      rows: LATENCY_PHASES.flatMap((phase) =>
        lines.map((line, index) => ({
          key: `${phase}:${line.provider}:${line.modelId}`,
          header: `${PHASE_NAMES[phase]} · ${modelMark(index)} ${nameOf(index)}`,
          // The chart's legend hides a model (keyed by its place, as the chart's bars are).
          series: `m${index}`,
          cells: [
            formatLatency(line.latencyMs[phase].p50),
            formatLatency(line.latencyMs[phase].p95),
          ],
          csv: [phase, nameOf(index), line.latencyMs[phase].p50, line.latencyMs[phase].p95],
        })),
      ),
    },
    summary:
      `Latency per phase, ${plural(lines.length, 'model')}` +
      (fastest
        ? `: fastest median total ${nameOf(fastest.index)} at ${formatLatency(fastest.line.latencyMs.total.p50)}`
        : ': no successful generation timed yet'),
  };
}

/** The cost chart's numbers: every model, those without a successful video as "—". */
export function costChartText(
  lines: readonly ScorecardLineView[],
  names: readonly string[],
): ChartText {
  const nameOf = (index: number): string => names[index] ?? lines[index]?.modelId ?? '';
  const cheapest = extremeOf(
    lines.map((line, index) => ({ line, index })),
    ({ line }) => line.costPerSecondUsd,
    'lowest',
  );
  return {
    table: {
      caption: 'Cost per successful second: everything spent ÷ seconds of video that worked.',
      columns: ['Model', 'Per successful second (USD)', 'Spent (USD)', 'Video that worked (s)'],
      csvColumns: ['model', 'cost_per_second_usd', 'cost_usd', 'video_seconds'],
      rows: lines.map((line, index) => ({
        key: `${line.provider}:${line.modelId}`,
        header: nameOf(index),
        cells: [
          formatMoney(line.costPerSecondUsd),
          formatMoney(line.costUsd),
          formatNumber(line.videoSeconds, 1),
        ],
        csv: [nameOf(index), line.costPerSecondUsd, line.costUsd, line.videoSeconds],
      })),
    },
    summary:
      `Cost per successful second, ${plural(lines.length, 'model')}` +
      (cheapest
        ? `: cheapest ${nameOf(cheapest.index)} at ${formatMoney(cheapest.line.costPerSecondUsd)} per second`
        : ': no successful video yet'),
  };
}
