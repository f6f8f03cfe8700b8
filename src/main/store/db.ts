/**
 * The SQLite database (better-sqlite3): opened with WAL, foreign keys and a busy timeout, then
 * migrated. A database that is corrupted or from a newer console is refused, never altered.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { DbError } from '../../shared/errors';
import { migrate, type Migration } from './migrations';
import { MIGRATIONS } from './migrations/index';

declare const writableBrand: unique symbol;
/** A handle that may write. Repository functions that write take this type. */
export type WritableDb = Database.Database & { readonly [writableBrand]: true };
/** A handle used only for reads. */
export type ReadableDb = Database.Database;

export interface OpenDatabaseOptions {
  /** `:memory:` for tests. */
  file: string;
  migrations?: readonly Migration[];
  /** Log queries slower than this many milliseconds (default 40). */
  slowQueryMs?: number;
  log?: (line: string) => void;
}

export function openDatabase(options: OpenDatabaseOptions): WritableDb {
  const isNew = options.file === ':memory:' || !existsSync(options.file);
  let db: Database.Database;
  try {
    db = new Database(options.file, { fileMustExist: false });
  } catch (error) {
    throw new DbError(
      'corrupted',
      `Cannot open the database at its data folder: ${describe(error)}`,
      error,
    );
  }
  try {
    if (!isNew) {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok')
        throw new DbError(
          'corrupted',
          `The database failed its integrity check (${String(check)}).`,
        );
    }
    if (options.file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (error) {
    db.close();
    if (DbError.isInstance(error)) throw error;
    const message = describe(error);
    if (/not a database|malformed|file is encrypted/i.test(message)) {
      throw new DbError(
        'corrupted',
        'The database file is damaged and was not opened. Move it aside (or restore a backup) and start again.',
        error,
      );
    }
    throw error;
  }
  return db as WritableDb;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
