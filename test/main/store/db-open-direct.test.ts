/**
 * openDatabase opens a database at the current schema that was closed cleanly directly, without
 * copying it for a check first; everything else (crash leftovers, a schema to migrate) is still
 * checked on a copy; and a refusal on the direct way changes nothing either.
 * The copy goes to `scratchDir`: pointing it at a folder that does not exist shows whether a
 * copy was attempted.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/store/db';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { DbError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const LATEST = MIGRATIONS.at(-1)!.version;

function databaseFile(): { dir: string; file: string; noScratch: string } {
  const { dir, cleanup } = tempDir('aideon-db-direct-');
  cleanups.push(cleanup);
  return { dir, file: join(dir, 'aideon.sqlite'), noScratch: join(dir, 'no-such-folder') };
}

function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('opening a database', () => {
  it('a cleanly closed database at the current schema opens without a copy, with its rows', () => {
    const { file, noScratch } = databaseFile();
    const first = openDatabase({ file });
    first
      .prepare('INSERT INTO reviewers (name, token_hash, created_at) VALUES (?, ?, 1)')
      .run('ann', 'a'.repeat(64));
    first.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = openDatabase({ file, scratchDir: noScratch });
    expect(again.prepare('SELECT name FROM reviewers').all()).toEqual([{ name: 'ann' }]);
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    again.close();
  });

  it('opening at the current schema writes nothing to the file', () => {
    const { file } = databaseFile();
    openDatabase({ file }).close();
    const before = digest(file);
    openDatabase({ file }).close();
    expect(digest(file)).toBe(before);
  });

  it('crash leftovers (a -wal with content) are still checked on a copy first', () => {
    const { dir, file, noScratch } = databaseFile();
    const source = join(dir, 'source.sqlite');
    const writer = openDatabase({ file: source });
    writer.pragma('wal_autocheckpoint = 0');
    writer
      .prepare('INSERT INTO reviewers (name, token_hash, created_at) VALUES (?, ?, 1)')
      .run('bo', 'a'.repeat(64));
    for (const suffix of ['', '-wal', '-shm'])
      if (existsSync(source + suffix)) copyFileSync(source + suffix, file + suffix);
    writer.close();
    expect(() => openDatabase({ file, scratchDir: noScratch })).toThrow(/ENOENT/);
    const db = openDatabase({ file });
    expect(db.prepare('SELECT name FROM reviewers').all()).toEqual([{ name: 'bo' }]);
    db.close();
  });

  it('an older schema is checked on a copy before it is migrated', () => {
    const { file, noScratch } = databaseFile();
    openDatabase({ file, migrations: MIGRATIONS.slice(0, 3) }).close();
    expect(() => openDatabase({ file, scratchDir: noScratch })).toThrow(/ENOENT/);
    const db = openDatabase({ file });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    db.close();
  });

  it('a migration edited after it was applied is refused on the direct way, and nothing changes', () => {
    const { dir, file, noScratch } = databaseFile();
    openDatabase({ file }).close();
    const before = digest(file);
    const listing = readdirSync(dir).sort();
    const edited = MIGRATIONS.map((migration, index) =>
      index === 0 ? { ...migration, sql: `${migration.sql}\n-- edited` } : migration,
    );
    let refusal: unknown;
    try {
      openDatabase({ file, migrations: edited, scratchDir: noScratch }).close();
    } catch (error) {
      refusal = error;
    }
    expect(DbError.isInstance(refusal)).toBe(true);
    expect((refusal as DbError).message).toMatch(/was changed after it was applied/);
    expect(digest(file)).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(listing);
  });

  it('a file whose header is not SQLite is refused as damaged, unchanged', () => {
    const { file } = databaseFile();
    const db = new Database(file);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const bytes = readFileSync(file);
    bytes.write('Not SQLite at al', 0, 'latin1');
    writeFileSync(file, bytes);
    const before = digest(file);
    expect(() => openDatabase({ file })).toThrow(DbError);
    expect(digest(file)).toBe(before);
  });

  it('a cleanly closed current database cut short (a torn copy) takes the full check and is refused, unchanged', () => {
    const { file, noScratch } = databaseFile();
    const db = openDatabase({ file });
    db.prepare('INSERT INTO reviewers (name, token_hash, created_at) VALUES (?, ?, 1)').run(
      'ann',
      'a'.repeat(64),
    );
    db.close();
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 4096));
    const before = digest(file);
    // The direct way is not taken: a copy is attempted (and fails on the missing scratch folder).
    expect(() => openDatabase({ file, scratchDir: noScratch })).toThrow();
    expect(digest(file)).toBe(before);
    // With a scratch folder the full check runs on the copy and refuses the file as damaged.
    expect(() => openDatabase({ file })).toThrow(DbError);
    expect(digest(file)).toBe(before);
  });
});
