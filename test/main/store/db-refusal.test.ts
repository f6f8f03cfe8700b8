import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/store/db';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { DbError } from '../../../src/shared/errors';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function temp(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

const SIDECARS = ['', '-wal', '-shm', '-journal'] as const;

/** The bytes of the database file and of every sidecar (absent ones as null). */
function snapshot(file: string): Record<string, string | null> {
  return Object.fromEntries(
    SIDECARS.map((suffix) => [
      suffix || 'db',
      existsSync(file + suffix)
        ? createHash('sha256')
            .update(readFileSync(file + suffix))
            .digest('hex')
        : null,
    ]),
  );
}

/**
 * A WAL database as a crash leaves it: the main file plus a `-wal` holding committed
 * transactions that were never checkpointed, and its `-shm`. Copied while the writer is open.
 */
function walLeftByACrash(
  target: string,
  options: { userVersion: number; rows?: number; migrated?: boolean },
): void {
  const source = `${target}.source`;
  const db = options.migrated ? openDatabase({ file: source }) : new Database(source);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE filler (note TEXT); CREATE TABLE late (note TEXT)');
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  for (let index = 0; index < (options.rows ?? 2000); index += 1)
    insert.run(`row ${index} ${'x'.repeat(100)}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('wal_autocheckpoint = 0');
  for (let index = 0; index < 50; index += 1)
    db.prepare('INSERT INTO late VALUES (?)').run(`late ${index}`);
  db.pragma(`user_version = ${options.userVersion}`);
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(source + suffix)) copyFileSync(source + suffix, target + suffix);
  db.close();
}

/** Overwrites 200 bytes in the middle of a b-tree page of the main file. */
function damage(file: string): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(200, 0xab), 0, 200, 4096 * 10 + 100);
  closeSync(fd);
}

function refusal(file: string): DbError {
  try {
    openDatabase({ file }).close();
  } catch (error) {
    if (DbError.isInstance(error)) return error as DbError;
    throw error;
  }
  throw new Error('the database was opened');
}

describe('a refused database is never modified', () => {
  it('a damaged file with a -wal beside it: refused, and db, -wal and -shm are byte-for-byte unchanged', () => {
    const file = join(temp(), 'aideon.sqlite');
    walLeftByACrash(file, { userVersion: 5 });
    damage(file);
    const before = snapshot(file);
    expect(before['-wal']).not.toBeNull();
    expect(before['-shm']).not.toBeNull();
    const error = refusal(file);
    expect(error.kind).toBe('corrupted');
    expect(error.message).toMatch(/integrity check|damaged/);
    expect(snapshot(file)).toEqual(before);
  });

  it('a newer-schema file in DELETE journal mode: refused, still in DELETE mode, no sidecar created, bytes unchanged', () => {
    const file = join(temp(), 'aideon.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE future (id INTEGER PRIMARY KEY, note TEXT)');
    db.prepare('INSERT INTO future (note) VALUES (?)').run('from a newer console');
    db.pragma('user_version = 100000');
    db.close();
    const before = snapshot(file);
    const error = refusal(file);
    expect(error.kind).toBe('newer_version');
    expect(error.message).toMatch(/It was not changed/);
    expect(snapshot(file)).toEqual(before);
    // Byte 18 of the header is 1 for rollback-journal files, 2 for WAL.
    expect(readFileSync(file)[18]).toBe(1);
  });

  it('a newer-schema WAL file with an unmerged -wal: refused, db, -wal and -shm byte-for-byte unchanged', () => {
    const file = join(temp(), 'aideon.sqlite');
    walLeftByACrash(file, {
      userVersion: (MIGRATIONS.at(-1)?.version ?? 0) + 1000,
      rows: 50,
      migrated: true,
    });
    const before = snapshot(file);
    expect(before['-wal']).not.toBeNull();
    const error = refusal(file);
    expect(error.kind).toBe('newer_version');
    expect(snapshot(file)).toEqual(before);
  });

  it('a healthy WAL file left by a crash still opens, with the rows that were only in the -wal', () => {
    const file = join(temp(), 'aideon.sqlite');
    walLeftByACrash(file, { userVersion: 0, rows: 50, migrated: false });
    const db = openDatabase({ file });
    expect(db.prepare('SELECT COUNT(*) AS n FROM late').get()).toEqual({ n: 50 });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });

  it('the CLI says so, exits 1, and leaves the data folder as it was', async () => {
    const dir = temp();
    mkdirSync(join(dir, 'data'));
    const file = join(dir, 'data', 'aideon.sqlite');
    walLeftByACrash(file, { userVersion: 5 });
    damage(file);
    const before = snapshot(file);
    const listing = readdirSync(join(dir, 'data')).sort();
    const { code, stderr } = await cliIn(join(dir, 'data'), ['bench', 'list']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^aideon: The database failed its integrity check/);
    expect(snapshot(file)).toEqual(before);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(listing);
  });
});
