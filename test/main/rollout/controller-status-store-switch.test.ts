/**
 * After the admin switches the config store, a read of the new store that fails must not show
 * (or act on) the previous store's controller: the state of the new store is unknown until it
 * is read. While unknown the console neither claims a leader nor advances steps itself; once the
 * new store answers its own state stands.
 *
 * Real SQLite and two real directory stores; heartbeat records written by the controller's own
 * registry code.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeControllerStatus } from '../../../src/main/rollout/controller/controller-registry';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { openDatabase } from '../../../src/main/store/db';
import {
  controllerOverviewSchema,
  controllerPanelSchema,
} from '../../../src/shared/rollout/controller-status';
import { tempDir } from '../../helpers/temp-dir';
import { consolePublishing, unsavedDraft } from './console-publishing';
import { clock, controllerHeartbeat } from './fixtures';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setUp() {
  const { dir, cleanup } = tempDir('aideon-status-switch-');
  const db = openDatabase({ file: join(dir, 'aideon.sqlite') });
  const time = clock();
  const events: string[] = [];
  const service = consolePublishing({
    db,
    dataDir: dir,
    now: time.now,
    draft: unsavedDraft(),
    emit: (reason) => events.push(reason),
  });
  cleanups.push(async () => {
    await service.stop();
    db.close();
    cleanup();
  });
  return { dir, service, events, time };
}

describe('controller status after the config store is switched (directory stores)', () => {
  it("a failed read of the new store shows its state as unknown, not the previous store's leader", async () => {
    const { dir, service, events, time } = setUp();
    // Store A (the default folder) has a live leader: the console stands down.
    const first = openConfigStore(service.storeUri());
    cleanups.push(() => first.close());
    await writeControllerStatus(first, controllerHeartbeat(time.now()));
    expect(await service.controllerStatus()).toMatchObject({ active: true, problem: null });
    expect(events).toContain('controller active');

    // The admin switches to store B, whose controller records cannot be read (a file stands
    // where their folder should be: ENOTDIR).
    const other = join(dir, 'other-store');
    await service.setStore(`dir:${other}`);
    mkdirSync(join(other, 'controller'), { recursive: true });
    writeFileSync(join(other, 'controller', 'status'), 'not a folder');

    const status = controllerOverviewSchema.parse(await service.controllerStatus());
    expect(status).toMatchObject({
      storeUri: `dir:${other}`,
      active: false,
      stateUnknown: true,
      controllers: [],
    });
    expect(status.problem).toMatch(/could not be read/);
    expect(status.problem).toMatch(/controller state of this store is unknown/);
    expect(status.problem).toContain(`switched from ${first.uri}`);
    expect(status.problem).not.toMatch(/last read/);
    const panel = controllerPanelSchema.parse(await service.controllerPanel());
    expect(panel).toMatchObject({ leader: null, consoleStoodDown: true, stateUnknown: true });
    // While unknown it does not advance steps itself.
    expect(await service.tick()).toEqual([]);
    expect(events).toContain('controller unknown');

    // Store B answers: no controller there, so the console runs its own loop for it.
    rmSync(join(other, 'controller', 'status'));
    const read = await service.controllerStatus();
    expect(read).toMatchObject({ active: false, problem: null, controllers: [] });
    expect(read.stateUnknown ?? false).toBe(false);
    expect(events).toContain('controller gone');
  });

  it('switching back to a store read before still needs a fresh read', async () => {
    const { dir, service, time } = setUp();
    const first = openConfigStore(service.storeUri());
    cleanups.push(() => first.close());
    await writeControllerStatus(first, controllerHeartbeat(time.now()));
    expect(await service.controllerStatus()).toMatchObject({ active: true });
    const firstUri = service.storeUri();
    const other = join(dir, 'other-store');
    await service.setStore(`dir:${other}`);
    expect(await service.controllerStatus()).toMatchObject({ active: false, problem: null });
    // Back to A, which now cannot be read: what B showed is not A's state, nor is A's old one.
    await service.setStore(firstUri);
    const root = firstUri.slice('dir:'.length);
    rmSync(join(root, 'controller'), { recursive: true });
    writeFileSync(join(root, 'controller'), 'not a folder');
    const status = await service.controllerStatus();
    expect(status).toMatchObject({ active: false, stateUnknown: true, controllers: [] });
    expect(status.problem).toContain(`switched from dir:${other}`);
  });

  it('a console whose first read of its store fails stands down until a read succeeds', async () => {
    const { service, events } = setUp();
    // The store cannot be read from the start: nothing is known about its controller, so the
    // console must not run a rollout loop of its own beside a leader it cannot see.
    const root = service.storeUri().slice('dir:'.length);
    mkdirSync(join(root, 'controller'), { recursive: true });
    writeFileSync(join(root, 'controller', 'status'), 'not a folder');

    const status = controllerOverviewSchema.parse(await service.controllerStatus());
    expect(status).toMatchObject({ active: false, stateUnknown: true, controllers: [] });
    expect(status.problem).toMatch(/not read it since it started/);
    expect(status.problem).not.toMatch(/own rollout loop|switched/);
    const panel = controllerPanelSchema.parse(await service.controllerPanel());
    expect(panel).toMatchObject({ leader: null, consoleStoodDown: true, stateUnknown: true });
    expect(await service.tick()).toEqual([]);
    expect(events).toContain('controller unknown');

    // The store answers with no controller: the console takes the work (its own loop).
    rmSync(join(root, 'controller', 'status'));
    const read = await service.controllerStatus();
    expect(read).toMatchObject({ active: false, problem: null });
    expect(read.stateUnknown ?? false).toBe(false);
    expect(events).toContain('controller gone');
  });
});
