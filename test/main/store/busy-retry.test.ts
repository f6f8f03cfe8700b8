import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isDatabaseBusy,
  retryWhileBusy,
  withoutBusyWait,
} from '../../../src/main/store/busy-retry';
import type { WritableDb } from '../../../src/main/store/db';
import { sleep } from '../../../src/main/services';
import { tempDir } from '../../helpers/temp-dir';

/** Two connections to one WAL database file: `other` plays the other process. */
let folder: ReturnType<typeof tempDir>;
let db: WritableDb;
let other: Database.Database;
beforeEach(() => {
  folder = tempDir();
  const file = join(folder.dir, 'busy.sqlite');
  db = new Database(file) as WritableDb;
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 200');
  db.exec('CREATE TABLE t (v INTEGER)');
  other = new Database(file);
});
afterEach(() => {
  if (other.inTransaction) other.exec('ROLLBACK');
  other.close();
  db.close();
  folder.cleanup();
});

const insert = (value: number) => (): void => {
  db.prepare('INSERT INTO t (v) VALUES (?)').run(value);
};
const values = (): number[] =>
  (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: number }[]).map((row) => row.v);
const options = { now: Date.now, sleep: (ms: number) => sleep(ms) };

describe('retryWhileBusy', () => {
  it('writes once the other connection lets the lock go, and puts the busy timeout back', async () => {
    other.exec('BEGIN IMMEDIATE');
    let busy: unknown;
    try {
      insert(1)();
    } catch (error) {
      busy = error;
    }
    expect(isDatabaseBusy(busy)).toBe(true);
    const attempts: number[] = [];
    const written = retryWhileBusy(db, insert(2), {
      ...options,
      patienceMs: 60_000,
      initialDelayMs: 10,
      onBusy: (attempt) => {
        attempts.push(attempt);
        // Released after the third busy attempt: the fourth gets through.
        if (attempt === 3) other.exec('COMMIT');
      },
    });
    await written;
    expect(attempts).toEqual([1, 2, 3]);
    expect(values()).toEqual([2]);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(200);
  });

  it('gives up after its patience with the busy error, having written nothing', async () => {
    other.exec('BEGIN IMMEDIATE');
    let tries = 0;
    const error = await retryWhileBusy(db, insert(3), {
      ...options,
      patienceMs: 150,
      initialDelayMs: 10,
      onBusy: () => (tries += 1),
    }).catch((caught: unknown) => caught);
    expect(isDatabaseBusy(error)).toBe(true);
    expect(tries).toBeGreaterThanOrEqual(1);
    other.exec('COMMIT');
    expect(values()).toEqual([]);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(200);
  });

  it('throws any other error at once', async () => {
    let tries = 0;
    const error = await retryWhileBusy(
      db,
      () => {
        tries += 1;
        db.prepare('INSERT INTO missing (v) VALUES (1)').run();
      },
      { ...options, patienceMs: 60_000 },
    ).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/no such table: missing/);
    expect(isDatabaseBusy(error)).toBe(false);
    expect(tries).toBe(1);
  });

  it('withoutBusyWait fails at once on a held lock, and writes on a free one', () => {
    other.exec('BEGIN IMMEDIATE');
    expect(() => withoutBusyWait(db, insert(4))).toThrow(/locked|busy/i);
    other.exec('COMMIT');
    withoutBusyWait(db, insert(5));
    expect(values()).toEqual([5]);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(200);
  });

  it('tells a busy database from other errors', () => {
    expect(isDatabaseBusy({ code: 'SQLITE_BUSY' })).toBe(true);
    expect(isDatabaseBusy({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe(true);
    expect(isDatabaseBusy({ code: 'SQLITE_LOCKED' })).toBe(true);
    expect(isDatabaseBusy({ code: 'SQLITE_FULL' })).toBe(false);
    expect(isDatabaseBusy(new Error('database is locked'))).toBe(false);
    expect(isDatabaseBusy(null)).toBe(false);
  });
});
