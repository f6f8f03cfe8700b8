/**
 * The SQLite database (better-sqlite3): opened with WAL, foreign keys and a busy timeout, then
 * migrated. A database that is corrupted or from a newer console is refused, never altered.
 *
 * Two ways in, chosen from the file's 100-byte header and its sidecars (no SQLite needed):
 * - the usual case, a database at this console's schema that was closed cleanly (no `-wal` or
 *   `-journal` with content), opens directly: its migration history is checked on the real
 *   file with reads only, before any pragma or write, so a refusal still changes nothing;
 * - anything else (crash leftovers that opening would replay into the file, a schema to
 *   migrate or from a newer console, a header that is not SQLite's) is first checked on a
 *   private copy with `quick_check`, so nothing (not even a `-wal` checkpoint, a journal mode
 *   switch or a `-shm` rebuild) touches the real files before the checks pass.
 * Copying and checking the whole file at every start cost time in proportion to its size; the
 * direct way reads a header and the `_migrations` table.
 */
import Database from 'better-sqlite3';
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
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
  /**
   * SQLite's busy wait, ms (default 5000), also while migrating. A caller that tries the start
   * again while another process holds the write lock (busy-retry.ts startWhenFree) sets it short.
   */
  busyTimeoutMs?: number;
}

const DAMAGED =
  'The database file is damaged and was not opened. Move it aside (or restore a backup) and start again.';

export function openDatabase(options: OpenDatabaseOptions): WritableDb {
  const migrations = options.migrations ?? MIGRATIONS;
  const isNew = options.file === ':memory:' || !existsSync(options.file);
  const direct = !isNew && closedCleanlyAtSchema(options.file, migrations.at(-1)?.version ?? 0);
  if (!isNew && !direct)
    checkBeforeOpening(options.file, migrations, options.scratchDir ?? tmpdir());
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
    // Reads only: a refusal here leaves the file as it was (SQLite removes the empty sidecars
    // a read makes when the connection closes).
    if (direct) checkMigrationState(db, migrations);
    if (options.file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw asDbError(error);
  }
  return db as WritableDb;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * True when the file's header says SQLite at exactly `schema` (user_version, offset 60), its
 * length matches the header's page count, and no `-wal` or `-journal` with content lies beside
 * it, i.e. the last writer closed it cleanly and opening it replays nothing into it. Damage
 * inside a page of such a file is reported by SQLite when that page is read.
 */
function closedCleanlyAtSchema(file: string, schema: number): boolean {
  for (const suffix of ['-wal', '-journal']) {
    const size = statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0;
    if (size > 0) return false;
  }
  const header = Buffer.alloc(100);
  let read: number;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  if (
    read !== 100 ||
    header.toString('latin1', 0, 16) !== SQLITE_MAGIC ||
    header.readUInt32BE(60) !== schema
  )
    return false;
  // A torn or truncated file (a partial copy or sync, a full disk) goes through the full check:
  // the page size must be valid and the file exactly `page count` pages long, with the page count
  // current (offset 92, version-valid-for, equal to the change counter at offset 24).
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return false;
  if (header.readUInt32BE(92) !== header.readUInt32BE(24)) return false;
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? -1;
  return size === header.readUInt32BE(28) * pageSize;
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
