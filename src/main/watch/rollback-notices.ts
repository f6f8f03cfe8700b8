/**
 * Which failed automatic rollbacks the admin was already told about. The console's watch and
 * the controller retry a failed rollback at every check interval (also after a restart) for as
 * long as the breaching step stays live; each retry that fails again must not notify again.
 * One notice per (environment, rollout step, failure reason): a retry that fails the same way
 * is recorded as repeated; another reason, or a new step, is told again.
 *
 * The console keeps them in SQLite (`rollback_notices`, migration 0257) so a restart does not
 * tell again; the controller in its own database, under its own scope. A database that cannot
 * take the row at once (locked by another process) is answered from memory meanwhile (the
 * admin may be told once more, never less), and the row is kept pending and written, in
 * order, as soon as the lock is free (tried again with backoff for the busy patience, and
 * with the next notice): a kill after the lock is released does not lose it.
 */
import type { RolloutStep } from '../../shared/watch/watch-types';
import { isDatabaseBusy, retryWhileBusy, withoutBusyWait } from '../store/busy-retry';
import type { WritableDb } from '../store/db';

export interface RollbackNotices {
  /**
   * Records that the rollback of `step` in `env` failed with `reason`: true the first time
   * (notify the admin), false when the admin was told about this step and reason before.
   * Never throws.
   */
  first(env: string, step: RolloutStep, reason: string): boolean;
  /** Resolves when no pending notice is being written in the background. */
  idle?(): Promise<void>;
  /** Ends the background writes (closing): what is still pending is logged. */
  stop?(): Promise<void>;
}

/**
 * The step's identity: a pause keeps it (the paused step is the same step, watched for its
 * rollback); the next step, or a resume (its bake starts again), makes a new one.
 */
export function rollbackStepKey(step: RolloutStep): string {
  return `v${step.version}\u0000${step.flag ?? ''}\u0000${step.percent ?? ''}\u0000${step.startedAt}`;
}

/** The failure reason as compared: the error's message, without a final full stop. */
export function rollbackReasonKey(message: string): string {
  return message.trim().replace(/\s+/g, ' ').replace(/\.$/, '');
}

/** In memory only (tests, a controller without a database, the fallback of the one below). */
export function memoryRollbackNotices(): RollbackNotices {
  const byEnv = new Map<string, { step: string; reasons: Set<string> }>();
  return {
    first(env, step, reason) {
      const stepKey = rollbackStepKey(step);
      let told = byEnv.get(env);
      if (told?.step !== stepKey) {
        told = { step: stepKey, reasons: new Set() };
        byEnv.set(env, told);
      }
      const key = rollbackReasonKey(reason);
      if (told.reasons.has(key)) return false;
      told.reasons.add(key);
      return true;
    },
  };
}

/** How notices that met a busy database are written once it is free. */
export interface PendingNoticeRetry {
  now: () => number;
  /** Waits `ms`; rejects when `signal` aborts (closing). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** How long one background retry keeps trying, ms (the busy patience). */
  patienceMs: number;
}

interface PendingNotice {
  env: string;
  stepKey: string;
  reason: string;
  at: number;
}

/**
 * In SQLite under `scope` ('console', `controller:<id>`), so a restart remembers. With `retry`,
 * a notice that met another process's write lock is written in the background once the lock
 * is free; without it, with the next notice that gets through.
 */
export function sqliteRollbackNotices(
  db: WritableDb,
  scope: string,
  now: () => number,
  log?: (line: string) => void,
  retry?: PendingNoticeRetry,
): RollbackNotices {
  const fallback = memoryRollbackNotices();
  const pending: PendingNotice[] = [];
  const stopping = new AbortController();
  let writing: Promise<void> | undefined;

  // One notice's write: only the current step's notices are kept (an earlier step is over).
  const write = (notice: PendingNotice): boolean => {
    db.prepare('DELETE FROM rollback_notices WHERE scope = ? AND env = ? AND step_key <> ?').run(
      scope,
      notice.env,
      notice.stepKey,
    );
    const inserted = db
      .prepare(
        'INSERT OR IGNORE INTO rollback_notices (scope, env, step_key, reason, notified_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(scope, notice.env, notice.stepKey, notice.reason, notice.at);
    return inserted.changes === 1;
  };
  // The pending ones first, in order (a later step's DELETE must come after an earlier
  // insert), then `notice`, in one transaction; the pending ones are dropped once it committed.
  const writeWithPending = (notice?: PendingNotice): boolean => {
    const first = db.transaction(() => {
      for (const kept of pending) write(kept);
      return notice ? write(notice) : false;
    })();
    const count = pending.length;
    pending.length = 0;
    if (count > 0)
      log?.(`watch: ${count} rollback notice(s) kept while the database was busy are now recorded`);
    return first;
  };

  const writeLater = (): void => {
    if (!retry || writing || stopping.signal.aborted) return;
    const { signal } = stopping;
    writing = retryWhileBusy(
      db,
      () => {
        if (signal.aborted) throw signal.reason;
        writeWithPending();
      },
      {
        now: retry.now,
        patienceMs: retry.patienceMs,
        tryAtOnce: false,
        sleep: async (ms) => {
          if (signal.aborted) throw signal.reason;
          await retry.sleep(ms, signal);
        },
      },
    ).then(
      () => {
        writing = undefined;
      },
      (error: unknown) => {
        writing = undefined;
        if (signal.aborted) return;
        // Kept: written with the next notice that gets through.
        log?.(
          `watch: ${pending.length} rollback notice(s) still not recorded (${error instanceof Error ? error.message : String(error)}); kept for the next notice`,
        );
      },
    );
  };

  return {
    first(env, step, reason) {
      const notice: PendingNotice = {
        env,
        stepKey: rollbackStepKey(step),
        reason: rollbackReasonKey(reason),
        at: now(),
      };
      try {
        const first = withoutBusyWait(db, () => writeWithPending(notice));
        // Remembered here too: a later busy answer must not tell again what SQLite has.
        fallback.first(env, step, reason);
        return first;
      } catch (error) {
        const busy = isDatabaseBusy(error);
        const told = fallback.first(env, step, reason);
        // Kept once (a notice already told, or already pending, is not kept again).
        if (busy && told) pending.push(notice);
        log?.(
          `watch: the rollback notice could not be recorded (${error instanceof Error ? error.message : String(error)}); kept in memory${busy && retry ? ', and recorded once the database is free' : ''}`,
        );
        if (busy) writeLater();
        return told;
      }
    },
    async idle() {
      while (writing) await writing;
    },
    async stop() {
      stopping.abort(new Error('stopped'));
      await writing;
      if (pending.length > 0)
        log?.(
          `watch: ${pending.length} rollback notice(s) were not recorded: the database stayed busy (another Aideon process on this data folder was writing)`,
        );
    },
  };
}
