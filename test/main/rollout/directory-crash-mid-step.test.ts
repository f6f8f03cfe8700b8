/**
 * A publisher that dies in the middle of a directory commit used to leave consumers of
 * flags.json on content no signed bundle names, and a rollout state one step ahead of what is
 * live ("someone changed it" afterwards): the store wrote the version file, flags.json, the
 * rollout state and `current` one after another. Now a commit is journalled: whatever point
 * the publisher dies at, readers see the store before or after the whole step, and the next
 * writer finishes it. Real directory store and keys; the crash is a child process committing
 * the step's writes and killed with SIGKILL at each point of the commit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flagsFileText, storeKeys } from '../../../src/consumer/bundle-format';
import { verifyFromStore } from '../../../src/consumer/verify-bundle';
import { openStoreReader } from '../../../src/consumer/store-reader';
import type { ConfigStore, StoreWrite } from '../../../src/main/rollout/stores/config-store';
import { DirectoryStore, type CommitPoint } from '../../../src/main/rollout/stores/directory-store';
import { commitKilledAt } from '../../helpers/directory-crash';
import { tempDir } from '../../helpers/temp-dir';
import { clock, makePublisher, memorySigner, sampleConfig, T0 } from './fixtures';

const MINUTE = 60_000;
const FLAG = 'new-video-model';

/** The percentage of `on` in the flag's fractional targeting, as flags.json serves it. */
function onPercent(flagsText: string): number {
  const flags = JSON.parse(flagsText) as {
    flags: Record<string, { targeting?: unknown; defaultVariant?: string }>;
  };
  const flag = flags.flags[FLAG];
  const fractional = JSON.stringify(flag?.targeting ?? null).match(/\["on",(\d+)\]/);
  if (fractional) return Number(fractional[1]);
  return flag?.defaultVariant === 'on' ? 100 : 0;
}

describe('a rollout step whose directory commit died half-way', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('aideon-crash-step-')));
  afterEach(() => cleanup());

  const points: [CommitPoint, boolean][] = [
    ['journal-written', false],
    ['journal-committed', true],
    ['applied:dev/flags.json', true],
    ['applied:dev/current', true],
    ['all-applied', true],
  ];

  it.each(points)(
    'killed at %s: readers and the next writer agree with the signed live bundle (step taken: %s)',
    async (point, committed) => {
      const root = join(dir, 'store');
      const store = new DirectoryStore({ root });
      const time = clock(T0);
      const alice = await memorySigner('alice');
      const admin = makePublisher(store, [alice], { now: time.now });
      await admin.initTrust([alice.info], { dev: 1, staging: 1, production: 1, trust: 1 });
      await admin.publish('dev', sampleConfig());
      await admin.startRollout({
        environment: 'dev',
        flagKey: FLAG,
        onVariant: 'on',
        offVariant: 'off',
        steps: [10, 50, 100],
        bakeMinutes: 30,
      });
      const before = await admin.live('dev');
      time.advance(31 * MINUTE);

      // The step's commit, exactly as the publisher makes it, run in a process killed mid-way.
      let stepWrites: readonly StoreWrite[] = [];
      const recording: ConfigStore = {
        uri: store.uri,
        get: (key) => store.get(key),
        list: (prefix) => store.list(prefix),
        close: () => store.close(),
        commit: async (writes: readonly StoreWrite[]) => {
          if (!writes.some((write) => write.key === 'dev/current')) return store.commit(writes);
          stepWrites = writes;
          throw new Error('recorded');
        },
      };
      await expect(
        makePublisher(recording, [alice], { now: time.now }).advanceRollout('dev', FLAG),
      ).rejects.toThrow('recorded');
      expect(stepWrites.map((write) => write.key)).toContain('dev/flags.json');
      await commitKilledAt(root, stepWrites, point);

      // Right after the crash, before any writer: every reader sees one consistent store. A
      // consumer verifies the signed live bundle and flags.json against it (flags_mismatch
      // before the journal).
      const reader = openStoreReader(store.uri);
      const live = await admin.live('dev');
      expect(live?.version).toBe((before?.version ?? 0) + (committed ? 1 : 0));
      const trustFile = join(dir, 'trust.json');
      writeFileSync(trustFile, (await store.get(storeKeys.trust('dev')))?.value ?? '');
      const consumer = await verifyFromStore(store.uri, 'dev', trustFile, join(dir, 'seen.json'), {
        now: time.now(),
        readOnly: true,
      });
      expect(consumer).toMatchObject({ ok: true, version: live?.version });
      expect(onPercent((await reader.read('dev/flags.json')) ?? '')).toBe(committed ? 50 : 10);
      expect((await admin.rolloutState('dev', FLAG))?.lastStepVersion).toBe(live?.version);

      // The next tick of a console or controller (another process) after the crash.
      time.advance(31 * MINUTE);
      await makePublisher(store, [alice], { now: time.now }).advanceRollout('dev', FLAG);
      const after = await admin.live('dev');
      const state = await admin.rolloutState('dev', FLAG);
      const flagsFile = readFileSync(join(root, 'dev', 'flags.json'), 'utf8');
      expect(flagsFile).toBe(flagsFileText(after?.config ?? {}));
      expect(onPercent(flagsFile)).toBe(committed ? 100 : 50);
      expect(state?.lastStepVersion).toBe(after?.version);
      expect(after?.version).toBe((live?.version ?? 0) + 1);
    },
  );
});
