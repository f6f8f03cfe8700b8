/**
 * Data for the watch views: per tier and (provider, model), volume, success rate, p95 latency,
 * generated seconds and cost over time from query_range; the points where the config version
 * changed (from the `config_version` label), for marking on the time axis; and each tier's
 * spending against its budget and quota (set in the routing config, see tier-budgets.ts).
 */
import type { Measure, WatchSettings } from '../../shared/watch/watch-settings';
import { queryTemplate, renderQuery } from '../../shared/watch/watch-settings';
import {
  SERIES_MEASURES,
  type BudgetItem,
  type BudgetSource,
  type TierBudgetLimits,
  type BudgetStatus,
  type ConfigChange,
  type QueryProblem,
  type SeriesReport,
  type TargetSeries,
} from '../../shared/watch/watch-types';
import { targetKey } from './guards';
import type { MetricsSource, RangeSeries } from './prometheus-client';

const STEPS = [300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** The smallest step that keeps a chart under `maxPoints` points (at least 5 minutes). */
export function chooseStep(fromMs: number, toMs: number, maxPoints = 400): number {
  const span = Math.max(1, (toMs - fromMs) / 1000);
  return (
    STEPS.find((step) => span / step <= maxPoints) ?? 86400 * Math.ceil(span / 86400 / maxPoints)
  );
}

/** A tier's limits (from the routing config) and where they were read. */
export interface BudgetLimits {
  limits: TierBudgetLimits;
  from?: BudgetSource;
}

/**
 * Change points from a `count by (config_version)` range: each version's first instant in the
 * range, in time order, except the version(s) already reporting at the start.
 */
export function configChanges(series: RangeSeries[]): ConfigChange[] {
  const firstSeen = series
    .map((item) => ({
      version: item.labels.config_version ?? '',
      at: Math.min(...item.points.map((point) => point.time)),
      last: Math.max(...item.points.map((point) => point.time)),
    }))
    .filter((item) => item.version !== '')
    .sort((a, b) => a.at - b.at);
  const rangeStart = firstSeen[0]?.at ?? 0;
  const changes: ConfigChange[] = [];
  for (const item of firstSeen) {
    if (item.at === rangeStart) continue;
    // The version reporting just before: the latest-starting one still reporting then.
    const before = firstSeen
      .filter((other) => other.at < item.at && other.last >= item.at - 1)
      .sort((a, b) => b.at - a.at)[0];
    const earlier = firstSeen
      .filter((other) => other.at < item.at)
      .sort((a, b) => b.last - a.last)[0];
    changes.push({
      at: item.at,
      version: item.version,
      previous: (before ?? earlier)?.version ?? null,
    });
  }
  return changes;
}

const toPoints = (series: RangeSeries | undefined): [number, number | null][] =>
  (series?.points ?? []).map((point) => [
    point.time,
    Number.isFinite(point.value) ? point.value : null,
  ]);

export async function tierSeries(
  source: MetricsSource | QueryProblem,
  settings: WatchSettings,
  tier: string,
  fromMs: number,
  toMs: number,
  now: number,
  budget: BudgetLimits,
): Promise<SeriesReport> {
  const stepSeconds = chooseStep(fromMs, toMs);
  const problems: QueryProblem[] = [];
  if (!('query' in source)) {
    problems.push(source);
    return {
      tier,
      from: fromMs,
      to: toMs,
      stepSeconds,
      targets: [],
      configChanges: [],
      budget: {
        tier,
        at: now,
        items: [],
        problems: [source],
        ...(budget.from ? { from: budget.from } : {}),
      },
      problems,
    };
  }
  const window = `${stepSeconds}s`;
  const range = (measure: Measure): ReturnType<MetricsSource['queryRange']> =>
    source.queryRange(
      renderQuery(queryTemplate(settings, measure), { tier, window }),
      fromMs,
      toMs,
      stepSeconds,
    );
  const [versions, ...answers] = await Promise.all([
    range('config_versions'),
    ...SERIES_MEASURES.map((measure) => range(measure)),
  ]);
  const byMeasure = new Map<string, Map<string, RangeSeries>>();
  const targets = new Map<string, { provider: string; model: string }>();
  SERIES_MEASURES.forEach((measure, i) => {
    const answer = answers[i];
    const map = new Map<string, RangeSeries>();
    if (answer?.ok) {
      for (const item of answer.data) {
        const { provider, model } = item.labels;
        if (provider === undefined || model === undefined) continue;
        map.set(targetKey(provider, model), item);
        targets.set(targetKey(provider, model), { provider, model });
      }
    } else if (answer) problems.push({ ...answer.problem, measure });
    byMeasure.set(measure, map);
  });
  if (!versions.ok) problems.push({ ...versions.problem, measure: 'config_versions' });
  const rows: TargetSeries[] = [...targets.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([key, target]) => ({
      ...target,
      volume: toPoints(byMeasure.get('volume')?.get(key)),
      success_rate: toPoints(byMeasure.get('success_rate')?.get(key)),
      p95_latency: toPoints(byMeasure.get('p95_latency')?.get(key)),
      generated_seconds: toPoints(byMeasure.get('generated_seconds')?.get(key)),
      cost: toPoints(byMeasure.get('cost')?.get(key)),
    }));
  return {
    tier,
    from: fromMs,
    to: toMs,
    stepSeconds,
    targets: rows,
    configChanges: versions.ok ? configChanges(versions.data) : [],
    budget: await tierBudget(source, settings, tier, now, budget),
    problems,
  };
}

/**
 * Spending and usage from the start of the UTC day / month up to `now`, against the tier's
 * budget from the routing config. The day is the one `now` ends (midnight itself closes the day before), so a view of
 * a past range ending at midnight shows that whole day, not a one-minute-old new day.
 */
export async function tierBudget(
  source: MetricsSource,
  settings: WatchSettings,
  tier: string,
  now: number,
  limits: BudgetLimits,
): Promise<BudgetStatus> {
  // The limits are the routing config's (the watch settings' own `budget` is no longer read).
  const budget = limits.limits;
  const date = new Date(now - 1);
  const dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const windowSince = (start: number): string =>
    `${Math.max(60, Math.floor((now - start) / 1000))}s`;
  const problems: QueryProblem[] = [];
  const total = async (measure: Measure, since: number): Promise<number | null> => {
    const answer = await source.query(
      renderQuery(queryTemplate(settings, measure), {
        tier,
        window: windowSince(since),
        by: 'tier',
      }),
      now,
    );
    if (!answer.ok) {
      problems.push({ ...answer.problem, measure });
      return null;
    }
    const value = answer.data.reduce((sum, sample) => sum + sample.value, 0);
    return Number.isFinite(value) ? value : null;
  };
  const wanted: {
    kind: BudgetItem['kind'];
    limit: number | undefined;
    measure: Measure;
    since: number;
  }[] = [
    { kind: 'daily_usd', limit: budget.dailyUsd, measure: 'cost', since: dayStart },
    { kind: 'monthly_usd', limit: budget.monthlyUsd, measure: 'cost', since: monthStart },
    { kind: 'daily_requests', limit: budget.dailyRequests, measure: 'volume', since: dayStart },
    {
      kind: 'daily_generated_seconds',
      limit: budget.dailyGeneratedSeconds,
      measure: 'generated_seconds',
      since: dayStart,
    },
  ];
  const items: BudgetItem[] = [];
  for (const item of wanted) {
    if (item.limit === undefined) continue;
    const used = await total(item.measure, item.since);
    items.push({
      kind: item.kind,
      used,
      limit: item.limit,
      fraction: used === null ? null : used / item.limit,
      over: used !== null && used > item.limit,
    });
  }
  return { tier, at: now, items, problems, ...(limits.from ? { from: limits.from } : {}) };
}
