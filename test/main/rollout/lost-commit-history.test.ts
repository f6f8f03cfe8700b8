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
import type { ConfigStore } from '../../../src/main/rollout/stores/config-store';
import { EtcdStore } from '../../../src/main/rollout/stores/etcd-store';
import { AppError } from '../../../src/shared/errors';
import { startEtcd, type EtcdServer } from '../../helpers/etcd-server';
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

/** The etcd store, with one commit's answer lost and the read after it failing. */
function lossyStore(real: ConfigStore) {
  const faults = { loseNext: undefined as 'after' | 'instead' | undefined, failReads: 0 };
  const unreachable = () =>
    new AppError('provider_unavailable', 'the store could not be reached', { retryable: true });
  const store: ConfigStore = {
    uri: real.uri,
    get: async (key) => {
      if (faults.failReads > 0) {
        faults.failReads -= 1;
        throw unreachable();
      }
      return real.get(key);
    },
    list: (prefix) => real.list(prefix),
    commit: async (writes) => {
      const lose = faults.loseNext;
      if (lose) {
        faults.loseNext = undefined;
        if (lose === 'after') await real.commit(writes);
        faults.failReads = 1;
        throw Object.assign(new Error('the connection to etcd was cut'), {
          outcomeUnknown: true,
        });
      }
      return real.commit(writes);
    },
    close: () => real.close(),
  };
  return { store, faults };
}

async function rolloutAt10(lose: 'after' | 'instead') {
  const real = new EtcdStore({ uri: etcd.uri(`lost-commit-${++prefixes}`) });
  const { store, faults } = lossyStore(real);
  const alice = await memorySigner('alice');
  const time = clock(T0);
  const history: HistoryInput[] = [];
  // Long-lived, as the controller and the console keep it across their per-tick publishers.
  const unconfirmed = new Map<string, HistoryInput>();
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
  return { real, publisher, history, steps, time };
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
});
