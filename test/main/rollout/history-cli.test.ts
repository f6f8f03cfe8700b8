import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configHistoryCommand,
  configPromoteCommand,
  configPublishCommand,
  configTrustCommand,
  keysGenerateCommand,
  type ConfigCliContext,
} from '../../../src/main/rollout/publish/config-cli';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { tempDir } from '../../helpers/temp-dir';
import { cliContext, sampleConfig } from './fixtures';

describe('config history reads the shared log in the store', () => {
  let dir: string;
  let cleanup: () => void;
  let storeUri: string;
  let dbs: WritableDb[];
  const consoleOf = (name: string): ConfigCliContext & { db: WritableDb } => {
    const db = openDatabase({ file: join(dir, `${name}.sqlite`) });
    dbs.push(db);
    return { ...cliContext(dir, name), db };
  };
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('aideon-history-cli-'));
    storeUri = `dir:${join(dir, 'store')}`;
    dbs = [];
  });
  afterEach(() => {
    for (const db of dbs) db.close();
    cleanup();
  });

  it('two consoles (two SQLite files) each show the other’s entries; a truncated log exits 1 naming the entry', async () => {
    const alice = consoleOf('alice');
    const bob = consoleOf('bob');
    const kid = JSON.parse((await keysGenerateCommand(alice, { name: 'k', json: true })).stdout)
      .kid as string;
    await configTrustCommand(alice, {
      store: storeUri,
      action: 'init',
      keys: [kid],
      thresholds: 'production=1,trust=1',
    });
    const file = join(dir, 'routing.json');
    writeFileSync(file, JSON.stringify(sampleConfig()));
    await configPublishCommand(alice, { store: storeUri, env: 'dev', file, yes: true });
    await configPromoteCommand(bob, { store: storeUri, to: 'staging', yes: true });

    const seenByAlice = await configHistoryCommand(alice, { store: storeUri, json: true });
    expect(seenByAlice.exitCode).toBe(0);
    const parsed = JSON.parse(seenByAlice.stdout) as {
      chain: { ok: boolean; entries: number };
      entries: { actor: string; action: string; signature: string }[];
    };
    expect(parsed.chain).toMatchObject({ ok: true, entries: 3 });
    expect(parsed.entries.map((entry) => [entry.actor, entry.action, entry.signature])).toEqual([
      ['alice', 'trust_init', 'admin'],
      ['alice', 'publish', 'admin'],
      ['bob', 'promote', 'admin'],
    ]);
    const text = await configHistoryCommand(bob, { store: storeUri });
    expect(text.stdout).toMatch(/alice \(admin\) {2}publish dev v1/);
    expect(text.stdout).toMatch(/chain ok: 3 entries/);

    // Someone deletes the last entry and moves the head back: both consoles name it.
    rmSync(join(dir, 'store', 'history', 'entries', '0000000003'));
    const entry2 = JSON.parse(
      (await import('node:fs')).readFileSync(
        join(dir, 'store', 'history', 'entries', '0000000002'),
        'utf8',
      ),
    ) as { digest: string };
    writeFileSync(
      join(dir, 'store', 'history', 'head'),
      JSON.stringify({
        schema: 'aideon.history-head/1',
        seq: 2,
        hash: entry2.digest.slice('sha256:'.length),
      }),
    );
    const broken = await configHistoryCommand(bob, { store: storeUri, verify: true });
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).toMatch(
      /BROKEN at entry 3 \(truncated\): .*ends at entry 2, but this console verified entries up to 3 \(entry 3, promote by bob, is gone\)/,
    );
  });
});
