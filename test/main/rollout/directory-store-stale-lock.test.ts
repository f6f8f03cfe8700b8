/**
 * Breaking a stale commit lock (left by a publisher that crashed mid-commit) must let one
 * waiter in, not two. When two waiters (a controller and a console) both see the stale lock,
 * one breaks it and takes the lock; the other must not then delete that fresh lock as if it
 * were the stale one, or both commit at once and compare-and-swap means nothing. The other
 * party's moves are made with synchronous file calls at the exact moment between the waiter's
 * look at the lock and its break (the injected clock is read there), on a real folder.
 */
import { readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryStore, LOCK_FILE } from '../../../src/main/rollout/stores/directory-store';
import { tempDir } from '../../helpers/temp-dir';

describe('directory store: breaking a stale lock', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('aideon-stale-lock-')));
  afterEach(() => cleanup());

  it('a waiter does not delete the fresh lock another waiter took after breaking the stale one', async () => {
    const lock = join(dir, LOCK_FILE);
    writeFileSync(lock, JSON.stringify({ pid: 1, at: 0 }));
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(lock, old, old);
    const other = JSON.stringify({ pid: 424242, at: Date.now() });
    let calls = 0;
    const store = new DirectoryStore({
      root: dir,
      lockTimeoutMs: 300,
      // Read once when the wait starts, then right after the waiter looked at the stale lock:
      // there, the other waiter breaks it and takes the lock (and keeps it).
      now: () => {
        calls += 1;
        if (calls === 2) {
          unlinkSync(lock);
          writeFileSync(lock, other, { flag: 'wx' });
        }
        return Date.now();
      },
    });
    await expect(store.lock()).rejects.toMatchObject({ code: 'conflict' });
    expect(readFileSync(lock, 'utf8')).toBe(other);
  });

  it('a stale lock alone is still broken and the commit goes through', async () => {
    const lock = join(dir, LOCK_FILE);
    writeFileSync(lock, JSON.stringify({ pid: 1, at: 0 }));
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(lock, old, old);
    const store = new DirectoryStore({ root: dir, lockTimeoutMs: 300 });
    await store.commit([{ key: 'dev/current', value: 'one', expect: null }]);
    expect((await store.get('dev/current'))?.value).toBe('one');
  });
});
