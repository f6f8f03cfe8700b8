/**
 * Another Aideon process holding the database's write lock, for the tests of who the busy
 * answers name: it opens the data folder's services as an `aideon` command does (so it
 * announces itself beside the database with the command line given, secrets replaced, through
 * the real presence code), takes SQLite's write lock (BEGIN IMMEDIATE), prints `LOCKED` and
 * holds it until SIGTERM, then commits and closes (its presence file goes with it).
 * Usage: node --import tsx test/helpers/presence-lock-child.ts <dataDir> <aideon args...>
 */
import { resourcesDir } from '../../src/main/paths';
import { createServices } from '../../src/main/services';
import { redactedCommandLine } from '../../src/main/store/presence';

const [dataDir, ...args] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: presence-lock-child.ts <dataDir> <aideon args...>');
const services = createServices({
  dataDir,
  resourcesDir: resourcesDir(),
  env: process.env,
  mode: 'cli',
  version: 'test',
  presence: { command: redactedCommandLine(args, process.env), typed: true },
});
services.db.exec('BEGIN IMMEDIATE');
process.stdout.write('LOCKED\n');
// A timer keeps the process alive (a pending promise alone does not) until SIGTERM.
const alive = setInterval(() => undefined, 60_000);
await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
clearInterval(alive);
services.db.exec('COMMIT');
await services.close();
