/**
 * Scorecards: pure aggregation of generation rows per model and per model × category.
 *
 * Definitions (the UI and the CSV use the same numbers):
 * - Outcome rates: count / rated, where rated = success + policy_refusal + failure + timeout +
 *   bad_output. cancelled, skipped_budget, skipped_unsupported, account_refused and
 *   submit_unknown are counted but not rated; rows
 *   without an outcome (still running) or with an outcome this module does not know are
 *   `pending`.
 * - Latency: over successful, non-cached generations with both timestamps of the phase.
 *   queue = started − submitted, generation = completed − started, download = download_ms,
 *   total = finished − submitted (ms). Percentiles are NEAREST-RANK: the p-th percentile of n
 *   sorted values is the value at 1-based rank ceil(p/100 × n) — always an observed value.
 * - Cost: the sum of cost_usd over all rows (failures that cost money included), divided by the
 *   number of successes (per clip) or by the seconds of successful video (per second). Video
 *   seconds are the probed duration when known, else the requested duration from `settings`.
 * - Compliance rate: successes whose compliance was checked and had no findings / successes
 *   whose compliance was checked.
 * - Measures: means over successes that have the measure (nulls ignored).
 */
import { csvCell, formatMoney, formatRatePercent } from '../../shared/format';
import type { GenerationRow } from './bench-repository';
import { MEASURE_CSV_COLUMNS, MEASURE_KEYS } from '../../shared/bench/measures';
import { LATENCY_PHASES, RATED_OUTCOMES } from '../../shared/bench/scorecard-table';

export { MEASURE_KEYS };
export type ScorecardMeasure = (typeof MEASURE_KEYS)[number];

/** Outcomes that make up the rate denominator, and the latency phases (one list, shared). */
export { LATENCY_PHASES, RATED_OUTCOMES };
/** Outcomes counted but left out of the rates. */
export const UNRATED_OUTCOMES = [
  'cancelled',
  'skipped_budget',
  'submit_unknown',
  'skipped_unsupported',
  'account_refused',
] as const;
export type RatedOutcome = (typeof RATED_OUTCOMES)[number];
export type CountedOutcome = RatedOutcome | (typeof UNRATED_OUTCOMES)[number];

export type LatencyPhase = (typeof LATENCY_PHASES)[number];

/** The generation columns a scorecard needs, plus what video analysis stored. */
export type ScorecardRow = Pick<
  GenerationRow,
  | 'provider'
  | 'model_id'
  | 'category'
  | 'outcome'
  | 'submitted_at'
  | 'started_at'
  | 'completed_at'
  | 'finished_at'
  | 'download_ms'
  | 'cost_usd'
  | 'cached'
> & {
  /** The settings JSON; only `durationSeconds` is read, as a fallback for `videoSeconds`. */
  settings?: string | null;
  /** Probed duration of the downloaded clip. */
  videoSeconds?: number | null;
  /** Technical measures; null/undefined = not analysed. */
  measures?: Partial<Record<ScorecardMeasure, number | null>> | null;
  /** Compliance findings; null/undefined = not checked, [] = compliant. */
  compliance?: readonly { setting: string }[] | null;
};

export interface LatencyStats {
  /** Values the percentiles are over. */
  n: number;
  p50: number | null;
  p95: number | null;
}

export interface ScorecardLine {
  provider: string;
  modelId: string;
  /** null = all categories of this model. */
  category: string | null;
  /** All rows, whatever their outcome. */
  total: number;
  counts: Record<CountedOutcome, number>;
  /** Rows without an outcome yet. */
  pending: number;
  /** The rate denominator. */
  rated: number;
  /** count / rated per rated outcome; null when nothing is rated. */
  rates: Record<RatedOutcome, number | null>;
  latencyMs: Record<LatencyPhase, LatencyStats>;
  costUsd: number;
  videoSeconds: number;
  costPerSuccessUsd: number | null;
  costPerSecondUsd: number | null;
  complianceChecked: number;
  compliant: number;
  complianceRate: number | null;
  /** Findings per setting (durationSeconds, aspectRatio, …) over checked successes. */
  findingsBySetting: Record<string, number>;
  measured: number;
  measures: Record<ScorecardMeasure, number | null>;
}

export interface ModelScorecard {
  provider: string;
  modelId: string;
  overall: ScorecardLine;
  /** Sorted by category name. */
  categories: ScorecardLine[];
}

export interface Scorecard {
  /** Sorted by provider, then model id. */
  models: ModelScorecard[];
}

/** Nearest-rank percentile of an ascending array; null for an empty one. */
export function percentileNearestRank(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  const value = sorted[rank - 1];
  return value === undefined ? null : value;
}

class Bucket {
  total = 0;
  pending = 0;
  counts: Record<CountedOutcome, number> = {
    success: 0,
    policy_refusal: 0,
    failure: 0,
    timeout: 0,
    bad_output: 0,
    cancelled: 0,
    skipped_budget: 0,
    submit_unknown: 0,
    skipped_unsupported: 0,
    account_refused: 0,
  };
  latency: Record<LatencyPhase, number[]> = { queue: [], generation: [], download: [], total: [] };
  cost = 0;
  videoSeconds = 0;
  complianceChecked = 0;
  compliant = 0;
  findings: Record<string, number> = {};
  measured = 0;
  measureSums: Record<ScorecardMeasure, number> = zeroMeasures();
  measureCounts: Record<ScorecardMeasure, number> = zeroMeasures();

  constructor(
    readonly provider: string,
    readonly modelId: string,
    readonly category: string | null,
  ) {}

  add(row: ScorecardRow, seconds: number | null): void {
    this.total += 1;
    this.cost += row.cost_usd ?? 0;
    const outcome = row.outcome;
    if (outcome === null) {
      this.pending += 1;
      return;
    }
    if (outcome in this.counts) this.counts[outcome as CountedOutcome] += 1;
    else this.pending += 1;
    if (outcome !== 'success') return;
    if (seconds !== null) this.videoSeconds += seconds;
    if (row.cached !== 1) {
      const { submitted_at: submitted, started_at: started, completed_at: completed } = row;
      if (started !== null && submitted !== null) this.latency.queue.push(started - submitted);
      if (completed !== null && started !== null) {
        this.latency.generation.push(completed - started);
      }
      if (row.download_ms !== null) this.latency.download.push(row.download_ms);
      if (row.finished_at !== null && submitted !== null) {
        this.latency.total.push(row.finished_at - submitted);
      }
    }
    const compliance = row.compliance;
    if (compliance !== null && compliance !== undefined) {
      this.complianceChecked += 1;
      if (compliance.length === 0) this.compliant += 1;
      for (const finding of compliance) {
        this.findings[finding.setting] = (this.findings[finding.setting] ?? 0) + 1;
      }
    }
    const measures = row.measures;
    if (measures !== null && measures !== undefined) {
      this.measured += 1;
      for (const key of MEASURE_KEYS) {
        const value = measures[key];
        if (typeof value === 'number' && Number.isFinite(value)) {
          this.measureSums[key] += value;
          this.measureCounts[key] += 1;
        }
      }
    }
  }

  /** Adds another bucket's totals into this one (used to build a model's overall line). */
  merge(other: Bucket): void {
    this.total += other.total;
    this.pending += other.pending;
    for (const outcome of Object.keys(this.counts) as CountedOutcome[]) {
      this.counts[outcome] += other.counts[outcome];
    }
    for (const phase of LATENCY_PHASES) {
      const target = this.latency[phase];
      for (const value of other.latency[phase]) target.push(value);
    }
    this.cost += other.cost;
    this.videoSeconds += other.videoSeconds;
    this.complianceChecked += other.complianceChecked;
    this.compliant += other.compliant;
    for (const [setting, count] of Object.entries(other.findings)) {
      this.findings[setting] = (this.findings[setting] ?? 0) + count;
    }
    this.measured += other.measured;
    for (const key of MEASURE_KEYS) {
      this.measureSums[key] += other.measureSums[key];
      this.measureCounts[key] += other.measureCounts[key];
    }
  }

  line(): ScorecardLine {
    const rated = RATED_OUTCOMES.reduce((sum, outcome) => sum + this.counts[outcome], 0);
    const rates = {} as Record<RatedOutcome, number | null>;
    for (const outcome of RATED_OUTCOMES) {
      rates[outcome] = rated > 0 ? this.counts[outcome] / rated : null;
    }
    const latencyMs = {} as Record<LatencyPhase, LatencyStats>;
    for (const phase of LATENCY_PHASES) {
      // Typed-array sort is numeric and much faster than a comparator.
      const values = Float64Array.from(this.latency[phase]).sort();
      latencyMs[phase] = {
        n: values.length,
        p50: percentileNearestRank(values, 50),
        p95: percentileNearestRank(values, 95),
      };
    }
    const measures = {} as Record<ScorecardMeasure, number | null>;
    for (const key of MEASURE_KEYS) {
      const count = this.measureCounts[key];
      measures[key] = count > 0 ? this.measureSums[key] / count : null;
    }
    const successes = this.counts.success;
    return {
      provider: this.provider,
      modelId: this.modelId,
      category: this.category,
      total: this.total,
      counts: { ...this.counts },
      pending: this.pending,
      rated,
      rates,
      latencyMs,
      costUsd: this.cost,
      videoSeconds: this.videoSeconds,
      costPerSuccessUsd: successes > 0 ? this.cost / successes : null,
      costPerSecondUsd: this.videoSeconds > 0 ? this.cost / this.videoSeconds : null,
      complianceChecked: this.complianceChecked,
      compliant: this.compliant,
      complianceRate: this.complianceChecked > 0 ? this.compliant / this.complianceChecked : null,
      findingsBySetting: { ...this.findings },
      measured: this.measured,
      measures,
    };
  }
}

function zeroMeasures(): Record<ScorecardMeasure, number> {
  return { flicker: 0, blur: 0, frozenFraction: 0, blackFraction: 0, sceneCuts: 0, motion: 0 };
}

/**
 * Builds the scorecard in one pass over the rows: each row goes into its model × category
 * bucket; a model's overall line is the merge of its category buckets.
 */
export function computeScorecard(rows: Iterable<ScorecardRow>): Scorecard {
  const providers = new Map<string, Map<string, Map<string, Bucket>>>();
  const settingsSeconds = new Map<string, number | null>();

  const requestedSeconds = (settings: string | null | undefined): number | null => {
    if (!settings) return null;
    let cached = settingsSeconds.get(settings);
    if (cached === undefined) {
      cached = null;
      try {
        const parsed = JSON.parse(settings) as { durationSeconds?: unknown };
        if (typeof parsed.durationSeconds === 'number' && parsed.durationSeconds > 0) {
          cached = parsed.durationSeconds;
        }
      } catch {
        cached = null;
      }
      settingsSeconds.set(settings, cached);
    }
    return cached;
  };

  for (const row of rows) {
    let models = providers.get(row.provider);
    if (!models) {
      models = new Map();
      providers.set(row.provider, models);
    }
    let categories = models.get(row.model_id);
    if (!categories) {
      categories = new Map();
      models.set(row.model_id, categories);
    }
    let bucket = categories.get(row.category);
    if (!bucket) {
      bucket = new Bucket(row.provider, row.model_id, row.category);
      categories.set(row.category, bucket);
    }
    let seconds: number | null = null;
    if (row.outcome === 'success') {
      seconds =
        typeof row.videoSeconds === 'number' && row.videoSeconds > 0
          ? row.videoSeconds
          : requestedSeconds(row.settings);
    }
    bucket.add(row, seconds);
  }

  const out: ModelScorecard[] = [];
  for (const [provider, models] of providers) {
    for (const [modelId, categories] of models) {
      const overall = new Bucket(provider, modelId, null);
      const lines: ScorecardLine[] = [];
      for (const bucket of categories.values()) {
        overall.merge(bucket);
        lines.push(bucket.line());
      }
      lines.sort((a, b) => (a.category ?? '').localeCompare(b.category ?? '', 'en'));
      out.push({ provider, modelId, overall: overall.line(), categories: lines });
    }
  }
  out.sort(
    (a, b) =>
      a.provider.localeCompare(b.provider, 'en') || a.modelId.localeCompare(b.modelId, 'en'),
  );
  return { models: out };
}

/** Every line of a scorecard: each model's overall line followed by its category lines. */
export function scorecardLines(scorecard: Scorecard): ScorecardLine[] {
  return scorecard.models.flatMap((model) => [model.overall, ...model.categories]);
}

// ---------------------------------------------------------------------------------------------
// Comparison

export interface CompareThresholds {
  /** Success rate drop, absolute (0.05 = 5 percentage points). */
  successRateDrop: number;
  /** p95 rise, relative (0.1 = 10 %) … */
  p95RiseFraction: number;
  /** … and at least this many ms, so tiny phases do not flag noise. */
  p95RiseMinMs: number;
  /** Cost per successful second rise, relative. */
  costRiseFraction: number;
  /** Compliance rate drop, absolute. */
  complianceDrop: number;
}

export const DEFAULT_COMPARE_THRESHOLDS: CompareThresholds = {
  successRateDrop: 0.05,
  p95RiseFraction: 0.1,
  p95RiseMinMs: 500,
  costRiseFraction: 0.1,
  complianceDrop: 0.05,
};

export type ComparedMetric =
  | 'successRate'
  | `p95.${LatencyPhase}`
  | 'costPerSecondUsd'
  | 'costPerSuccessUsd'
  | 'complianceRate';

export interface ScorecardChange {
  provider: string;
  modelId: string;
  category: string | null;
  metric: ComparedMetric;
  before: number;
  after: number;
  /** true when the change is a regression beyond the threshold. */
  worse: boolean;
  message: string;
}

function lineKey(line: ScorecardLine): string {
  return `${line.provider}\u0000${line.modelId}\u0000${line.category ?? ''}`;
}

/**
 * Compares lines present in both scorecards. Returns every change beyond a threshold; the ones
 * that got worse have `worse: true` (success rate down, a p95 up, cost up, compliance down).
 */
export function compareScorecards(
  before: Scorecard,
  after: Scorecard,
  thresholds: Partial<CompareThresholds> = {},
  /** When given, `compared` is raised by every figure present in both (changed or not). */
  tally?: { compared: number },
): ScorecardChange[] {
  const t = { ...DEFAULT_COMPARE_THRESHOLDS, ...thresholds };
  const previous = new Map(scorecardLines(before).map((line) => [lineKey(line), line]));
  const changes: ScorecardChange[] = [];
  for (const now of scorecardLines(after)) {
    const then = previous.get(lineKey(now));
    if (!then) continue;
    const where = `${now.provider}/${now.modelId}${now.category ? ` (${now.category})` : ''}`;
    const push = (
      metric: ComparedMetric,
      a: number,
      b: number,
      worse: boolean,
      message: string,
    ): void => {
      changes.push({
        provider: now.provider,
        modelId: now.modelId,
        category: now.category,
        metric,
        before: a,
        after: b,
        worse,
        message: `${where}: ${message}`,
      });
    };

    const s0 = then.rates.success;
    const s1 = now.rates.success;
    const count = (): void => {
      if (tally) tally.compared += 1;
    };
    if (s0 !== null && s1 !== null) count();
    if (s0 !== null && s1 !== null && Math.abs(s1 - s0) > t.successRateDrop) {
      push(
        'successRate',
        s0,
        s1,
        s1 < s0,
        `success rate ${s1 < s0 ? 'fell' : 'rose'} from ${formatRatePercent(s0)} to ${formatRatePercent(s1)}.`,
      );
    }

    for (const phase of LATENCY_PHASES) {
      const a = then.latencyMs[phase].p95;
      const b = now.latencyMs[phase].p95;
      if (a === null || b === null) continue;
      count();
      const delta = b - a;
      if (Math.abs(delta) > t.p95RiseMinMs && Math.abs(delta) > a * t.p95RiseFraction) {
        push(
          `p95.${phase}`,
          a,
          b,
          delta > 0,
          `p95 ${phase} time ${delta > 0 ? 'rose' : 'fell'} from ${Math.round(a)} ms to ${Math.round(b)} ms.`,
        );
      }
    }

    for (const metric of ['costPerSecondUsd', 'costPerSuccessUsd'] as const) {
      const a = then[metric];
      const b = now[metric];
      if (a === null || b === null) continue;
      count();
      const delta = b - a;
      if (a === 0 ? delta !== 0 : Math.abs(delta) > a * t.costRiseFraction) {
        const what =
          metric === 'costPerSecondUsd' ? 'per successful second' : 'per successful clip';
        push(
          metric,
          a,
          b,
          delta > 0,
          `cost ${what} ${delta > 0 ? 'rose' : 'fell'} from ${formatMoney(a)} to ${formatMoney(b)}.`,
        );
      }
    }

    const c0 = then.complianceRate;
    const c1 = now.complianceRate;
    if (c0 !== null && c1 !== null) count();
    if (c0 !== null && c1 !== null && Math.abs(c1 - c0) > t.complianceDrop) {
      push(
        'complianceRate',
        c0,
        c1,
        c1 < c0,
        `compliance ${c1 < c0 ? 'fell' : 'rose'} from ${formatRatePercent(c0)} to ${formatRatePercent(c1)}.`,
      );
    }
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// CSV

type CsvColumn = readonly [name: string, get: (line: ScorecardLine) => string | number | null];

const col = (name: string, get: CsvColumn[1]): CsvColumn => [name, get];

const CSV_COLUMNS: readonly CsvColumn[] = [
  col('provider', (l) => l.provider),
  col('model', (l) => l.modelId),
  col('category', (l) => l.category ?? 'all'),
  col('total', (l) => l.total),
  ...[...RATED_OUTCOMES, ...UNRATED_OUTCOMES].map((outcome) =>
    col(outcome, (l) => l.counts[outcome]),
  ),
  col('pending', (l) => l.pending),
  col('rated', (l) => l.rated),
  ...RATED_OUTCOMES.map((outcome) => col(`${outcome}_rate`, (l) => l.rates[outcome])),
  ...LATENCY_PHASES.flatMap((phase) => [
    col(`${phase}_p50_ms`, (l) => l.latencyMs[phase].p50),
    col(`${phase}_p95_ms`, (l) => l.latencyMs[phase].p95),
  ]),
  col('cost_usd', (l) => l.costUsd),
  col('video_seconds', (l) => l.videoSeconds),
  col('cost_per_success_usd', (l) => l.costPerSuccessUsd),
  col('cost_per_second_usd', (l) => l.costPerSecondUsd),
  col('compliance_checked', (l) => l.complianceChecked),
  col('compliance_rate', (l) => l.complianceRate),
  ...MEASURE_KEYS.map((key) => col(MEASURE_CSV_COLUMNS[key], (l) => l.measures[key])),
];

/** RFC 4180 CSV (CRLF line ends), one row per scorecard line, header first. */
export function scorecardToCsv(scorecard: Scorecard): string {
  const rows = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const line of scorecardLines(scorecard)) {
    rows.push(CSV_COLUMNS.map(([, get]) => csvCell(get(line))).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
