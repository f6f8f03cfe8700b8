/**
 * A Prometheus (or a proxy in front of it) that answers HTTP 200 and then sends its body one
 * byte at a time, never finishing it. Every byte arrives well within the watch's timeout, so a
 * per-read timeout never fires: the check used to wait forever, the controller's loop stopped
 * (no pause, no heartbeat, the lease left to run out) while the step stayed live, unjudged.
 *
 * Here the real `aideon controller` process runs on a directory store with a dev rollout
 * 10 → 50 → 100 and watch settings that point dev at the dripping server (timeout 1 s). The
 * check must end at the timeout as "metrics could not be read": the rollout is paused, no step
 * is applied, and the process is still alive, leading, and heartbeating afterwards.
 */
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { readControllers } from '../../../../src/main/rollout/controller/controller-registry';
import { listenLoopback } from '../../../helpers/loopback-server';
import { controllerTestStore, startDevRollout } from '../fixtures';

const PASSPHRASE = 'operator passphrase for the stall test';

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Answers every request with 200 and a body that drips one byte every 100 ms, never ending. */
async function drippingServer(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{');
    const timer = setInterval(() => response.write(' '), 100);
    response.on('close', () => clearInterval(timer));
  });
  const { url, close } = await listenLoopback(server);
  cleanups.push(close);
  return { url, requests: () => requests };
}

describe('controller against a Prometheus whose answer never ends', () => {
  it('the check ends at the timeout: the rollout is paused, no step applied, the controller stays alive and leading', async () => {
    const prometheus = await drippingServer();
    const { store, admin, startController } = await controllerTestStore(
      'aideon-ctl-stall-',
      PASSPHRASE,
      cleanups,
    );
    await startDevRollout(admin, { bakeMinutes: 0.05 });

    const controller = startController('ctl-stall', {
      leaseMs: 3000,
      watch: {
        environments: { dev: { prometheusUrl: prometheus.url, autoRollback: true } },
        checkIntervalMinutes: 0.05,
        bakeMinutes: 0.05,
        timeoutMs: 1000,
        tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
      },
    });
    await controller.waitFor('leads', (event) => event.type === 'leader_acquired');
    const paused = await controller.waitFor(
      'the pause',
      (event) => event.type === 'paused' && event.environment === 'dev',
      30_000,
    );
    expect(paused.message).toMatch(/metrics could not be read/);
    expect(paused.message).toMatch(/did not finish within 1000 ms|timed out/i);
    expect(prometheus.requests()).toBeGreaterThan(0);
    // Paused, never advanced, never rolled back (a metrics outage cannot tell a bad step).
    expect((await admin.listRollouts('dev'))[0]).toMatchObject({ status: 'paused', stepIndex: 0 });
    expect(
      controller.events.filter((event) => ['step_applied', 'rolled_back'].includes(event.type)),
    ).toEqual([]);

    // Still alive, still the leader, still heartbeating through further stalled checks.
    const firstBeat = (await readControllers(store)).find((record) => record.id === 'ctl-stall');
    const seen = prometheus.requests();
    for (let i = 0; i < 100 && prometheus.requests() === seen; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const record = (await readControllers(store)).find((entry) => entry.id === 'ctl-stall');
    expect(controller.child.exitCode).toBeNull();
    expect(record).toMatchObject({ role: 'leader' });
    expect(record?.lastTickAt).toBeGreaterThan(firstBeat?.lastTickAt ?? Infinity);
    expect(record?.aliveUntil).toBeGreaterThan(Date.now());
    expect(controller.events.filter((event) => event.type === 'leader_lost')).toEqual([]);
    expect(await controller.stop()).toBe(0);
  }, 90_000);
});
