/**
 * The console's view of the rollout controller must not flip on a stale or failed read:
 *
 * - the scheduler's tick and the panel's 5 s poll both read the controller records; when the
 *   two reads overlap, a result older than the one already applied is ignored (otherwise an
 *   old "no controller" answer arriving last hands the work back to the console while a
 *   controller leads, and both publish ramp steps);
 * - a store that cannot be read (an unmounted synced folder, etcd down) is not "the controller
 *   is gone": the console keeps the state it last read, shows the problem, and does not take
 *   the work back.
 *
 * Real SQLite, the real directory store and a real etcd; heartbeat records written by the
 * controller's own registry code. The only addition is a gate around the real store's `list`,
 * which holds one read's answer back so two reads finish in the order a slow disk can produce.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeControllerStatus } from '../../../src/main/rollout/controller/controller-registry';
import type { PublishingService } from '../../../src/main/rollout/publish/publishing-service';
import type { ConfigStore } from '../../../src/main/rollout/stores/config-store';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import {
  CONTROLLER_STATUS_PREFIX,
  controllerPanelSchema,
} from '../../../src/shared/rollout/controller-status';
import { startEtcd, type EtcdServer } from '../../helpers/etcd-server';
import { tempDir } from '../../helpers/temp-dir';
import { consolePublishing, publishFirstVersion, unsavedDraft } from './console-publishing';
import { clock, controllerHeartbeat, ROLLOUT_FLAG, startDevRollout } from './fixtures';

const PASS = 'status-order passphrase';
const MINUTE = 60_000;
const FLAG = ROLLOUT_FLAG;

/** Holds the answer of the next `list` of the controller records until `release()`. */
function gate() {
  let armed = false;
  let read: (() => void) | undefined;
  let release: (() => void) | undefined;
  const readDone = new Promise<void>((resolve) => (read = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const wrap = (store: ConfigStore): ConfigStore => ({
    get uri() {
      return store.uri;
    },
    get: (key) => store.get(key),
    commit: (writes) => store.commit(writes),
    close: () => store.close(),
    list: async (prefix) => {
      const keys = await store.list(prefix);
      if (armed && prefix === CONTROLLER_STATUS_PREFIX) {
        armed = false;
        read?.();
        await released;
      }
      return keys;
    },
  });
  return {
    wrap,
    arm: () => {
      armed = true;
    },
    /** Resolves once the held read has read the store. */
    readDone,
    release: () => release?.(),
  };
}

interface Setup {
  service: PublishingService;
  store: ConfigStore;
  events: string[];
  time: ReturnType<typeof clock>;
  gate: ReturnType<typeof gate>;
  close: () => Promise<void>;
}

/** A console with a dev rollout at 10 % whose next step is due in 30 minutes. */
async function setUp(storeUri?: string): Promise<Setup> {
  const { dir, cleanup } = tempDir('aideon-status-order-');
  const db: WritableDb = openDatabase({ file: join(dir, 'aideon.sqlite') });
  const time = clock();
  const events: string[] = [];
  const held = gate();
  const draft = unsavedDraft();
  const service = consolePublishing({
    db,
    dataDir: dir,
    now: time.now,
    draft,
    emit: (reason) => events.push(reason),
    openStore: (uri) => held.wrap(openConfigStore(uri)),
  });
  if (storeUri) await service.setStore(storeUri);
  await publishFirstVersion(service, draft, PASS);
  await startDevRollout(service, { bakeMinutes: 30 });
  const store = openConfigStore(service.storeUri());
  return {
    service,
    store,
    events,
    time,
    gate: held,
    close: async () => {
      await service.stop();
      await store.close();
      db.close();
      cleanup();
    },
  };
}

async function devRollout(service: PublishingService) {
  return (await service.overview()).environments.find((env) => env.environment === 'dev')
    ?.rollouts[0];
}

describe('controller status reads that overlap (directory store)', () => {
  let setup: Setup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it('an old "no controller" answer that arrives after the panel saw the leader is ignored', async () => {
    setup = await setUp();
    const { service, store, events, time } = setup;
    time.advance(31 * MINUTE); // the 50 % step is due

    // The scheduler's tick reads the store before the controller registers, and its answer
    // is slow to come back.
    setup.gate.arm();
    const tick = service.tick();
    await setup.gate.readDone;

    // Meanwhile the controller starts, and the panel's poll reads its heartbeat.
    await writeControllerStatus(store, controllerHeartbeat(time.now()));
    const panel = controllerPanelSchema.parse(await service.controllerPanel());
    expect(panel).toMatchObject({ active: true, consoleStoodDown: true, leader: 'ctl-1' });
    expect(events).toContain('controller active');

    // Now the tick's old answer arrives: it must not hand the work back or publish the step.
    setup.gate.release();
    expect(await tick).toEqual([]);
    expect(events).not.toContain('controller gone');
    expect(await devRollout(service)).toMatchObject({ stepIndex: 0, status: 'running' });
    // The console still stands down on the next read.
    expect(await service.controllerStatus()).toMatchObject({ active: true, problem: null });
  });

  it('an old "controller alive" answer that arrives after the panel saw it stop is ignored', async () => {
    setup = await setUp();
    const { service, store, events, time } = setup;
    await writeControllerStatus(store, controllerHeartbeat(time.now()));
    expect(await service.controllerStatus()).toMatchObject({ active: true });

    setup.gate.arm();
    const slow = service.controllerStatus();
    await setup.gate.readDone;
    // The controller's heartbeat goes stale; the panel sees it gone.
    time.advance(2 * MINUTE);
    expect(await service.controllerPanel()).toMatchObject({ active: false });
    expect(events.filter((e) => e === 'controller gone')).toHaveLength(1);
    setup.gate.release();
    // The slow read (taken when the record was fresh) neither flips the console back nor
    // reports an alive leader.
    expect(await slow).toMatchObject({ active: false });
    expect(events.filter((e) => e === 'controller active')).toHaveLength(1);
    time.advance(31 * MINUTE);
    expect(await service.tick()).toEqual([{ environment: 'dev', flagKey: FLAG, percent: 50 }]);
  });
});

describe('a config store that cannot be read is not "controller gone" (directory store)', () => {
  let setup: Setup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it('keeps standing down, shows the problem, and takes the work back only once the store answers', async () => {
    setup = await setUp();
    const { service, store, events, time } = setup;
    time.advance(31 * MINUTE);
    await writeControllerStatus(store, controllerHeartbeat(time.now()));
    expect(await service.tick()).toEqual([]);
    expect(events).toContain('controller active');

    // The records' folder becomes unreadable (a synced folder half-synced, a mount gone): here
    // a file stands where the folder was, so reading it fails with ENOTDIR.
    const root = service.storeUri().slice('dir:'.length);
    const folder = join(root, 'controller', 'status');
    rmSync(folder, { recursive: true });
    writeFileSync(folder, 'not a folder');

    expect(await service.tick()).toEqual([]);
    const panel = controllerPanelSchema.parse(await service.controllerPanel());
    expect(panel).toMatchObject({
      active: true,
      consoleStoodDown: true,
      leader: 'ctl-1',
      controllers: [{ id: 'ctl-1', role: 'leader' }],
    });
    expect(panel.problem).toMatch(/could not be read/);
    expect(panel.problem).toMatch(/keeps the controller state it last read \(a live leader/);
    expect(events).not.toContain('controller gone');
    expect(await devRollout(service)).toMatchObject({ stepIndex: 0, status: 'running' });

    // The store answers again and the controller's record is stale: now the work comes back.
    rmSync(folder);
    await writeControllerStatus(store, controllerHeartbeat(time.now() - 5 * MINUTE));
    expect(await service.tick()).toEqual([{ environment: 'dev', flagKey: FLAG, percent: 50 }]);
    expect(events).toContain('controller gone');
  });

  it('a store that cannot even be opened never makes the console take the work back', async () => {
    setup = await setUp();
    const { service, store, events, time } = setup;
    await writeControllerStatus(store, controllerHeartbeat(time.now()));
    expect(await service.controllerStatus()).toMatchObject({ active: true });
    // The root itself turns into a file.
    const root = service.storeUri().slice('dir:'.length);
    rmSync(root, { recursive: true });
    writeFileSync(root, 'gone');
    const status = await service.controllerStatus();
    expect(status).toMatchObject({ active: true });
    expect(status.problem).toMatch(/could not be read.*stays stood down/);
    expect(events).not.toContain('controller gone');
  });
});

describe('a config store that cannot be read is not "controller gone" (real etcd)', () => {
  let etcd: EtcdServer | undefined;
  let setup: Setup | undefined;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await setup?.close();
    await etcd?.stop();
  });

  it('etcd stops answering: the console stays stood down and says why', async () => {
    if (!etcd) throw new Error('etcd did not start');
    setup = await setUp(etcd.uri('status-order'));
    const { service, store, events, time } = setup;
    time.advance(31 * MINUTE);
    await writeControllerStatus(
      store,
      controllerHeartbeat(time.now(), { leaseKind: 'etcd-lease' }),
    );
    expect(await service.tick()).toEqual([]);

    await etcd.stop();
    etcd = undefined;
    expect(await service.tick()).toEqual([]);
    const status = await service.controllerStatus();
    expect(status).toMatchObject({ active: true, controllers: [{ id: 'ctl-1' }] });
    expect(status.problem).toMatch(/etcd could not be reached.*stays stood down/);
    expect(events).not.toContain('controller gone');
  });
});
