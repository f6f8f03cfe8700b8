/**
 * A rollout step whose transaction went in while its answer was lost (the connection cut) is
 * read back from the store's pointer (session 13). When that read-back fails too (the store is
 * still unreachable), the step is reported as "not known whether it was written", and its
 * history entry was never written, though the step is live: the shared history (and the
 * console's copy of it) missed a step. Now the publisher's owner (the controller, the console)
 * keeps the entry the commit owes and the next read of the environment's live state settles
 * it: recorded once if the step went in; dropped if it did not (the retry records its own).
 *
 * A real etcd; the store in front of it loses one commit's answer (after or instead of
 * forwarding it) and fails the read right after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryInput } from '../../../src/main/rollout/publish/history';
import {
  sqliteUnconfirmedCommits,
  unconfirmedInMemory,
  type UnconfirmedCommits,
} from '../../../src/main/rollout/publish/unconfirmed-commits';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { tempDir } from '../../helpers/temp-dir';
import { join } from 'node:path';
import { EtcdStore } from '../../../src/main/rollout/stores/etcd-store';
import { startEtcd, type EtcdServer } from '../../helpers/etcd-server';
import { lossyStore } from '../../helpers/lossy-store';
import { clock, makePublisher, memorySigner, sampleConfig, T0 } from './fixtures';

const FLAG = 'new-video-model';
let etcd: EtcdServer;
let prefixes = 0;

beforeAll(async () => {
  etcd = await startEtcd();
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
});

async function rolloutAt10(
  lose: 'after' | 'instead',
  unconfirmed: UnconfirmedCommits = unconfirmedInMemory(),
) {
  const real = new EtcdStore({ uri: etcd.uri(`lost-commit-${++prefixes}`) });
  const { store, faults } = lossyStore(real);
  const alice = await memorySigner('alice');
  const time = clock(T0);
  const history: HistoryInput[] = [];
  // Long-lived, as the controller and the console keep it across their per-tick publishers.
  const publisher = () => makePublisher(store, [alice], { now: time.now, history, unconfirmed });
  await publisher().initTrust([alice.info], { dev: 1, staging: 1, production: 1, trust: 1 });
  await publisher().publish('dev', sampleConfig());
  await publisher().startRollout({
    environment: 'dev',
    flagKey: FLAG,
    onVariant: 'on',
    offVariant: 'off',
    steps: [10, 50, 100],
    bakeMinutes: 1,
  });
  time.advance(2 * 60_000);
  faults.loseNext = lose;
  const error = await publisher()
    .advanceRollout('dev', FLAG)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect((error as Error).message).toMatch(/not known whether version 3 of dev was written/);
  const steps = () =>
    history.filter((entry) => entry.action === 'rollout_step' && entry.version === 3);
  return { real, store, alice, publisher, history, steps, time };
}

describe('a rollout step whose commit answer was lost and could not be read back', () => {
  it('went in: its history entry is recorded at the next read of the environment, once', async () => {
    const { real, publisher, steps } = await rolloutAt10('after');
    // The step is live (50 %)...
    expect((await publisher().rolloutState('dev', FLAG))?.stepIndex).toBe(1);
    // ... and the next tick's first read records its entry.
    await publisher().live('dev');
    expect(steps()).toHaveLength(1);
    expect(steps()[0]?.detail).toMatchObject({ confirmedAfterLostAnswer: true });
    await publisher().live('dev');
    await publisher().live('dev');
    expect(steps()).toHaveLength(1);
    await real.close();
  });

  it('did not go in: nothing is recorded for it; the retried step records its own entry, once', async () => {
    const { real, publisher, steps } = await rolloutAt10('instead');
    expect((await publisher().rolloutState('dev', FLAG))?.stepIndex).toBe(0);
    await publisher().live('dev');
    expect(steps()).toHaveLength(0);
    await publisher().advanceRollout('dev', FLAG);
    await publisher().live('dev');
    expect(steps()).toHaveLength(1);
    expect(steps()[0]?.detail).not.toHaveProperty('confirmedAfterLostAnswer');
    await real.close();
  });

  it('kept in the data folder: other processes on it settle it at their first read, once, even two at once', async () => {
    const { dir, cleanup } = tempDir('aideon-lost-commit-');
    const file = join(dir, 'aideon.sqlite');
    const connections: WritableDb[] = [];
    const connect = () => {
      const db = openDatabase({ file });
      connections.push(db);
      return sqliteUnconfirmedCommits(db, Date.now, () => undefined);
    };
    const kept = () =>
      (
        connections.at(-1)?.prepare('SELECT COUNT(*) AS n FROM unconfirmed_commits').get() as {
          n: number;
        }
      ).n;
    try {
      // The process that lost the answer (a one-shot command) ends without reading dev again.
      const { real, store, alice, history, steps, time } = await rolloutAt10('after', connect());
      connections[0]?.close();
      expect(steps()).toHaveLength(0);
      // Two other processes on the same folder (a console, the controller) read dev at once.
      const other = () =>
        makePublisher(store, [alice], { now: time.now, history, unconfirmed: connect() });
      const [a, b] = [other(), other()];
      expect(kept()).toBe(1);
      await Promise.all([a.live('dev'), b.live('dev')]);
      expect(steps()).toHaveLength(1);
      expect(steps()[0]).toMatchObject({
        actor: 'alice',
        detail: { confirmedAfterLostAnswer: true },
      });
      expect(kept()).toBe(0);
      await other().live('dev');
      expect(steps()).toHaveLength(1);
      await real.close();
    } finally {
      for (const db of connections) if (db.open) db.close();
      cleanup();
    }
  });
});
