import { existsSync, readdirSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryStore, LOCK_FILE } from '../../../src/main/rollout/stores/directory-store';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { tempDir } from '../../helpers/temp-dir';

describe('directory config store', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('aideon-dirstore-')));
  afterEach(() => cleanup());

  it('creates, compares-and-swaps and refuses stale etags', async () => {
    const store = openConfigStore(`dir:${dir}`);
    await store.commit([{ key: 'dev/current', value: 'one', expect: null }]);
    const first = await store.get('dev/current');
    expect(first?.value).toBe('one');
    // Must-not-exist fails once it exists.
    await expect(
      store.commit([{ key: 'dev/current', value: 'x', expect: null }]),
    ).rejects.toMatchObject({ code: 'conflict' });
    await store.commit([{ key: 'dev/current', value: 'two', expect: first!.etag }]);
    // The old etag is now stale: nothing written, clear conflict.
    await expect(
      store.commit([{ key: 'dev/current', value: 'three', expect: first!.etag }]),
    ).rejects.toThrow(/changed dev\/current .* after it was read/);
    expect((await store.get('dev/current'))?.value).toBe('two');
  });

  it('applies all writes of a commit or none', async () => {
    const store = new DirectoryStore({ root: dir });
    await store.commit([{ key: 'dev/versions/1', value: 'v1', expect: null }]);
    await expect(
      store.commit([
        { key: 'dev/versions/2', value: 'v2', expect: null },
        { key: 'dev/versions/1', value: 'overwrite', expect: null },
      ]),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.get('dev/versions/2')).toBeUndefined();
    expect(await store.list('dev/versions/')).toEqual(['dev/versions/1']);
  });

  it('writes through temp files and leaves none behind; the lock is released', async () => {
    const store = new DirectoryStore({ root: dir });
    await store.commit([{ key: 'dev/flags.json', value: '{"flags":{}}' }]);
    expect(readdirSync(join(dir, 'dev'))).toEqual(['flags.json']);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('waits for a held lock, then gives up with a conflict that names the lock file', async () => {
    let now = 0;
    const store = new DirectoryStore({
      root: dir,
      now: () => now,
      sleep: async () => {
        now += 1000;
      },
      lockTimeoutMs: 5000,
      staleLockMs: 60_000,
    });
    const release = await store.lock();
    await expect(store.commit([{ key: 'a', value: '1' }])).rejects.toThrow(
      /locked by another publish .*\.lock/,
    );
    await release();
    await store.commit([{ key: 'a', value: '1' }]);
    expect((await store.get('a'))?.value).toBe('1');
  });

  it('breaks a stale lock left by a crashed publisher', async () => {
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, LOCK_FILE);
    writeFileSync(lock, '{"pid":1}');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    const store = new DirectoryStore({ root: dir, staleLockMs: 60_000, lockTimeoutMs: 100 });
    await store.commit([{ key: 'a', value: '1' }]);
    expect((await store.get('a'))?.value).toBe('1');
  });

  it('serialises racing commits: of 8 racing creates of one key exactly one wins', async () => {
    const store = new DirectoryStore({ root: dir });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        store.commit([{ key: 'dev/current', value: `w${index}`, expect: null }]),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(7);
  });

  it('refuses keys that would leave the folder and URIs it does not know', async () => {
    const store = new DirectoryStore({ root: dir });
    await expect(store.commit([{ key: '../escape', value: 'x' }])).rejects.toMatchObject({
      code: 'validation',
    });
    expect(() => openConfigStore('s3://bucket')).toThrow(
      /dir:\/absolute\/folder or etcd:\/\/host:port\/prefix/,
    );
    expect(() => openConfigStore('dir:relative')).toThrow(/absolute folder/);
  });
});
