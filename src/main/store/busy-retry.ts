/**
 * Writes while another process holds SQLite's write lock. Another connection (a second console
 * on the same data folder, a CLI command, the rollout controller, a backup tool) may hold it for
 * longer than the busy timeout: better-sqlite3 then throws SQLITE_BUSY (or SQLITE_LOCKED).
 * Nothing is wrong with the write itself; it goes through once the lock is free.
 *
 * SQLite's busy wait blocks the whole thread. In the interactive console (the desktop main
 * process, `aideon serve`) that thread serves every window, so its connection waits at most
 * CONSOLE_BUSY_TIMEOUT_MS (services.ts); so does a long-running headless process (the rollout
 * controller, `aideon monitor watch`), whose lease, heartbeat and ticks must go on; a one-off
 * CLI command keeps db.ts's 5 s. Such a process's start (open, migrate, built-in suites) waits
 * for the lock with patience instead of failing (startWhenFree). Then one policy:
 * - a write a person is waiting on (an IPC or HTTP call) that changed nothing (one statement
 *   or one transaction, nothing sent before it: ipc/busy-retry-channels.ts) is made again by
 *   the dispatcher with backoff (retryCallWhileBusy) for up to the interactive patience, and
 *   only then answered with stillBusyError; a call that may have done something irreversible
 *   first (published, paid) is answered at once with explainBusyDatabase's retryable error;
 * - a write nobody would try again (bookkeeping after something irreversible, an inbox entry, a
 *   background record) is tried again here with backoff (retryWhileBusy, retryInBackground);
 * - a timer's write (monitor checks, heartbeats, the rollout scheduler, the controller's check
 *   records) is skipped and made at the next tick; its log says so once per busy spell
 *   (busyLogGate), not at every tick.
 */
import { AppError, ValidationError } from '../../shared/errors';
import type { WritableDb } from './db';
import { othersOnOurDatabases } from './presence';
import { preparedOnce } from './statements';

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
export function explainBusyDatabase(
  error: unknown,
  holders: () => readonly string[] = othersOnOurDatabases,
): unknown {
  if (!isDatabaseBusy(error)) return error;
  const named = holdersOrNone(holders);
  return new AppError(
    'conflict',
    named.length > 0
      ? `The database is busy: ${whoIsWriting(named)}. Nothing was changed; try again when it finishes.`
      : BUSY_MESSAGE,
    { retryable: true, cause: error },
  );
}

/**
 * "`aideon bench import run.tar` (pid 4242, started 06:12 UTC) is writing to it", or, with
 * several processes on the data folder, which ones may be (the write lock does not say whose
 * it is; see presence.ts).
 */
export function whoIsWriting(holders: readonly string[]): string {
  return holders.length === 1
    ? `${holders[0]} is writing to it`
    : `one of these Aideon processes on this data folder is writing to it: ${holders.join('; ')}`;
}

/** Who holds the database is a hint for a message: a failure to find out names nobody. */
function holdersOrNone(holders: (() => readonly string[]) | undefined): readonly string[] {
  try {
    return holders?.() ?? [];
  } catch {
    return [];
  }
}

const BUSY_MESSAGE =
  'The database is busy: another Aideon process on this data folder (a second console, a CLI ' +
  'command or the rollout controller) is writing to it. Nothing was changed; try again in a ' +
  'moment.';

/**
 * SQLite's busy wait in the interactive console (desktop main process, `aideon serve`), ms. A
 * usual write by another process (a few ms; a commit's fsync on a loaded machine, 50–200 ms) is
 * waited for, so a busy answer stays rare; a long one (an import, a held lock) is not, so no
 * window's IPC, timer or event stops for longer than this per write.
 */
export const CONSOLE_BUSY_TIMEOUT_MS = 250;

/**
 * How long a write that must not be lost (a paid generation's bookkeeping, a guard breach's
 * inbox entry) keeps trying while another process holds the write lock, by default
 * (busyPatienceMs; the services' option and AIDEON_BUSY_PATIENCE_MS override it).
 */
export const DEFAULT_BUSY_PATIENCE_MS = 10 * 60_000;

/**
 * The busy patience (a bench run's writes, a long-running process's start-up): the option, else
 * AIDEON_BUSY_PATIENCE_MS (a positive whole number of milliseconds; anything else is refused
 * with the variable's name), else DEFAULT_BUSY_PATIENCE_MS.
 */
export function busyPatienceMs(options: {
  busyPatienceMs?: number | undefined;
  env: NodeJS.ProcessEnv;
}): number {
  const raw = options.env.AIDEON_BUSY_PATIENCE_MS?.trim();
  const [value, path, shown] =
    options.busyPatienceMs !== undefined
      ? [options.busyPatienceMs, 'busyPatienceMs', String(options.busyPatienceMs)]
      : raw === undefined || raw === ''
        ? [DEFAULT_BUSY_PATIENCE_MS, '', '']
        : [
            /^\d+$/.test(raw) ? Number(raw) : NaN,
            'AIDEON_BUSY_PATIENCE_MS',
            options.env.AIDEON_BUSY_PATIENCE_MS,
          ];
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ValidationError('settings', [
      {
        path,
        message: `must be a positive whole number of milliseconds (e.g. 600000 for 10 min), not ${JSON.stringify(shown)}`,
      },
    ]);
  return value;
}

/** The most an admin's call (IPC, HTTP) waits for another process's write lock, ms. */
export const INTERACTIVE_BUSY_PATIENCE_MS = 60_000;

/**
 * How long the dispatcher makes an admin's call again while the database is busy: the busy
 * patience (busyPatienceMs: the option, AIDEON_BUSY_PATIENCE_MS), at most
 * INTERACTIVE_BUSY_PATIENCE_MS: a person waits on it, and is told after a minute what holds it.
 */
export function interactiveBusyPatienceMs(options: {
  busyPatienceMs?: number | undefined;
  env: NodeJS.ProcessEnv;
}): number {
  return Math.min(busyPatienceMs(options), INTERACTIVE_BUSY_PATIENCE_MS);
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
  const attemptTimeout = options.attemptBusyTimeoutMs ?? SHORT_BUSY_WAIT_MS;
  return untilFree(() => withBusyTimeout(db, attemptTimeout, write), options);
}

/**
 * The loop of retryWhileBusy, startWhenFree and retryCallWhileBusy: `attempt` again with
 * backoff while it fails with an error `busy` accepts (default: a busy database).
 */
async function untilFree<T>(
  attempt: () => T | Promise<T>,
  options: BusyRetryOptions & { busy?: (error: unknown) => boolean },
): Promise<T> {
  const busy = options.busy ?? isDatabaseBusy;
  const giveUpAt = options.now() + options.patienceMs;
  let delay = options.initialDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 2000;
  let attempts = 0;
  if (options.tryAtOnce === false) {
    await options.sleep(delay);
    delay = Math.min(delay * 2, maxDelay);
  }
  for (;;) {
    attempts += 1;
    try {
      return await attempt();
    } catch (error) {
      if (!busy(error)) throw error;
      options.onBusy?.(attempts, error);
      if (options.now() >= giveUpAt) throw error;
    }
    await options.sleep(Math.min(delay, Math.max(1, giveUpAt - options.now())));
    delay = Math.min(delay * 2, maxDelay);
  }
}

/** What a process says once when its start-up meets another process's write lock. */
export const START_UP_WAITING =
  'the database is busy (another Aideon process on this data folder is writing); waiting…';

/**
 * A process's start-up (opening and migrating the database, the built-in suites, a first
 * record) while another process holds the write lock: `start` is tried again with backoff
 * instead of failing after one busy timeout, and `say` is told once (START_UP_WAITING) that it
 * waits. After `patienceMs` it gives up with a message that says what to do. `start` should
 * wait briefly itself (a short busy timeout), so signals and timers run between attempts; a
 * `start` that fails must leave nothing open.
 */
export async function startWhenFree<T>(
  start: () => T,
  options: Pick<BusyRetryOptions, 'now' | 'sleep' | 'patienceMs'> & {
    say: (line: string) => void;
    /** Ends the wait (Ctrl-C): its reason is thrown at the next attempt. */
    signal?: AbortSignal;
    /** The other processes on the data folder (presence.ts), named in what is said. */
    holders?: () => readonly string[];
  },
): Promise<T> {
  let said = false;
  const { signal } = options;
  try {
    return await untilFree(() => (signal?.aborted ? abort(signal) : start()), {
      now: options.now,
      sleep: options.sleep,
      patienceMs: options.patienceMs,
      initialDelayMs: 200,
      // An attempt may copy and check the database file first (db.ts): not more often.
      maxDelayMs: 5000,
      onBusy: () => {
        if (said) return;
        said = true;
        const named = holdersOrNone(options.holders);
        options.say(
          named.length > 0
            ? `the database is busy (${whoIsWriting(named)}); waiting…`
            : START_UP_WAITING,
        );
      },
    });
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
    const named = holdersOrNone(options.holders);
    const who =
      named.length > 0
        ? whoIsWriting(named)
        : 'another Aideon process on this data folder (a console, `aideon serve`, a benchmark run or an import) holds its write lock';
    throw new AppError(
      'conflict',
      `The database stayed busy for ${describePatience(options.patienceMs)}: ${who}. Let it finish or close it, then start again (AIDEON_BUSY_PATIENCE_MS sets how long to wait, in ms).`,
      { retryable: true, cause: error },
    );
  }
}

/**
 * A call an admin is waiting on (an IPC or HTTP call) that met another process's write lock
 * and changed nothing (see ipc/busy-retry-channels.ts for which calls qualify): made again with
 * backoff, up to `patienceMs`, so the admin need not press again. Each attempt waits SQLite's
 * busy timeout of the connection (the console's short one), so the thread serves the windows
 * between attempts. `busy` says which errors mean "nothing was changed, try again"; once
 * patience ran out, the last one is thrown (stillBusyError words it for the admin).
 */
export function retryCallWhileBusy<T>(
  call: () => Promise<T>,
  options: Pick<BusyRetryOptions, 'now' | 'sleep' | 'patienceMs' | 'onBusy'> & {
    busy: (error: unknown) => boolean;
  },
): Promise<T> {
  return untilFree(call, { ...options, initialDelayMs: 100, maxDelayMs: 2000 });
}

/**
 * A busy database refused the write before anything was done: the raw SQLITE_BUSY, or an
 * AppError 'conflict' a service threw for it (its cause the busy error) saying nothing was
 * changed or sent.
 */
export function isBusyNothingChanged(error: unknown): boolean {
  return isDatabaseBusy(error) || isWrappedBusy(error);
}

/** Only a service's own "nothing was sent" conflict for a busy database (not a raw busy error). */
export function isWrappedBusy(error: unknown): boolean {
  return AppError.isInstance(error) && error.code === 'conflict' && isDatabaseBusy(error.cause);
}

/**
 * What the admin is told when a call was made again for `patienceMs` and the database stayed
 * locked: which process holds it when the console can know (`holders`, e.g. "process 4242 on
 * build-7, driving a benchmark run"), that nothing was changed, and what to do.
 */
export function stillBusyError(
  error: unknown,
  patienceMs: number,
  holders: readonly string[] = [],
): AppError {
  const who =
    holders.length > 0
      ? whoIsWriting(holders)
      : 'another Aideon process on this data folder (a second console, `aideon serve`, a CLI command such as an import, or the rollout controller) holds its write lock';
  return new AppError(
    'conflict',
    `The database stayed busy for ${describePatience(patienceMs)} while this was tried again: ${who}. Nothing was changed. Let that process finish or close it, then try again (AIDEON_BUSY_PATIENCE_MS sets how long to keep trying, in ms).`,
    { retryable: true, cause: error },
  );
}

export function describePatience(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/**
 * Runs `write` only if the database is free at once (no busy wait): a write that may be skipped
 * (display only) throws SQLITE_BUSY at once instead of holding the thread for the busy timeout.
 */
export function withoutBusyWait<T>(db: WritableDb, write: () => T): T {
  return withBusyTimeout(db, 0, write);
}

/**
 * Runs `write` now; when the database is busy, tries again in the background (retryWhileBusy,
 * `patienceMs`) and returns undefined. Never throws for a busy database: what is done with the
 * result once written (or the last error, once patience ran out or `signal` aborted) goes to
 * `settled`. For writes nobody would try again: they must not be lost to a held lock, and the
 * caller (a timer, an event handler) must not wait for them.
 */
export function retryInBackground<T>(
  db: WritableDb,
  write: () => T,
  options: Omit<BusyRetryOptions, 'tryAtOnce'> & {
    signal?: AbortSignal;
    settled: (outcome: { ok: true; value: T } | { ok: false; error: unknown }) => void;
  },
): { value: T } | undefined {
  try {
    return { value: write() };
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
  }
  const { signal, settled, ...retry } = options;
  void retryWhileBusy(db, () => (signal?.aborted ? abort(signal) : write()), {
    ...retry,
    tryAtOnce: false,
    sleep: async (ms) => {
      if (signal?.aborted) abort(signal);
      await retry.sleep(ms);
    },
  }).then(
    (value) => settled({ ok: true, value }),
    (error: unknown) => settled({ ok: false, error }),
  );
  return undefined;
}

function abort(signal: AbortSignal): never {
  throw signal.reason ?? new Error('aborted');
}

/**
 * A timer's log for a database that stays busy: the first busy failure of a spell is logged,
 * the next ones are not (a tick every few seconds would fill the log), and the spell's end is.
 */
export function busyLogGate(
  log: (line: string) => void,
  holders: () => readonly string[] = othersOnOurDatabases,
): {
  /** A failure: logged unless it is a busy database already logged. */
  failed(line: string, error: unknown): void;
  /** A success: ends the busy spell. */
  succeeded(what: string): void;
} {
  let busy = false;
  let skipped = 0;
  return {
    failed(line, error) {
      if (!isDatabaseBusy(error)) {
        log(line);
        return;
      }
      if (!busy) {
        busy = true;
        const named = holdersOrNone(holders);
        log(
          `${line} (${named.length > 0 ? `${whoIsWriting(named)}; ` : ''}tried again at each tick; logged once while the database stays busy)`,
        );
      } else skipped += 1;
    },
    succeeded(what) {
      if (!busy) return;
      log(`${what}: the database is free again (${skipped} busy tick(s) skipped)`);
      busy = false;
      skipped = 0;
    },
  };
}

/** Runs `write` with SQLite's busy timeout set to `ms`, then puts the connection's back. */
export function withBusyTimeout<T>(db: WritableDb, ms: number, write: () => T): T {
  if (!db.open) return write();
  // Prepared once per connection (db.pragma compiles its statement at every call; a benchmark's
  // generation makes several short writes). The timeouts set are few: this and the connection's.
  const previous = preparedOnce(db, 'PRAGMA busy_timeout').pluck().get() as number;
  if (previous <= ms) return write();
  preparedOnce(db, `PRAGMA busy_timeout = ${Math.max(0, Math.floor(ms))}`).get();
  try {
    return write();
  } finally {
    preparedOnce(db, `PRAGMA busy_timeout = ${previous}`).get();
  }
}
