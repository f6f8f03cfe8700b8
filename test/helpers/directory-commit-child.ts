/**
 * Child process for crash tests of the directory store: commits the writes in a JSON file to a
 * real DirectoryStore and kills itself with SIGKILL (no cleanup, no lock release, no `finally`)
 * when the commit reaches the named point. Exits 0 if the commit finished without reaching it.
 * Usage: node --import tsx test/helpers/directory-commit-child.ts <root> <writes.json> <point>
 */
import { readFileSync } from 'node:fs';
import type { StoreWrite } from '../../src/main/rollout/stores/config-store';
import { DirectoryStore } from '../../src/main/rollout/stores/directory-store';

const [root, writesFile, killAt] = process.argv.slice(2);
if (!root || !writesFile || !killAt) throw new Error('usage: <root> <writes.json> <point>');
const writes = JSON.parse(readFileSync(writesFile, 'utf8')) as StoreWrite[];
const store = new DirectoryStore({
  root,
  onCommitPoint: (point) => {
    if (point === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
await store.commit(writes);
