/**
 * Migration runner. Migrations are numbered (steps of 10), run in one transaction, and the
 * version is kept in `PRAGMA user_version`. Each applied migration's content hash is stored, so
 * a later edit to an applied migration is caught. A database from a newer console is refused.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { DbError } from '../../shared/errors';

export interface Migration {
  version: number;
  name: string;
  /** The SQL to apply. Kept as text so its hash identifies it. */
  sql: string;
}

export function migrationHash(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

export function checkMigrationList(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new Error(
        `Migration ${migration.name} has version ${migration.version}, which does not go up from ${previous}.`,
      );
    }
    previous = migration.version;
  }
}

/**
 * Refuses a database this console must not touch: one from a newer console, one whose applied
 * migrations were edited later, or one that skipped a migration. Only reads.
 */
export function checkMigrationState(db: Database.Database, migrations: readonly Migration[]): void {
  checkMigrationList(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new DbError(
      'newer_version',
      `This database was written by a newer version of the console (schema ${current}; this version knows up to ${latest}). It was not changed. Update the console, or point --data-dir at another folder.`,
    );
  }
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'")
    .get();
  if (!hasTable) return;
  const applied = db.prepare('SELECT version, name, hash FROM _migrations').all() as {
    version: number;
    name: string;
    hash: string;
  }[];
  for (const row of applied) {
    const known = migrations.find((migration) => migration.version === row.version);
    if (known && migrationHash(known) !== row.hash) {
      throw new DbError(
        'corrupted',
        `Migration ${row.version} (${row.name}) was changed after it was applied to this database.`,
      );
    }
  }
  const appliedVersions = new Set(applied.map((row) => row.version));
  for (const migration of migrations) {
    if (
      migration.version <= current &&
      applied.length > 0 &&
      !appliedVersions.has(migration.version)
    ) {
      throw new DbError(
        'corrupted',
        `This database is at schema ${current} but never ran migration ${migration.version} (${migration.name}); it was not changed. Start with a fresh --data-dir.`,
      );
    }
  }
}

export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
): { from: number; to: number } {
  checkMigrationState(db, migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  let current = db.pragma('user_version', { simple: true }) as number;
  // Up to date (checked just above): nothing to write, so no write transaction at each open.
  if (current === latest && latest > 0) return { from: current, to: latest };
  const run = db.transaction(() => {
    current = db.pragma('user_version', { simple: true }) as number;
    db.exec(`CREATE TABLE IF NOT EXISTS _migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    // Checked again inside the write transaction: another process may have migrated meanwhile.
    checkMigrationState(db, migrations);
    const insert = db.prepare(
      'INSERT INTO _migrations (version, name, hash, applied_at) VALUES (?, ?, ?, ?)',
    );
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      insert.run(migration.version, migration.name, migrationHash(migration), Date.now());
    }
    db.pragma(`user_version = ${latest}`);
  });
  run.immediate();
  return { from: current, to: latest };
}
