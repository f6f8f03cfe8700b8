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
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../../src/consumer/bundle-format';
import type { WatchSettingsInput } from '../../../../src/shared/watch/watch-settings';
import {
  startControllerProcess,
  type ControllerProcess,
} from '../../../helpers/controller-process';
import { controllerTestStore } from '../fixtures';

const FLAG = 'new-video-model';
const PASSPHRASE = 'operator passphrase for the lease test';
const ACTS = ['paused', 'rolled_back', 'rollback_failed', 'step_applied'];

const cleanups: (() => void | Promise<void>)[] = [];
const processes: ControllerProcess[] = [];
afterAll(async () => {
  for (const child of processes) await child.kill();
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
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const response of held) response.destroy();
          server.close(() => resolve());
        }),
    );
    const promUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const { data, storeUri, store, admin, operator } = await controllerTestStore(
      'aideon-ctl-lease-outlasted-',
      PASSPHRASE,
      cleanups,
    );
    const settings: WatchSettingsInput = {
      environments: { dev: { prometheusUrl: promUrl, autoRollback: true } },
      checkIntervalMinutes: 0.05,
      bakeMinutes: 60,
      timeoutMs: 60000,
      tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
    };
    const settingsFile = join(data.dir, 'watch-settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings));
    const controller = (id: string): ControllerProcess => {
      const child = startControllerProcess(['--data-dir', join(data.dir, id)], {
        AIDEON_STORE: storeUri,
        AIDEON_CONTROLLER_ID: id,
        AIDEON_CONTROLLER_TICK_MS: '250',
        AIDEON_CONTROLLER_LEASE_MS: '2000',
        AIDEON_WATCH_SETTINGS: settingsFile,
        AIDEON_OPERATOR_KEY: `${data.dir}/${operator.kid}.key.json`,
        AIDEON_OPERATOR_PASSPHRASE: PASSPHRASE,
      });
      processes.push(child);
      return child;
    };
    const first = controller('ctl-a');
    await first.waitFor('ctl-a leads', (event) => event.type === 'leader_acquired');
    await admin.startRollout({
      environment: 'dev',
      flagKey: FLAG,
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 50, 100],
      bakeMinutes: 60,
    });
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
