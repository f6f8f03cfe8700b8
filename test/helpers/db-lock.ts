/**
 * For tests of what the console does while another process holds SQLite's write lock: a second
 * real connection that holds it, and a meter of how long this thread could not run a timer.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/main/store/db';
import { MIGRATIONS } from '../../src/main/store/migrations/index';

/**
 * A data folder from the version before (its database one migration behind), so a start has
 * a migration to write: the start that most needs the write lock.
 */
export function folderOneMigrationBehind(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  openDatabase({
    file: join(dataDir, 'aideon.sqlite'),
    migrations: MIGRATIONS.slice(0, -1),
  }).close();
}

/**
 * Another process's connection on the data folder's database, holding the write lock until the
 * returned function releases it (safe to call twice; `onCleanup` gets it for the test's end).
 */
export function holdWriteLock(
  dataDir: string,
  onCleanup: (release: () => void) => void,
): () => void {
  const other = new Database(join(dataDir, 'aideon.sqlite'));
  other.exec('BEGIN IMMEDIATE');
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    other.exec('COMMIT');
    other.close();
  };
  onCleanup(release);
  return release;
}

/** The longest stretch, ms, in which a 20 ms timer on this thread could not fire. */
export function gapMeter(): { worst: () => number; stop: () => void } {
  let last = Date.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 20);
  return { worst: () => Math.max(worst, Date.now() - last), stop: () => clearInterval(timer) };
}
