/**
 * A controller record in the store that is not valid JSON, or not a controller heartbeat, is
 * reported (key and what is wrong) instead of being skipped silently: a leader whose record is
 * damaged must not simply vanish from the console's view. Real directory store; the readable
 * record is written by the controller's own registry code.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  controllerOverview,
  writeControllerStatus,
} from '../../../src/main/rollout/controller/controller-registry';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { openDatabase } from '../../../src/main/store/db';
import {
  controllerOverviewSchema,
  controllerPanelSchema,
  controllerStatusKey,
} from '../../../src/shared/rollout/controller-status';
import { tempDir } from '../../helpers/temp-dir';
import { consolePublishing, unsavedDraft } from './console-publishing';
import { clock, controllerHeartbeat } from './fixtures';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('controller records that cannot be read', () => {
  it('are reported by key with what is wrong, beside the readable ones', async () => {
    const { dir, cleanup } = tempDir('aideon-ctl-unreadable-');
    const db = openDatabase({ file: join(dir, 'aideon.sqlite') });
    const time = clock();
    const service = consolePublishing({
      db,
      dataDir: dir,
      now: time.now,
      draft: unsavedDraft(),
    });
    const store = openConfigStore(service.storeUri());
    cleanups.push(async () => {
      await service.stop();
      await store.close();
      db.close();
      cleanup();
    });
    await writeControllerStatus(store, controllerHeartbeat(time.now()));
    // Cut off mid-write (a synced folder half-synced), and a record of another shape.
    const broken = controllerStatusKey('ctl-2');
    const other = controllerStatusKey('ctl-3');
    await store.commit([
      { key: broken, value: '{"schema":"aideon.controller-status/1","id":"ctl-2","ho' },
      { key: other, value: '{"schema":"aideon.controller-status/1","id":"ctl-3"}\n' },
    ]);

    const overview = controllerOverviewSchema.parse(await controllerOverview(store, time.now()));
    expect(overview.controllers.map((status) => status.id)).toEqual(['ctl-1']);
    expect(overview.active).toBe(true);
    expect(overview.problem).toBeNull();
    expect(overview.unreadable).toHaveLength(2);
    expect(overview.unreadable?.[0]).toMatch(
      new RegExp(`^controller record unreadable: ${broken}: not valid JSON \\(.+\\)$`),
    );
    expect(overview.unreadable?.[1]).toMatch(
      new RegExp(`^controller record unreadable: ${other}: not a controller record \\(host: .+\\)`),
    );

    // The console's panel carries them too.
    const panel = controllerPanelSchema.parse(await service.controllerPanel());
    expect(panel).toMatchObject({ leader: 'ctl-1', consoleStoodDown: true });
    expect(panel.unreadable).toEqual(overview.unreadable);
  });
});
