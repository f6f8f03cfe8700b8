/**
 * Commits whose answer was lost and whose outcome could not be read back (see Publisher
 * `unconfirmed`), each with the history entry it owes if it went in. The next read of that
 * environment settles each one: its entry is recorded if the commit went in, once, and it is
 * forgotten either way.
 *
 * Kept in the data folder's database (sqliteUnconfirmedCommits), so the process that settles
 * one may be another than the one that kept it: a one-shot `aideon config publish` has no later
 * read, so the console, the controller or the next command on the same folder settles it. Only
 * the caller whose take() removed the row records the entry, so two processes (or two reads of
 * one process) that settle the same commit at once record it once.
 */
import { redactStoreUri } from '../../../consumer/store-reader';
import type { ReadableDb, WritableDb } from '../../store/db';
import type { HistoryInput } from './history';

export interface UnconfirmedCommits {
  /**
   * Keeps the entry a commit owes while its outcome is not known; true when it is kept where
   * the next process on the data folder finds it (false: in this process's memory only).
   */
  keep(key: string, entry: HistoryInput): boolean;
  /** The commits of `storeUri`'s `environment` kept so far. */
  list(storeUri: string, environment: string): { key: string; entry: HistoryInput }[];
  /** Forgets `key`; true only for the one caller that took it out (it records the entry). */
  take(key: string): boolean;
}

/** Kept in memory only: for one process's publishers (tests; a database in memory). */
export function unconfirmedInMemory(): UnconfirmedCommits & { size: () => number } {
  const kept = new Map<string, HistoryInput>();
  return {
    keep: (key, entry) => {
      kept.set(key, entry);
      return false;
    },
    list: (storeUri, environment) =>
      [...kept]
        .filter(([, entry]) => entry.storeUri === storeUri && entry.environment === environment)
        .map(([key, entry]) => ({ key, entry })),
    take: (key) => kept.delete(key),
    size: () => kept.size,
  };
}

/**
 * Kept in `db` (table unconfirmed_commits). A row that cannot be written (the database held by
 * another process past its busy wait, a full disk) is kept in this process's memory instead,
 * said in the log, and written at the next list(): it is settled by this process at least.
 */
export function sqliteUnconfirmedCommits(
  db: WritableDb,
  now: () => number,
  log: (line: string) => void,
): UnconfirmedCommits {
  const waiting = new Map<string, HistoryInput>();
  const write = (key: string, entry: HistoryInput): boolean => {
    try {
      db.prepare(
        `INSERT INTO unconfirmed_commits (key, store_uri, environment, entry, kept_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
      ).run(key, entry.storeUri, entry.environment ?? '', JSON.stringify(entry), now());
      return true;
    } catch (error) {
      log(
        `config: the ${entry.action} of ${entry.environment ?? '?'} (version ${entry.version ?? '?'}) whose outcome is not known could not be kept in the database (${error instanceof Error ? error.message : String(error)}); only this process will check it`,
      );
      return false;
    }
  };
  return {
    keep(key, entry) {
      if (write(key, entry)) return true;
      waiting.set(key, entry);
      return false;
    },
    list(storeUri, environment) {
      for (const [key, entry] of [...waiting]) if (write(key, entry)) waiting.delete(key);
      const out = new Map<string, HistoryInput>();
      for (const [key, entry] of waiting)
        if (entry.storeUri === storeUri && entry.environment === environment) out.set(key, entry);
      let rows: { key: string; entry: string }[] = [];
      try {
        rows = db
          .prepare(
            'SELECT key, entry FROM unconfirmed_commits WHERE store_uri = ? AND environment = ? ORDER BY kept_at',
          )
          .all(storeUri, environment) as { key: string; entry: string }[];
      } catch {
        // A database busy for a read too: the rows wait for the next read of the environment.
      }
      for (const row of rows) {
        try {
          out.set(row.key, JSON.parse(row.entry) as HistoryInput);
        } catch {
          log(`config: an unconfirmed commit (${row.key}) kept in the database cannot be read`);
        }
      }
      return [...out].map(([key, entry]) => ({ key, entry }));
    },
    take(key) {
      if (waiting.delete(key)) return true;
      try {
        return db.prepare('DELETE FROM unconfirmed_commits WHERE key = ?').run(key).changes === 1;
      } catch {
        // Busy: not taken now; the next read of the environment tries again.
        return false;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// for the admin: what is kept, and what nobody will settle
//
// A kept commit is settled only by a process that reads its store's environment. Once the data
// folder publishes to another store (Publishing → Store, `aideon config store set`) and no
// controller reads the old one, nothing ever will: the rows stayed, unseen, for good. So they
// are shown where the admin looks at the store (the console's Publishing section, `aideon config
// store show`), and those of a store this data folder no longer publishes to are dropped once
// they are FORGOTTEN_UNCONFIRMED_MS old, with one log line naming each. The current store's are
// never dropped: the console reads it all the time, so one still kept there means the store has
// not answered, and the entry is still owed.

/** The commits of one store's environment whose outcome is not known. */
export interface UnconfirmedGroup {
  storeUri: string;
  environment: string;
  count: number;
  /** When the oldest of them was kept (ms since the epoch). */
  since: number;
}

/** The commits kept in `db`, by store and environment, the longest-kept first. */
export function unconfirmedGroups(db: ReadableDb): UnconfirmedGroup[] {
  return db
    .prepare(
      `SELECT store_uri AS storeUri, environment, COUNT(*) AS count, MIN(kept_at) AS since
       FROM unconfirmed_commits GROUP BY store_uri, environment ORDER BY since, store_uri, environment`,
    )
    .all() as UnconfirmedGroup[];
}

/** How long a commit of a store the data folder no longer publishes to is kept: 30 days. */
export const FORGOTTEN_UNCONFIRMED_MS = 30 * 86_400_000;

/**
 * Drops the commits kept longer than FORGOTTEN_UNCONFIRMED_MS for stores other than
 * `currentStoreUri`, saying which in one log line; returns how many. A busy database drops
 * nothing now (the next start tries again).
 */
export function dropForgottenUnconfirmed(
  db: WritableDb,
  options: { currentStoreUri: string; now: number; log: (line: string) => void },
): number {
  const before = options.now - FORGOTTEN_UNCONFIRMED_MS;
  let dropped: { key: string; store_uri: string; entry: string; kept_at: number }[];
  try {
    dropped = db.transaction(() => {
      const rows = db
        .prepare(
          'SELECT key, store_uri, entry, kept_at FROM unconfirmed_commits WHERE store_uri <> ? AND kept_at < ? ORDER BY kept_at',
        )
        .all(options.currentStoreUri, before) as {
        key: string;
        store_uri: string;
        entry: string;
        kept_at: number;
      }[];
      const remove = db.prepare('DELETE FROM unconfirmed_commits WHERE key = ?');
      for (const row of rows) remove.run(row.key);
      return rows;
    })();
  } catch {
    return 0;
  }
  if (dropped.length === 0) return 0;
  const named = dropped.map((row) => {
    let what = 'a commit';
    try {
      const entry = JSON.parse(row.entry) as HistoryInput;
      what = `the ${entry.action} of ${entry.environment ?? '?'} version ${entry.version ?? '?'}`;
    } catch {
      // Named by its store and date only.
    }
    return `${what} on ${redactStoreUri(row.store_uri)} (kept ${new Date(row.kept_at).toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
  });
  options.log(
    `config: dropped ${dropped.length} commit(s) whose outcome was never known, kept over ${FORGOTTEN_UNCONFIRMED_MS / 86_400_000} days for a store this data folder no longer publishes to (their history entries, if they went in, were never recorded): ${named.join('; ')}`,
  );
  return dropped.length;
}
