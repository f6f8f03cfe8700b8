/**
 * The scorecard as a table of measures: one column per model (the lines, in order), rows grouped
 * by topic, every value written with its unit by the shared formatters. The console's Scorecard
 * tab (src/renderer/src/bench/scorecard-panel.tsx) and `aideon bench show`
 * (src/main/cli/bench-output.ts) both print these rows, so a figure reads the same in both:
 * "67%", "0.042%"; "320 ms", "2.57 s"; "$0.125"; "4.8 px"; "1 cut".
 * Definitions are main's (src/main/bench/scorecard.ts): rates are over rated outcomes, latency
 * over successes.
 */
import { formatLatency, formatMoney, formatNumber, formatPercent } from '../format';
import { MEASURE_EXPLANATIONS, MEASURE_KEYS, MEASURE_LABELS, formatMeasure } from './measures';
import type { ScorecardLineView } from './scorecard-schema';

export const RATED_OUTCOMES = [
  'success',
  'policy_refusal',
  'failure',
  'timeout',
  'bad_output',
] as const;
export type RatedOutcome = (typeof RATED_OUTCOMES)[number];

export const OUTCOME_NAMES: Readonly<Record<RatedOutcome, string>> = {
  success: 'Success',
  policy_refusal: 'Policy refusal',
  failure: 'Failure',
  timeout: 'Timeout',
  bad_output: 'Bad output',
};

export const LATENCY_PHASES = ['queue', 'generation', 'download', 'total'] as const;
export type LatencyPhase = (typeof LATENCY_PHASES)[number];
export const PHASE_NAMES: Readonly<Record<LatencyPhase, string>> = {
  queue: 'Queue',
  generation: 'Generation',
  download: 'Download',
  total: 'Total',
};

export const isNumber = (value: number | null | undefined): value is number =>
  value !== null && value !== undefined && Number.isFinite(value);

/** Which way is better for a row, to highlight the best model. */
type Better = 'higher' | 'lower' | null;

export interface ScorecardRow {
  key: string;
  label: string;
  /** One sentence for a tooltip. */
  hint?: string;
  values: string[];
  /** Index of the best model in this row; null when there is no clear best (ties, one model). */
  best: number | null;
}

export interface ScorecardSection {
  title: string;
  rows: ScorecardRow[];
}

function bestIndex(raw: (number | null)[], better: Better): number | null {
  if (!better || raw.length < 2) return null;
  const present = raw.filter(isNumber);
  if (present.length < 2) return null;
  const target = better === 'higher' ? Math.max(...present) : Math.min(...present);
  const winners = raw.flatMap((value, index) => (value === target ? [index] : []));
  return winners.length === 1 ? (winners[0] ?? null) : null;
}

function row(
  key: string,
  label: string,
  lines: readonly ScorecardLineView[],
  get: (line: ScorecardLineView) => number | null,
  format: (value: number | null) => string,
  better: Better,
  hint?: string,
): ScorecardRow {
  const raw = lines.map(get);
  return {
    key,
    label,
    ...(hint ? { hint } : {}),
    values: raw.map(format),
    best: bestIndex(raw, better),
  };
}

/** The scorecard table: one column per model (the lines, in order), rows grouped by topic. */
export function scorecardSections(lines: readonly ScorecardLineView[]): ScorecardSection[] {
  return [
    {
      title: 'Outcomes',
      rows: [
        row(
          'generations',
          'Generations',
          lines,
          (l) => l.total,
          (value) => formatNumber(value, 0),
          null,
        ),
        ...RATED_OUTCOMES.map((outcome) =>
          row(
            `rate.${outcome}`,
            `${OUTCOME_NAMES[outcome]} rate`,
            lines,
            (l) => l.rates[outcome] ?? null,
            formatPercent,
            outcome === 'success' ? 'higher' : null,
            outcome === 'success'
              ? 'Share of finished generations that produced a usable video (cancelled and skipped ones are not counted).'
              : undefined,
          ),
        ),
      ],
    },
    {
      title: 'Latency (successful generations)',
      rows: LATENCY_PHASES.flatMap((phase) =>
        (['p50', 'p95'] as const).map((p) =>
          row(
            `${p}.${phase}`,
            `${PHASE_NAMES[phase]} ${p}`,
            lines,
            (l) => l.latencyMs[phase][p],
            formatLatency,
            'lower',
            p === 'p50'
              ? 'Median: half of the generations were faster than this.'
              : '95th percentile: all but the slowest 5 % were faster than this.',
          ),
        ),
      ),
    },
    {
      title: 'Cost',
      rows: [
        row('cost.total', 'Spent', lines, (l) => l.costUsd, formatMoney, null),
        row(
          'cost.clip',
          'Per successful clip',
          lines,
          (l) => l.costPerSuccessUsd,
          formatMoney,
          'lower',
          'Everything spent (failures that cost money included) divided by the number of videos that worked.',
        ),
        row(
          'cost.second',
          'Per successful second',
          lines,
          (l) => l.costPerSecondUsd,
          formatMoney,
          'lower',
          'Everything spent divided by the seconds of video that worked.',
        ),
      ],
    },
    {
      title: 'Compliance',
      rows: [
        row(
          'compliance',
          'Matches the request',
          lines,
          (l) => l.complianceRate,
          formatPercent,
          'higher',
          'Share of checked videos whose duration, resolution, aspect ratio and audio match what the suite asked for.',
        ),
      ],
    },
    {
      title: 'Technical measures (means)',
      rows: MEASURE_KEYS.map((key) =>
        row(
          `measure.${key}`,
          MEASURE_LABELS[key],
          lines,
          (l) => l.measures[key] ?? null,
          (value) => formatMeasure(key, value),
          null,
          MEASURE_EXPLANATIONS[key],
        ),
      ),
    },
  ];
}
