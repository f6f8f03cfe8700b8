/**
 * The record of failed automatic rollbacks already told: one notice per (environment, step,
 * reason), kept in real SQLite so a restart remembers, only the current step's rows kept, and a
 * database locked by another process falls back to memory instead of failing the rollback path.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import {
  memoryRollbackNotices,
  sqliteRollbackNotices,
} from '../../../src/main/watch/rollback-notices';
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
    const { file, db } = database();
    const other = openDatabase({ file });
    cleanups.push(() => other.close());
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
});
