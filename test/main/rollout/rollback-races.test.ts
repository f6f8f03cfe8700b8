/**
 * Rollbacks that race: two admins (or two consoles' production watches) rolling back the same
 * bad version at once. Whoever moves second must not roll back the first one's rollback, which
 * would put the very content being rolled back live again. Real directory store, real Ed25519
 * keys, real SQLite for the consoles.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigStore, StoreWrite } from '../../../src/main/rollout/stores/config-store';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { tempDir } from '../../helpers/temp-dir';
import { consolePublishing, unsavedDraft } from './console-publishing';
import {
  clock,
  makePublisher,
  memorySigner,
  ROLLOUT_FLAG,
  sampleConfig,
  startDevRollout,
  T0,
} from './fixtures';

const MINUTE = 60_000;
const FLAG = ROLLOUT_FLAG;

describe('racing rollbacks (directory store)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('aideon-rollback-race-'));
  });
  afterEach(() => cleanup());

  it('two admins roll back the same bad version at once: the second does not republish it', async () => {
    const store = new DirectoryStore({ root: join(dir, 'store') });
    const alice = await memorySigner('alice');
    const admin = makePublisher(store, [alice]);
    await admin.initTrust([alice.info], { dev: 1, staging: 1, production: 1, trust: 1 });
    const good = sampleConfig('together:wan-2.1');
    const bad = sampleConfig('together:kling-2.1');
    await admin.publish('dev', good);
    await admin.publish('dev', bad);

    // Bob's first commit of his rollback lands just after Alice's whole rollback: his CAS on
    // `current` fails and he retries on top of her version.
    let raced = false;
    const bobStore: ConfigStore = {
      uri: store.uri,
      get: (key) => store.get(key),
      list: (prefix) => store.list(prefix),
      close: () => store.close(),
      commit: async (writes: readonly StoreWrite[]) => {
        if (!raced && writes.some((write) => write.key === 'dev/current')) {
          raced = true;
          expect(await admin.rollback('dev')).toMatchObject({ status: 'published', version: 3 });
        }
        return store.commit(writes);
      },
    };
    const bob = makePublisher(bobStore, [alice], { actor: 'bob' });
    const outcome = await bob.rollback('dev');
    expect(raced).toBe(true);

    // Both wanted version 2's content gone: it stays gone (Bob's rollback has nothing left to do).
    const live = await admin.live('dev');
    expect(live?.config).toEqual(good);
    expect(outcome).toMatchObject({ status: 'unchanged', version: 3 });
  });

  it("two consoles' watches both roll back a breaching step: the step's content stays off", async () => {
    const time = clock(T0);
    const dbs: WritableDb[] = [];
    const draft = unsavedDraft();
    // Both consoles share the data folder (keys and default store) but have their own database.
    const make = (name: string) => {
      const db = openDatabase({ file: join(dir, `${name}.sqlite`) });
      dbs.push(db);
      return consolePublishing({ db, dataDir: dir, now: time.now, actor: name, draft });
    };
    const first = make('alice');
    const second = make('bob');
    const store = openConfigStore(first.storeUri());
    try {
      const pass = 'racing rollbacks passphrase';
      const kid = (await first.generateKey('shared key', pass)).unlocked[0] as string;
      await first.initTrust([kid], { dev: 1, staging: 1, production: 1, trust: 1 });
      await second.unlockKeys({ passphrase: pass });
      draft.current = { config: sampleConfig(), revision: 1, source: 'draft', updatedAt: T0 };
      await first.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
      await startDevRollout(first, { bakeMinutes: 30 });
      time.advance(31 * MINUTE);
      expect(await first.tick()).toEqual([{ environment: 'dev', flagKey: FLAG, percent: 50 }]);

      // Both watches judged version 3 (50 %) and found a breach; each pauses, then rolls back.
      const reason = 'Watch paused config version 3 in dev: a guard breached.';
      expect(await first.rolloutControl().pause('dev', reason)).toBe(true);
      await first.rolloutControl().rollback('dev', reason);
      expect(await second.rolloutControl().pause('dev', reason)).toBe(false);
      // The second one may refuse (nothing of the rollout is live any more), never republish.
      await second
        .rolloutControl()
        .rollback('dev', reason)
        .catch(() => undefined);

      const reader = makePublisher(store, []);
      const live = await reader.live('dev');
      expect(live?.config).toEqual(await reader.versionConfig('dev', 1));
      expect(live?.version).toBe(4);
    } finally {
      await first.stop();
      await second.stop();
      await store.close();
      for (const db of dbs) db.close();
    }
  });
});
