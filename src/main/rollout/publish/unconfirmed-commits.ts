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
import type { WritableDb } from '../../store/db';
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
