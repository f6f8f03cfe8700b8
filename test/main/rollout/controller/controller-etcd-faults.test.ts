/**
 * The controller on a real etcd that misbehaves under it:
 * - etcd crashes (SIGKILL) in the middle of a step's bake and comes back on its data a few
 *   seconds later, after the next step fell due: the controller stays alive, says it cannot
 *   reach the store (its lease) and stops acting, then leads again and applies the due step
 *   once; no step is doubled or lost.
 * - someone deletes the leader's lease key (`controller/leader`) by hand, again and again,
 *   while two controllers run a rollout: whoever takes the key leads, the other stands down
 *   before it acts, and every step goes out exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../../src/consumer/bundle-format';
import type { ControllerProcess } from '../../../helpers/controller-process';
import { startEtcd } from '../../../helpers/etcd-server';
import { controllerTestStore, startDevRollout } from '../fixtures';

const PASSPHRASE = 'operator passphrase for the etcd faults test';

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real etcd with a trust file (alice, an operator key) and a config published to dev. */
async function etcdRollout(prefix: string) {
  const etcd = await startEtcd();
  cleanups.push(() => etcd.stop());
  const { store, admin, startController } = await controllerTestStore(
    `aideon-ctl-etcd-${prefix}-`,
    PASSPHRASE,
    cleanups,
    { storeUri: etcd.uri(prefix) },
  );
  const controller = (id: string): ControllerProcess => startController(id, { leaseMs: 2000 });
  return { etcd, store, admin, controller };
}

const applied = (...controllers: ControllerProcess[]): (string | number | undefined)[][] =>
  controllers
    .flatMap((child) => child.events)
    .filter((event) => event.type === 'step_applied')
    .sort((a, b) => a.at - b.at)
    .map((event) => [event.controller, event.percent]);

describe('controller on an etcd that misbehaves', () => {
  it('etcd crashes mid-bake and restarts after the next step fell due: reported, the step goes out once', async () => {
    const { etcd, store, admin, controller } = await etcdRollout('restart');
    const ctl = controller('ctl-r');
    await ctl.waitFor('ctl-r leads', (event) => event.type === 'leader_acquired');
    await startDevRollout(admin, { bakeMinutes: 0.05 });
    await ctl.waitFor('50 %', (event) => event.type === 'step_applied' && event.percent === 50);
    // Mid-bake of 50 % (due 3 s after it went out), etcd dies for 5 s.
    await etcd.crash();
    const lost = await ctl.waitFor(
      'the store reported unreachable',
      (event) => event.type === 'leader_lost',
      15_000,
    );
    expect(lost.message).toMatch(
      /cannot reach the config store etcd:\/\/127\.0\.0\.1:\d+\/restart/,
    );
    expect(lost.message).toMatch(/acts on nothing until the store answers again/);
    await pause(5000);
    expect(ctl.child.exitCode).toBeNull();
    expect(applied(ctl)).toEqual([['ctl-r', 50]]);
    await etcd.restart();
    const back = await ctl.waitFor(
      'leads again',
      (event) => event.type === 'leader_acquired' && event.at > lost.at,
      30_000,
    );
    expect(back.controller).toBe('ctl-r');
    await ctl.waitFor('100 %', (event) => event.type === 'step_applied' && event.percent === 100);
    await pause(1500);
    expect(applied(ctl)).toEqual([
      ['ctl-r', 50],
      ['ctl-r', 100],
    ]);
    // One version per step: 1 publish, 2 = 10 %, 3 = 50 %, 4 = 100 %.
    expect(await store.list(storeKeys.versionsPrefix('dev'))).toEqual(
      [1, 2, 3, 4].map((version) => storeKeys.version('dev', version)),
    );
    expect((await admin.listRollouts('dev'))[0]).toMatchObject({
      status: 'completed',
      stepIndex: 2,
      lastStepVersion: 4,
    });
    expect(await ctl.stop()).toBe(0);
  }, 120_000);

  it('the lease key deleted by hand, again and again, under two controllers: every step once', async () => {
    const { etcd, store, admin, controller } = await etcdRollout('lease-deleted');
    const first = controller('ctl-a');
    await first.waitFor('ctl-a leads', (event) => event.type === 'leader_acquired');
    const second = controller('ctl-b');
    // ctl-b is up (its heartbeat record) before the key is deleted.
    for (let i = 0; i < 200; i += 1) {
      const ids = await store.list('controller/status/');
      if (ids.some((key) => key.endsWith('ctl-b'))) break;
      await pause(50);
    }
    await startDevRollout(admin, { bakeMinutes: 0.04, steps: [10, 30, 50, 100] });
    // Delete the leader key every 400 ms while the rollout runs (about 8 s), 25 times at most.
    const leaderKey = Buffer.from('lease-deleted/controller/leader').toString('base64');
    let deleted = 0;
    for (let i = 0; i < 25; i += 1) {
      const response = await fetch(`${etcd.endpoint}/v3/kv/deleterange`, {
        method: 'POST',
        body: JSON.stringify({ key: leaderKey }),
      });
      expect(response.ok).toBe(true);
      deleted += Number(((await response.json()) as { deleted?: string }).deleted ?? 0);
      const rollout = (await admin.listRollouts('dev'))[0];
      if (rollout?.status === 'completed') break;
      await pause(400);
    }
    expect(deleted).toBeGreaterThan(3);
    // The last step may still be on its way: wait for the rollout to complete.
    for (let i = 0; i < 200; i += 1) {
      if ((await admin.listRollouts('dev'))[0]?.status === 'completed') break;
      await pause(100);
    }
    await pause(1000);
    const takeovers = [...first.events, ...second.events].filter(
      (event) => event.type === 'leader_acquired',
    ).length;
    console.log(`lease key deleted ${deleted} times: ${takeovers} leader_acquired in all`);
    expect(takeovers).toBeGreaterThan(1);
    // Each step went out exactly once, whoever led.
    const steps = applied(first, second);
    expect(steps.map(([, percent]) => percent)).toEqual([30, 50, 100]);
    expect(await store.list(storeKeys.versionsPrefix('dev'))).toEqual(
      [1, 2, 3, 4, 5].map((version) => storeKeys.version('dev', version)),
    );
    expect((await admin.listRollouts('dev'))[0]).toMatchObject({
      status: 'completed',
      stepIndex: 3,
      lastStepVersion: 5,
    });
    // No controller acted on a step another had applied (a conflict would be step_held).
    expect(
      [...first.events, ...second.events].filter((event) =>
        ['step_held', 'error'].includes(event.type),
      ),
    ).toEqual([]);
    expect(first.child.exitCode).toBeNull();
    expect(second.child.exitCode).toBeNull();
    expect(await first.stop()).toBe(0);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});
