/**
 * Writes that must not be lost to a busy database. Another connection (a second console on the
 * same data folder, a backup tool) may hold SQLite's write lock for longer than the busy timeout
 * (5 s, db.ts): better-sqlite3 then throws SQLITE_BUSY (or SQLITE_LOCKED). Nothing is wrong with
 * the write itself; it goes through once the lock is free, so it is tried again with backoff.
 */
import { AppError } from '../../shared/errors';
import type { WritableDb } from './db';

/** The write lock was held elsewhere past the busy timeout: the same write may succeed later. */
export function isDatabaseBusy(error: unknown): boolean {
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * What an admin is told when an action met the database locked by another process past the busy
 * timeout (instead of "something went wrong inside the console"): nothing was changed, and the
 * same action may simply be tried again. Anything else is returned as it is.
 */
export function explainBusyDatabase(error: unknown): unknown {
  if (!isDatabaseBusy(error)) return error;
  return new AppError(
    'conflict',
    'The database is busy: another Aideon process on this data folder (a second console, a CLI ' +
      'command or the rollout controller) held it for more than 5 s. Nothing was changed; try ' +
      'again in a moment.',
    { retryable: true, cause: error },
  );
}

/**
 * SQLite's busy wait for a write that has somewhere else to go when the lock is held (a retry
 * with backoff, the next heartbeat): short, because the wait blocks the whole thread.
 */
export const SHORT_BUSY_WAIT_MS = 50;

export interface BusyRetryOptions {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** How long to keep trying, ms, from the call; then the last SQLITE_BUSY is thrown. */
  patienceMs: number;
  /** First wait between attempts, ms (doubles up to maxDelayMs). Default 100. */
  initialDelayMs?: number;
  /** Default 2000. */
  maxDelayMs?: number;
  /**
   * SQLite's own busy wait during each attempt, ms. The wait blocks the whole thread, so it is
   * kept short: polls and downloads go on between attempts. Default SHORT_BUSY_WAIT_MS.
   */
  attemptBusyTimeoutMs?: number;
  /** Tries at once before the first wait (false: the caller has just seen it fail). Default true. */
  tryAtOnce?: boolean;
  /** Told of each attempt that found the database busy (1, 2, …). */
  onBusy?: (attempt: number, error: unknown) => void;
}

/**
 * Runs `write` (a synchronous better-sqlite3 write, or a transaction) until it gets through: an
 * error other than a busy database is thrown at once; a busy one is retried with backoff until
 * `patienceMs` has passed.
 */
export async function retryWhileBusy<T>(
  db: WritableDb,
  write: () => T,
  options: BusyRetryOptions,
): Promise<T> {
  const giveUpAt = options.now() + options.patienceMs;
  let delay = options.initialDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 2000;
  const attemptTimeout = options.attemptBusyTimeoutMs ?? SHORT_BUSY_WAIT_MS;
  let attempt = 0;
  if (options.tryAtOnce === false) {
    await options.sleep(delay);
    delay = Math.min(delay * 2, maxDelay);
  }
  for (;;) {
    attempt += 1;
    try {
      return withBusyTimeout(db, attemptTimeout, write);
    } catch (error) {
      if (!isDatabaseBusy(error)) throw error;
      options.onBusy?.(attempt, error);
      if (options.now() >= giveUpAt) throw error;
    }
    await options.sleep(Math.min(delay, Math.max(1, giveUpAt - options.now())));
    delay = Math.min(delay * 2, maxDelay);
  }
}

/**
 * Runs `write` only if the database is free at once (no busy wait): a write that may be skipped
 * (display only) throws SQLITE_BUSY at once instead of holding the thread for the busy timeout.
 */
export function withoutBusyWait<T>(db: WritableDb, write: () => T): T {
  return withBusyTimeout(db, 0, write);
}

/** Runs `write` with SQLite's busy timeout set to `ms`, then puts the connection's back. */
export function withBusyTimeout<T>(db: WritableDb, ms: number, write: () => T): T {
  if (!db.open) return write();
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  if (previous <= ms) return write();
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(ms))}`);
  try {
    return write();
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}
