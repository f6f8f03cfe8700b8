/**
 * Another Aideon process holding the database's write lock, for the tests of who the busy
 * answers name: it opens the data folder's services as an `aideon` command does (so it
 * announces itself beside the database with the command line given, secrets replaced, through
 * the real presence code), takes SQLite's write lock (BEGIN IMMEDIATE), prints `LOCKED` and
 * holds it until SIGTERM, then commits and closes (its presence file goes with it).
 * Usage: node --import tsx test/helpers/presence-lock-child.ts <dataDir> [--raw] <aideon args...>
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { resourcesDir } from '../../src/main/paths';
import { createServices } from '../../src/main/services';
import { announcePresence, redactedCommandLine } from '../../src/main/store/presence';

const [dataDir, ...rest] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: presence-lock-child.ts <dataDir> [--raw] <aideon args...>');
// --raw: the database file as it is (no migration, no built-in suites written), only the lock
// and the presence file: for a data folder whose next start has something to write.
const raw = rest[0] === '--raw';
const args = raw ? rest.slice(1) : rest;
const presence = { command: redactedCommandLine(args, process.env), typed: true };
let db: Database.Database;
let close: () => Promise<void>;
if (raw) {
  const file = join(dataDir, 'aideon.sqlite');
  const announced = announcePresence(file, { ...presence, now: Date.now() });
  db = new Database(file);
  close = async () => {
    db.close();
    announced.remove();
  };
} else {
  const services = createServices({
    dataDir,
    resourcesDir: resourcesDir(),
    env: process.env,
    mode: 'cli',
    version: 'test',
    presence,
  });
  db = services.db;
  close = () => services.close();
}
db.exec('BEGIN IMMEDIATE');
process.stdout.write('LOCKED\n');
// A timer keeps the process alive (a pending promise alone does not) until SIGTERM.
const alive = setInterval(() => undefined, 60_000);
await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
clearInterval(alive);
db.exec('COMMIT');
await close();
