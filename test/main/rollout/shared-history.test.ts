import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../src/consumer/bundle-format';
import {
  listSharedHistory,
  SharedHistory,
  syncSharedHistory,
} from '../../../src/main/rollout/publish/shared-history';
import type { HistoryInput } from '../../../src/main/rollout/publish/history';
import type { ConfigStore } from '../../../src/main/rollout/stores/config-store';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import { EtcdStore } from '../../../src/main/rollout/stores/etcd-store';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { startEtcd, type EtcdServer } from '../../helpers/etcd-server';
import { tempDir } from '../../helpers/temp-dir';
import { makePublisher, memorySigner, sampleConfig, T0 } from './fixtures';

function input(actor: string, action: string, index = 0): HistoryInput {
  return {
    at: T0 + index,
    actor,
    action: action as HistoryInput['action'],
    storeUri: 'ignored',
    environment: 'production',
    version: index + 1,
    digest: null,
    keyIds: [],
    diffSummary: `${action} ${index}`,
    detail: { index },
  };
}

let etcd: EtcdServer;
let temp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  etcd = await startEtcd();
  temp = tempDir('aideon-shared-history-');
}, 30_000);
afterAll(async () => {
  await etcd?.stop();
  temp?.cleanup();
});

let prefixCounter = 0;
const kinds: [string, () => ConfigStore][] = [
  ['directory', () => new DirectoryStore({ root: join(temp.dir, `store-${++prefixCounter}`) })],
  ['etcd', () => new EtcdStore({ uri: etcd.uri(`history-${++prefixCounter}`) })],
];

describe.each(kinds)('shared history in a %s store', (_kind, openStore) => {
  const openConsole = (name: string): WritableDb =>
    openDatabase({ file: join(temp.dir, `${name}-${prefixCounter}.sqlite`) });

  it('two consoles and a controller append; each console sees everyone’s entries, attributed and verified', async () => {
    const store = openStore();
    const alice = await memorySigner('alice');
    const bob = await memorySigner('bob');
    const operator = await memorySigner('controller');
    const admin = makePublisher(store, [alice, bob]);
    await admin.initTrust(
      [alice.info, bob.info],
      { dev: 1, staging: 1, production: 1, trust: 1 },
      {
        keys: [operator.info],
        threshold: 1,
      },
    );
    const trust = (await admin.readTrust('dev')).trust;
    const consoleA = openConsole('alice');
    const consoleB = openConsole('bob');
    const logA = new SharedHistory({ store, signer: () => alice });
    const logB = new SharedHistory({ store, signer: () => bob });
    const logController = new SharedHistory({ store, signer: () => operator });
    await logA.append(input('alice', 'publish', 0));
    await logB.append(input('bob', 'promote', 1));
    await logController.append(input('controller', 'rollback', 2));
    for (const db of [consoleA, consoleB]) {
      const sync = await syncSharedHistory(db, logA, trust);
      expect(sync).toMatchObject({ check: { ok: true, entries: 3 }, added: 3, entries: 3 });
      expect(
        listSharedHistory(db, store.uri).map((entry) => [
          entry.actor,
          entry.action,
          entry.signature,
        ]),
      ).toEqual([
        ['alice', 'publish', 'admin'],
        ['bob', 'promote', 'admin'],
        ['controller', 'rollback', 'operator'],
      ]);
    }
    // Incremental sync after one more append.
    await logB.append(input('bob', 'rollout_pause', 3));
    expect(await syncSharedHistory(consoleA, logA, trust, 'incremental')).toMatchObject({
      check: { ok: true },
      added: 1,
      entries: 4,
    });
    expect(listSharedHistory(consoleA, store.uri, { environment: 'production' })).toHaveLength(4);
    consoleA.close();
    consoleB.close();
    await store.close();
  });

  it('concurrent appends through compare-and-swap never lose an entry', async () => {
    const writers = Array.from({ length: 8 }, () => openStore());
    // All writers share one store location: reopen the first one's URI.
    const shared = writers.map((store) => store);
    const uri = shared[0]!.uri;
    const stores = shared.map((store, index) => {
      if (index === 0) return store;
      void store.close();
      return uri.startsWith('dir:')
        ? new DirectoryStore({ root: uri.slice(4) })
        : new EtcdStore({ uri });
    });
    const logs = stores.map((store) => new SharedHistory({ store }));
    await Promise.all(
      logs.flatMap((log, writer) =>
        Array.from({ length: 5 }, (_, index) =>
          log.append(input(`writer-${writer}`, 'publish', index)),
        ),
      ),
    );
    const { entries, check } = await logs[0]!.read();
    expect(check).toMatchObject({ ok: true, entries: 40 });
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const seen = new Set(entries.map((entry) => `${entry.actor}/${entry.summary}`));
    expect(seen.size).toBe(40);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('names a truncated log and a rewritten entry', async () => {
    const store = openStore();
    const alice = await memorySigner('alice');
    const log = new SharedHistory({ store, signer: () => alice });
    for (let index = 0; index < 5; index += 1) await log.append(input('alice', 'publish', index));
    const db = openConsole('verifier');
    expect((await syncSharedHistory(db, log)).check.ok).toBe(true);

    // Rewritten: entry 3 replaced by other content (re-signed by a key of its own).
    const original3 = (await store.get(storeKeys.historyEntry(3)))!;
    const mallory = await memorySigner('mallory');
    const forger = new SharedHistory({ store: openStore(), signer: () => mallory });
    await forger.append(input('mallory', 'publish', 99));
    const forged = (await forger.store.get(storeKeys.historyEntry(1)))!.value;
    await store.commit([{ key: storeKeys.historyEntry(3), value: forged }]);
    const rewritten = await syncSharedHistory(db, log);
    expect(rewritten.check).toMatchObject({ ok: false, problem: { seq: 3 } });
    expect(!rewritten.check.ok && rewritten.check.problem.message).toMatch(/Entry 3/);
    // Altered in place (the payload no longer hashes to its digest).
    const tampered = JSON.parse(original3.value) as { digest: string };
    tampered.digest = `sha256:${'1'.repeat(64)}`;
    await store.commit([{ key: storeKeys.historyEntry(3), value: JSON.stringify(tampered) }]);
    expect(await syncSharedHistory(db, log)).toMatchObject({
      check: { ok: false, problem: { seq: 3, kind: 'altered' } },
    });
    await store.commit([{ key: storeKeys.historyEntry(3), value: original3.value }]);
    expect((await syncSharedHistory(db, log)).check.ok).toBe(true);

    // Truncated: the last two entries and the head moved back to entry 3.
    const head3 = JSON.parse((await store.get(storeKeys.historyEntry(3)))!.value) as {
      digest: string;
    };
    await store.commit([
      { key: storeKeys.historyEntry(4), value: null },
      { key: storeKeys.historyEntry(5), value: null },
      {
        key: storeKeys.historyHead(),
        value: JSON.stringify({
          schema: 'aideon.history-head/1',
          seq: 3,
          hash: head3.digest.slice('sha256:'.length),
        }),
      },
    ]);
    const truncated = await syncSharedHistory(db, log);
    expect(truncated.check).toMatchObject({ ok: false, problem: { seq: 4, kind: 'truncated' } });
    expect(!truncated.check.ok && truncated.check.problem.message).toMatch(
      /ends at entry 3, but this console verified entries up to 5/,
    );
    // A console that never saw entries 4-5 still finds nothing wrong with 1-3 …
    const fresh = openConsole('fresh');
    expect((await syncSharedHistory(fresh, log)).check).toMatchObject({ ok: true, entries: 3 });
    // … but a head moved back while later entries remain is named as truncation too.
    await store.commit([{ key: storeKeys.historyEntry(5), value: 'x' }]);
    expect(await syncSharedHistory(fresh, log)).toMatchObject({
      check: { ok: false, problem: { seq: 5, kind: 'truncated' } },
    });
    // Deleting a middle entry is named as missing.
    await store.commit([
      { key: storeKeys.historyEntry(5), value: null },
      { key: storeKeys.historyEntry(2), value: null },
    ]);
    expect(await syncSharedHistory(fresh, log)).toMatchObject({
      check: { ok: false, problem: { seq: 2, kind: 'missing' } },
    });
    db.close();
    fresh.close();
    await store.close();
    await forger.store.close();
  });

  it('a publisher wired to the log records every action in it', async () => {
    const store = openStore();
    const alice = await memorySigner('alice');
    const log = new SharedHistory({ store, signer: () => alice });
    const publisher = makePublisher(store, [alice], { record: (entry) => log.append(entry) });
    await publisher.initTrust([alice.info], { dev: 1, staging: 1, production: 1, trust: 1 });
    await publisher.publish('dev', sampleConfig());
    await publisher.promote('staging');
    await publisher.renewFreshness('staging');
    const { entries, check } = await log.read((await publisher.readTrust('dev')).trust);
    expect(check.ok).toBe(true);
    expect(entries.map((entry) => entry.action)).toEqual([
      'trust_init',
      'publish',
      'promote',
      'renew',
    ]);
    expect(entries.every((entry) => entry.signature === 'admin' && entry.actor === 'alice')).toBe(
      true,
    );
    await store.close();
  });
});
