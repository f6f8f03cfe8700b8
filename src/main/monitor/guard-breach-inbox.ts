/**
 * The production watch's guard breaches as inbox entries: written at once, or, while another
 * process holds the database, in the background once it is free, and kept meanwhile in a file
 * beside the database (store/pending-journal.ts) so a process stopped or killed before then
 * leaves them to the next one's start.
 *
 * Its own part, apart from the release monitor's catalogue checks (monitor-service.ts, which
 * uses it for the console and `aideon monitor watch`), so the rollout controller, which only
 * writes the entries earlier processes kept, needs no monitor without catalogues to do it.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/errors';
import {
  guardBreachInboxEventSchema,
  type GuardBreachInboxEvent,
} from '../../shared/monitor/monitor-schemas';
import { DEFAULT_BUSY_PATIENCE_MS, isDatabaseBusy, retryInBackground } from '../store/busy-retry';
import type { WritableDb } from '../store/db';
import {
  pendingJournal,
  pendingJournalFile,
  takeOverJournals,
  type JournalKind,
  type PendingJournal,
} from '../store/pending-journal';
import { nodeTimers, sleep, type SleepTimers } from '../sleep';
import { inboxEventExists, insertGuardBreach, latestUnreadBreach } from './monitor-repository';

/**
 * Guard breaches' inbox entries that met a busy database wait for it beside the database (see
 * store/pending-journal.ts), one file per process: two consoles on one data folder must not
 * overwrite each other's. Before, one file served every process (the legacy name).
 */
const BREACH_JOURNALS: JournalKind = {
  before: 'pending-guard-breaches.',
  after: '',
  legacy: 'pending-guard-breaches',
};

/** This process's file of guard breach inbox entries waiting for `db` (`owner`: see journalOwner). */
export function pendingBreachesFile(db: WritableDb, owner: string): string | undefined {
  return pendingJournalFile(db, BREACH_JOURNALS, owner);
}

/** The abort reason stop() uses: an entry still waiting then is kept for the next start. */
const STOPPED = new AppError('cancelled', 'The guard breach inbox was stopped.');

export interface GuardBreachInboxDeps {
  db: WritableDb;
  now: () => number;
  timers?: SleepTimers;
  newId?: () => string;
  log?: (line: string) => void;
  /** How long an entry is tried again while another process holds the database, ms. */
  busyPatienceMs?: number;
  /**
   * Names this process's file of entries waiting for a busy database (pendingBreachesFile).
   * Default: the process id and a random part, new at each start (a process id alone can come
   * back after a restart).
   */
  journalOwner?: string;
}

export type GuardBreach = Omit<GuardBreachInboxEvent, 'id' | 'kind' | 'read'>;

export class GuardBreachInbox {
  private readonly newId: () => string;
  private readonly timers: SleepTimers;
  /** Entries being written in the background, so idle() and stop() wait for them. */
  private readonly tasks = new Set<Promise<unknown>>();
  /** Ends the background retries (stop()). */
  private background = new AbortController();
  /** Entries waiting for a busy database, by id (also in `journal`). */
  private readonly kept = new Map<string, GuardBreachInboxEvent>();
  private readonly journal: PendingJournal<GuardBreachInboxEvent>;
  private keptRead = false;
  /** Whether the last write of `journal` kept the entries waiting. */
  private saved = true;

  constructor(private readonly deps: GuardBreachInboxDeps) {
    this.newId = deps.newId ?? randomUUID;
    this.timers = deps.timers ?? nodeTimers;
    this.journal = pendingJournal(
      pendingBreachesFile(
        deps.db,
        deps.journalOwner ?? `${process.pid}-${randomUUID().slice(0, 8)}`,
      ),
      guardBreachInboxEventSchema,
      (line) => deps.log?.(line),
      'monitor',
      'guard breach inbox entries',
    );
  }

  /**
   * Puts a production-watch guard breach into the inbox. A breach identical (same status,
   * action, step and summary) to the environment's newest unread one is not added again, so a
   * check repeated every few minutes does not bury the inbox; returns null then.
   */
  record(breach: GuardBreach): GuardBreachInboxEvent | null {
    return this.write(this.event(breach));
  }

  /**
   * record() for the production watch, which must not wait or fail on the inbox (its pause or
   * rollback is done; the admin was notified): while another process holds the database the
   * entry is written in the background once it is free (busyPatienceMs), and undefined is
   * returned meanwhile. Never throws for a busy database. An entry waiting is also kept beside
   * the database (pendingBreachesFile), so a process stopped or killed before the database was
   * free leaves it to the next start (writeKept), once.
   */
  recordSoon(breach: GuardBreach): GuardBreachInboxEvent | null | undefined {
    return this.writeSoon(this.event(breach));
  }

  /**
   * The entries earlier processes kept while the database was busy (stopped or killed before
   * it was free), whichever process kept them: its own file and the files other processes left
   * beside the database are taken over (store/pending-journal.ts) and their entries written
   * now, or kept in this process's file and written in the background while the database is
   * still busy. Once per process: every long-running process that opens the data folder calls
   * it at its start (the console's and `aideon monitor watch`'s monitor start(), the
   * controller's buildController); a one-shot command does not, so it never takes the files.
   */
  writeKept(): void {
    if (this.keptRead) return;
    this.keptRead = true;
    const left = takeOverJournals(
      this.journal.file,
      BREACH_JOURNALS,
      guardBreachInboxEventSchema,
      (line) => this.deps.log?.(line),
      'monitor',
      'guard breach inbox entries',
    );
    const kept = new Map<string, GuardBreachInboxEvent>();
    for (const event of [...this.journal.load(), ...left.items]) kept.set(event.id, event);
    for (const event of kept.values()) this.kept.set(event.id, event);
    for (const event of kept.values()) this.writeSoon(event);
    // Each entry is in the inbox now or in this process's own file: the files taken over go
    // (unless this one's could not be written: then they stay for the next start).
    if (this.kept.size === 0 || this.saved) left.release();
    // Said last, once the files are as they stay: a first write that meets a busy database
    // waits up to its busy timeout, and whoever reads the log meanwhile would otherwise see
    // the files taken over still there.
    if (kept.size > 0)
      this.deps.log?.(
        `monitor: ${kept.size} guard breach inbox entr${kept.size === 1 ? 'y' : 'ies'} kept while the database was busy before the last stop ${kept.size === 1 ? 'is' : 'are'} written now`,
      );
  }

  /** Resolves when no entry is being written in the background. */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Ends the background writes (what still waits stays kept for the next start). */
  async stop(): Promise<void> {
    this.background.abort(STOPPED);
    await this.idle();
    this.background = new AbortController();
  }

  private event(breach: GuardBreach): GuardBreachInboxEvent {
    return { ...breach, id: this.newId(), kind: 'guard_breached', read: false };
  }

  /** record() of an event with its id: one already in the inbox is not added again. */
  private write(event: GuardBreachInboxEvent): GuardBreachInboxEvent | null {
    return this.deps.db.transaction(() => {
      if (inboxEventExists(this.deps.db, event.id)) return null;
      const previous = latestUnreadBreach(this.deps.db, event.env);
      if (
        previous &&
        previous.status === event.status &&
        previous.action === event.action &&
        previous.stepVersion === event.stepVersion &&
        previous.summary === event.summary
      )
        return null;
      insertGuardBreach(this.deps.db, event);
      return event;
    })();
  }

  private writeSoon(event: GuardBreachInboxEvent): GuardBreachInboxEvent | null | undefined {
    let settle!: () => void;
    const task: Promise<unknown> = new Promise<void>((resolve) => (settle = resolve)).finally(() =>
      this.tasks.delete(task),
    );
    const signal = this.background.signal;
    const written = retryInBackground(this.deps.db, () => this.write(event), {
      now: this.deps.now,
      signal,
      patienceMs: this.deps.busyPatienceMs ?? DEFAULT_BUSY_PATIENCE_MS,
      sleep: (ms) => sleep(ms, signal, this.timers),
      settled: (outcome) => {
        if (!outcome.ok)
          this.deps.log?.(
            `monitor: the ${event.env} guard breach (${event.status}) could not be put in the inbox${
              isDatabaseBusy(outcome.error) || outcome.error === STOPPED
                ? ' yet; it is kept and written at the next start'
                : ''
            }: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`,
          );
        // Still busy when the patience ran out, or stopped meanwhile: kept for the next start.
        // Written, or failed for another reason (not tried again): forgotten.
        if (outcome.ok || !(isDatabaseBusy(outcome.error) || outcome.error === STOPPED))
          this.forget(event.id);
        settle();
      },
    });
    if (written) {
      this.forget(event.id);
      settle();
      return written.value;
    }
    this.tasks.add(task);
    this.kept.set(event.id, event);
    this.saved = this.journal.save([...this.kept.values()]);
    this.deps.log?.(
      `monitor: the database is busy; the ${event.env} guard breach goes into the inbox once it is free`,
    );
    return undefined;
  }

  private forget(id: string): void {
    if (!this.kept.delete(id)) return;
    this.saved = this.journal.save([...this.kept.values()]);
  }
}
