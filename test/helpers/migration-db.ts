/** The opening of a migration test: an in-memory database migrated up to a version, and a suite row. */
import Database from 'better-sqlite3';
import { migrate } from '../../src/main/store/migrations';
import { MIGRATIONS } from '../../src/main/store/migrations/index';

/** An in-memory database with foreign keys on, migrated by every migration below `version`. */
export function migratedBelow(version: number): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(
    db,
    MIGRATIONS.filter((migration) => migration.version < version),
  );
  return db;
}

/** Suite 's' version 1, which the runs a migration test inserts belong to. */
export function insertSuite(db: Database.Database): void {
  db.prepare(
    "INSERT INTO suites (id, version, name, description, built_in, definition, created_at) VALUES ('s', 1, 'S', '', 0, '{}', 1)",
  ).run();
}
