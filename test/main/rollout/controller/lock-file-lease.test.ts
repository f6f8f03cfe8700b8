/**
 * The directory store's leader lease: a lock file with an expiry, renewed by the leader's
 * heartbeat, taken over only once it has expired, and never by two standbys at once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEASE_FILE, LockFileLease } from '../../../../src/main/rollout/controller/leader-lease';
import { tempDir } from '../../../helpers/temp-dir';
import { clock } from '../fixtures';

describe('lock-file lease (directory store)', () => {
  let dir: string;
  let cleanup: () => void;
  let time: ReturnType<typeof clock>;
  const lease = (id: string) =>
    new LockFileLease({ root: dir, id, host: 'test', ttlMs: 10_000, now: time.now });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('aideon-lease-'));
    time = clock();
  });
  afterEach(() => cleanup());

  it('one leader; the heartbeat keeps it; expiry hands it to exactly one standby', async () => {
    const a = lease('a');
    const b = lease('b');
    const c = lease('c');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await b.holder()).toMatchObject({ id: 'a' });
    // Heartbeats keep extending the lease past its first expiry.
    for (let i = 0; i < 3; i += 1) {
      time.advance(6_000);
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
    }
    // The leader dies: nothing happens before the expiry, then exactly one standby wins.
    time.advance(9_000);
    expect(await b.acquire()).toBe(false);
    time.advance(2_000);
    const results = await Promise.all([b.acquire(), c.acquire()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 'b' : 'c';
    expect((await a.holder())?.id).toBe(winner);
    // The old leader comes back: it has lost the lease and does not take it back.
    expect(await a.acquire()).toBe(false);
  });

  it('a clean release hands over at once; a half-written lock file counts as expired', async () => {
    const a = lease('a');
    const b = lease('b');
    expect(await a.acquire()).toBe(true);
    await a.release();
    expect(await b.acquire()).toBe(true);
    await b.release();
    writeFileSync(join(dir, LEASE_FILE), '{"schema":"aideon.contr');
    expect(await a.acquire()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, LEASE_FILE), 'utf8'))).toMatchObject({ id: 'a' });
  });

  it('a standby whose clock runs ahead does not take the lease from a leader that renews on time', async () => {
    const a = lease('a');
    // Host b's clock is a minute ahead of host a's (the lease lives 10 s).
    const b = new LockFileLease({
      root: dir,
      id: 'b',
      host: 'other',
      ttlMs: 10_000,
      now: () => time.now() + 60_000,
    });
    expect(await a.acquire()).toBe(true);
    for (let i = 0; i < 4; i += 1) {
      expect(await b.acquire()).toBe(false);
      time.advance(6_000);
      expect(await a.acquire()).toBe(true);
    }
    // a dies: b takes over once a has missed its renewals for a whole lease, by b's own clock.
    expect(await b.acquire()).toBe(false);
    time.advance(11_000);
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
  });
});
