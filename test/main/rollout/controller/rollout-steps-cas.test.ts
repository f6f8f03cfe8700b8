/**
 * Rollout steps are applied once, whoever races for them: the new version and the rollout
 * state are one compare-and-swap commit. Two controllers holding only the operator key (later
 * steps are pre-authorised by the fully signed first step) race for the same due step.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeKeys, verifyBundle } from '../../../../src/consumer/verify-bundle';
import type { HistoryInput } from '../../../../src/main/rollout/publish/history';
import { DirectoryStore } from '../../../../src/main/rollout/stores/directory-store';
import { LockFileLease } from '../../../../src/main/rollout/controller/leader-lease';
import {
  RolloutController,
  type ControllerEvent,
} from '../../../../src/main/rollout/controller/rollout-controller';
import { defaultWatchSettings } from '../../../../src/shared/watch/watch-settings';
import { tempDir } from '../../../helpers/temp-dir';
import { clock, makePublisher, memorySigner, sampleConfig } from '../fixtures';

const MINUTE = 60_000;

describe('rollout steps: CAS on the rollout state', () => {
  let cleanup: () => void;
  let root: string;
  let store: DirectoryStore;
  let time: ReturnType<typeof clock>;
  let history: HistoryInput[];
  let alice: Awaited<ReturnType<typeof memorySigner>>;
  let operator: Awaited<ReturnType<typeof memorySigner>>;

  beforeEach(async () => {
    const made = tempDir('aideon-steps-cas-');
    cleanup = made.cleanup;
    root = join(made.dir, 'store');
    store = new DirectoryStore({ root });
    time = clock();
    history = [];
    alice = await memorySigner('alice');
    operator = await memorySigner('controller');
    const admin = makePublisher(store, [alice], { now: time.now, history });
    await admin.initTrust(
      [alice.info],
      { dev: 1, staging: 1, production: 1, trust: 1 },
      { keys: [operator.info], threshold: 1 },
    );
    await admin.publish('dev', sampleConfig());
    await admin.startRollout({
      environment: 'dev',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 50, 100],
      bakeMinutes: 10,
    });
  });
  afterEach(() => cleanup());

  it('two operator-only controllers race for the same due step: it is published once, the loser gets a conflict', async () => {
    time.advance(11 * MINUTE);
    const first = makePublisher(store, [operator], {
      now: time.now,
      history,
      actor: 'controller:a',
    });
    const second = makePublisher(store, [operator], {
      now: time.now,
      history,
      actor: 'controller:b',
    });
    const results = await Promise.allSettled([
      first.advanceRollout('dev', 'new-video-model'),
      second.advanceRollout('dev', 'new-video-model'),
    ]);
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(String((lost[0] as PromiseRejectedResult).reason)).toMatch(
      /nothing was published twice/,
    );
    const live = await first.live('dev');
    expect(live?.version).toBe(3);
    expect((await first.listRollouts('dev'))[0]).toMatchObject({
      stepIndex: 1,
      lastStepVersion: 3,
    });
    expect(
      history.filter((entry) => entry.action === 'rollout_step').map((e) => e.version),
    ).toEqual([2, 3]);
    // A consumer accepts the operator-signed, pre-authorised step.
    const trust = (await first.readTrust('dev')).trust;
    const entry = await store.get(storeKeys.version('dev', 3));
    const verified = await verifyBundle(JSON.parse(entry?.value ?? '{}'), {
      trust,
      environment: 'dev',
      now: time.now(),
    });
    expect(verified).toMatchObject({ ok: true, version: 3, keyIds: [operator.kid] });
  });

  it('the operator cannot take a step once the content changed by hand in between', async () => {
    const admin = makePublisher(store, [alice], { now: time.now, history });
    await admin.publish('dev', { ...(await admin.live('dev'))?.config, note: 'hand edit' });
    time.advance(11 * MINUTE);
    const controller = makePublisher(store, [operator], { now: time.now });
    await expect(controller.advanceRollout('dev', 'new-video-model')).rejects.toThrow();
    expect((await controller.live('dev'))?.version).toBe(3);
  });

  it('a rollout whose first step is not out yet (an admin starting it right now) is left to the admin', async () => {
    // An admin's `rollout start` saves the rollout, then signs and publishes its first step with
    // her keys; a controller ticking in between must not take that step (new content).
    const admin = makePublisher(store, [alice], { now: time.now, history });
    const starting = {
      schema: 'aideon.rollout/1',
      environment: 'dev',
      flagKey: 'video-provider',
      onVariant: 'runway',
      offVariant: 'together',
      steps: [10, 100],
      bakeMs: MINUTE,
      stepIndex: -1,
      status: 'running',
      lastStepAt: null,
      fromVersion: 2,
      startedBy: 'alice',
      updatedAt: time.now(),
    };
    await store.commit([
      {
        key: storeKeys.rollout('dev', 'video-provider'),
        value: `${JSON.stringify(starting)}\n`,
        expect: null,
      },
    ]);
    const events: ControllerEvent[] = [];
    const controller = new RolloutController({
      id: 'ctl',
      host: 'test',
      actor: 'controller:ctl',
      store,
      lease: new LockFileLease({ root, id: 'ctl', host: 'test', ttlMs: 30_000, now: time.now }),
      signers: [operator],
      now: time.now,
      sleep: async () => undefined,
      tickMs: 1000,
      settings: defaultWatchSettings,
      metricsSource: () => ({ kind: 'not_configured', message: 'none' }),
      record: (entry) => {
        history.push(entry);
      },
      onEvent: (event) => {
        events.push(event);
      },
    });
    await controller.tick();
    await controller.tick();
    expect(events.map((event) => `${event.type}: ${event.message}`)).toEqual([
      expect.stringMatching(/^leader_acquired: /),
    ]);
    expect(controller.status().activity).toMatch(
      /dev video-provider: waiting for its first step, which the admins' keys sign/,
    );
    expect((await admin.live('dev'))?.version).toBe(2);
    // The admin's start goes on and publishes the first step itself.
    const { outcome } = await admin.advanceRollout('dev', 'video-provider');
    expect(outcome).toMatchObject({ status: 'published', version: 3 });
  });
});
