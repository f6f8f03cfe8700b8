/**
 * The SQLite database (better-sqlite3): opened with WAL, foreign keys and a busy timeout, then
 * migrated. A database that is corrupted or from a newer console is refused, never altered:
 * it is checked on a private copy first, so nothing (not even a `-wal` checkpoint, a journal
 * mode switch or a `-shm` rebuild) touches the real files before the checks pass.
 */
import Database from 'better-sqlite3';
import { constants, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbError } from '../../shared/errors';
import { checkMigrationState, migrate, type Migration } from './migrations';
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
  /** Where the pre-open check copies the database; default the OS temporary folder. */
  scratchDir?: string;
}

const DAMAGED =
  'The database file is damaged and was not opened. Move it aside (or restore a backup) and start again.';

export function openDatabase(options: OpenDatabaseOptions): WritableDb {
  const migrations = options.migrations ?? MIGRATIONS;
  const isNew = options.file === ':memory:' || !existsSync(options.file);
  if (!isNew) checkBeforeOpening(options.file, migrations, options.scratchDir ?? tmpdir());
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
    if (options.file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw asDbError(error);
  }
  return db as WritableDb;
}

/**
 * Integrity, schema version and migration history, checked on a copy of the file and its
 * `-wal`/`-journal` (SQLite rebuilds the `-shm`): opening even read-only would rewrite the
 * `-shm` and leave new sidecars. A copy taken while another console writes can be torn, so a
 * damaged verdict is confirmed on a second copy before the file is refused.
 */
function checkBeforeOpening(
  file: string,
  migrations: readonly Migration[],
  scratchDir: string,
): void {
  const hasWal = existsSync(`${file}-wal`);
  for (let attempt = 1; ; attempt += 1) {
    try {
      checkCopy(file, migrations, scratchDir);
      return;
    } catch (error) {
      const refused = asDbError(error);
      const damaged = refused instanceof DbError && refused.kind === 'corrupted';
      if (!damaged || !hasWal || attempt >= 2) throw refused;
    }
  }
}

function checkCopy(file: string, migrations: readonly Migration[], scratchDir: string): void {
  const dir = mkdtempSync(join(scratchDir, 'aideon-db-check-'));
  try {
    const copy = join(dir, 'check.sqlite');
    copyFileSync(file, copy, constants.COPYFILE_FICLONE);
    for (const suffix of ['-wal', '-journal']) {
      try {
        copyFileSync(file + suffix, copy + suffix, constants.COPYFILE_FICLONE);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    let db: Database.Database;
    try {
      db = new Database(copy, { fileMustExist: true });
    } catch (error) {
      throw new DbError('corrupted', DAMAGED, error);
    }
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok')
        throw new DbError(
          'corrupted',
          `The database failed its integrity check (${String(check)}). It was not changed. Move it aside (or restore a backup) and start again.`,
        );
      checkMigrationState(db, migrations);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function asDbError(error: unknown): unknown {
  if (DbError.isInstance(error)) return error;
  if (/not a database|malformed|file is encrypted/i.test(describe(error)))
    return new DbError('corrupted', DAMAGED, error);
  return error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
