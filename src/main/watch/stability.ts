/**
 * "7 consecutive days without a critical issue", per tier. Each UTC day is judged from one
 * query_range (step 1 day, window 1 day) per critical guard: a day is critical when any target
 * with enough traffic broke an absolute threshold of a guard the tier marks critical, or when an
 * expected target reported nothing. A day where the tier reported nothing is `no_data`, which
 * breaks the streak too (missing data is never a pass). Today, while it lasts, resets the count
 * if it is already critical and otherwise does not count yet. A rollback or a kill switch in
 * production resets the count too: the day it happened is critical, whatever the metrics say.
 */
import type {
  GuardKind,
  Measure,
  TierGuardSettings,
  WatchSettings,
} from '../../shared/watch/watch-settings';
import { queryTemplate, renderQuery } from '../../shared/watch/watch-settings';
import type {
  QueryProblem,
  StabilityDay,
  StabilityFailure,
  StabilityReport,
} from '../../shared/watch/watch-types';
import { formatGuardValue, targetKey } from './guards';
import type { MetricsSource, QueryOutcome, RangeSeries } from './prometheus-client';

const DAY_MS = 86400000;

/** A production rollback or kill switch (from the history): the day it happened is critical. */
export interface StabilityReset {
  at: number;
  action: 'rollback' | 'kill_switch';
  actor: string;
  version: number | null;
}

function resetFailures(resets: readonly StabilityReset[], start: number, end: number) {
  return resets
    .filter((reset) => reset.at >= start && reset.at < end)
    .sort((a, b) => a.at - b.at)
    .map((reset): StabilityFailure => ({
      guard: reset.action,
      provider: null,
      model: null,
      value: null,
      threshold: null,
      message: `${reset.action === 'rollback' ? 'Rolled back' : 'Kill switch'} by ${reset.actor} at ${new Date(reset.at).toISOString()}${reset.version === null ? '' : ` (version ${reset.version})`}.`,
    }));
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function threshold(tier: TierGuardSettings, guard: GuardKind): number | null {
  if (guard === 'success_rate') return tier.minSuccessRate;
  if (guard === 'p95_latency') return tier.maxP95LatencySeconds;
  return tier.maxCostPerVideoUsd;
}

/** value at time t per target, from range series labelled provider/model. */
function index(series: RangeSeries[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const item of series) {
    const { provider, model } = item.labels;
    if (provider === undefined || model === undefined) continue;
    const points = new Map<number, number>();
    for (const point of item.points) points.set(point.time, point.value);
    out.set(targetKey(provider, model), points);
  }
  return out;
}

function names(series: RangeSeries[]): Map<string, { provider: string; model: string }> {
  const out = new Map<string, { provider: string; model: string }>();
  for (const item of series) {
    const { provider, model } = item.labels;
    if (provider !== undefined && model !== undefined)
      out.set(targetKey(provider, model), { provider, model });
  }
  return out;
}

interface DayData {
  volume: QueryOutcome<RangeSeries[]>;
  measures: Partial<Record<GuardKind, QueryOutcome<RangeSeries[]>>>;
}

function judgeDay(
  tier: TierGuardSettings,
  settings: WatchSettings,
  guards: GuardKind[],
  data: DayData,
  evaluatedAt: number,
): { status: 'ok' | 'critical' | 'no_data' | 'error'; failures: StabilityFailure[] } {
  const failures: StabilityFailure[] = [];
  if (!data.volume.ok && data.volume.problem.kind !== 'empty')
    return {
      status: 'error',
      failures: [
        {
          guard: 'error',
          provider: null,
          model: null,
          value: null,
          threshold: null,
          message: data.volume.problem.message,
        },
      ],
    };
  const volumes = data.volume.ok ? index(data.volume.data) : new Map<string, Map<number, number>>();
  const targets = data.volume.ok
    ? names(data.volume.data)
    : new Map<string, { provider: string; model: string }>();
  for (const expected of tier.expected)
    targets.set(targetKey(expected.provider, expected.model), expected);
  const reported = [...targets.keys()].filter(
    (key) => (volumes.get(key)?.get(evaluatedAt) ?? 0) >= settings.minRequests,
  );
  if (reported.length === 0)
    return {
      status: 'no_data',
      failures: [
        {
          guard: 'no_data',
          provider: null,
          model: null,
          value: null,
          threshold: null,
          message: `Tier ${tier.tier} reported fewer than ${settings.minRequests} requests per target this day.`,
        },
      ],
    };
  for (const expected of tier.expected) {
    const key = targetKey(expected.provider, expected.model);
    if (!reported.includes(key))
      failures.push({
        guard: 'no_data',
        provider: expected.provider,
        model: expected.model,
        value: null,
        threshold: null,
        message: `${expected.provider}/${expected.model} is expected in tier ${tier.tier} but reported too little or nothing.`,
      });
  }
  for (const guard of guards) {
    const limit = threshold(tier, guard);
    const outcome = data.measures[guard];
    if (limit === null || !outcome) continue;
    if (!outcome.ok && outcome.problem.kind !== 'empty')
      return {
        status: 'error',
        failures: [
          {
            guard: 'error',
            provider: null,
            model: null,
            value: null,
            threshold: null,
            message: `${guard}: ${outcome.problem.message}`,
          },
        ],
      };
    const values = outcome.ok ? index(outcome.data) : new Map<string, Map<number, number>>();
    for (const key of reported) {
      const target = targets.get(key);
      if (!target) continue;
      const value = values.get(key)?.get(evaluatedAt);
      const name = `${target.provider}/${target.model}`;
      if (value === undefined || !Number.isFinite(value)) {
        failures.push({
          guard: 'no_data',
          provider: target.provider,
          model: target.model,
          value: null,
          threshold: limit,
          message: `${name} reported no ${guard.replace(/_/g, ' ')} this day.`,
        });
        continue;
      }
      const bad = guard === 'success_rate' ? value < limit : value > limit;
      if (bad)
        failures.push({
          guard,
          provider: target.provider,
          model: target.model,
          value,
          threshold: limit,
          message: `${name} ${guard.replace(/_/g, ' ')} ${formatGuardValue(guard, value)} (limit ${formatGuardValue(guard, limit)}).`,
        });
    }
  }
  return { status: failures.length > 0 ? 'critical' : 'ok', failures };
}

export async function computeStability(
  source: MetricsSource | QueryProblem,
  settings: WatchSettings,
  tierName: string,
  now: number,
  /** Production rollbacks and kill switches: each resets the count on its day. */
  resets: readonly StabilityReset[] = [],
): Promise<StabilityReport> {
  const requiredDays = settings.stability.requiredDays;
  const problems: QueryProblem[] = [];
  const empty = (): StabilityReport => ({
    tier: tierName,
    computedAt: now,
    requiredDays,
    count: 0,
    stable: false,
    resetBy: null,
    days: [],
    problems,
  });
  if (!('query' in source)) {
    problems.push(source);
    return empty();
  }
  const tier = settings.tiers.find((item) => item.tier === tierName);
  if (!tier) {
    problems.push({
      kind: 'not_configured',
      message: `Tier ${tierName} has no guard settings; add it in Rollout → Production watch.`,
    });
    return empty();
  }
  const guards = tier.critical.filter((guard) => threshold(tier, guard) !== null);
  if (guards.length === 0) {
    problems.push({
      kind: 'not_configured',
      message: `Tier ${tierName} has no critical guard with a threshold, so no day can be certified; mark at least one guard critical and set its threshold.`,
    });
    return empty();
  }
  const todayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const firstEnd = todayStart - (settings.stability.lookbackDays - 1) * DAY_MS;
  const rangeQuery = (measure: Measure): Promise<QueryOutcome<RangeSeries[]>> =>
    source.queryRange(
      renderQuery(queryTemplate(settings, measure), { tier: tierName, window: '1d' }),
      firstEnd,
      todayStart,
      86400,
    );
  const [volume, ...measures] = await Promise.all([
    rangeQuery('volume'),
    ...guards.map((guard) => rangeQuery(guard)),
  ]);
  const complete: DayData = {
    volume: volume as QueryOutcome<RangeSeries[]>,
    measures: Object.fromEntries(guards.map((guard, i) => [guard, measures[i]])),
  };
  for (const outcome of [complete.volume, ...Object.values(complete.measures)])
    if (outcome && !outcome.ok && outcome.problem.kind !== 'empty') problems.push(outcome.problem);

  const days: StabilityDay[] = [];
  for (let end = firstEnd; end <= todayStart; end += DAY_MS) {
    const judged = judgeDay(tier, settings, guards, complete, end);
    const reset = resetFailures(resets, end - DAY_MS, end);
    days.push(
      reset.length > 0 && judged.status !== 'error'
        ? {
            day: utcDay(end - DAY_MS),
            start: end - DAY_MS,
            end,
            status: 'critical',
            failures: [...reset, ...(judged.status === 'critical' ? judged.failures : [])],
          }
        : { day: utcDay(end - DAY_MS), start: end - DAY_MS, end, ...judged },
    );
  }
  // Today so far: at least 5 minutes of it, as one instant window.
  const elapsedSeconds = Math.floor((now - todayStart) / 1000);
  if (elapsedSeconds >= 300) {
    const window = `${elapsedSeconds}s`;
    const instant = async (measure: Measure): Promise<QueryOutcome<RangeSeries[]>> => {
      const answer = await source.query(
        renderQuery(queryTemplate(settings, measure), { tier: tierName, window }),
        now,
      );
      return answer.ok
        ? {
            ok: true,
            warnings: answer.warnings,
            data: answer.data.map((sample) => ({
              labels: sample.labels,
              points: [{ time: now, value: sample.value }],
            })),
          }
        : answer;
    };
    const [todayVolume, ...todayMeasures] = await Promise.all([
      instant('volume'),
      ...guards.map((guard) => instant(guard)),
    ]);
    const judged = judgeDay(
      tier,
      settings,
      guards,
      {
        volume: todayVolume as QueryOutcome<RangeSeries[]>,
        measures: Object.fromEntries(guards.map((guard, i) => [guard, todayMeasures[i]])),
      },
      now,
    );
    const reset = resetFailures(resets, todayStart, now + 1);
    const critical = judged.status === 'critical' || reset.length > 0;
    days.push({
      day: utcDay(todayStart),
      start: todayStart,
      end: now,
      status: critical ? 'critical' : 'in_progress',
      failures: [...reset, ...(judged.status === 'critical' ? judged.failures : [])],
    });
  }

  let count = 0;
  let resetBy: StabilityReport['resetBy'] = null;
  for (let i = days.length - 1; i >= 0; i -= 1) {
    const day = days[i];
    if (!day || day.status === 'in_progress') continue;
    if (day.status === 'ok') {
      count += 1;
      continue;
    }
    resetBy = { day: day.day, status: day.status, failures: day.failures };
    break;
  }
  return {
    tier: tierName,
    computedAt: now,
    requiredDays,
    count,
    stable: count >= requiredDays && problems.length === 0,
    resetBy,
    days,
    problems,
  };
}
