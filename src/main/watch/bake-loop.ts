/**
 * The bake loop: while a rollout step bakes, check its guards on a schedule (injected clock).
 * Any check that is not a pass pauses the rollout and notifies; where the admin enabled
 * auto-rollback for the environment, a breach or missing data also rolls back through the
 * rollout's normal (signed) rollback. A check that could not read the metrics at all
 * (Prometheus unreachable, a query error) pauses but does not roll back: the console cannot
 * tell a bad step from a broken monitor, and pausing is the safe half of both.
 *
 * Where auto-rollback is on, a paused step whose content is still live stays watched (the rule
 * the controller follows, `watchedStep`): a bake of such a step checks it once, rolls it back on
 * a failed check, and says when to check it again (`watchAgainAt`), so a rollback that failed
 * (a store blip, no key unlocked) or never ran (the console closed in between) gets done.
 */
import type { WatchEnv, WatchSettings } from '../../shared/watch/watch-settings';
import type { RolloutStep, WatchReport } from '../../shared/watch/watch-types';
import { damagedFailedCheck } from '../rollout/controller/damaged-state';
import { failedCheckWhat, summarizeReport, type RolloutControl } from './guards';
import type { RollbackNotices } from './rollback-notices';

export interface WatchNotification {
  env: WatchEnv;
  severity: 'critical' | 'warning';
  title: string;
  body: string;
}

/** Desktop notification and inbox; the app wires both behind this. */
export interface Notifier {
  notify(notification: WatchNotification): void | Promise<void>;
}

export interface BakeClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** `checked`: a paused step (watched for its rollback) was checked once and stays paused. */
export type BakeOutcome =
  | 'baked'
  | 'checked'
  | 'paused'
  | 'rolled_back'
  | 'rollback_failed'
  | 'no_step'
  | 'step_changed'
  | 'cancelled';

export interface BakeResult {
  outcome: BakeOutcome;
  step: RolloutStep | null;
  checks: WatchReport[];
  reason?: string;
  /** Outcome `rollback_failed`: why, and what the admin can do (one line, for the UI). */
  rollbackFailure?: string;
  /**
   * When to bake the step again (ms): it stays live and paused, and is still watched for its
   * automatic rollback. undefined: nothing is left to watch.
   */
  watchAgainAt?: number;
  /**
   * Outcome `rollback_failed`: the admin was already told that this step's rollback failed for
   * this reason, so nobody was notified again (the retry is only recorded).
   */
  repeated?: boolean;
  /**
   * A step guarded while a rollout state is damaged (`step.damaged`), after a failed check:
   * what became of it and what the admin should do (for the Watch view).
   */
  damagedAdvice?: string;
}

export interface BakeOptions {
  env: WatchEnv;
  rollout: RolloutControl;
  notifier: Notifier;
  clock: BakeClock;
  settings: () => WatchSettings;
  evaluate: (env: WatchEnv, step: RolloutStep) => Promise<WatchReport>;
  /** Each finished check (for storage and the `watch:guard-breached` event). */
  onCheck?: (report: WatchReport) => void;
  signal?: AbortSignal;
  /**
   * Only the next check of a paused step watched for its rollback: a step that is not paused
   * (resumed meanwhile) is left alone (`step_changed`), for a full bake the caller starts.
   */
  pausedOnly?: boolean;
  /**
   * The failed rollbacks already told (one notice per step and failure reason). Without it
   * every failed rollback notifies.
   */
  notices?: RollbackNotices;
}

const sameStep = (a: RolloutStep, b: RolloutStep): boolean =>
  a.version === b.version &&
  a.flag === b.flag &&
  a.percent === b.percent &&
  a.startedAt === b.startedAt;

export async function bakeStep(options: BakeOptions): Promise<BakeResult> {
  const { env, rollout, notifier, clock } = options;
  const checks: WatchReport[] = [];
  const first = await rollout.currentStep(env, options.settings());
  if (!first) return { outcome: 'no_step', step: null, checks };
  if (first.damaged) return checkDamagedStep(options, first);
  if (options.pausedOnly && !first.paused)
    return {
      outcome: 'step_changed',
      step: first,
      checks,
      reason: 'The step is not paused any more; it is baked as usual.',
    };
  const watchAgain = (step: RolloutStep) => watchAgainOf(options, step);

  for (;;) {
    if (options.signal?.aborted) return { outcome: 'cancelled', step: first, checks };
    const settings = options.settings();
    // The bake covers the whole step: the watch's bake time, and at least until the rollout's
    // next step is due (a shorter bake used to leave the rest of the step unchecked).
    const bakeUntil = Math.max(
      first.startedAt + settings.bakeMinutes * 60000,
      first.nextStepAt ?? 0,
    );
    const step = await rollout.currentStep(env, settings);
    if (!step || !sameStep(step, first))
      return {
        outcome: 'step_changed',
        step: first,
        checks,
        reason: 'The rollout moved on (or was stopped) outside this bake; nothing was done.',
      };
    // A rollout state became unreadable during the bake: the step is guarded as the rule for
    // a damaged state says (no bake to finish, nothing advanced).
    if (step.damaged) {
      const result = await checkDamagedStep(options, step);
      return { ...result, checks: [...checks, ...result.checks] };
    }
    const report = await options.evaluate(env, step);
    checks.push(report);
    // The record is a copy (SQLite): a database that cannot take it (locked, disk full) must
    // not skip the pause or rollback below; the check is still in the result.
    try {
      options.onCheck?.(report);
    } catch {
      // the report reaches the caller through `checks` and the breach notification
    }

    if (report.status !== 'pass') {
      const what = failedCheckWhat(report.status);
      const summary = summarizeReport(report);
      const pausedReason = `Watch paused ${describe(step)} in ${env}: ${what}.\n${summary}`;
      // A completed rollout's final step is still watched; there is nothing left to pause. A
      // paused step watched for its rollback was paused before (other running rollouts of the
      // environment are paused with it, as the controller does).
      const paused = (await rollout.pause(env, pausedReason)) !== false;
      const reason = paused
        ? pausedReason
        : step.paused
          ? `Watch: ${what} under ${describe(step)} in ${env}, which is paused and still live.\n${summary}`
          : `Watch: ${what} under ${describe(step)} in ${env}, after the rollout completed.\n${summary}`;
      const rollBack =
        report.status !== 'error' && settings.environments[env]?.autoRollback === true;
      if (!rollBack) {
        // A paused step watched for its rollback, and Prometheus is down again: it was reported
        // when it was paused, and the next check tries again.
        if (step.paused && !paused)
          return { outcome: 'checked', step, checks, reason, ...(await watchAgain(step)) };
        await notifier.notify({
          env,
          severity: 'critical',
          title: paused
            ? `Rollout paused in ${env}: ${what}`
            : `${env}: ${what} after the rollout completed; roll back by hand`,
          body: reason,
        });
        return { outcome: 'paused', step, checks, reason, ...(await watchAgain(step)) };
      }
      try {
        await rollout.rollback(env, reason, step);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // What the admin reads first (the inbox shows the first lines): what failed, that the
        // watch tries again, and how to roll back now.
        const failed = rollbackFailedAdvice(env, message, settings.checkIntervalMinutes);
        const [headline, ...details] = reason.split('\n');
        const body = [headline, failed, ...details].join('\n');
        // Retried at every check while the step stays live: the admin hears of each step's
        // failure once per reason; a retry that fails the same way is only recorded.
        const repeated = options.notices ? !options.notices.first(env, step, message) : false;
        if (!repeated)
          await notifier.notify({
            env,
            severity: 'critical',
            title: `Rollout paused in ${env}; automatic rollback FAILED`,
            body,
          });
        return {
          outcome: 'rollback_failed',
          step,
          checks,
          reason: body,
          rollbackFailure: failed,
          ...(repeated ? { repeated: true } : {}),
          ...(await watchAgain(step)),
        };
      }
      await notifier.notify({
        env,
        severity: 'critical',
        title: `Rolled back ${describe(step)} in ${env}: ${what}`,
        body: reason,
      });
      return { outcome: 'rolled_back', step, checks, reason };
    }

    // A paused step watched for its rollback: checked once; the scheduler checks it again.
    if (step.paused) return { outcome: 'checked', step, checks, ...(await watchAgain(step)) };
    const now = clock.now();
    if (now >= bakeUntil) return { outcome: 'baked', step, checks };
    try {
      await clock.sleep(
        Math.min(settings.checkIntervalMinutes * 60000, bakeUntil - now),
        options.signal,
      );
    } catch {
      return { outcome: 'cancelled', step, checks };
    }
  }
}

const describe = (step: RolloutStep): string =>
  `config version ${step.version}${step.flag ? ` (${step.flag}${step.percent === undefined ? '' : ` at ${step.percent}%`})` : ''}`;

/**
 * When to check `step` again: it is still the watched step, and paused or guarded while a
 * rollout state is damaged (see the header).
 */
async function watchAgainOf(
  options: BakeOptions,
  step: RolloutStep,
): Promise<{ watchAgainAt?: number }> {
  const settings = options.settings();
  const at = options.clock.now() + settings.checkIntervalMinutes * 60000;
  try {
    const next = await options.rollout.currentStep(options.env, settings);
    return (next?.paused || next?.damaged) && next && sameStep(next, step)
      ? { watchAgainAt: at }
      : {};
  } catch {
    // The store did not answer: check again; the next bake finds out whether it still applies.
    return { watchAgainAt: at };
  }
}

/**
 * One check of a step guarded while a rollout state of its environment cannot be read (the
 * controller's rule, rollout/controller/damaged-state.ts): no step is advanced, so there is no
 * bake to finish; the step is checked at every check interval for as long as it is live. A
 * failed check pauses the environment's other running rollouts and, where auto-rollback is on
 * and the check judged the step, rolls back to the content before the rollout (the signed
 * bundles name it); otherwise the step is held live and the admin is told once (per step and
 * verdict) what to run.
 */
async function checkDamagedStep(options: BakeOptions, step: RolloutStep): Promise<BakeResult> {
  const { env, rollout, notifier } = options;
  const damaged = step.damaged as NonNullable<RolloutStep['damaged']>;
  const settings = options.settings();
  const report = await options.evaluate(env, step);
  const checks = [report];
  try {
    options.onCheck?.(report);
  } catch {
    // a copy; the check is in the result
  }
  if (report.status === 'pass')
    return { outcome: 'checked', step, checks, ...(await watchAgainOf(options, step)) };
  const what = failedCheckWhat(report.status);
  const reason = `Watch: ${what} under ${describe(step)} in ${env}, while the rollout state ${damaged.keys} cannot be read.\n${summarizeReport(report)}`;
  const verdict = damagedFailedCheck({
    status: report.status,
    autoRollback: settings.environments[env]?.autoRollback === true,
    environment: env,
    fromVersion: damaged.fromVersion ?? undefined,
    storeUri: rollout.storeUri?.() ?? '<this store>',
    keys: damaged.keys,
  });
  // The other running rollouts of the environment are paused (the damaged one cannot be).
  await Promise.resolve(rollout.pause(env, reason)).catch(() => undefined);
  if (!verdict.rollBack) {
    const body = `${reason}\n${verdict.held}`;
    const repeated = options.notices ? !options.notices.first(env, step, `held: ${what}`) : false;
    if (!repeated)
      await notifier.notify({
        env,
        severity: 'critical',
        title: `${env}: ${what}; the step is held live (a rollout state cannot be read)`,
        body,
      });
    return {
      outcome: 'paused',
      step,
      checks,
      reason: body,
      damagedAdvice: `${what} under ${describe(step)}. ${verdict.held}`,
      ...(repeated ? { repeated: true } : {}),
      ...(await watchAgainOf(options, step)),
    };
  }
  try {
    await rollout.rollback(env, reason, step);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failed = `The automatic rollback FAILED: ${message.replace(/\.$/, '')}. The step stays live; this console checks it again at each check interval and tries the rollback again when a check fails. To roll back now: ${verdict.rollBackNow}. ${verdict.mend}`;
    const repeated = options.notices ? !options.notices.first(env, step, message) : false;
    const [headline, ...details] = reason.split('\n');
    const body = [headline, failed, ...details].join('\n');
    if (!repeated)
      await notifier.notify({
        env,
        severity: 'critical',
        title: `${env}: automatic rollback FAILED (a rollout state cannot be read)`,
        body,
      });
    return {
      outcome: 'rollback_failed',
      step,
      checks,
      reason: body,
      rollbackFailure: failed,
      damagedAdvice: `${what} under ${describe(step)}. ${failed}`,
      ...(repeated ? { repeated: true } : {}),
      ...(await watchAgainOf(options, step)),
    };
  }
  const done = `Rolled back ${env} to the content of version ${damaged.fromVersion ?? ''} (before the rollout): ${what} under ${describe(step)}. ${verdict.mend}`;
  await notifier.notify({
    env,
    severity: 'critical',
    title: `Rolled back ${describe(step)} in ${env}: ${what} (a rollout state cannot be read)`,
    body: `${reason}\n${done}`,
  });
  return {
    outcome: 'rolled_back',
    step,
    checks,
    reason: `${reason}\n${done}`,
    damagedAdvice: done,
  };
}

/**
 * The line an admin reads when the automatic rollback failed: why, that the console's watch
 * tries again, and how to roll back at once.
 */
export function rollbackFailedAdvice(
  env: WatchEnv,
  message: string,
  checkIntervalMinutes: number,
): string {
  const every =
    checkIntervalMinutes >= 1
      ? `${Math.round(checkIntervalMinutes * 10) / 10} min`
      : `${Math.round(checkIntervalMinutes * 60)} s`;
  return `Automatic rollback FAILED: ${message.replace(/\.$/, '')}. The step stays paused and live; while this console is open its watch checks it every ${every} and tries the rollback again when a check fails. To roll back now: Rollout → Publishing → ${env} → Roll back… (a trusted signing key must be unlocked: Keys → Unlock keys).`;
}
