/**
 * A rollout state that cannot be read (edited by hand: the state is not signed) used to make the
 * controller skip its whole environment: reported loudly, but the live step was no longer
 * checked at all, so a step that went bad meanwhile stayed live, unjudged, until someone mended
 * the value. The live config is still signed and readable; its guards can still be checked.
 *
 * The real `aideon controller` process on a directory store; dev runs a rollout 10 → 50 → 100
 * (an hour's bake: nothing may advance) whose state loses its bake time, and a watch whose
 * Prometheus reports no traffic for the step (missing data counts as a breach).
 * - auto-rollback on: the controller rolls back with the operator key to the content before
 *   the rollout (named by the signed bundles, not by the damaged state), once; the rolled-back
 *   version is no step of the rollout and is not rolled back again; the damaged state is left
 *   as it is for the admin.
 * - auto-rollback off: the step is held live and one alert says so, with the exact rollback
 *   command; nothing is published, however many checks fail.
 */
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../../src/consumer/bundle-format';
import { listenLoopback } from '../../../helpers/loopback-server';
import { controllerTestStore, ROLLOUT_FLAG, startDevRollout } from '../fixtures';

const FLAG = ROLLOUT_FLAG;
const PASSPHRASE = 'operator passphrase for the damaged-state test';
const ACTS = ['paused', 'rolled_back', 'rollback_failed', 'step_applied'];

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Prometheus that has no series for anything (no traffic under the step's version). */
async function emptyPrometheus(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
  });
  const { url, close } = await listenLoopback(server);
  cleanups.push(close);
  return { url, requests: () => requests };
}

async function damagedRollout(prefix: string, autoRollback: boolean) {
  const prometheus = await emptyPrometheus();
  const context = await controllerTestStore(prefix, PASSPHRASE, cleanups);
  const { store, admin, startController } = context;
  await startDevRollout(admin, { bakeMinutes: 60 });
  // Someone edits the rollout state by hand and drops its bake time.
  const key = storeKeys.rollout('dev', FLAG);
  const edited = JSON.parse((await store.get(key))?.value ?? '{}') as Record<string, unknown>;
  delete edited.bakeMs;
  const damagedText = JSON.stringify(edited);
  await store.commit([{ key, value: damagedText }]);

  const controller = startController('ctl-damaged', {
    leaseMs: 3000,
    watch: {
      environments: { dev: { prometheusUrl: prometheus.url, autoRollback } },
      checkIntervalMinutes: 0.05,
      bakeMinutes: 60,
      timeoutMs: 5000,
      tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
    },
  });
  return { ...context, controller, key, damagedText, prometheus };
}

describe('controller while a rollout state cannot be read', () => {
  it('auto-rollback on: the live step is still guarded and rolled back to the content before the rollout, once', async () => {
    const { controller, store, admin, key, damagedText, prometheus } = await damagedRollout(
      'aideon-ctl-damaged-rollback-',
      true,
    );
    const error = await controller.waitFor('the refusal', (event) => event.type === 'error');
    expect(error.message).toContain(key);
    const rolledBack = await controller.waitFor(
      'the rollback',
      (event) => event.type === 'rolled_back',
      30_000,
    );
    expect(rolledBack.environment).toBe('dev');
    expect(rolledBack.message).toMatch(/content of version 1 \(before the rollout\) as version 3/);
    expect(rolledBack.message).toContain(key);
    // 1 = publish, 2 = the 10 % step, 3 = the rollback; version 3 holds version 1's content.
    expect(await store.list(storeKeys.versionsPrefix('dev'))).toEqual(
      [1, 2, 3].map((version) => storeKeys.version('dev', version)),
    );
    expect(await admin.versionConfig('dev', 3)).toEqual(await admin.versionConfig('dev', 1));

    // Further ticks and checks: the rolled-back version is no step; nothing more is done.
    const seen = prometheus.requests();
    await pause(4000);
    expect(
      controller.events.filter((event) => ACTS.includes(event.type)).map((event) => event.type),
    ).toEqual(['rolled_back']);
    expect(await store.list(storeKeys.versionsPrefix('dev'))).toHaveLength(3);
    expect(prometheus.requests()).toBe(seen);
    // The damaged state is the admin's to mend: left exactly as it was.
    expect((await store.get(key))?.value).toBe(damagedText);
    expect(controller.child.exitCode).toBeNull();
    expect(await controller.stop()).toBe(0);
  }, 90_000);

  it('auto-rollback off: the step is held live, one alert with the exact rollback command, nothing published', async () => {
    const { controller, store, storeUri, key, prometheus } = await damagedRollout(
      'aideon-ctl-damaged-hold-',
      false,
    );
    const held = await controller.waitFor(
      'the alert',
      (event) => event.type === 'paused' && event.environment === 'dev',
      30_000,
    );
    expect(held.message).toMatch(/metrics are missing under config version 2/);
    expect(held.message).toMatch(/HELD LIVE/);
    expect(held.message).toContain(
      `aideon config rollback --store ${storeUri} --env dev --to-version 1 --yes`,
    );
    expect(held.message).toContain(key);
    // More failed checks: still one alert told (the others marked repeated), nothing published.
    const seen = prometheus.requests();
    for (let i = 0; i < 100 && prometheus.requests() === seen; i += 1) await pause(100);
    await pause(3500);
    expect(prometheus.requests()).toBeGreaterThan(seen);
    const alerts = controller.events.filter(
      (event) => event.type === 'paused' && !(event as { repeated?: boolean }).repeated,
    );
    expect(alerts).toHaveLength(1);
    expect(
      controller.events.filter((event) =>
        ['rolled_back', 'rollback_failed', 'step_applied'].includes(event.type),
      ),
    ).toEqual([]);
    expect(await store.list(storeKeys.versionsPrefix('dev'))).toHaveLength(2);
    expect(await controller.stop()).toBe(0);
  }, 90_000);
});
