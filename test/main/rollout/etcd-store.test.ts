import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdStore } from '../../../src/main/rollout/stores/etcd-store';
import { storeKeys, decodeEnvelope, type BundlePayload } from '../../../src/consumer/verify-bundle';
import { startEtcd, type EtcdServer } from '../../helpers/etcd-server';
import { clock, makePublisher, memorySigner, sampleConfig } from './fixtures';

describe('etcd v3 config store (real etcd)', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await etcd?.stop();
  });

  it('reads, lists and compare-and-swaps on mod_revision', async () => {
    const store = new EtcdStore({ uri: etcd.uri('cas') });
    try {
      expect(await store.get('dev/current')).toBeUndefined();
      const created = await store.commit([{ key: 'dev/current', value: 'one', expect: null }]);
      const first = await store.get('dev/current');
      expect(first).toEqual({ value: 'one', etag: created['dev/current'] });
      await expect(
        store.commit([{ key: 'dev/current', value: 'x', expect: null }]),
      ).rejects.toMatchObject({
        code: 'conflict',
        retryable: true,
      });
      await store.commit([{ key: 'dev/current', value: 'two', expect: first!.etag }]);
      await expect(
        store.commit([{ key: 'dev/current', value: 'three', expect: first!.etag }]),
      ).rejects.toThrow(/changed dev\/current .* after it was read/);
      await store.commit([
        { key: 'dev/versions/1', value: 'a' },
        { key: 'dev/versions/2', value: 'b' },
      ]);
      expect(await store.list('dev/versions/')).toEqual(['dev/versions/1', 'dev/versions/2']);
      // Prefixes isolate deployments.
      const other = new EtcdStore({ uri: etcd.uri('other') });
      expect(await other.list('dev/')).toEqual([]);
      await other.close();
      // A failed transaction writes nothing.
      await expect(
        store.commit([
          { key: 'dev/versions/3', value: 'c', expect: null },
          { key: 'dev/versions/1', value: 'overwrite', expect: null },
        ]),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.get('dev/versions/3')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('10 racing publishers, each retrying on conflict: versions 1..10 all present, chain intact', async () => {
    const alice = await memorySigner('alice');
    const time = clock();
    const setup = new EtcdStore({ uri: etcd.uri('race') });
    await makePublisher(setup, [alice], { now: time.now }).initTrust([alice.info], {
      dev: 1,
      staging: 1,
      production: 1,
      trust: 1,
    });
    await setup.close();
    let conflicts = 0;
    const stores = Array.from({ length: 10 }, () => new EtcdStore({ uri: etcd.uri('race') }));
    try {
      const outcomes = await Promise.all(
        stores.map((store, index) =>
          makePublisher(store, [alice], {
            now: time.now,
            actor: `admin-${index}`,
            maxAttempts: 50,
            record: (entry) => {
              conflicts += Number(entry.detail.attempts ?? 1) - 1;
            },
          }).publish('dev', sampleConfig(`provider:model-${index}`)),
        ),
      );
      expect(outcomes.every((outcome) => outcome.status === 'published')).toBe(true);
      const versions = outcomes
        .map((outcome) => ('version' in outcome ? outcome.version : 0))
        .sort((a, b) => a - b);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(conflicts).toBeGreaterThan(0);

      const reader = stores[0]!;
      expect(await reader.list('dev/versions/')).toHaveLength(10);
      let previous: string | null = null;
      const tiers = new Set<string>();
      for (let version = 1; version <= 10; version += 1) {
        const decoded = decodeEnvelope(
          JSON.parse((await reader.get(storeKeys.version('dev', version)))!.value),
        );
        if (!decoded.ok) throw new Error(decoded.message);
        const payload = decoded.payload.value as BundlePayload;
        expect(payload.version).toBe(version);
        expect(payload.previousDigest).toBe(previous);
        previous = decoded.payload.digest;
        tiers.add(JSON.stringify(payload.config.tiers));
      }
      // Every publisher's content made it: none was lost or overwritten.
      expect(tiers.size).toBe(10);
      expect(JSON.parse((await reader.get(storeKeys.current('dev')))!.value)).toMatchObject({
        version: 10,
        digest: previous,
      });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 60_000);
});
