/**
 * The leader renews its lease at the start of each tick. A guard check that waits on a slow
 * Prometheus longer than the lease lets a standby take over in the middle of the tick; the old
 * leader used to act on its check anyway when the answer finally came (a pause and a rollback
 * from a process that no longer held the lease, beside the new leader's own).
 *
 * Two real `aideon controller` processes on one directory store (lock-file lease, 2 s); dev runs
 * a rollout with auto-rollback and a watch whose Prometheus holds every answer until the test
 * lets go, then answers with no series (missing data: a pause and a rollback). The first
 * leader's check is held past its lease, the standby takes over, the answers are let go: only
 * the leader acts, once; the old leader says it lost the lease and stays alive as a standby.
 */
import { createServer, type ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../../src/consumer/bundle-format';
import type { ControllerProcess } from '../../../helpers/controller-process';
import { listenLoopback } from '../../../helpers/loopback-server';
import { controllerTestStore, startDevRollout } from '../fixtures';

const PASSPHRASE = 'operator passphrase for the lease test';
const ACTS = ['paused', 'rolled_back', 'rollback_failed', 'step_applied'];

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('a check that outlasts the leader lease', () => {
  it('the old leader does not act on it; the new leader acts once', async () => {
    // Prometheus: holds every answer while `hold` is on; then an empty vector (no data).
    let hold = true;
    let requests = 0;
    const held: ServerResponse[] = [];
    const answer = (response: ServerResponse): void => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
      );
    };
    const server = createServer((_request, response) => {
      requests += 1;
      if (hold) held.push(response);
      else answer(response);
    });
    const { url: promUrl, close } = await listenLoopback(server);
    cleanups.push(close);

    const { store, admin, startController } = await controllerTestStore(
      'aideon-ctl-lease-outlasted-',
      PASSPHRASE,
      cleanups,
    );
    const controller = (id: string): ControllerProcess =>
      startController(id, {
        leaseMs: 2000,
        watch: {
          environments: { dev: { prometheusUrl: promUrl, autoRollback: true } },
          checkIntervalMinutes: 0.05,
          bakeMinutes: 60,
          timeoutMs: 60000,
          tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
        },
      });
    const first = controller('ctl-a');
    await first.waitFor('ctl-a leads', (event) => event.type === 'leader_acquired');
    await startDevRollout(admin, { bakeMinutes: 60 });
    // ctl-a's first check (3 s after the step) is held.
    for (let i = 0; i < 200 && requests === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toBeGreaterThan(0);
    const second = controller('ctl-b');
    await second.waitFor('ctl-b leads', (event) => event.type === 'leader_acquired', 30_000);
    // Let go: every held answer (ctl-a's, maybe ctl-b's) and all later ones say "no data".
    hold = false;
    for (const response of held.splice(0)) answer(response);
    await second.waitFor('the rollback', (event) => event.type === 'rolled_back', 30_000);
    await first.waitFor('ctl-a stands down', (event) => event.type === 'leader_lost', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect(first.events.filter((event) => ACTS.includes(event.type))).toEqual([]);
    expect(
      second.events.filter((event) => ACTS.includes(event.type)).map((event) => event.type),
    ).toEqual(['rolled_back']);
    // One rollback version: 1 publish, 2 = 10 %, 3 = the rollback.
    expect(await store.list(storeKeys.versionsPrefix('dev'))).toEqual(
      [1, 2, 3].map((version) => storeKeys.version('dev', version)),
    );
    expect(first.child.exitCode).toBeNull();
    expect(await first.stop()).toBe(0);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});
