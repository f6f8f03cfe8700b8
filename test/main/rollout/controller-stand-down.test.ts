/**
 * The console stands down while a live rollout controller leads for its store: its scheduler
 * does not advance due ramp steps, its watch does not pause or roll back, and the controller
 * panel (`publish:get-controller`) says so. Once the controller's heartbeat is stale the
 * console takes the work back. Real SQLite, a real directory store, passphrase keys, the real
 * production watch (a Prometheus that cannot be reached), and heartbeat records written by the
 * controller's own registry code.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import {
  removeControllerStatus,
  writeControllerStatus,
} from '../../../src/main/rollout/controller/controller-registry';
import type { PublishingService } from '../../../src/main/rollout/publish/publishing-service';
import type { ConfigStore } from '../../../src/main/rollout/stores/config-store';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { WatchService } from '../../../src/main/watch/watch-service';
import { controllerPanelSchema } from '../../../src/shared/rollout/controller-status';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';
import { consolePublishing, publishFirstVersion, unsavedDraft } from './console-publishing';
import { clock, controllerHeartbeat, ROLLOUT_FLAG, startDevRollout, T0 } from './fixtures';

const PASS = 'stand-down passphrase';
const MINUTE = 60_000;
const FLAG = ROLLOUT_FLAG;

async function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      server.close(() => resolve(address.port));
    });
  });
}

describe('the console stands down while a live controller leads (directory store)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: WritableDb;
  let time: ReturnType<typeof clock>;
  let events: string[];
  let service: PublishingService;
  let store: ConfigStore;
  let dispatcher: Agent;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('aideon-stand-down-'));
    db = openDatabase({ file: join(dir, 'aideon.sqlite') });
    time = clock();
    events = [];
    dispatcher = new Agent({ connectTimeout: 2000 });
    const draft = unsavedDraft();
    // The scheduler is driven by calling tick() directly.
    service = consolePublishing({
      db,
      dataDir: dir,
      now: time.now,
      draft,
      emit: (reason) => events.push(reason),
    });
    await publishFirstVersion(service, draft, PASS);
    await startDevRollout(service, { bakeMinutes: 30 });
    // The controller's registry writes into the same store the console publishes to.
    store = openConfigStore(service.storeUri());
  });
  afterEach(async () => {
    await service.stop();
    await store.close();
    await dispatcher.close();
    db.close();
    cleanup();
  });

  const devRollout = async () =>
    (await service.overview()).environments.find((env) => env.environment === 'dev')?.rollouts[0];
  const devLive = async () =>
    (await service.overview()).environments.find((env) => env.environment === 'dev')?.live?.version;

  it('with no controller the panel is empty and the console keeps its own loop', async () => {
    const panel = controllerPanelSchema.parse(await service.controllerPanel());
    expect(panel).toMatchObject({
      active: false,
      leader: null,
      consoleStoodDown: false,
      controllers: [],
      environments: [],
      problem: null,
    });
    time.advance(31 * MINUTE);
    expect(await service.tick()).toEqual([{ environment: 'dev', flagKey: FLAG, percent: 50 }]);
  });

  it('a live leader: no step advances, the watch neither pauses nor rolls back; a stale heartbeat hands the work back', async () => {
    // The step is due; the controller ticked a moment ago.
    time.advance(31 * MINUTE);
    await writeControllerStatus(store, controllerHeartbeat(time.now()));

    expect(await service.tick()).toEqual([]);
    expect(await devRollout()).toMatchObject({ stepIndex: 0, status: 'running' });
    expect(events).toContain('controller active');

    const panel = controllerPanelSchema.parse(await service.controllerPanel());
    expect(panel).toMatchObject({
      active: true,
      consoleStoodDown: true,
      leader: 'ctl-1',
      checkedAt: time.now(),
      controllers: [
        { id: 'ctl-1', host: 'ops-box', role: 'leader', alive: true, lastTickAt: time.now() },
      ],
    });
    const dev = panel.environments.find((env) => env.environment === 'dev');
    expect(dev).toMatchObject({
      liveVersion: 2,
      step: { flagKey: FLAG, percent: 10, version: 2, startedAt: T0, nextStepAt: T0 + 30 * MINUTE },
      rollouts: [
        { flagKey: FLAG, status: 'running', percent: 10, stepIndex: 0, steps: [10, 50, 100] },
      ],
      problem: null,
    });
    expect(panel.environments.map((env) => env.environment)).toEqual([
      'dev',
      'staging',
      'production',
    ]);

    // The console's watch: Prometheus cannot be read and auto-rollback is on, so on its own
    // it would pause (see publishing-service.test.ts). With the controller leading, the
    // pause and the rollback are refused and nothing changes in the store.
    const watch = new WatchService({
      db,
      dispatcher,
      now: time.now,
      sleep: async () => undefined,
      rollout: service.rolloutControl(),
    });
    watch.saveSettings({
      environments: {
        dev: { prometheusUrl: `http://127.0.0.1:${await closedPort()}`, autoRollback: true },
      },
      tiers: [{ tier: 'free', minSuccessRate: 0.9 }],
    });
    await expect(watch.bake('dev')).rejects.toThrow(
      /controller ctl-1 on ops-box acts for this store/,
    );
    await expect(service.rolloutControl().rollback('dev', 'guard breached')).rejects.toThrow(
      /left the pause or rollback of dev to it/,
    );
    expect(await devRollout()).toMatchObject({ stepIndex: 0, status: 'running' });
    expect(await devLive()).toBe(2);
    expect(service.history({}).map((row) => row.action)).not.toContain('rollout_pause');

    // A standby that is alive does not make the console stand down by itself; the leader's
    // heartbeat goes stale (it stopped ticking) → the console takes the work back.
    await writeControllerStatus(
      store,
      controllerHeartbeat(time.now(), {
        id: 'ctl-2',
        role: 'standby',
        aliveUntil: time.now() + 10 * MINUTE,
      }),
    );
    time.advance(2 * MINUTE);
    const stale = controllerPanelSchema.parse(await service.controllerPanel());
    expect(stale).toMatchObject({ active: false, consoleStoodDown: false, leader: null });
    expect(stale.controllers.map((c) => [c.id, c.role, c.alive])).toEqual([
      ['ctl-1', 'leader', false],
      ['ctl-2', 'standby', true],
    ]);
    expect(await service.tick()).toEqual([{ environment: 'dev', flagKey: FLAG, percent: 50 }]);
    expect(events).toContain('controller gone');
    expect(await devRollout()).toMatchObject({ stepIndex: 1, status: 'running' });

    // Back in charge, the console's watch acts again: the unreadable Prometheus pauses it.
    const baked = await watch.bake('dev');
    expect(baked.outcome).toBe('paused');
    expect(await devRollout()).toMatchObject({ stepIndex: 1, status: 'paused' });
  });

  it('a controller that stops cleanly removes its record: the panel is empty again', async () => {
    await writeControllerStatus(store, controllerHeartbeat(time.now()));
    expect((await service.controllerPanel()).controllers).toHaveLength(1);
    await removeControllerStatus(store, 'ctl-1');
    expect(await service.controllerPanel()).toMatchObject({ controllers: [], active: false });
  });
});

describe('publish:get-controller through the dispatcher (browser mode and the desktop app)', () => {
  it('answers the panel in the contract shape, outputs checked', async () => {
    const services = testServices();
    try {
      const ipc = createAppDispatcher(services, { checkOutputs: true });
      const empty = await ipc.dispatch('publish:get-controller', {});
      expect(empty).toMatchObject({
        ok: true,
        value: { active: false, controllers: [], environments: [], leader: null },
      });
      const store = openConfigStore(services.publishing.storeUri());
      const now = Date.now();
      await writeControllerStatus(store, controllerHeartbeat(now, { startedAt: now - MINUTE }));
      await store.close();
      const live = await ipc.dispatch('publish:get-controller', {});
      expect(live).toMatchObject({
        ok: true,
        value: {
          active: true,
          consoleStoodDown: true,
          leader: 'ctl-1',
          controllers: [{ id: 'ctl-1', alive: true }],
          // No trust file yet: every environment answers, with nothing live.
          environments: [
            { environment: 'dev', liveVersion: null, step: null, problem: null },
            { environment: 'staging', liveVersion: null, step: null, problem: null },
            { environment: 'production', liveVersion: null, step: null, problem: null },
          ],
        },
      });
      const bad = await ipc.dispatch('publish:get-controller', { extra: 1 });
      expect(bad).toMatchObject({ ok: false, error: { code: 'validation' } });
    } finally {
      await services.cleanup();
    }
  });
});
