/**
 * The production watch service: settings, one-off checks, the bake loop, stability and views,
 * built from explicit dependencies (database, HTTP dispatcher, clock, token, rollout, notifier).
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { guardBreachedEventSchema } from '../../shared/watch/watch-ipc-schemas';
import {
  defaultWatchSettings,
  watchEnvSchema,
  type WatchEnv,
  type WatchSettings,
} from '../../shared/watch/watch-settings';
import type {
  QueryProblem,
  SeriesReport,
  StabilityReport,
  TierBudgetsReport,
  WatchReport,
} from '../../shared/watch/watch-types';
import type { WritableDb } from '../store/db';
import { busyLogGate, DEFAULT_BUSY_PATIENCE_MS, isDatabaseBusy } from '../store/busy-retry';
import { bakeStep, type BakeResult, type Notifier } from './bake-loop';
import { evaluateGuards, type RolloutControl } from './guards';
import { PrometheusClient, type MetricsSource } from './prometheus-client';
import {
  memoryRollbackNotices,
  sqliteRollbackNotices,
  type RollbackNotices,
} from './rollback-notices';
import { computeStability, type StabilityReset } from './stability';
import { tierSeries } from './views';
import { legacyBudgets, readTierBudgets, type RoutingConfigReader } from './tier-budgets';
import {
  loadWatchSettings,
  recordCheck,
  recordStability,
  saveWatchSettings,
} from './watch-repository';
import { watchSettingsSchema } from '../../shared/watch/watch-settings';
import { ValidationError } from '../../shared/errors';
import { zodIssues } from '../../shared/validation';

/** Payload of the `watch:guard-breached` event. */
export type GuardBreachedEvent = z.infer<typeof guardBreachedEventSchema>;

export interface WatchServiceOptions {
  /** Where settings and history are kept; without it settings live in memory. */
  db?: WritableDb;
  dispatcher: Dispatcher;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The bearer token for an environment's Prometheus (keychain or environment variable). */
  token?: (env: WatchEnv) => string | undefined;
  rollout?: RolloutControl;
  notifier?: Notifier;
  onBreach?: (event: GuardBreachedEvent) => void;
  /** Initial settings when there is no database. */
  settings?: WatchSettings;
  /**
   * The routing config an environment runs (published, else the draft): the tiers' budget and
   * quota are read from it. Without it no tier has a budget.
   */
  routingConfig?: RoutingConfigReader;
  /** The environment's rollbacks and kill switches (the shared history): they reset stability. */
  stabilityResets?: (env: WatchEnv) => readonly StabilityReset[];
  /**
   * Failed automatic rollbacks already told to the admin (one notice per step and reason);
   * default the database's (scope 'console'), else memory.
   */
  rollbackNotices?: RollbackNotices;
  /**
   * How long a rollback notice that met another process's write lock keeps being tried in
   * the background, ms; default DEFAULT_BUSY_PATIENCE_MS.
   */
  busyPatienceMs?: number;
  log?: (line: string) => void;
}

export class WatchService {
  private memorySettings: WatchSettings;
  private readonly notices: RollbackNotices;
  private readonly busyLog: ReturnType<typeof busyLogGate>;

  constructor(private readonly options: WatchServiceOptions) {
    this.memorySettings = options.settings ?? defaultWatchSettings();
    this.busyLog = busyLogGate(options.log ?? (() => undefined));
    this.notices =
      options.rollbackNotices ??
      (options.db
        ? sqliteRollbackNotices(options.db, 'console', options.now, options.log, {
            now: options.now,
            sleep: (ms, signal) => options.sleep(ms, signal),
            patienceMs: options.busyPatienceMs ?? DEFAULT_BUSY_PATIENCE_MS,
          })
        : memoryRollbackNotices());
  }

  /** Resolves when no rollback notice is being written in the background. */
  async idle(): Promise<void> {
    await this.notices.idle?.();
  }

  /** Ends the background writes (the services are closing). */
  async stop(): Promise<void> {
    await this.notices.stop?.();
  }

  getSettings(): WatchSettings {
    return this.options.db ? loadWatchSettings(this.options.db) : this.memorySettings;
  }

  saveSettings(input: unknown): WatchSettings {
    if (this.options.db) return saveWatchSettings(this.options.db, input, this.options.now());
    const parsed = watchSettingsSchema.safeParse(input);
    if (!parsed.success) throw new ValidationError('watch settings', zodIssues(parsed.error));
    this.memorySettings = parsed.data;
    return parsed.data;
  }

  /** A Prometheus client for the environment, or why there is none. */
  sourceFor(env: WatchEnv, settings = this.getSettings()): MetricsSource | QueryProblem {
    const config = settings.environments[env];
    if (!config)
      return {
        kind: 'not_configured',
        message: `No Prometheus is set for ${env}; add its URL in Rollout → Production watch, or with aideon watch settings set FILE (an example: docs/controller/watch-settings.example.json).`,
      };
    const token = config.useBearerToken ? this.options.token?.(env) : undefined;
    if (config.useBearerToken && !token)
      return {
        kind: 'not_configured',
        message: `${env}'s Prometheus needs a bearer token and none is set; set AIDEON_PROMETHEUS_TOKEN where the console runs.`,
      };
    return new PrometheusClient({
      baseUrl: config.prometheusUrl,
      dispatcher: this.options.dispatcher,
      bearerToken: () => token,
      timeoutMs: settings.timeoutMs,
      now: this.options.now,
    });
  }

  /** Evaluates every guard once, for the current rollout step when there is one. */
  async checkNow(envInput: string): Promise<WatchReport> {
    const env = watchEnvSchema.parse(envInput);
    const settings = this.getSettings();
    const step = (await this.options.rollout?.currentStep(env, settings)) ?? null;
    const report = await evaluateGuards(
      { settings, source: this.sourceFor(env, settings), now: this.options.now },
      env,
      step,
    );
    this.record(report);
    return report;
  }

  /** Bakes the current step of `env`: checks on schedule, pauses / rolls back on breach. */
  async bake(
    env: WatchEnv,
    signal?: AbortSignal,
    options: { pausedOnly?: boolean } = {},
  ): Promise<BakeResult> {
    const rollout = this.options.rollout;
    if (!rollout) return { outcome: 'no_step', step: null, checks: [] };
    const result = await bakeStep({
      env,
      rollout,
      notifier: this.options.notifier ?? { notify: () => undefined },
      clock: { now: this.options.now, sleep: this.options.sleep },
      settings: () => this.getSettings(),
      evaluate: (target, step) => {
        const settings = this.getSettings();
        return evaluateGuards(
          { settings, source: this.sourceFor(target, settings), now: this.options.now },
          target,
          step,
        );
      },
      onCheck: (report) => {
        const db = this.options.db;
        if (db) this.recordCopy('check', () => recordCheck(db, report));
      },
      notices: this.notices,
      ...(signal ? { signal } : {}),
      ...(options.pausedOnly ? { pausedOnly: true } : {}),
    });
    const last = result.checks.at(-1);
    if (
      last &&
      last.status !== 'pass' &&
      (result.outcome === 'paused' ||
        result.outcome === 'rolled_back' ||
        result.outcome === 'rollback_failed')
    )
      this.options.onBreach?.({
        env,
        status: last.status as GuardBreachedEvent['status'],
        checkedAt: last.checkedAt,
        stepVersion: last.step?.version ?? null,
        summary: result.reason ?? '',
        action: result.outcome,
        ...(result.repeated ? { repeated: true } : {}),
      });
    return result;
  }

  async getSeries(input: {
    tier: string;
    from: number;
    to: number;
    env?: WatchEnv;
  }): Promise<SeriesReport> {
    const settings = this.getSettings();
    const env = input.env ?? 'production';
    const budgets = await readTierBudgets(this.options.routingConfig, env);
    // Budget and quota are read for the day the range ends (today for a range ending now).
    return tierSeries(
      this.sourceFor(env, settings),
      settings,
      input.tier,
      input.from,
      input.to,
      Math.min(this.options.now(), input.to),
      { limits: budgets.tiers.get(input.tier) ?? {}, from: budgets.from },
    );
  }

  /** Every tier's budget and quota from the routing config `env` runs (read-only here). */
  async getBudgets(env: WatchEnv): Promise<TierBudgetsReport> {
    const budgets = await readTierBudgets(this.options.routingConfig, env);
    return {
      from: budgets.from,
      tiers: [...budgets.tiers].map(([tier, budget]) => ({ tier, budget })),
      legacy: legacyBudgets(this.getSettings()),
    };
  }

  async getStability(input: { tier: string; env?: WatchEnv }): Promise<StabilityReport> {
    const settings = this.getSettings();
    const env = input.env ?? 'production';
    const report = await computeStability(
      this.sourceFor(env, settings),
      settings,
      input.tier,
      this.options.now(),
      this.options.stabilityResets?.(env) ?? [],
    );
    if (this.options.db && report.problems.length === 0) {
      const db = this.options.db;
      this.recordCopy('stability', () => recordStability(db, report));
    }
    return report;
  }

  /**
   * The history's copy of a check or a stability verdict: the answer stands without it. Another
   * process holding the database (past the busy timeout) skips it; the next check records again.
   */
  private recordCopy(what: string, write: () => void): void {
    try {
      write();
      this.busyLog.succeeded(`watch: ${what} records`);
    } catch (error) {
      this.busyLog.failed(
        `watch: a ${what} record was not kept: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
      if (!isDatabaseBusy(error)) throw error;
    }
  }

  private record(report: WatchReport): void {
    const db = this.options.db;
    if (db) this.recordCopy('check', () => recordCheck(db, report));
    if (report.status !== 'pass')
      this.options.onBreach?.({
        env: report.env,
        status: report.status as GuardBreachedEvent['status'],
        checkedAt: report.checkedAt,
        stepVersion: report.step?.version ?? null,
        summary: report.guards
          .filter((guard) => guard.status !== 'pass')
          .map((guard) => guard.message)
          .concat(report.problems.map((problem) => problem.message))
          .join('\n'),
      });
  }
}
