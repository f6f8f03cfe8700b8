/**
 * Two `aideon controller` processes on one real etcd: the first becomes leader (etcd lease),
 * the second waits as a standby. The leader is killed (SIGKILL, so it cannot give its lease
 * back) in the middle of a 10 → 50 → 100 rollout; the standby takes over once the lease has
 * expired and finishes the rollout. Every step is applied exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../../src/consumer/bundle-format';
import { readControllers } from '../../../../src/main/rollout/controller/controller-registry';
import { SharedHistory } from '../../../../src/main/rollout/publish/shared-history';
import type { ControllerProcess } from '../../../helpers/controller-process';
import { startEtcd, type EtcdServer } from '../../../helpers/etcd-server';
import { controllerTestStore, startDevRollout } from '../fixtures';

const BAKE_SECONDS = 4;
const LEASE_MS = 2000;
const PASSPHRASE = 'operator passphrase for the failover test';

let etcd: EtcdServer;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await etcd?.stop();
});

describe('controller leader election on a real etcd', () => {
  it('kill the leader mid-step: the standby takes over after the lease and no step is applied twice', async () => {
    const { store, admin, startController } = await controllerTestStore(
      'aideon-ctl-failover-',
      PASSPHRASE,
      cleanups,
      { storeUri: etcd.uri('failover') },
    );
    // Two controllers on the store, one operator key (each process needs a few seconds to start).
    const controller = (id: string): ControllerProcess =>
      startController(id, { leaseMs: LEASE_MS });
    const first = controller('ctl-a');
    await first.waitFor('ctl-a leads', (event) => event.type === 'leader_acquired');
    const second = controller('ctl-b');
    // The standby registers itself (heartbeat) but does not lead.
    for (let i = 0; i < 200; i += 1) {
      const records = await readControllers(store);
      if (records.some((record) => record.id === 'ctl-b')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const records = await readControllers(store);
    expect(records.find((record) => record.id === 'ctl-a')).toMatchObject({ role: 'leader' });
    expect(records.find((record) => record.id === 'ctl-b')).toMatchObject({
      role: 'standby',
      activity: 'standby (leader: ctl-a)',
    });

    // The admin starts a rollout and closes the console: only the controllers act from here.
    await startDevRollout(admin, { bakeMinutes: BAKE_SECONDS / 60 });
    // The leader applies 50 %, then dies in the middle of that step's bake.
    await first.waitFor('50 %', (event) => event.type === 'step_applied' && event.percent === 50);
    const killedAt = Date.now();
    await first.kill();
    const takeover = await second.waitFor(
      'ctl-b leads',
      (event) => event.type === 'leader_acquired',
    );
    console.log(
      `controller failover: standby led ${takeover.at - killedAt} ms after the leader was killed (lease ${LEASE_MS} ms, tick 250 ms)`,
    );
    const last = await second.waitFor(
      '100 %',
      (event) => event.type === 'step_applied' && event.percent === 100,
    );
    expect(last.version).toBe(4);

    // Exactly one version per step: 1 publish, 2 = 10 %, 3 = 50 %, 4 = 100 %.
    expect(await store.list(storeKeys.versionsPrefix('dev'))).toEqual(
      [1, 2, 3, 4].map((version) => storeKeys.version('dev', version)),
    );
    const applied = [...first.events, ...second.events]
      .filter((event) => event.type === 'step_applied')
      .map((event) => [event.controller, event.percent]);
    expect(applied).toEqual([
      ['ctl-a', 50],
      ['ctl-b', 100],
    ]);
    expect((await admin.listRollouts('dev'))[0]).toMatchObject({
      status: 'completed',
      stepIndex: 2,
      lastStepVersion: 4,
    });
    // The shared history names who applied each step, signed by the operator key.
    const { entries, check } = await new SharedHistory({ store }).read(
      (await admin.readTrust('dev')).trust,
    );
    expect(check.ok).toBe(true);
    expect(
      entries
        .filter((entry) => entry.action === 'rollout_step')
        .map((entry) => [entry.actor, entry.detail.percent, entry.signature]),
    ).toEqual([
      ['controller:ctl-a', 50, 'operator'],
      ['controller:ctl-b', 100, 'operator'],
    ]);
    // A clean stop removes the heartbeat record; the killed leader's record stays, not alive.
    expect(await second.stop()).toBe(0);
    const after = await readControllers(store);
    expect(after.map((record) => record.id)).toEqual(['ctl-a']);
    expect(after[0]?.aliveUntil).toBeLessThan(Date.now());
  }, 90_000);
});
