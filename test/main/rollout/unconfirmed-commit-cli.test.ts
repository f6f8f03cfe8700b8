/**
 * `aideon config publish|promote|rollback` is a one-shot command: when its commit's answer is
 * lost and the store cannot be read back, it has no later read that could settle the commit,
 * so a step that went in never got its history entry. The commit is now kept in the data
 * folder's database (unconfirmed_commits); the command says that the outcome is not known,
 * what happens next and what to run to check; the next process on the folder that reads the
 * environment (here `aideon config history`, run afterwards on its own connection) settles it:
 * the entry is written once if the commit went in, and nothing if it did not.
 *
 * A real etcd behind a store that loses one commit's answer and fails the read right after it;
 * real SQLite files; the commands' own functions (config-cli.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  configHistoryCommand,
  configPublishCommand,
  configRollbackCommand,
  configTrustCommand,
  keysGenerateCommand,
  type ConfigCliContext,
} from '../../../src/main/rollout/publish/config-cli';
import { EtcdStore } from '../../../src/main/rollout/stores/etcd-store';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { startEtcd, type EtcdServer } from '../../helpers/etcd-server';
import { lossyStore } from '../../helpers/lossy-store';
import { tempDir } from '../../helpers/temp-dir';
import { cliContext, sampleConfig } from './fixtures';

let etcd: EtcdServer;
let prefixes = 0;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
}, 60_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await etcd?.stop();
});

/** A data folder whose key `alice` publishes dev versions 1 and 2 to a fresh etcd prefix. */
async function folderWithTwoVersions() {
  const { dir, cleanup } = tempDir('aideon-unconfirmed-cli-');
  cleanups.push(cleanup);
  const file = join(dir, 'aideon.sqlite');
  /** A command's own connection to the folder's database (each command is its own process). */
  const command = (): ConfigCliContext & { db: WritableDb } => {
    const db = openDatabase({ file });
    cleanups.push(() => {
      if (db.open) db.close();
    });
    return { ...cliContext(dir), db };
  };
  const storeUri = etcd.uri(`unconfirmed-cli-${++prefixes}`);
  const setup = command();
  const key = await keysGenerateCommand(setup, { name: 'alice', json: true });
  const kid = (JSON.parse(key.stdout) as { kid: string }).kid;
  expect(
    (await configTrustCommand(setup, { store: storeUri, action: 'init', keys: [kid] })).exitCode,
  ).toBe(0);
  for (const tier of ['a:1', 'a:2']) {
    const routing = join(dir, `routing-${tier.replace(':', '-')}.json`);
    writeFileSync(routing, JSON.stringify(sampleConfig(tier)));
    const published = await configPublishCommand(setup, {
      store: storeUri,
      env: 'dev',
      file: routing,
      yes: true,
    });
    expect(published.exitCode).toBe(0);
  }
  setup.db.close();
  return { command, storeUri };
}

/** `aideon config rollback --env dev --yes` whose commit answer is lost (after or instead). */
async function rollbackLosingTheAnswer(
  command: () => ConfigCliContext & { db: WritableDb },
  storeUri: string,
  lose: 'after' | 'instead',
) {
  const real = new EtcdStore({ uri: storeUri });
  const { store, faults } = lossyStore(real);
  faults.loseNext = lose;
  const context = command();
  const result = await configRollbackCommand(
    { ...context, openStore: () => store },
    { store: storeUri, env: 'dev', yes: true },
  );
  const kept = (
    context.db.prepare('SELECT COUNT(*) AS n FROM unconfirmed_commits').get() as { n: number }
  ).n;
  // The command ends: its process and its connection are gone.
  context.db.close();
  return { result, kept };
}

/** `aideon config history --env dev` as a later command: the rollback entries of version 3. */
async function historyLater(
  command: () => ConfigCliContext & { db: WritableDb },
  storeUri: string,
) {
  const context = command();
  const history = await configHistoryCommand(context, { store: storeUri, env: 'dev' });
  expect(history.exitCode).toBe(0);
  const kept = (
    context.db.prepare('SELECT COUNT(*) AS n FROM unconfirmed_commits').get() as { n: number }
  ).n;
  context.db.close();
  return {
    rollbacks: history.stdout.split('\n').filter((line) => /\brollback dev v3\b/.test(line)),
    kept,
  };
}

describe('a config command whose commit answer was lost and could not be read back', () => {
  it('went in: the command says the outcome is unconfirmed and what to run; the next command records it once', async () => {
    const { command, storeUri } = await folderWithTwoVersions();
    const { result, kept } = await rollbackLosingTheAnswer(command, storeUri, 'after');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/not known whether version 3 of dev was written/);
    expect(result.stdout).toMatch(/kept in the data folder/);
    expect(result.stdout).toContain(`aideon config history --store ${storeUri} --env dev`);
    expect(kept).toBe(1);

    const first = await historyLater(command, storeUri);
    expect(first.rollbacks).toHaveLength(1);
    expect(first.rollbacks[0]).toMatch(/alice/);
    expect(first.kept).toBe(0);
    // Any later process finds nothing left to record.
    expect((await historyLater(command, storeUri)).rollbacks).toHaveLength(1);
  });

  it('did not go in: nothing is recorded, and the kept commit is forgotten', async () => {
    const { command, storeUri } = await folderWithTwoVersions();
    const { result, kept } = await rollbackLosingTheAnswer(command, storeUri, 'instead');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/not known whether version 3 of dev was written/);
    expect(kept).toBe(1);
    const later = await historyLater(command, storeUri);
    expect(later.rollbacks).toEqual([]);
    expect(later.kept).toBe(0);
  });
});
