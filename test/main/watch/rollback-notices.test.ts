/**
 * The record of failed automatic rollbacks already told: one notice per (environment, step,
 * reason), kept in real SQLite so a restart remembers, only the current step's rows kept, and a
 * database locked by another process falls back to memory instead of failing the rollback path,
 * with the notice kept pending and written as soon as the lock is free (a restart after that
 * does not tell again).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/main/services';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import {
  memoryRollbackNotices,
  sqliteRollbackNotices,
} from '../../../src/main/watch/rollback-notices';
import { WatchService } from '../../../src/main/watch/watch-service';
import type { RolloutStep } from '../../../src/shared/watch/watch-types';
import { tempDir } from '../../helpers/temp-dir';

const step: RolloutStep = { version: 2, flag: 'new-video-model', percent: 10, startedAt: 1000 };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function database(): { file: string; db: WritableDb } {
  const { dir, cleanup } = tempDir('aideon-rollback-notices-');
  const file = join(dir, 'aideon.sqlite');
  const db = openDatabase({ file });
  cleanups.push(cleanup, () => db.close());
  return { file, db };
}

/** The test database and a second connection to it (as another process), to hold its lock. */
function databaseAndOther(): { db: WritableDb; other: WritableDb } {
  const { file, db } = database();
  const other = openDatabase({ file });
  cleanups.push(() => other.close());
  return { db, other };
}

describe('rollback notices', () => {
  it('in memory: once per step and reason; a paused step is the same step', () => {
    const notices = memoryRollbackNotices();
    expect(notices.first('dev', step, 'the store could not be reached.')).toBe(true);
    expect(notices.first('dev', { ...step, paused: true }, 'the store could not be reached')).toBe(
      false,
    );
    expect(notices.first('dev', step, 'no signing key is unlocked')).toBe(true);
    expect(notices.first('staging', step, 'the store could not be reached')).toBe(true);
    expect(notices.first('dev', { ...step, startedAt: 2000 }, 'no signing key is unlocked')).toBe(
      true,
    );
  });

  it('in SQLite: a restart remembers; scopes are apart; an earlier step is forgotten', () => {
    const { db } = database();
    const now = () => 5000;
    expect(sqliteRollbackNotices(db, 'console', now).first('dev', step, 'down')).toBe(true);
    // A new instance on the same database (the console restarted).
    expect(sqliteRollbackNotices(db, 'console', now).first('dev', step, 'down')).toBe(false);
    expect(sqliteRollbackNotices(db, 'controller:ctl-1', now).first('dev', step, 'down')).toBe(
      true,
    );
    const next = { ...step, percent: 50, startedAt: 9000 };
    expect(sqliteRollbackNotices(db, 'console', now).first('dev', next, 'down')).toBe(true);
    const rows = db
      .prepare("SELECT step_key FROM rollback_notices WHERE scope = 'console'")
      .all() as { step_key: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.step_key).toContain('\u000050\u0000');
  });

  it('a database locked by another process: kept in memory, said in the log, nothing thrown', () => {
    const { db, other } = databaseAndOther();
    const logged: string[] = [];
    const notices = sqliteRollbackNotices(
      db,
      'console',
      () => 1,
      (line) => logged.push(line),
    );
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(notices.first('dev', step, 'down')).toBe(true);
      expect(notices.first('dev', step, 'down')).toBe(false);
    } finally {
      other.exec('ROLLBACK');
    }
    expect(logged.some((line) => /could not be recorded .*kept in memory/.test(line))).toBe(true);
  });

  it('a notice that met the lock is written once the lock is released, with nothing else done; a restart then remembers it', async () => {
    const { db, other } = databaseAndOther();
    const logged: string[] = [];
    const notices = sqliteRollbackNotices(
      db,
      'console',
      () => 7000,
      (line) => logged.push(line),
      { now: Date.now, sleep, patienceMs: 10_000 },
    );
    const rows = (): { env: string; step_key: string; reason: string }[] =>
      db
        .prepare(
          "SELECT env, step_key, reason FROM rollback_notices WHERE scope = 'console' ORDER BY env",
        )
        .all() as { env: string; step_key: string; reason: string }[];
    const next = { ...step, percent: 50, startedAt: 9000 };
    other.exec('BEGIN IMMEDIATE');
    let released = false;
    try {
      expect(notices.first('dev', step, 'down')).toBe(true);
      // The next step's failure on dev, and staging's, while still locked: kept in order.
      expect(notices.first('dev', next, 'store unreachable.')).toBe(true);
      expect(notices.first('staging', step, 'down')).toBe(true);
      expect(notices.first('staging', step, 'down')).toBe(false);
      await sleep(300);
      expect(rows()).toEqual([]);
      other.exec('COMMIT');
      released = true;
    } finally {
      if (!released) other.exec('ROLLBACK');
    }
    // Before: only in memory, lost with the process; now written by the notices' own retry.
    for (let waited = 0; waited < 10_000 && rows().length === 0; waited += 50) await sleep(50);
    await notices.idle?.();
    expect(rows()).toEqual([
      {
        env: 'dev',
        step_key: expect.stringContaining('\u000050\u0000') as string,
        reason: 'store unreachable',
      },
      {
        env: 'staging',
        step_key: expect.stringContaining('\u000010\u0000') as string,
        reason: 'down',
      },
    ]);
    expect(logged.some((line) => /recorded once the database is free/.test(line))).toBe(true);
    expect(
      logged.some((line) => /3 rollback notice\(s\) kept .* are now recorded/.test(line)),
    ).toBe(true);
    // Restarted (a new instance on the same database): told already, not again.
    const restarted = sqliteRollbackNotices(db, 'console', () => 8000);
    expect(restarted.first('dev', next, 'store unreachable')).toBe(false);
    expect(restarted.first('staging', step, 'down')).toBe(false);
    await notices.stop?.();
  });

  it('stopped while the lock is still held: the pending notice is said in the log, nothing thrown', async () => {
    const { db, other } = databaseAndOther();
    const logged: string[] = [];
    const notices = sqliteRollbackNotices(
      db,
      'console',
      () => 1,
      (line) => logged.push(line),
      {
        now: Date.now,
        sleep,
        patienceMs: 60_000,
      },
    );
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(notices.first('dev', step, 'down')).toBe(true);
      await notices.stop?.();
    } finally {
      other.exec('ROLLBACK');
    }
    expect(logged.some((line) => /1 rollback notice\(s\) were not recorded/.test(line))).toBe(true);
  });

  it("the console's watch keeps its notices this way (its busy patience), and stop() ends the retry", async () => {
    const { db, other } = databaseAndOther();
    const watch = new WatchService({
      db,
      dispatcher: undefined as never,
      now: () => 3000,
      sleep,
      busyPatienceMs: 10_000,
    });
    const notices = (watch as unknown as { notices: { first: typeof memoryRollbackNotices } })
      .notices as unknown as ReturnType<typeof memoryRollbackNotices>;
    other.exec('BEGIN IMMEDIATE');
    expect(notices.first('production', step, 'no signing key is unlocked')).toBe(true);
    other.exec('COMMIT');
    const count = (): number =>
      (db.prepare('SELECT COUNT(*) AS n FROM rollback_notices').get() as { n: number }).n;
    for (let waited = 0; waited < 10_000 && count() === 0; waited += 50) await sleep(50);
    await watch.idle();
    expect(count()).toBe(1);
    await watch.stop();
  });
});
