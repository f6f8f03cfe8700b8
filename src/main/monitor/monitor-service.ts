/**
 * The model-release monitor: checks each provider's catalogue, stores a snapshot per check,
 * diffs against the last good snapshot, keeps an inbox, notifies, feeds the onboarding board,
 * and runs the schedule (interval set by the admin, ±10% jitter, backoff after a failed check).
 *
 * Robustness: an answer that failed, is empty, malformed, or lists fewer than half the models of
 * the last good one is a failed check: stored, no events, retried with backoff. A model is
 * removed only after two consecutive good checks without it. Every model is announced as new at
 * most once: one that disappears and comes back is silent; a removal is announced at most once.
 * The first good check of a provider is the baseline and announces nothing.
 *
 * Clock, randomness, timers and ids are injected; nothing here reads Date.now or Math.random.
 */
import { randomUUID } from 'node:crypto';
import { AppError, ValidationError } from '../../shared/errors';
import {
  monitorSettingsSchema,
  type BoardCard,
  type CatalogueEntry,
  type CheckResult,
  type CheckTrigger,
  type FailureKind,
  type GuardBreachInboxEvent,
  type InboxEvent,
  type MonitorEvent,
  type MonitorEventChannel,
  type MonitorEventPayload,
  type MonitorSettings,
  type MonitorStatus,
  type ProviderMonitorStatus,
} from '../../shared/monitor/monitor-schemas';
import {
  PROVIDER_LABELS,
  type ModelLifecycle,
  type ModelRef,
  type ProviderId,
} from '../../shared/providers/video-provider-spec';
import { zodIssues } from '../../shared/validation';
import type { WritableDb } from '../store/db';
import {
  compareEntries,
  judgeAnswer,
  modelKey,
  priceText,
  withUniqueEntries,
  type Verdict,
} from './catalogue-diff';
import type { CatalogueFetch, CatalogueSource } from './catalogue-sources';
import {
  consecutiveFailures,
  countUnread,
  getMonitorSettings,
  insertEvent,
  insertSnapshot,
  latestSnapshot,
  listEvents,
  listModelStates,
  listModelsInUse,
  listSnapshots,
  markEventsRead,
  pruneSnapshots,
  replaceModelsInUse,
  saveModelState,
  saveMonitorSettings,
  setInUseNotified,
  type ModelState,
} from './monitor-repository';
import { OnboardingBoard } from './onboarding-board';
import type { EvidenceSources } from './evidence-checks';
import {
  DEFAULT_BUSY_PATIENCE_MS,
  isDatabaseBusy,
  retryWhileBusy,
  whoIsWriting,
} from '../store/busy-retry';
import { othersOnOurDatabases } from '../store/presence';
import { nodeTimers, sleep } from '../sleep';
import { addKeyAdvice } from '../secrets';
import { GuardBreachInbox, type GuardBreach } from './guard-breach-inbox';

/** Shows an event to a person: desktop notification (Electron) or an inbox badge (browser). */
export interface Notifier {
  notify(event: MonitorEvent): void;
}

export interface MonitorTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers. Not unref'd: `aideon monitor watch` lives on them; stop() clears them. */
export const realTimers: MonitorTimers = nodeTimers;

export interface DetectedModel extends ModelRef {
  displayName: string;
}

export interface MonitorServiceDeps {
  db: WritableDb;
  /** Where the onboarding board checks claimed evidence; absent = the admin's word is taken. */
  evidence?: EvidenceSources;
  sources: CatalogueSource[];
  now: () => number;
  random?: () => number;
  timers?: MonitorTimers;
  newId?: () => string;
  notifier?: Notifier;
  /** Forwards monitor events to the event bus (release-detected, check-finished). */
  emit?: <E extends MonitorEventChannel>(event: E, payload: MonitorEventPayload<E>) => void;
  /**
   * Starts a smoke generation for a newly detected model (opt-in setting), within the spend
   * limit. The composition root wires it to the bench runner; answers the run id.
   */
  onDetected?: (
    model: DetectedModel,
    budgetUsd: number,
  ) => Promise<{ runId: string }> | { runId: string };
  /** The lifecycle the adapters' tables give a model, for in-use models never seen in a check. */
  tableLifecycle?: (ref: ModelRef) => ModelLifecycle | undefined;
  log?: (line: string) => void;
  /** First wait after a failed check, ms (doubles per failure, capped at the interval). Default 60 s. */
  retryInitialMs?: number;
  /** A catalogue call taking longer than this is aborted and counts as failed. Default 60 s. */
  checkTimeoutMs?: number;
  /** Snapshots kept per provider (the last good one is always kept). Default 200. */
  keepSnapshots?: number;
  /**
   * How long a write nobody would make again (a guard breach's inbox entry, a smoke run's id on
   * its card) is tried again while another process holds the database, ms. Default 10 min.
   */
  busyPatienceMs?: number;
  /**
   * Names this process's file of guard breach inbox entries waiting for a busy database
   * (pendingBreachesFile). Default: the process id and a random part, new at each start (a
   * process id alone can come back after a restart).
   */
  journalOwner?: string;
}

/** A model the monitor reports removed, retired or deprecated. */
export interface UnavailableModel extends ModelRef {
  /** `provider:modelId`. */
  key: string;
  status: 'removed' | 'retired' | 'deprecated';
  /** Epoch ms of the last good check that listed it. */
  lastSeenAt: number;
}

export interface MonitorListener {
  onEvent?: (event: MonitorEvent) => void;
  onCheck?: (result: CheckResult) => void;
}

// Kept where it is used, and named here as before (tests and callers import it from here).
export { pendingBreachesFile } from './guard-breach-inbox';

const JITTER = 0.1;
/** The longest vendor Retry-After the schedule honours. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;
/** A smaller catalogue (fewer than half the models) answered unchanged this long is accepted. */
const SHRINK_SETTLE_MS = 60 * 60_000;
/** The abort reason stop() uses; a check aborted by it stores nothing. */
const STOPPED = new AppError('cancelled', 'The monitor was stopped.');
const NOTIFY_KINDS = new Set<MonitorEvent['kind']>(['added', 'in_use_retired']);

export class MonitorService {
  readonly board: OnboardingBoard;
  private readonly random: () => number;
  private readonly timers: MonitorTimers;
  private readonly newId: () => string;
  private readonly sources = new Map<ProviderId, CatalogueSource>();
  private readonly inFlight = new Map<ProviderId, Promise<CheckResult>>();
  private readonly controllers = new Map<ProviderId, AbortController>();
  private readonly scheduled = new Map<ProviderId, { handle: unknown; at: number }>();
  private readonly listeners = new Set<MonitorListener>();
  /** The wait the vendor asked for in its last answer (429 Retry-After), ms. */
  private readonly retryAfter = new Map<ProviderId, number>();
  /** Failed checks in a row whose failure could not be stored (see unrecordedCheck). */
  private readonly unrecorded = new Map<ProviderId, number>();
  /** Scheduled checks with their rescheduling, and smoke runs being started, so idle() waits for them. */
  private readonly tasks = new Set<Promise<unknown>>();
  private running = false;
  /** Ends the background retries of writes that met a busy database (stop()). */
  private background = new AbortController();
  /** Interval override for `aideon monitor watch --interval`, ms. */
  private intervalOverrideMs: number | undefined;
  /** Guard breaches' inbox entries, written now or once a busy database is free. */
  private readonly breaches: GuardBreachInbox;

  constructor(private readonly deps: MonitorServiceDeps) {
    this.random = deps.random ?? Math.random;
    this.timers = deps.timers ?? realTimers;
    this.newId = deps.newId ?? randomUUID;
    for (const source of deps.sources) this.sources.set(source.provider, source);
    this.breaches = new GuardBreachInbox({
      db: deps.db,
      now: deps.now,
      timers: this.timers,
      newId: this.newId,
      ...(deps.log ? { log: deps.log } : {}),
      ...(deps.busyPatienceMs === undefined ? {} : { busyPatienceMs: deps.busyPatienceMs }),
      ...(deps.journalOwner === undefined ? {} : { journalOwner: deps.journalOwner }),
    });
    this.board = new OnboardingBoard({
      db: deps.db,
      now: deps.now,
      newId: this.newId,
      ...(deps.evidence ? { evidence: deps.evidence } : {}),
    });
  }

  providers(): ProviderId[] {
    return [...this.sources.keys()];
  }

  subscribe(listener: MonitorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- checks ----

  /** Checks one provider now (joins a check already running for it). */
  check(provider: ProviderId, trigger: CheckTrigger = 'manual'): Promise<CheckResult> {
    const running = this.inFlight.get(provider);
    if (running) return running;
    const promise = this.runCheck(provider, trigger)
      .then(
        (result) => {
          this.unrecorded.delete(provider);
          return result;
        },
        (error: unknown) => this.unrecordedCheck(provider, trigger, error),
      )
      .finally(() => {
        this.inFlight.delete(provider);
        this.controllers.delete(provider);
      });
    this.inFlight.set(provider, promise);
    return promise;
  }

  /**
   * A check that threw instead of giving a verdict: its result could not be read or stored
   * (the database busy with another console process, a full disk). It is a failed check for
   * the schedule (retried with backoff, counted in memory since nothing was stored); the
   * person reads what happened and what to do, the log has the details.
   */
  private unrecordedCheck(
    provider: ProviderId,
    trigger: CheckTrigger,
    error: unknown,
  ): CheckResult {
    this.unrecorded.set(provider, (this.unrecorded.get(provider) ?? 0) + 1);
    const code = (error as { code?: unknown } | null)?.code;
    const busy = isDatabaseBusy(error);
    const full = code === 'SQLITE_FULL';
    // Who holds it, when the other process announced itself (store/presence.ts).
    const holders = busy ? othersOnOurDatabases() : [];
    const why = busy
      ? holders.length > 0
        ? `the database was busy (${whoIsWriting(holders)})`
        : 'the database was busy (another Aideon console or command is writing to the same data folder)'
      : full
        ? 'the disk holding the database is full'
        : AppError.isInstance(error)
          ? error.message
          : typeof code === 'string' && code.startsWith('SQLITE_')
            ? `the database refused it (${code})`
            : 'an unexpected error (the details are in the log)';
    this.deps.log?.(`monitor: ${provider} check could not be recorded: ${describe(error)}`);
    return this.finish({
      checkId: this.newId(),
      provider,
      at: this.safeNow(),
      trigger,
      status: 'failed',
      failureKind: 'error',
      error: `The ${PROVIDER_LABELS[provider]} check could not be saved: ${why}. It is retried automatically${full ? '; free disk space' : ''}${busy ? `; if it keeps failing, close ${holders.length === 1 ? 'that process' : 'the other console'}` : ''}.`,
      modelCount: 0,
      baseline: false,
      events: [],
      pendingRemoval: [],
    });
  }

  private safeNow(): number {
    try {
      return this.deps.now();
    } catch {
      return 0;
    }
  }

  /** Consecutive failed checks of a provider: stored ones plus those that could not be stored. */
  private failureStreak(provider: ProviderId): number {
    let stored = 0;
    try {
      stored = consecutiveFailures(this.deps.db, provider);
    } catch (error) {
      this.deps.log?.(`monitor: could not read ${provider}'s check history: ${describe(error)}`);
    }
    return stored + (this.unrecorded.get(provider) ?? 0);
  }

  /** "Check now": one provider or all; reschedules the checked providers when the schedule runs. */
  async checkNow(
    input: { provider?: ProviderId | undefined } = {},
    trigger: CheckTrigger = 'manual',
  ): Promise<CheckResult[]> {
    const providers = input.provider === undefined ? this.providers() : [input.provider];
    for (const provider of providers) this.source(provider);
    return Promise.all(providers.map((provider) => this.checkAndReschedule(provider, trigger)));
  }

  /** Resolves when no check is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.tasks.size > 0)
      await Promise.allSettled([...this.inFlight.values(), ...this.tasks]);
    await this.breaches.idle();
  }

  private source(provider: ProviderId): CatalogueSource {
    const source = this.sources.get(provider);
    if (!source)
      throw new AppError(
        'not_found',
        `The monitor does not watch "${provider}"; it watches ${this.providers().join(', ')}.`,
      );
    return source;
  }

  private async runCheck(provider: ProviderId, trigger: CheckTrigger): Promise<CheckResult> {
    const source = this.source(provider);
    const checkId = this.newId();
    if (!source.available()) {
      // Not stored: a provider without a key is not a failing catalogue.
      return this.finish({
        checkId,
        provider,
        at: this.deps.now(),
        trigger,
        status: 'failed',
        failureKind: 'no_key',
        error: `${PROVIDER_LABELS[provider]} has no API key, so its catalogue cannot be read: ${addKeyAdvice(provider)}.`,
        modelCount: 0,
        baseline: false,
        events: [],
        pendingRemoval: [],
      });
    }
    const controller = new AbortController();
    this.controllers.set(provider, controller);
    const timeout = this.timers.setTimeout(
      () =>
        controller.abort(
          new AppError(
            'timeout',
            `The ${PROVIDER_LABELS[provider]} catalogue did not answer within ${Math.round((this.deps.checkTimeoutMs ?? 60_000) / 1000)} s.`,
            { retryable: true },
          ),
        ),
      this.deps.checkTimeoutMs ?? 60_000,
    );
    let answer: CatalogueFetch | undefined;
    let verdict: Verdict;
    try {
      answer = withUniqueEntries(await source.fetch(controller.signal));
      const lastGood = latestSnapshot(this.deps.db, provider, { goodOnly: true });
      verdict = judgeAnswer(answer, lastGood?.modelCount ?? null);
      if (!verdict.ok && verdict.kind === 'partial') {
        const since = this.settledShrinkSince(provider, answer.entries);
        if (since !== undefined && this.deps.now() - since >= SHRINK_SETTLE_MS) {
          this.deps.log?.(
            `monitor: ${provider} has listed the same ${answer.entries.length} models since ${new Date(since).toISOString()}; the smaller catalogue is accepted`,
          );
          verdict = { ok: true };
        } else {
          verdict = {
            ...verdict,
            message: `${verdict.message} If ${PROVIDER_LABELS[provider]} really dropped those models, the smaller list is accepted once it has stayed the same for an hour.`,
          };
        }
      }
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      if (AppError.isInstance(reason) && reason.retryAfterMs !== undefined)
        this.retryAfter.set(provider, reason.retryAfterMs);
      verdict = {
        ok: false,
        kind: 'error',
        message: AppError.isInstance(reason)
          ? reason.message
          : `The catalogue call failed unexpectedly (${reason instanceof Error ? reason.name : 'error'}).`,
      };
    } finally {
      this.timers.clearTimeout(timeout);
    }
    const at = this.deps.now();
    const stopped = controller.signal.aborted && controller.signal.reason === STOPPED;
    if (!verdict.ok || !answer) {
      const failure = verdict as { kind: FailureKind; message: string };
      if (stopped) {
        // Aborted by stop(): not a verdict on the catalogue, so nothing is stored.
        return this.finish({
          checkId,
          provider,
          at,
          trigger,
          status: 'failed',
          failureKind: 'error',
          error: 'The monitor was stopped during the check.',
          modelCount: 0,
          baseline: false,
          events: [],
          pendingRemoval: [],
        });
      }
      // One transaction: a busy database stores neither (the check then counts as unrecorded),
      // never the snapshot without its pruning, read back as stored yet reported unsaved.
      this.deps.db.transaction(() => {
        insertSnapshot(this.deps.db, {
          id: checkId,
          provider,
          checkedAt: at,
          trigger,
          status: 'failed',
          failureKind: failure.kind,
          error: failure.message,
          modelCount: 0,
          // A partial answer keeps its list: one that stays the same is accepted (see above).
          entries: failure.kind === 'partial' && answer ? answer.entries : null,
        });
        pruneSnapshots(this.deps.db, provider, this.deps.keepSnapshots ?? 200);
      })();
      this.deps.log?.(`monitor: ${provider} check failed (${failure.kind}): ${failure.message}`);
      return this.finish({
        checkId,
        provider,
        at,
        trigger,
        status: 'failed',
        failureKind: failure.kind,
        error: failure.message,
        modelCount: 0,
        baseline: false,
        events: [],
        pendingRemoval: [],
      });
    }
    const entries = answer.entries;
    const { events, baseline, pendingRemoval, cards } = this.deps.db
      .transaction(() => {
        const outcome = this.applyGoodAnswer(provider, checkId, entries, at);
        insertSnapshot(this.deps.db, {
          id: checkId,
          provider,
          checkedAt: at,
          trigger,
          status: 'ok',
          failureKind: null,
          error: null,
          modelCount: entries.length,
          entries,
        });
        outcome.events.push(...this.inUseEvents(checkId, at, provider));
        for (const event of outcome.events) insertEvent(this.deps.db, event);
        // A new model's board card is written with its event: both or neither, so another
        // console writing right after this commit cannot leave an event without its card.
        const cards = new Map<string, { card: BoardCard; created: boolean }>();
        for (const event of outcome.events)
          if (event.kind === 'added')
            cards.set(
              event.id,
              this.board.ensureCard({
                provider: event.provider,
                modelId: event.modelId,
                displayName: event.displayName,
                checkId: event.checkId,
                eventId: event.id,
              }),
            );
        pruneSnapshots(this.deps.db, provider, this.deps.keepSnapshots ?? 200);
        return { ...outcome, cards };
        // IMMEDIATE: another console process on the same data folder waits for this write (the
        // busy timeout) instead of both reading the same state and one failing at its write.
      })
      .immediate();
    this.announce(events, cards);
    return this.finish({
      checkId,
      provider,
      at,
      trigger,
      status: 'ok',
      failureKind: null,
      error: null,
      modelCount: entries.length,
      baseline,
      events,
      pendingRemoval,
    });
  }

  /**
   * When the checks since the last good one have all answered this same smaller list (checks
   * that failed otherwise, e.g. a 503, do not count either way), the time of the first of them;
   * undefined when this is the first such answer or a partial answer listed something else.
   * A catalogue that really shrank by more than half would otherwise fail every check for ever.
   */
  private settledShrinkSince(provider: ProviderId, entries: CatalogueEntry[]): number | undefined {
    const key = (list: CatalogueEntry[]): string =>
      list
        .map((entry) => modelKey(entry.modelId))
        .sort()
        .join('\n');
    const wanted = key(entries);
    let since: number | undefined;
    for (const snapshot of listSnapshots(this.deps.db, provider, 500)) {
      if (snapshot.status === 'ok') break;
      if (snapshot.failureKind !== 'partial') continue;
      if (!snapshot.entries || key(snapshot.entries) !== wanted) return undefined;
      since = snapshot.checkedAt;
    }
    return since;
  }

  /** Diffs a good answer against the per-model state (which mirrors the last good snapshots). */
  private applyGoodAnswer(
    provider: ProviderId,
    checkId: string,
    entries: CatalogueEntry[],
    at: number,
  ): { events: MonitorEvent[]; baseline: boolean; pendingRemoval: string[] } {
    const states = new Map(
      listModelStates(this.deps.db, provider).map((state) => [state.modelKey, state]),
    );
    const baseline = states.size === 0;
    const events: MonitorEvent[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      const key = modelKey(entry.modelId);
      if (seen.has(key)) continue;
      seen.add(key);
      const state = states.get(key);
      if (!state) {
        saveModelState(this.deps.db, {
          provider,
          modelKey: key,
          entry,
          firstSeenAt: at,
          lastSeenAt: at,
          present: true,
          missingCount: 0,
          // Baseline models count as known: they are never announced as new later.
          notifiedAdded: true,
          notifiedRemoved: false,
        });
        if (!baseline) events.push(this.event('added', entry, checkId, at, []));
        continue;
      }
      const changes = compareEntries(state.entry, entry);
      if (changes.length > 0) events.push(this.event('changed', entry, checkId, at, changes));
      if (!state.present)
        this.deps.log?.(`monitor: ${provider} lists ${entry.modelId} again (not announced)`);
      saveModelState(this.deps.db, {
        ...state,
        entry,
        lastSeenAt: at,
        present: true,
        missingCount: 0,
      });
    }
    const pendingRemoval: string[] = [];
    for (const state of states.values()) {
      if (seen.has(state.modelKey) || !state.present) continue;
      const missingCount = state.missingCount + 1;
      const next: ModelState = { ...state, missingCount };
      if (missingCount >= 2) {
        next.present = false;
        if (!state.notifiedRemoved) {
          next.notifiedRemoved = true;
          events.push(this.event('removed', state.entry, checkId, at, []));
        }
      } else {
        pendingRemoval.push(state.entry.modelId);
      }
      saveModelState(this.deps.db, next);
    }
    return { events, baseline, pendingRemoval };
  }

  private event(
    kind: MonitorEvent['kind'],
    entry: CatalogueEntry,
    checkId: string | null,
    at: number,
    changes: MonitorEvent['changes'],
    reason?: string,
  ): MonitorEvent {
    const label = PROVIDER_LABELS[entry.provider];
    const price = priceText(entry);
    const summary =
      kind === 'added'
        ? `${label} lists a new video model: ${entry.displayName} (${entry.modelId})${price ? `, ${price}` : ', price unknown'}.`
        : kind === 'removed'
          ? `${label} no longer lists ${entry.displayName} (${entry.modelId}); missing from two consecutive checks.`
          : kind === 'changed'
            ? `${label} changed ${entry.modelId}: ${changes.map((change) => change.field).join(', ')}.`
            : `${entry.modelId} at ${label} is used by a routing config and is ${reason ?? entry.lifecycle}; move traffic off it.`;
    return {
      id: this.newId(),
      kind,
      provider: entry.provider,
      modelId: entry.modelId,
      displayName: entry.displayName,
      at,
      checkId,
      summary,
      changes,
      priceText: price,
      detection: entry.detection,
      read: false,
    };
  }

  private finish(result: CheckResult): CheckResult {
    this.deps.emit?.('monitor:check-finished', result);
    for (const listener of this.listeners) {
      try {
        listener.onCheck?.(result);
      } catch {
        // A failing listener must not break the monitor.
      }
    }
    return result;
  }

  /** Notifies, emits and feeds the board for events already committed. */
  private announce(
    events: MonitorEvent[],
    cards: ReadonlyMap<string, { card: BoardCard; created: boolean }> = new Map(),
  ): void {
    for (const event of events) {
      if (NOTIFY_KINDS.has(event.kind)) {
        try {
          this.deps.notifier?.notify(event);
        } catch (error) {
          this.deps.log?.(`monitor: notifier failed: ${describe(error)}`);
        }
      }
      this.deps.emit?.('monitor:release-detected', event);
      for (const listener of this.listeners) {
        try {
          listener.onEvent?.(event);
        } catch {
          // ignore
        }
      }
      const added = cards.get(event.id);
      if (added) {
        // After the commit: a failure here (another console holding the database) must not
        // make a saved check read as unsaved; the card is on the board already.
        try {
          this.onAdded(event, added);
        } catch (error) {
          this.deps.log?.(
            `monitor: the smoke run of ${event.provider}:${event.modelId} was not started: ${describe(error)}`,
          );
        }
      }
    }
  }

  private onAdded(
    event: MonitorEvent,
    { card, created }: { card: BoardCard; created: boolean },
  ): void {
    const settings = this.getSettings();
    if (!created || !settings.autoSmoke || !this.deps.onDetected || settings.smokeBudgetUsd <= 0)
      return;
    const model: DetectedModel = {
      provider: event.provider,
      modelId: event.modelId,
      displayName: event.displayName,
    };
    // Tracked with the checks, so stop() (and the database close after it) waits for the run id
    // to reach the card; a failure to record it is logged, never an unhandled rejection.
    // The card's note waits for a busy database (another process's lock): the run is started
    // and paid for, so its id must reach the card.
    const attach = (outcome: { runId: string } | { error: string }) =>
      retryWhileBusy(this.deps.db, () => this.board.attachSmoke(card.id, outcome), this.patience());
    const task: Promise<unknown> = Promise.resolve()
      .then(() => this.deps.onDetected?.(model, settings.smokeBudgetUsd))
      .then(
        async (started) => {
          if (started) await attach({ runId: started.runId });
        },
        async (error: unknown) => {
          await attach({
            error: AppError.isInstance(error)
              ? error.message
              : 'The smoke run could not be started.',
          });
        },
      )
      .catch((error: unknown) =>
        this.deps.log?.(
          `monitor: the smoke run of ${model.provider}:${model.modelId} could not be recorded on its card: ${describe(error)}`,
        ),
      )
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  // ---- models in use by a routing config ----

  /**
   * Models the catalogue checks report gone or going: removed (missing from two consecutive
   * good checks), retired or deprecated, with when a good check last listed each. The routing
   * checks refuse configs that route to them.
   */
  unavailableModels(): UnavailableModel[] {
    const out: UnavailableModel[] = [];
    for (const state of listModelStates(this.deps.db)) {
      const status = !state.present
        ? 'removed'
        : state.entry.lifecycle === 'retired' || state.entry.lifecycle === 'deprecated'
          ? state.entry.lifecycle
          : undefined;
      if (status === undefined) continue;
      out.push({
        key: `${state.provider}:${state.entry.modelId}`,
        provider: state.provider,
        modelId: state.entry.modelId,
        status,
        lastSeenAt: state.lastSeenAt,
      });
    }
    return out;
  }

  /** The models the routing configs use; a retired, deprecated or removed one raises an event. */
  markModelsInUse(refs: ModelRef[]): MonitorEvent[] {
    const at = this.deps.now();
    const unique = new Map<string, { provider: ProviderId; modelId: string; modelKey: string }>();
    for (const ref of refs)
      unique.set(`${ref.provider}\u0000${modelKey(ref.modelId)}`, {
        provider: ref.provider,
        modelId: ref.modelId,
        modelKey: modelKey(ref.modelId),
      });
    const events = this.deps.db.transaction(() => {
      replaceModelsInUse(this.deps.db, [...unique.values()]);
      const out = this.inUseEvents(null, at);
      for (const event of out) insertEvent(this.deps.db, event);
      return out;
    })();
    this.announce(events);
    return events;
  }

  private inUseEvents(checkId: string | null, at: number, provider?: ProviderId): MonitorEvent[] {
    const events: MonitorEvent[] = [];
    const states = new Map(
      listModelStates(this.deps.db, provider).map((state) => [
        `${state.provider}\u0000${state.modelKey}`,
        state,
      ]),
    );
    for (const row of listModelsInUse(this.deps.db)) {
      if (provider !== undefined && row.provider !== provider) continue;
      const state = states.get(`${row.provider}\u0000${row.modelKey}`);
      let status: string | undefined;
      let entry: CatalogueEntry | undefined = state?.entry;
      if (state && !state.present) status = 'removed';
      else if (state) status = state.entry.lifecycle;
      else {
        status = this.deps.tableLifecycle?.({ provider: row.provider, modelId: row.modelId });
        if (status)
          entry = {
            provider: row.provider,
            modelId: row.modelId,
            displayName: row.modelId,
            lifecycle: status as ModelLifecycle,
            detection: { rule: 'model_table', detail: "from the adapter's model table" },
            vendorType: null,
            capabilities: null,
            price: null,
            created: null,
          };
      }
      if (!entry || (status !== 'retired' && status !== 'deprecated' && status !== 'removed'))
        continue;
      if (row.notifiedLifecycle === status) continue;
      setInUseNotified(this.deps.db, row.provider, row.modelKey, status);
      events.push(
        this.event('in_use_retired', { ...entry, modelId: row.modelId }, checkId, at, [], status),
      );
    }
    return events;
  }

  // ---- inbox ----

  listInbox(options: { unreadOnly?: boolean | undefined; limit?: number | undefined } = {}): {
    events: InboxEvent[];
    unread: number;
  } {
    return {
      events: listEvents(this.deps.db, {
        ...(options.unreadOnly === undefined ? {} : { unreadOnly: options.unreadOnly }),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      }),
      unread: countUnread(this.deps.db),
    };
  }

  /** GuardBreachInbox.record: a production-watch guard breach into the inbox. */
  recordGuardBreach(breach: GuardBreach): GuardBreachInboxEvent | null {
    return this.breaches.record(breach);
  }

  /** GuardBreachInbox.recordSoon: never waits or fails on a busy database. */
  recordGuardBreachSoon(breach: GuardBreach): GuardBreachInboxEvent | null | undefined {
    return this.breaches.recordSoon(breach);
  }

  /** GuardBreachInbox.writeKept: the entries earlier processes kept, written now or soon. */
  writeKeptBreaches(): void {
    this.breaches.writeKept();
  }

  /** Background retries of a write that met a busy database; stop() ends them. */
  private patience(): {
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    patienceMs: number;
    signal: AbortSignal;
  } {
    const signal = this.background.signal;
    return {
      now: this.deps.now,
      signal,
      patienceMs: this.deps.busyPatienceMs ?? DEFAULT_BUSY_PATIENCE_MS,
      sleep: (ms) => sleep(ms, signal, this.timers),
    };
  }

  countUnread(): number {
    return countUnread(this.deps.db);
  }

  markRead(ids?: string[]): { marked: number; unread: number } {
    const marked = markEventsRead(this.deps.db, ids, this.deps.now());
    return { marked, unread: countUnread(this.deps.db) };
  }

  // ---- settings and status ----

  getSettings(): MonitorSettings {
    return getMonitorSettings(this.deps.db);
  }

  updateSettings(patch: Partial<MonitorSettings>): MonitorSettings {
    const parsed = monitorSettingsSchema.safeParse({ ...this.getSettings(), ...patch });
    if (!parsed.success) throw new ValidationError('monitor settings', zodIssues(parsed.error));
    const before = this.getSettings();
    saveMonitorSettings(this.deps.db, parsed.data);
    if (this.running && before.intervalMinutes !== parsed.data.intervalMinutes) {
      for (const provider of this.scheduled.keys())
        this.schedule(provider, this.jittered(this.intervalMs()));
    }
    return parsed.data;
  }

  getStatus(): MonitorStatus {
    return {
      running: this.running,
      settings: this.getSettings(),
      unread: countUnread(this.deps.db),
      providers: this.providers().map((provider) => this.providerStatus(provider)),
    };
  }

  providerStatus(provider: ProviderId): ProviderMonitorStatus {
    const last = latestSnapshot(this.deps.db, provider);
    const good = latestSnapshot(this.deps.db, provider, { goodOnly: true });
    return {
      provider,
      available: this.source(provider).available(),
      lastCheckAt: last?.checkedAt ?? null,
      lastStatus: last?.status ?? null,
      lastError: last?.error ?? null,
      lastGoodAt: good?.checkedAt ?? null,
      consecutiveFailures: consecutiveFailures(this.deps.db, provider),
      modelCount: good?.modelCount ?? 0,
      nextCheckAt: this.scheduled.get(provider)?.at ?? null,
      checking: this.inFlight.has(provider),
      catalogue: this.source(provider).kind ?? 'vendor',
    };
  }

  /**
   * The sandbox's simulated release: a baseline check first when the sandbox was never checked
   * well (the first good check announces nothing), then the release, then a check that finds
   * it and announces it like any vendor's new model.
   */
  async simulateRelease(): Promise<{
    provider: ProviderId;
    modelId: string;
    displayName: string;
    checks: CheckResult[];
  }> {
    const source = this.sources.get('sandbox');
    if (!source?.simulateRelease) {
      throw new AppError(
        'invalid_request',
        'The sandbox is not monitored here, so it cannot simulate a release.',
      );
    }
    if (!latestSnapshot(this.deps.db, 'sandbox', { goodOnly: true })) {
      await this.checkNow({ provider: 'sandbox' }, 'manual');
    }
    const model = source.simulateRelease();
    const checks = await this.checkNow({ provider: 'sandbox' }, 'manual');
    return { provider: 'sandbox', modelId: model.modelId, displayName: model.displayName, checks };
  }

  // ---- schedule ----

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the schedule: every provider is checked now, then every interval (±10%). */
  start(options: { intervalMs?: number } = {}): void {
    if (options.intervalMs !== undefined) {
      if (!Number.isFinite(options.intervalMs) || options.intervalMs < 1000)
        throw new ValidationError('monitor schedule', [
          { path: 'intervalMs', message: 'must be at least 1000 ms' },
        ]);
      this.intervalOverrideMs = options.intervalMs;
    }
    if (this.running) return;
    this.running = true;
    this.writeKeptBreaches();
    for (const provider of this.providers()) this.schedule(provider, 0);
  }

  /** Stops the schedule and aborts running checks; resolves when they have ended. */
  async stop(): Promise<void> {
    this.running = false;
    for (const { handle } of this.scheduled.values()) this.timers.clearTimeout(handle);
    this.scheduled.clear();
    for (const controller of this.controllers.values()) controller.abort(STOPPED);
    this.background.abort(STOPPED);
    await Promise.all([this.idle(), this.breaches.stop()]);
    this.background = new AbortController();
  }

  intervalMs(): number {
    return this.intervalOverrideMs ?? this.getSettings().intervalMinutes * 60_000;
  }

  /** `ms` ± 10%, from the injected random source. */
  jittered(ms: number): number {
    return Math.max(0, Math.round(ms * (1 + (this.random() * 2 - 1) * JITTER)));
  }

  /** Wait before retrying after `failures` consecutive failed checks. */
  backoffMs(failures: number): number {
    const initial = this.deps.retryInitialMs ?? 60_000;
    const base = Math.min(this.intervalMs(), initial * 2 ** Math.max(0, failures - 1));
    return this.jittered(base);
  }

  private schedule(provider: ProviderId, delayMs: number): void {
    const existing = this.scheduled.get(provider);
    if (existing) this.timers.clearTimeout(existing.handle);
    const at = this.deps.now() + delayMs;
    const handle = this.timers.setTimeout(() => {
      this.scheduled.delete(provider);
      const failures = this.failureStreak(provider);
      const task: Promise<unknown> = this.checkAndReschedule(
        provider,
        failures > 0 ? 'retry' : 'scheduled',
      )
        .catch((error: unknown) =>
          this.deps.log?.(`monitor: ${provider} check crashed: ${describe(error)}`),
        )
        .finally(() => this.tasks.delete(task));
      this.tasks.add(task);
    }, delayMs);
    this.scheduled.set(provider, { handle, at });
  }

  private async checkAndReschedule(
    provider: ProviderId,
    trigger: CheckTrigger,
  ): Promise<CheckResult> {
    const joined = this.inFlight.has(provider);
    const pending = this.scheduled.get(provider);
    if (pending && !joined) {
      this.timers.clearTimeout(pending.handle);
      this.scheduled.delete(provider);
    }
    let result: CheckResult | undefined;
    if (!joined) this.retryAfter.delete(provider);
    try {
      result = await this.check(provider, trigger);
      return result;
    } finally {
      // Rescheduled whatever happened: a provider must never drop out of the schedule.
      if (this.running && !joined) {
        const failed = !result || (result.status === 'failed' && result.failureKind !== 'no_key');
        let delay: number;
        try {
          delay = failed
            ? this.backoffMs(Math.max(1, this.failureStreak(provider)))
            : this.jittered(this.intervalMs());
          // A vendor that asked for a longer wait (429 Retry-After) gets it, up to a day.
          const asked = this.retryAfter.get(provider);
          if (failed && asked !== undefined)
            delay = Math.max(delay, Math.min(asked, MAX_RETRY_AFTER_MS));
        } catch {
          delay = this.deps.retryInitialMs ?? 60_000;
        }
        this.schedule(provider, delay);
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
