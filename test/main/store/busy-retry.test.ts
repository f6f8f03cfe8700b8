import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  busyLogGate,
  isDatabaseBusy,
  retryInBackground,
  retryWhileBusy,
  START_UP_WAITING,
  startWhenFree,
  withoutBusyWait,
} from '../../../src/main/store/busy-retry';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
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

describe('retryInBackground', () => {
  it('writes at once when it can', () => {
    const settled: unknown[] = [];
    const written = retryInBackground(db, () => (insert(1)(), 'one'), {
      ...options,
      patienceMs: 5000,
      settled: (outcome) => settled.push(outcome),
    });
    expect(written).toEqual({ value: 'one' });
    expect(values()).toEqual([1]);
    expect(settled).toEqual([]);
  });

  it('does not wait for a held lock: the write lands in the background once it is free', async () => {
    other.exec('BEGIN IMMEDIATE');
    let settle!: (outcome: unknown) => void;
    const settled = new Promise((resolve) => (settle = resolve));
    const started = Date.now();
    const written = retryInBackground(db, () => (insert(2)(), 'two'), {
      ...options,
      patienceMs: 10_000,
      initialDelayMs: 20,
      settled: (outcome) => settle(outcome),
    });
    const returnedAfter = Date.now() - started;
    expect(written).toBeUndefined();
    // One short busy wait (200 ms here), not the whole patience.
    expect(returnedAfter).toBeLessThan(1000);
    await sleep(100);
    other.exec('COMMIT');
    expect(await settled).toEqual({ ok: true, value: 'two' });
    expect(values()).toEqual([2]);
  });

  it('gives up when aborted, with nothing written', async () => {
    other.exec('BEGIN IMMEDIATE');
    const stop = new AbortController();
    let settle!: (outcome: { ok: boolean; error?: unknown }) => void;
    const settled = new Promise<{ ok: boolean; error?: unknown }>((resolve) => (settle = resolve));
    retryInBackground(db, insert(3), {
      ...options,
      patienceMs: 60_000,
      initialDelayMs: 20,
      signal: stop.signal,
      settled: (outcome) => settle(outcome),
    });
    stop.abort(new Error('stopped'));
    expect(await settled).toMatchObject({ ok: false, error: { message: 'stopped' } });
    other.exec('COMMIT');
    expect(values()).toEqual([]);
  });
});

describe('busyLogGate', () => {
  it('logs a busy spell once and its end, and every other failure', () => {
    const lines: string[] = [];
    const gate = busyLogGate((line) => lines.push(line));
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    gate.succeeded('tick');
    gate.failed('tick failed: locked', busy);
    gate.failed('tick failed: locked', busy);
    gate.failed('tick failed: locked', busy);
    gate.failed(
      'tick failed: disk full',
      Object.assign(new Error('full'), { code: 'SQLITE_FULL' }),
    );
    gate.succeeded('tick');
    gate.succeeded('tick');
    expect(lines).toEqual([
      'tick failed: locked (tried again at each tick; logged once while the database stays busy)',
      'tick failed: disk full',
      'tick: the database is free again (2 busy tick(s) skipped)',
    ]);
  });
});

describe('startWhenFree', () => {
  /** A database file one migration behind: opening it writes (migrates). */
  const behind = (): string => {
    const file = join(folder.dir, 'behind.sqlite');
    openDatabase({ file, migrations: MIGRATIONS.slice(0, -1) }).close();
    return file;
  };

  it('says once that it waits, and opens (migrates) once the other connection lets the lock go', async () => {
    const file = behind();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const said: string[] = [];
    let attempts = 0;
    const opened = await startWhenFree(
      () => {
        attempts += 1;
        if (attempts === 4) holder.exec('COMMIT');
        return openDatabase({ file, busyTimeoutMs: 10 });
      },
      { ...options, patienceMs: 60_000, say: (line) => said.push(line) },
    );
    holder.close();
    expect(opened.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    opened.close();
    expect(attempts).toBe(4);
    expect(said).toEqual([START_UP_WAITING]);
  });

  it('gives up after its patience with a message that says what to do', async () => {
    const file = behind();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const said: string[] = [];
    try {
      await expect(
        startWhenFree(() => openDatabase({ file, busyTimeoutMs: 10 }), {
          ...options,
          patienceMs: 300,
          say: (line) => said.push(line),
        }),
      ).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(
          /stayed busy for 300 ms: another Aideon process on this data folder .* holds its write lock\. Let it finish or close it, then start again/,
        ),
      });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(said).toHaveLength(1);
  });

  it('anything but a held lock is thrown at once', async () => {
    let attempts = 0;
    await expect(
      startWhenFree(
        () => {
          attempts += 1;
          throw new Error('not a database');
        },
        { ...options, patienceMs: 60_000, say: () => undefined },
      ),
    ).rejects.toThrow('not a database');
    expect(attempts).toBe(1);
  });
});
