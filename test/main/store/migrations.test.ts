import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/store/db';
import { migrate, type Migration } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { DbError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function temp(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

const extra: Migration = {
  version: 9990,
  name: 'test-extra',
  sql: 'CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT);',
};

describe('migrations', () => {
  it('creates a fresh database at the latest version with WAL and foreign keys', () => {
    const file = join(temp(), 'db.sqlite');
    const db = openDatabase({ file });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(['suites', 'runs', 'generations', 'media', '_migrations']),
    );
    db.close();
  });

  it('upgrades from every earlier version, keeping rows', () => {
    for (let index = 0; index < MIGRATIONS.length; index += 1) {
      const db = new Database(':memory:');
      migrate(db, MIGRATIONS.slice(0, index + 1));
      db.prepare(
        "INSERT INTO media (id, content_type, bytes, created_at) VALUES (?, 'video/mp4', 10, 1)",
      ).run('a'.repeat(64));
      const result = migrate(db, [...MIGRATIONS, extra]);
      expect(result).toEqual({ from: MIGRATIONS[index]?.version, to: 9990 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM media').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT version FROM _migrations ORDER BY version').all().length).toBe(
        index + 1 + (MIGRATIONS.length - index - 1) + 1,
      );
      db.close();
    }
  });

  it('uses the index for cache lookups by request key', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM generations WHERE request_key = ? AND outcome = 'success'",
      )
      .all('k')
      .map((row) => (row as { detail: string }).detail)
      .join(' ');
    expect(plan).toContain('generations_request_key');
    db.close();
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    const file = join(temp(), 'db.sqlite');
    const first = openDatabase({ file, migrations: [...MIGRATIONS, extra] });
    first.close();
    const before = new Database(file, { readonly: true });
    const schemaBefore = before.prepare('SELECT sql FROM sqlite_master ORDER BY name').all();
    before.close();
    let caught: unknown;
    try {
      openDatabase({ file });
    } catch (error) {
      caught = error;
    }
    expect(DbError.isInstance(caught)).toBe(true);
    expect((caught as DbError).kind).toBe('newer_version');
    expect((caught as Error).message).toMatch(/newer version of the console.*not changed/);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(9990);
    expect(after.prepare('SELECT sql FROM sqlite_master ORDER BY name').all()).toEqual(
      schemaBefore,
    );
    after.close();
  });

  it('refuses a corrupted file with a clear message and does not modify it', () => {
    const file = join(temp(), 'db.sqlite');
    const garbage = Buffer.alloc(8192, 0x41);
    writeFileSync(file, garbage);
    expect(() => openDatabase({ file })).toThrow(/damaged|integrity|not a database/i);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('catches an applied migration that was edited later', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    const edited = MIGRATIONS.map((migration, index) =>
      index === 0 ? { ...migration, sql: `${migration.sql}\n-- edited` } : migration,
    );
    expect(() => migrate(db, edited)).toThrow(/changed after it was applied/);
    db.close();
  });

  it('refuses a database that skipped a migration numbered below its version', () => {
    const db = new Database(':memory:');
    const first: Migration = { version: 10, name: 'a', sql: 'CREATE TABLE a (x);' };
    const third: Migration = { version: 30, name: 'c', sql: 'CREATE TABLE c (x);' };
    migrate(db, [first, third]);
    const second: Migration = { version: 20, name: 'b', sql: 'CREATE TABLE b (x);' };
    expect(() => migrate(db, [first, second, third])).toThrow(/never ran migration 20 \(b\)/);
    db.close();
  });

  it('rejects a migration list whose versions do not go up', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [extra, { ...extra, version: 10 }])).toThrow(/does not go up/);
    db.close();
  });
});
