/**
 * The headless rollout controller: one loop that, while it holds the store's leader lease,
 * goes through every environment and
 * - checks the current step against the Prometheus guards on the watch's check interval, for
 *   the whole step (until the next step goes out; the final step for as long as it is live),
 * - pauses the rollout on a failed check, and rolls back with the operator key where the
 *   environment has auto-rollback and the check was a breach or missing data,
 * - publishes a due step once it has baked and its last check passed (the step's CAS on the
 *   rollout state makes a step go out once even when two controllers race),
 * - renews the live bundle's freshness before it expires,
 * and posts every event to a webhook and the history. Standbys only keep their heartbeat.
 *
 * Nothing here reads process.env or the clock: the CLI wires it (src/main/cli/controller-cli.ts).
 */
import { redactStoreUri } from '../../../consumer/store-reader';
import { AppError } from '../../../shared/errors';
import { ENVIRONMENTS, type Environment } from '../../../shared/rollout/environments';
import { nextStepDueAt, type RolloutState } from '../../../shared/rollout/flag-rollout';
import {
  CONTROLLER_STATUS_SCHEMA,
  type ControllerStatus,
} from '../../../shared/rollout/controller-status';
import type { WatchSettings } from '../../../shared/watch/watch-settings';
import type { QueryProblem, RolloutStep, WatchReport } from '../../../shared/watch/watch-types';
import { evaluateGuards, failedCheckWhat, summarizeReport } from '../../watch/guards';
import type { MetricsSource } from '../../watch/prometheus-client';
import { memoryRollbackNotices, type RollbackNotices } from '../../watch/rollback-notices';
import type { HistoryInput } from '../publish/history';
import type { Signer } from '../publish/keys';
import {
  Publisher,
  type ConfigProblem,
  type DamagedRollout,
  type LiveState,
} from '../publish/publisher';
import type { ConfigStore } from '../stores/config-store';
import { removeControllerStatus, writeControllerStatus } from './controller-registry';
import type { LeaderLease } from './leader-lease';
import { damagedFailedCheck, damagedKeys, guardedWhileDamaged } from './damaged-state';
import { watchedStep } from './watched-step';
import { unconfirmedInMemory, type UnconfirmedCommits } from '../publish/unconfirmed-commits';

export { activeStep, watchedStep } from './watched-step';

export type ControllerEventType =
  | 'leader_acquired'
  | 'leader_lost'
  | 'step_applied'
  | 'step_held'
  | 'check_passed'
  | 'paused'
  | 'rolled_back'
  | 'rollback_failed'
  | 'renewed'
  | 'renewal_failed'
  | 'error';

export interface ControllerEvent {
  type: ControllerEventType;
  at: number;
  controller: string;
  actor: string;
  storeUri: string;
  environment: Environment | null;
  message: string;
  version?: number;
  flagKey?: string;
  percent?: number;
  /**
   * The same failure as at the previous tick, already told: a `rollback_failed` retry that
   * failed for a reason already told for this rollout step, or an `error` / `step_held` that
   * repeats itself tick after tick (a value in the store that cannot be used, a step held by
   * the same conflict). It is recorded (log, status) but not posted to the webhook again.
   */
  repeated?: boolean;
}

/**
 * Renews the live bundle's freshness (a new version with the same content and a later expiry,
 * signed by the operator key). Implemented on top of the publisher's renewal.
 */
export interface FreshnessRenewer {
  /** Renews when `live` expires within the renewal window; the new version, or undefined. */
  renewIfDue(
    publisher: Publisher,
    environment: Environment,
    live: LiveState,
  ): Promise<{ version: number; expiresAt: string } | undefined>;
}

export interface RolloutControllerDeps {
  /**
   * Commits whose answer was lost and could not be read back (Publisher `unconfirmed`); the
   * controller's data folder keeps them (buildController). Default: in memory.
   */
  unconfirmed?: UnconfirmedCommits;
  id: string;
  host: string;
  /** Who the history names, e.g. `controller:prod-1`. */
  actor: string;
  store: ConfigStore;
  lease: LeaderLease;
  /** The operator key(s) this controller holds. */
  signers: readonly Signer[];
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  tickMs: number;
  /** The watch settings (Prometheus per environment, guards per tier, bake and check times). */
  settings: () => WatchSettings;
  /** A Prometheus client for the environment, or why there is none. */
  metricsSource: (
    environment: Environment,
    settings: WatchSettings,
  ) => MetricsSource | QueryProblem;
  /** Where history entries go (the shared history log). */
  record: (entry: HistoryInput) => void | Promise<void>;
  /** Each guard check (e.g. the local SQLite). */
  recordCheck?: (report: WatchReport) => void;
  /** At the end of each tick (the CLI writes the check records a busy database did not take). */
  everyTick?: () => void;
  /** Each event (webhook, log). Errors are logged, never stop the loop. */
  onEvent?: (event: ControllerEvent) => void | Promise<void>;
  renewer?: FreshnessRenewer;
  /** The routing checks; content the controller publishes was checked when it was signed. */
  validateConfig?: (config: Record<string, unknown>) => ConfigProblem[];
  log?: (line: string) => void;
  /**
   * Failed automatic rollbacks already told (one notice per step and failure reason); default
   * in memory (the CLI keeps them in the controller's database, so a restart remembers).
   */
  notices?: RollbackNotices;
}

interface BakeState {
  key: string;
  step: RolloutStep;
  lastCheckAt: number | null;
  lastStatus: WatchReport['status'] | null;
  checks: number;
}

function errorMessage(error: unknown): string {
  if (AppError.isInstance(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

const waitingForSignatures = (version: number, needed: number): AppError =>
  new AppError(
    'forbidden',
    `the rollback (version ${version}) needs ${needed} more signature(s): the operator key may not sign it alone; co-sign it under Rollout → Publishing, or with aideon config cosign`,
  );

const describe = (step: RolloutStep): string =>
  `config version ${step.version}${step.flag ? ` (${step.flag}${step.percent === undefined ? '' : ` at ${step.percent}%`})` : ''}`;

export class RolloutController {
  private readonly bakes = new Map<Environment, BakeState>();
  private leader = false;
  private readonly startedAt: number;
  private activity = 'starting';
  private lastEvent: ControllerStatus['lastEvent'] = null;
  private lastTickAt = 0;
  private readonly notices: RollbackNotices;
  /**
   * `error` and `step_held` events told and still true, by environment (and flag): the same
   * failure at every tick is told once, until it clears or changes.
   */
  private readonly told = new Map<string, string>();
  private failedThisTick = new Set<string>();
  /** Commits whose answer was lost and could not be read back (Publisher `unconfirmed`). */
  private readonly unconfirmed: UnconfirmedCommits;

  constructor(private readonly deps: RolloutControllerDeps) {
    this.startedAt = deps.now();
    this.unconfirmed = deps.unconfirmed ?? unconfirmedInMemory();
    this.notices = deps.notices ?? memoryRollbackNotices();
  }

  get isLeader(): boolean {
    return this.leader;
  }

  private publisher(): Publisher {
    return new Publisher({
      store: this.deps.store,
      signers: this.deps.signers,
      validateConfig: this.deps.validateConfig ?? (() => []),
      now: this.deps.now,
      actor: this.deps.actor,
      record: (entry) =>
        Promise.resolve(this.deps.record(entry)).catch((error: unknown) =>
          this.deps.log?.(`controller: history entry not recorded: ${errorMessage(error)}`),
        ),
      unconfirmed: this.unconfirmed,
    });
  }

  private async emit(
    type: ControllerEventType,
    environment: Environment | null,
    message: string,
    extra: Partial<ControllerEvent> = {},
  ): Promise<void> {
    const event: ControllerEvent = {
      type,
      at: this.deps.now(),
      controller: this.deps.id,
      actor: this.deps.actor,
      storeUri: this.deps.store.uri,
      environment,
      message,
      ...extra,
    };
    if (type !== 'check_passed' && type !== 'step_held')
      this.lastEvent = { at: event.at, type, message: message.slice(0, 2000) };
    this.deps.log?.(
      `controller ${this.deps.id}: ${type}${extra.repeated ? ' (repeated)' : ''}${environment ? ` ${environment}` : ''}: ${message.split('\n')[0] ?? ''}`,
    );
    try {
      await this.deps.onEvent?.(event);
    } catch (error) {
      this.deps.log?.(`controller: event not delivered: ${errorMessage(error)}`);
    }
  }

  /** Emits a failure once while it lasts: the same one at the next ticks is marked repeated. */
  private async emitFailure(
    type: 'error' | 'step_held',
    environment: Environment,
    flagKey: string | undefined,
    message: string,
  ): Promise<void> {
    const key = `${environment}\u0000${flagKey ?? ''}`;
    const what = `${type}\u0000${message}`;
    this.failedThisTick.add(key);
    const repeated = this.told.get(key) === what;
    this.told.set(key, what);
    await this.emit(type, environment, message, {
      ...(flagKey ? { flagKey } : {}),
      ...(repeated ? { repeated } : {}),
    });
  }

  /**
   * Right before a write (a step, a pause, a rollback): still the leader? The lease is renewed
   * at the start of each tick only, and a tick can outlast it (a guard check waiting on a slow
   * Prometheus): meanwhile a standby took over, and this process must not act on the check it
   * started as leader. Renews the lease when held; stands down (leader_lost) when not.
   */
  private async stillLeader(): Promise<boolean> {
    let held: boolean;
    try {
      held = await this.deps.lease.acquire();
    } catch {
      held = false;
    }
    if (!held && this.leader) {
      this.leader = false;
      this.bakes.clear();
      await this.emit(
        'leader_lost',
        null,
        `${this.deps.id} lost its lease during a tick (a check outlasted it); it does not act on that check`,
      );
    }
    return held;
  }

  /** One pass: lease, then (as leader) every environment, then the heartbeat record. */
  async tick(): Promise<void> {
    let leader: boolean;
    let unreachable: string | undefined;
    try {
      leader = await this.deps.lease.acquire();
    } catch (error) {
      // Cannot reach the lease: act as if lost; acting without it could double a step.
      leader = false;
      unreachable = errorMessage(error);
      this.activity = `cannot reach the leader lease: ${unreachable}`;
    }
    if (leader !== this.leader) {
      this.leader = leader;
      this.bakes.clear();
      await this.emit(
        leader ? 'leader_acquired' : 'leader_lost',
        null,
        leader
          ? `${this.deps.id} on ${this.deps.host} now acts for ${this.deps.store.uri}`
          : unreachable === undefined
            ? `${this.deps.id} is no longer the leader`
            : `${this.deps.id} cannot reach the config store ${redactStoreUri(this.deps.store.uri)} (its leader lease): ${unreachable}. It acts on nothing until the store answers again, and leads again then if no other controller took the lease.`,
      );
    }
    if (leader) {
      const doing: string[] = [];
      this.failedThisTick = new Set();
      for (const environment of ENVIRONMENTS) {
        if (!this.leader) break;
        try {
          const what = await this.tickEnvironment(environment);
          if (what) doing.push(what);
        } catch (error) {
          const message = errorMessage(error);
          doing.push(`${environment}: ${message}`);
          await this.emitFailure('error', environment, undefined, message);
        }
      }
      // A failure that did not happen again this tick has cleared: told again if it comes back.
      for (const key of [...this.told.keys()])
        if (!this.failedThisTick.has(key)) this.told.delete(key);
      this.activity = doing.length > 0 ? doing.join('; ') : 'idle: no rollout running';
    } else if (!this.activity.startsWith('cannot reach')) {
      const holder = await this.deps.lease.holder().catch(() => undefined);
      this.activity = `standby${holder ? ` (leader: ${holder.id})` : ' (no leader yet)'}`;
    }
    this.lastTickAt = this.deps.now();
    try {
      this.deps.everyTick?.();
    } catch (error) {
      this.deps.log?.(`controller: ${errorMessage(error)}`);
    }
    await this.heartbeat().catch((error: unknown) =>
      this.deps.log?.(`controller: heartbeat not written: ${errorMessage(error)}`),
    );
  }

  status(): ControllerStatus {
    const now = this.deps.now();
    return {
      schema: CONTROLLER_STATUS_SCHEMA,
      id: this.deps.id,
      host: this.deps.host,
      pid: process.pid,
      actor: this.deps.actor,
      role: this.leader ? 'leader' : 'standby',
      leaseKind: this.deps.lease.kind,
      startedAt: this.startedAt,
      lastTickAt: this.lastTickAt || now,
      aliveUntil: (this.lastTickAt || now) + Math.max(3 * this.deps.tickMs, this.deps.lease.ttlMs),
      activity: this.activity.slice(0, 500),
      lastEvent: this.lastEvent,
    };
  }

  private heartbeat(): Promise<void> {
    return writeControllerStatus(this.deps.store, this.status());
  }

  /** One pass (cron), then gives the lease up and removes its record. */
  async once(): Promise<void> {
    await this.tick();
    await this.stop();
  }

  private async stop(): Promise<void> {
    if (this.leader) await this.deps.lease.release().catch(() => undefined);
    this.leader = false;
    await removeControllerStatus(this.deps.store, this.deps.id).catch(() => undefined);
  }

  /** Runs until the signal aborts; then gives the lease up and removes its record. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.tick();
      try {
        await this.deps.sleep(this.deps.tickMs, signal);
      } catch {
        break;
      }
    }
    await this.stop();
  }

  // ---- one environment -----------------------------------------------------------------------

  private async tickEnvironment(environment: Environment): Promise<string | undefined> {
    const publisher = this.publisher();
    let live: LiveState | undefined;
    try {
      live = await publisher.live(environment, undefined, { underSignedOk: true });
    } catch (error) {
      // A store without a trust file yet has nothing to act on.
      if (AppError.isInstance(error) && error.code === 'not_found') return undefined;
      throw error;
    }
    if (!live) return undefined;
    if (this.deps.renewer) {
      try {
        const renewed = await this.deps.renewer.renewIfDue(publisher, environment, live);
        if (renewed) {
          await this.emit(
            'renewed',
            environment,
            `renewed ${environment}: version ${renewed.version}, same content, expires ${renewed.expiresAt}`,
            { version: renewed.version },
          );
          live = (await publisher.live(environment, undefined, { underSignedOk: true })) ?? live;
        }
      } catch (error) {
        await this.emit('renewal_failed', environment, errorMessage(error));
      }
    }
    const read = await publisher.readRollouts(environment);
    if (read.damaged.length > 0) return this.tickDamaged(publisher, environment, live, read);
    const rollouts = read.states;
    const settings = this.deps.settings();
    const watched = settings.environments[environment] !== undefined;
    // Where auto-rollback is on, a paused step whose content is still live stays watched, so a
    // rollback that failed or never ran is done on a later check, by this leader or the next.
    const step = watchedStep(rollouts, live, settings, environment);
    const now = this.deps.now();
    let bake: BakeState | undefined;
    if (step && watched) {
      const key = `${step.version}\u0000${step.flag ?? ''}\u0000${step.percent ?? ''}\u0000${step.startedAt}`;
      bake = this.bakes.get(environment);
      if (bake?.key !== key) {
        bake = { key, step, lastCheckAt: null, lastStatus: null, checks: 0 };
        this.bakes.set(environment, bake);
      }
      const interval = settings.checkIntervalMinutes * 60_000;
      // The step is ready to move on once both its own bake and the watch's bake are over;
      // a check at or after that moment is required, so the checks cover the whole step.
      const readyAt = Math.max(
        step.startedAt + settings.bakeMinutes * 60_000,
        step.nextStepAt ?? 0,
      );
      // Production needs one interval to report the new version before it can be judged.
      const firstAt = step.startedAt + interval;
      const due =
        now >= firstAt &&
        (bake.lastCheckAt === null ||
          now - bake.lastCheckAt >= interval ||
          (step.nextStepAt !== undefined && now >= readyAt && bake.lastCheckAt < readyAt));
      if (due) {
        const report = await this.check(environment, step, settings, bake);
        if (!(await this.stillLeader())) return `${environment}: stood down (lease lost)`;
        if (report.status !== 'pass') {
          this.bakes.delete(environment);
          return this.failedCheck(publisher, environment, step, report, settings);
        }
        await this.emit(
          'check_passed',
          environment,
          `${describe(step)}: all ${report.guards.length} guards passed (check ${bake.checks})`,
          { version: step.version },
        );
      }
    } else this.bakes.delete(environment);

    const doing: string[] = [];
    for (const state of rollouts) {
      if (state.status !== 'running') continue;
      const due = nextStepDueAt(state);
      if (due === undefined) continue;
      if (state.stepIndex < 0) {
        // The first step is new content: the admin who starts the rollout publishes it with her
        // keys right after saving the rollout. It is never the controller's to take.
        doing.push(
          `${environment} ${state.flagKey}: waiting for its first step, which the admins' keys sign`,
        );
        continue;
      }
      const percent = state.steps[state.stepIndex];
      const mine = step && bake && step.flag === state.flagKey ? bake : undefined;
      if (now < due) {
        doing.push(
          `${environment} ${state.flagKey} ${percent ?? 0}%: ${mine ? `baking (check ${mine.checks})` : 'waiting'}, next step at ${new Date(due).toISOString()}`,
        );
        continue;
      }
      if (watched) {
        // Held until a passing check taken after both bakes ended covers the whole step.
        const readyAt = Math.max(due, (state.lastStepAt ?? 0) + settings.bakeMinutes * 60_000);
        const held =
          !mine || now < readyAt || mine.lastStatus !== 'pass' || (mine.lastCheckAt ?? 0) < readyAt;
        if (held) {
          doing.push(
            `${environment} ${state.flagKey} ${percent ?? 0}%: due, waiting for the watch's last check`,
          );
          continue;
        }
      }
      if (!(await this.stillLeader())) {
        doing.push(`${environment}: stood down (lease lost)`);
        break;
      }
      try {
        const { state: next, outcome } = await publisher.advanceRollout(environment, state.flagKey);
        this.bakes.delete(environment);
        const nextPercent = next.steps[next.stepIndex] as number;
        await this.emit(
          'step_applied',
          environment,
          `"${state.flagKey}" in ${environment} is now at ${nextPercent}% (version ${outcome.version})${next.status === 'completed' ? '; rollout complete' : ''}`,
          { version: outcome.version, flagKey: state.flagKey, percent: nextPercent },
        );
        doing.push(`${environment} ${state.flagKey}: applied ${nextPercent}%`);
      } catch (error) {
        // A conflict is another writer (a console, a former leader) that moved first: the
        // step is not applied twice, the next tick reads the new state.
        const message = errorMessage(error);
        doing.push(`${environment} ${state.flagKey}: step not applied: ${message}`);
        await this.emitFailure(
          AppError.isInstance(error) && error.code === 'conflict' ? 'step_held' : 'error',
          environment,
          state.flagKey,
          `the next step of "${state.flagKey}" was not applied: ${message}`,
        );
      }
    }
    if (doing.length === 0 && step && bake)
      doing.push(`${environment}: watching ${describe(step)} (check ${bake.checks})`);
    return doing.length > 0 ? doing.join('; ') : undefined;
  }

  /** A failed check: pause, and roll back with the operator key where auto-rollback is on. */
  private async failedCheck(
    publisher: Publisher,
    environment: Environment,
    step: RolloutStep,
    report: WatchReport,
    settings: WatchSettings,
  ): Promise<string> {
    const what = failedCheckWhat(report.status);
    const summary = summarizeReport(report);
    const reason = `Controller ${this.deps.id} stopped ${describe(step)} in ${environment}: ${what}.\n${summary}`;
    let paused = 0;
    const rollouts = await publisher.listRollouts(environment);
    const alreadyPaused = rollouts.some(
      (state) => state.flagKey === step.flag && state.status === 'paused',
    );
    // Roll back the whole rollout, to the content live before it started: the previous version
    // would be the step before (a breach at 50 % would leave the flag on for 10 %).
    const from = rollouts.find(
      (state) => state.flagKey === step.flag && state.stepIndex >= 0,
    )?.fromVersion;
    const toVersion = from !== undefined && from >= 1 && from < step.version ? from : undefined;
    for (const state of rollouts) {
      if (state.status !== 'running') continue;
      try {
        await publisher.pauseRollout(environment, state.flagKey, reason);
        paused += 1;
      } catch (error) {
        this.deps.log?.(`controller: pause of ${state.flagKey} failed: ${errorMessage(error)}`);
      }
    }
    // A metrics outage pauses but never rolls back: it cannot tell a bad step from a broken monitor.
    const rollBack = report.status !== 'error' && settings.environments[environment]?.autoRollback;
    if (!rollBack) {
      // A paused step watched for its rollback: Prometheus is down again; it was reported
      // when it was paused, and the next check tries again.
      if (alreadyPaused && paused === 0) return `${environment}: paused (${what})`;
      await this.emit('paused', environment, reason, {
        version: step.version,
        ...(step.flag ? { flagKey: step.flag } : {}),
      });
      return `${environment}: ${paused > 0 ? 'paused' : 'breach after completion'} (${what})`;
    }
    try {
      // A rollback that needs co-signatures (the operator key may not sign it alone) was
      // prepared at the first failed check: it stays the one bundle for the admins to co-sign,
      // instead of one more pending bundle at every check while the step stays live.
      const waiting =
        toVersion === undefined
          ? undefined
          : await publisher.pendingRollbackTo(environment, toVersion);
      if (waiting) throw waitingForSignatures(waiting.version, waiting.needed);
      const outcome = await publisher.rollback(environment, toVersion, reason);
      // 'unchanged': another writer (a former leader, a console) rolled back to the same content
      // while this rollback was being written; the content is off, which is what was wanted.
      if (outcome.status === 'unchanged') {
        await this.emit(
          'rolled_back',
          environment,
          `${environment} was already rolled back to earlier content (version ${outcome.version}) by another writer: ${what}.\n${summary}`,
          { version: outcome.version, ...(step.flag ? { flagKey: step.flag } : {}) },
        );
        return `${environment}: rolled back (version ${outcome.version}, by another writer)`;
      }
      if (outcome.status === 'pending') throw waitingForSignatures(outcome.version, outcome.needed);
      if (outcome.status !== 'published')
        throw new AppError('forbidden', 'there was nothing to roll back');
      await this.emit(
        'rolled_back',
        environment,
        `rolled back ${environment} to earlier content as version ${outcome.version}: ${what}.\n${summary}`,
        { version: outcome.version, ...(step.flag ? { flagKey: step.flag } : {}) },
      );
      return `${environment}: rolled back (version ${outcome.version})`;
    } catch (error) {
      // Tried again at every check while the step stays live: the webhook hears of each step's
      // failure once per reason; a retry that fails the same way is only recorded.
      const repeated = !this.notices.first(environment, step, errorMessage(error));
      await this.emit(
        'rollback_failed',
        environment,
        `${reason}\nThe automatic rollback FAILED: ${errorMessage(error).replace(/\.$/, '')}. The step stays paused and live; the controller checks it again at each check interval and tries the rollback again when a check fails. To roll back now: aideon config rollback --store <this store> --env ${environment}${toVersion === undefined ? '' : ` --to-version ${toVersion}`} --yes, or Rollout → Publishing → ${environment} → Roll back… in a console.`,
        {
          version: step.version,
          ...(step.flag ? { flagKey: step.flag } : {}),
          ...(repeated ? { repeated } : {}),
        },
      );
      return `${environment}: paused; rollback failed${repeated ? ' again (already reported)' : ''}`;
    }
  }

  // ---- an environment whose rollout state cannot be read ---------------------------------------

  /**
   * A rollout state in the store that cannot be used (cut short, edited by hand: the state is
   * not signed). No step is advanced or paused on it, and it is reported (once while it lasts).
   * The live config is still signed and readable, so its step stays guarded: the step is the
   * live version when it is a step of that rollout (told by the signed bundles, see
   * `Publisher.rolloutFromVersion`), judged from when that version was issued. A failed check
   * pauses the environment's other running rollouts and, where auto-rollback is on and the check
   * judged the step (a breach or missing data), rolls back with the operator key to the content
   * before the rollout, which the signed bundles name without the state. Otherwise the step is
   * held live and the alert says what to run.
   */
  private async tickDamaged(
    publisher: Publisher,
    environment: Environment,
    live: LiveState,
    read: { states: RolloutState[]; damaged: DamagedRollout[] },
  ): Promise<string> {
    const first = read.damaged[0] as DamagedRollout;
    const message = errorMessage(first.error);
    await this.emitFailure('error', environment, undefined, message);
    const doing = `${environment}: ${message}`;
    const settings = this.deps.settings();
    if (settings.environments[environment] === undefined) {
      this.bakes.delete(environment);
      return doing;
    }
    const guarded = await guardedWhileDamaged(
      publisher,
      environment,
      live,
      read,
      settings,
      this.deps.now,
    );
    if (!guarded) {
      this.bakes.delete(environment);
      return `${doing}; no step of that rollout is live (nothing to guard)`;
    }
    const { step } = guarded;
    const bake = this.dueBake(environment, step, settings);
    const held = `no step is advanced until ${first.key} is mended`;
    if (!bake.due)
      return `${doing}; guarding ${describe(step)} (check ${bake.state.checks}); ${held}`;
    const report = await this.check(environment, step, settings, bake.state);
    if (!(await this.stillLeader())) return `${environment}: stood down (lease lost)`;
    if (report.status === 'pass') {
      await this.emit(
        'check_passed',
        environment,
        `${describe(step)}: all ${report.guards.length} guards passed (check ${bake.state.checks}; ${held})`,
        { version: step.version },
      );
      return `${doing}; guarding ${describe(step)} (check ${bake.state.checks}); ${held}`;
    }
    this.bakes.delete(environment);
    return `${doing}; ${await this.failedCheckDamaged(publisher, environment, step, guarded.fromVersion, report, settings, read)}`;
  }

  /** The bake of `step` in `environment`, and whether a check is due now (no next step). */
  private dueBake(
    environment: Environment,
    step: RolloutStep,
    settings: WatchSettings,
  ): { state: BakeState; due: boolean } {
    const key = `${step.version}\u0000${step.flag ?? ''}\u0000${step.percent ?? ''}\u0000${step.startedAt}`;
    let state = this.bakes.get(environment);
    if (state?.key !== key) {
      state = { key, step, lastCheckAt: null, lastStatus: null, checks: 0 };
      this.bakes.set(environment, state);
    }
    const interval = settings.checkIntervalMinutes * 60_000;
    const now = this.deps.now();
    const due =
      now >= step.startedAt + interval &&
      (state.lastCheckAt === null || now - state.lastCheckAt >= interval);
    return { state, due };
  }

  /** One guard check of `step`, recorded in its bake and the local database. */
  private async check(
    environment: Environment,
    step: RolloutStep,
    settings: WatchSettings,
    bake: BakeState,
  ): Promise<WatchReport> {
    const report = await evaluateGuards(
      { settings, source: this.deps.metricsSource(environment, settings), now: this.deps.now },
      environment,
      step,
    );
    bake.lastCheckAt = report.checkedAt;
    bake.lastStatus = report.status;
    bake.checks += 1;
    try {
      this.deps.recordCheck?.(report);
    } catch (error) {
      this.deps.log?.(`controller: check not recorded: ${errorMessage(error)}`);
    }
    return report;
  }

  /** A failed check while a rollout state is damaged (see tickDamaged). */
  private async failedCheckDamaged(
    publisher: Publisher,
    environment: Environment,
    step: RolloutStep,
    fromVersion: number | undefined,
    report: WatchReport,
    settings: WatchSettings,
    read: { states: RolloutState[]; damaged: DamagedRollout[] },
  ): Promise<string> {
    const what = failedCheckWhat(report.status);
    const summary = summarizeReport(report);
    const keys = damagedKeys(read);
    const reason = `Controller ${this.deps.id}: ${what} under ${describe(step)} in ${environment}, while the rollout state ${keys} cannot be read.\n${summary}`;
    const extra = { version: step.version, ...(step.flag ? { flagKey: step.flag } : {}) };
    for (const state of read.states) {
      if (state.status !== 'running') continue;
      await publisher
        .pauseRollout(environment, state.flagKey, reason)
        .catch((error: unknown) =>
          this.deps.log?.(`controller: pause of ${state.flagKey} failed: ${errorMessage(error)}`),
        );
    }
    const { rollBack, rollBackNow, mend, held } = damagedFailedCheck({
      status: report.status,
      autoRollback: settings.environments[environment]?.autoRollback === true,
      environment,
      fromVersion,
      storeUri: this.deps.store.uri,
      keys,
    });
    if (!rollBack) {
      // Held: the damaged rollout cannot be paused, and the step stays live. Told once per step
      // and failure (the controller's notices), however many checks fail the same way.
      const repeated = !this.notices.first(environment, step, `held: ${what}`);
      await this.emit('paused', environment, `${reason}\n${held}`, {
        ...extra,
        ...(repeated ? { repeated } : {}),
      });
      return `held live (${what}; rollout state damaged)${repeated ? ', already reported' : ''}`;
    }
    try {
      // rollBack: the version before the rollout is known.
      const toVersion = fromVersion as number;
      const waiting = await publisher.pendingRollbackTo(environment, toVersion);
      if (waiting) throw waitingForSignatures(waiting.version, waiting.needed);
      const outcome = await publisher.rollback(environment, toVersion, reason);
      if (outcome.status === 'pending') throw waitingForSignatures(outcome.version, outcome.needed);
      if (outcome.status !== 'published' && outcome.status !== 'unchanged')
        throw new AppError('forbidden', 'there was nothing to roll back');
      await this.emit(
        'rolled_back',
        environment,
        `rolled back ${environment} to the content of version ${fromVersion} (before the rollout) as version ${outcome.version}: ${what}, while the rollout state ${keys} cannot be read.\n${summary}\n${mend}`,
        { ...extra, version: outcome.version },
      );
      return `rolled back (version ${outcome.version}; rollout state damaged)`;
    } catch (error) {
      const repeated = !this.notices.first(environment, step, errorMessage(error));
      await this.emit(
        'rollback_failed',
        environment,
        `${reason}\nThe automatic rollback FAILED: ${errorMessage(error).replace(/\.$/, '')}. The step stays live; the controller checks it again at each check interval and tries the rollback again when a check fails. To roll back now: ${rollBackNow}. ${mend}`,
        { ...extra, ...(repeated ? { repeated } : {}) },
      );
      return `rollback failed${repeated ? ' again (already reported)' : ''} (rollout state damaged)`;
    }
  }
}
