/**
 * Rollout guards: success rate, p95 latency and cost per video per (tier, provider, model),
 * against absolute thresholds per tier and, where the tier asks for it, relative to the step
 * before or to the other providers of the same tier.
 *
 * Missing data is a breach, never a pass: a tier or an expected target with no requests, too
 * few requests to judge, a NaN, or a query that failed all give `no_data` or `error`, and the
 * report's status is `pass` only when every guard passed.
 */
import type {
  GuardKind,
  Measure,
  TierGuardSettings,
  WatchEnv,
  WatchSettings,
} from '../../shared/watch/watch-settings';
import {
  durationSeconds,
  labelFilters,
  queryTemplate,
  renderQuery,
} from '../../shared/watch/watch-settings';
import type {
  CheckStatus,
  GuardResult,
  QueryProblem,
  RolloutStep,
  WatchReport,
} from '../../shared/watch/watch-types';
import { formatGuardValue } from '../../shared/watch/guard-value';
import type { InstantSample, MetricsSource, QueryOutcome } from './prometheus-client';

/** What the guards need from the rollout (implemented by the publishing/rollout service). */
export interface RolloutControl {
  /** Pauses the running rollouts; `false` when none was running (e.g. the final step baking). */
  pause(env: WatchEnv, reason: string): Promise<boolean | void>;
  /**
   * Rolls the whole rollout back to the content before it. `step`: the step judged; one guarded
   * while a rollout state is damaged names the version before the rollout itself
   * (`step.damaged.fromVersion`), since its state cannot.
   */
  rollback(env: WatchEnv, reason: string, step?: RolloutStep): Promise<void>;
  /**
   * The step the watch judges (the rule the controller uses too): with auto-rollback on in
   * `settings`, a paused step whose content is still live, marked `paused`.
   */
  currentStep(env: WatchEnv, settings: WatchSettings): Promise<RolloutStep | null>;
  /** The config store the rollouts live in (its credentials redacted), for advice. */
  storeUri?(): string;
}

export interface WatchContext {
  settings: WatchSettings;
  /** A metrics source for the environment, or why there is none (not configured). */
  source: MetricsSource | QueryProblem;
  now: () => number;
}

const GUARD_MEASURE: Record<GuardKind, Measure> = {
  success_rate: 'success_rate',
  p95_latency: 'p95_latency',
  cost_per_video: 'cost_per_video',
};

const GUARD_LABEL: Record<GuardKind, string> = {
  success_rate: 'success rate',
  p95_latency: 'p95 latency',
  cost_per_video: 'cost per video',
};

export { formatGuardValue };

/** Higher is worse for latency and cost; lower is worse for success rate. */
function breaches(guard: GuardKind, value: number, threshold: number): boolean {
  return guard === 'success_rate' ? value < threshold : value > threshold;
}

export const targetKey = (provider: string, model: string): string => `${provider}\u0000${model}`;

export function byTarget(samples: InstantSample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const sample of samples) {
    const provider = sample.labels.provider;
    const model = sample.labels.model;
    if (provider !== undefined && model !== undefined)
      out.set(targetKey(provider, model), sample.value);
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** Status of a whole check: breach wins over error, error over no_data; pass only if all pass. */
export function overallStatus(guards: GuardResult[], problems: QueryProblem[]): CheckStatus {
  if (guards.some((guard) => guard.status === 'breach')) return 'breach';
  if (problems.length > 0 || guards.some((guard) => guard.status === 'error')) return 'error';
  if (guards.length === 0 || guards.some((guard) => guard.status === 'no_data')) return 'no_data';
  return 'pass';
}

function guardKinds(tier: TierGuardSettings): { guard: GuardKind; threshold: number | null }[] {
  const absolute: { guard: GuardKind; threshold: number | null }[] = [
    { guard: 'success_rate', threshold: tier.minSuccessRate },
    { guard: 'p95_latency', threshold: tier.maxP95LatencySeconds },
    { guard: 'cost_per_video', threshold: tier.maxCostPerVideoUsd },
  ];
  return absolute;
}

interface TierData {
  volume: QueryOutcome<InstantSample[]>;
  measures: Record<GuardKind, QueryOutcome<InstantSample[]>>;
}

async function readTier(
  source: MetricsSource,
  settings: WatchSettings,
  tier: string,
  timeMs: number,
  filters: string,
): Promise<TierData> {
  const run = (measure: Measure): Promise<QueryOutcome<InstantSample[]>> =>
    source.query(
      renderQuery(queryTemplate(settings, measure), {
        tier,
        window: settings.guardWindow,
        filters,
      }),
      timeMs,
    );
  const [volume, success, latency, cost] = await Promise.all([
    run('volume'),
    run('success_rate'),
    run('p95_latency'),
    run('cost_per_video'),
  ]);
  return {
    volume,
    measures: { success_rate: success, p95_latency: latency, cost_per_video: cost },
  };
}

/**
 * Tiers whose queries run at once in one check. 4 tiers × 4 measures (8 with a "previous step"
 * baseline) keeps a check to a few dozen requests in flight, which a Prometheus answers side by
 * side, while a check of 12 tiers waits for 3 rounds instead of 12.
 */
export const TIER_CONCURRENCY = 4;

/** `work` on every item, at most `limit` at a time; the results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const withMeasure = (problem: QueryProblem, measure: string): QueryProblem => ({
  ...problem,
  measure,
});

/**
 * Evaluates every guard of every configured tier once, at the injected clock's time. With a
 * step, only traffic labelled with the step's config version counts, and "previous step"
 * compares with the same window just before the step started.
 */
export async function evaluateGuards(
  context: WatchContext,
  env: WatchEnv,
  step: RolloutStep | null,
): Promise<WatchReport> {
  const { settings } = context;
  const checkedAt = context.now();
  const guards: GuardResult[] = [];
  const problems: QueryProblem[] = [];
  const report = (): WatchReport => {
    const counts = { pass: 0, breach: 0, no_data: 0, error: 0 };
    for (const guard of guards) counts[guard.status] += 1;
    return {
      env,
      checkedAt,
      window: settings.guardWindow,
      step,
      status: overallStatus(guards, problems),
      counts,
      guards,
      problems,
    };
  };
  if (!('query' in context.source)) {
    problems.push(context.source);
    return report();
  }
  const source = context.source;
  if (settings.tiers.length === 0) {
    problems.push({
      kind: 'not_configured',
      message: 'No tier has guards yet; set thresholds per tier in Rollout → Production watch.',
    });
    return report();
  }
  const windowMs = durationSeconds(settings.guardWindow) * 1000;
  const filters = step ? labelFilters({ config_version: String(step.version) }) : '';

  // Every tier's queries at once, at most TIER_CONCURRENCY tiers at a time (each tier is 4 or 8
  // queries in flight): one tier after the other, a slow Prometheus made a check with many tiers
  // take tiers × the slowest answer, long enough for the controller's tick to outlast its lease.
  const read = await mapBounded(settings.tiers, TIER_CONCURRENCY, async (tier) => {
    const [current, baseline] = await Promise.all([
      readTier(source, settings, tier.tier, checkedAt, filters),
      tier.relative.mode === 'previous_step'
        ? readTier(source, settings, tier.tier, step ? step.startedAt : checkedAt - windowMs, '')
        : undefined,
    ]);
    return { current, baseline };
  });

  for (const [index, tier] of settings.tiers.entries()) {
    const { current, baseline } = read[index] as (typeof read)[number];
    const relative = tier.relative.mode;

    const volumes = current.volume.ok ? byTarget(current.volume.data) : new Map<string, number>();
    const targets = new Map<string, { provider: string; model: string }>();
    if (current.volume.ok)
      for (const sample of current.volume.data) {
        const { provider, model } = sample.labels;
        if (provider !== undefined && model !== undefined)
          targets.set(targetKey(provider, model), { provider, model });
      }
    for (const expected of tier.expected)
      targets.set(targetKey(expected.provider, expected.model), expected);

    const kinds = guardKinds(tier).filter((kind) => kind.threshold !== null || relative !== 'off');
    for (const { guard, threshold } of kinds) {
      const critical = tier.critical.includes(guard);
      const base = { tier: tier.tier, guard, critical, reference: null };
      const modes: GuardResult['mode'][] = [];
      if (threshold !== null) modes.push('absolute');
      if (relative !== 'off') modes.push(relative);
      const outcome = current.measures[guard];
      // The whole tier could not be read or reported nothing at all.
      const tierProblem = !current.volume.ok
        ? withMeasure(current.volume.problem, 'volume')
        : !outcome.ok && outcome.problem.kind !== 'empty'
          ? withMeasure(outcome.problem, GUARD_MEASURE[guard])
          : undefined;
      if (tierProblem || targets.size === 0) {
        for (const mode of modes) {
          const empty = !tierProblem || tierProblem.kind === 'empty';
          guards.push({
            ...base,
            provider: null,
            model: null,
            mode,
            status: empty ? 'no_data' : 'error',
            value: null,
            threshold: mode === 'absolute' ? threshold : null,
            message: empty
              ? `No requests reported for tier ${tier.tier} in the last ${settings.guardWindow}${step ? ` under config version ${step.version}` : ''}: the ${GUARD_LABEL[guard]} cannot be checked.`
              : `The ${GUARD_LABEL[guard]} of tier ${tier.tier} could not be read: ${tierProblem?.message ?? ''}`,
            ...(tierProblem ? { problem: tierProblem } : {}),
          });
        }
        continue;
      }
      const values = outcome.ok ? byTarget(outcome.data) : new Map<string, number>();
      const baselineValues =
        baseline && baseline.measures[guard].ok
          ? byTarget(baseline.measures[guard].data)
          : new Map<string, number>();
      const baselineVolumes =
        baseline && baseline.volume.ok ? byTarget(baseline.volume.data) : new Map<string, number>();

      for (const [key, target] of targets) {
        const volume = volumes.get(key) ?? 0;
        const value = values.get(key);
        const name = `${target.provider}/${target.model}`;
        // A volume that is not a finite number (NaN compares false with everything, +Inf is
        // no count) says nothing about how many requests were judged: missing data.
        const missing = !Number.isFinite(volume)
          ? `${name} reported a request count that is not a number (${volume}) in the last ${settings.guardWindow}`
          : volume < settings.minRequests
            ? `${name} had ${Math.round(volume)} requests in the last ${settings.guardWindow} (at least ${settings.minRequests} are needed to judge)`
            : value === undefined || !Number.isFinite(value)
              ? `${name} reported no ${GUARD_LABEL[guard]} in the last ${settings.guardWindow}`
              : undefined;
        for (const mode of modes) {
          const row = { ...base, provider: target.provider, model: target.model, mode };
          if (missing !== undefined || value === undefined) {
            guards.push({
              ...row,
              status: 'no_data',
              value: value !== undefined && Number.isFinite(value) ? value : null,
              threshold: mode === 'absolute' ? threshold : null,
              message: `${missing ?? name}: missing data counts as a breach.`,
            });
            continue;
          }
          if (mode === 'absolute' && threshold !== null) {
            const bad = breaches(guard, value, threshold);
            guards.push({
              ...row,
              status: bad ? 'breach' : 'pass',
              value,
              threshold,
              message: `${name} ${GUARD_LABEL[guard]} ${formatGuardValue(guard, value)} (${guard === 'success_rate' ? 'minimum' : 'maximum'} ${formatGuardValue(guard, threshold)}).`,
            });
            continue;
          }
          // Relative: a reference from before the step, or from the tier's other providers.
          let reference: number | undefined;
          let referenceName: string;
          if (mode === 'previous_step') {
            referenceName = step
              ? `before config version ${step.version}`
              : `the ${settings.guardWindow} before`;
            const baseVolume = baselineVolumes.get(key) ?? 0;
            const baseValue = baselineValues.get(key);
            if (
              Number.isFinite(baseVolume) &&
              baseVolume >= settings.minRequests &&
              baseValue !== undefined &&
              Number.isFinite(baseValue)
            )
              reference = baseValue;
          } else {
            referenceName = `the other providers of tier ${tier.tier}`;
            const peers = [...targets.keys()].filter(
              (other) =>
                other !== key &&
                // A peer with an infinite volume would make the weighted reference NaN.
                Number.isFinite(volumes.get(other) ?? 0) &&
                (volumes.get(other) ?? 0) >= settings.minRequests &&
                Number.isFinite(values.get(other) ?? Number.NaN),
            );
            if (peers.length > 0) {
              if (guard === 'success_rate') {
                const total = peers.reduce((sum, peer) => sum + (volumes.get(peer) ?? 0), 0);
                reference =
                  peers.reduce(
                    (sum, peer) => sum + (values.get(peer) ?? 0) * (volumes.get(peer) ?? 0),
                    0,
                  ) / total;
              } else reference = median(peers.map((peer) => values.get(peer) ?? Number.NaN));
            }
          }
          if (reference === undefined) {
            guards.push({
              ...row,
              status: 'no_data',
              value,
              threshold: null,
              message: `${name}: nothing to compare its ${GUARD_LABEL[guard]} with (${referenceName} has no data); missing data counts as a breach.`,
            });
            continue;
          }
          const limit =
            guard === 'success_rate'
              ? reference - tier.relative.maxSuccessRateDrop
              : reference *
                (guard === 'p95_latency'
                  ? tier.relative.maxLatencyRatio
                  : tier.relative.maxCostRatio);
          const bad = breaches(guard, value, limit);
          guards.push({
            ...row,
            status: bad ? 'breach' : 'pass',
            value,
            threshold: limit,
            reference,
            message: `${name} ${GUARD_LABEL[guard]} ${formatGuardValue(guard, value)} against ${formatGuardValue(guard, reference)} for ${referenceName} (limit ${formatGuardValue(guard, limit)}).`,
          });
        }
      }
    }
  }
  return report();
}

/** Why a check did not pass, in a phrase ("a guard breached"), for pause and rollback reasons. */
export function failedCheckWhat(status: WatchReport['status']): string {
  return status === 'breach'
    ? 'a guard breached'
    : status === 'no_data'
      ? 'metrics are missing'
      : 'metrics could not be read';
}

/** One line per guard that did not pass, for notifications, rollout reasons and the CLI. */
export function summarizeReport(report: WatchReport): string {
  const bad = report.guards.filter((guard) => guard.status !== 'pass');
  const lines = [
    ...report.problems.map((problem) => `${problem.kind}: ${problem.message}`),
    ...bad.map((guard) => `${guard.status} [${guard.tier}] ${guard.message}`),
  ];
  if (lines.length === 0) return `All ${report.guards.length} guards passed.`;
  return lines.join('\n');
}
