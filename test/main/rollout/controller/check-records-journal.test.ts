/**
 * The controller's check records that a busy database has not taken yet are kept in a file
 * beside it (controller-cli.ts checkRecords, pendingChecksFile), so a kill does not lose them:
 * the next start writes them, never twice, and a file it cannot read is set aside and said.
 * Real SQLite; the lock is held by a second connection. (The real kill: controller-db-busy.)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkRecords,
  pendingChecksFile,
} from '../../../../src/main/rollout/controller/controller-cli';
import { CONSOLE_BUSY_TIMEOUT_MS } from '../../../../src/main/store/busy-retry';
import { openDatabase, type WritableDb } from '../../../../src/main/store/db';
import type { WatchReport } from '../../../../src/shared/watch/watch-types';
import { holdWriteLock } from '../../../helpers/db-lock';
import { tempDir } from '../../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function database(): { dir: string; db: WritableDb; journal: string } {
  const { dir, cleanup } = tempDir('aideon-check-journal-');
  const db = openDatabase({ file: join(dir, 'aideon.sqlite') });
  db.pragma(`busy_timeout = ${CONSOLE_BUSY_TIMEOUT_MS}`);
  cleanups.push(cleanup, () => db.close());
  const journal = pendingChecksFile(db, 'ctl-1');
  if (!journal) throw new Error('a file database has a journal');
  return { dir, db, journal };
}

const report = (checkedAt: number): WatchReport => ({
  env: 'production',
  checkedAt,
  window: '5m',
  step: null,
  status: 'no_data',
  counts: { pass: 0, breach: 0, no_data: 1, error: 0 },
  guards: [],
  problems: [],
});

const stored = (db: WritableDb): number[] =>
  (
    db.prepare('SELECT checked_at FROM watch_checks ORDER BY checked_at').all() as {
      checked_at: number;
    }[]
  ).map((row) => row.checked_at);

describe('check records kept through a kill', () => {
  it('kept in the file while busy; a new instance (the restart) writes them once and removes it', () => {
    const { dir, db, journal } = database();
    const release = holdWriteLock(dir, (done) => cleanups.push(done));
    const logged: string[] = [];
    const checks = checkRecords(db, (line) => logged.push(line), journal);
    checks.record(report(1000));
    checks.record(report(2000));
    expect(stored(db)).toEqual([]);
    expect(
      (JSON.parse(readFileSync(journal, 'utf8')) as WatchReport[]).map((r) => r.checkedAt),
    ).toEqual([1000, 2000]);
    // Killed here: nothing more from this instance. The lock is released later.
    release();
    const restarted: string[] = [];
    checkRecords(db, (line) => restarted.push(line), journal);
    expect(stored(db)).toEqual([1000, 2000]);
    expect(existsSync(journal)).toBe(false);
    expect(restarted.join('\n')).toMatch(/2 check record\(s\) kept .* are written now/);
  });

  it('a file whose records are in already (killed between the commit and the removal): not added twice', () => {
    const { db, journal } = database();
    const checks = checkRecords(db, () => undefined, journal);
    checks.record(report(1000));
    expect(stored(db)).toEqual([1000]);
    writeFileSync(journal, JSON.stringify([report(1000), report(3000)]));
    checkRecords(db, () => undefined, journal);
    expect(stored(db)).toEqual([1000, 3000]);
  });

  it('a file it cannot read is set aside and said, and the controller goes on', () => {
    const { db, journal } = database();
    writeFileSync(journal, '[{"env":"moon"}]');
    const logged: string[] = [];
    const checks = checkRecords(db, (line) => logged.push(line), journal);
    expect(existsSync(journal)).toBe(false);
    expect(existsSync(`${journal}.unreadable`)).toBe(true);
    expect(logged.join('\n')).toMatch(
      /could not be read \(0\.env: .*\); set aside as .*\.unreadable/,
    );
    checks.record(report(5000));
    expect(stored(db)).toEqual([5000]);
  });

  it('a restart under another id (the default id is host-pid) takes over the file the old id left: written once, both files gone; still busy, kept in its own file', () => {
    const { dir, db, journal } = database();
    const release = holdWriteLock(dir, (done) => cleanups.push(done));
    const old = checkRecords(db, () => undefined, journal);
    old.record(report(1000));
    old.record(report(2000));
    expect(existsSync(journal)).toBe(true);
    // Restarted as ctl-2 while the lock is still held: nothing written, nothing lost.
    const second = pendingChecksFile(db, 'ctl-2') as string;
    const logged: string[] = [];
    checkRecords(db, (line) => logged.push(line), second);
    expect(stored(db)).toEqual([]);
    expect(existsSync(journal)).toBe(false);
    expect(
      (JSON.parse(readFileSync(second, 'utf8')) as WatchReport[]).map((r) => r.checkedAt),
    ).toEqual([1000, 2000]);
    release();
    // Restarted again as ctl-3 with the database free: written once, no file left.
    const third = pendingChecksFile(db, 'ctl-3') as string;
    checkRecords(db, () => undefined, third);
    expect(stored(db)).toEqual([1000, 2000]);
    expect([journal, second, third].filter((file) => existsSync(file))).toEqual([]);
    expect(logged.join('\n')).toMatch(/2 check record\(s\) kept .* are written now/);
  });
});
