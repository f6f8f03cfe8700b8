import { join } from 'node:path';
import { FlagdCore } from '@openfeature/flagd-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeKeys, verifyBundle } from '../../../src/consumer/verify-bundle';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import type { HistoryInput } from '../../../src/main/rollout/publish/history';
import type { Publisher } from '../../../src/main/rollout/publish/publisher';
import { getFlag } from '../../../src/shared/rollout/flag-rollout';
import { tempDir } from '../../helpers/temp-dir';
import { clock, makePublisher, memorySigner, sampleConfig, T0 } from './fixtures';

const HOUR = 3_600_000;
const THRESHOLDS = { dev: 1, staging: 1, production: 2, trust: 2 };

describe('publisher', () => {
  let dir: string;
  let cleanup: () => void;
  let store: DirectoryStore;
  let alice: Awaited<ReturnType<typeof memorySigner>>;
  let bob: Awaited<ReturnType<typeof memorySigner>>;
  let history: HistoryInput[];
  let time: ReturnType<typeof clock>;
  let both: Publisher;
  let aliceOnly: Publisher;
  let bobOnly: Publisher;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('aideon-publisher-'));
    store = new DirectoryStore({ root: join(dir, 'store') });
    alice = await memorySigner('alice');
    bob = await memorySigner('bob');
    history = [];
    time = clock();
    both = makePublisher(store, [alice, bob], { now: time.now, history });
    aliceOnly = makePublisher(store, [alice], { now: time.now, history });
    bobOnly = makePublisher(store, [bob], { now: time.now, history, actor: 'bob' });
    await both.initTrust([alice.info, bob.info], THRESHOLDS);
  });
  afterEach(() => cleanup());

  it('publishes to dev, shows what will change, promotes to staging; production only through staging', async () => {
    const config = sampleConfig('together:wan-2.1');
    const plan = await aliceOnly.plan('dev', config);
    expect(plan).toMatchObject({ fromVersion: 0, toVersion: 1, problems: [] });
    expect(plan.diff.map((entry) => entry.path)).toEqual(['flags', 'schema', 'tiers']);
    expect(await aliceOnly.publish('dev', config)).toMatchObject({
      status: 'published',
      version: 1,
      keyIds: [alice.kid],
    });
    expect(await aliceOnly.publish('dev', config)).toMatchObject({
      status: 'unchanged',
      version: 1,
    });

    const changed = sampleConfig('runway:gen-4');
    const next = await aliceOnly.plan('dev', changed);
    expect(next.summary).toBe('1 changed: tiers.free.chain');
    await aliceOnly.publish('dev', changed);

    await expect(both.publish('production', changed)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(both.promote('production')).rejects.toMatchObject({ code: 'not_found' });
    const staged = await aliceOnly.promote('staging');
    expect(staged).toMatchObject({ status: 'published', environment: 'staging', version: 1 });
    // Exactly the content live in dev.
    expect((await aliceOnly.live('staging'))?.config).toEqual(
      (await aliceOnly.live('dev'))?.config,
    );
    // Something else than staging's content is still refused in production.
    await expect(both.publish('production', config)).rejects.toThrow(/live in staging/);
    expect(await both.promote('production')).toMatchObject({
      status: 'published',
      version: 1,
      keyIds: [alice.kid, bob.kid],
    });
    expect(history.map((entry) => entry.action)).toEqual([
      'trust_init',
      'publish',
      'publish',
      'promote',
      'promote',
    ]);
  });

  it('refuses a config the injected validator rejects, naming the field', async () => {
    await expect(aliceOnly.publish('dev', { flags: {} })).rejects.toThrow(/tiers: required/);
  });

  it('co-signing: production waits in pending until a second admin signs, then becomes current', async () => {
    await aliceOnly.publish('dev', sampleConfig());
    await aliceOnly.promote('staging');
    const pending = await aliceOnly.promote('production');
    expect(pending).toMatchObject({ status: 'pending', needed: 1, keyIds: [alice.kid] });
    expect(await store.get(storeKeys.current('production'))).toBeUndefined();
    const listed = await bobOnly.listPending('production');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ needed: 1, applicable: true, keyIds: [alice.kid] });
    expect(listed[0]!.summary).toMatch(/added/);
    // The same admin cannot sign twice.
    await expect(aliceOnly.cosign('production', pending.digest)).rejects.toThrow(/already signed/);
    const done = await bobOnly.cosign('production', pending.digest);
    expect(done).toMatchObject({ status: 'published', version: 1 });
    expect((done as { keyIds: string[] }).keyIds.sort()).toEqual([alice.kid, bob.kid].sort());
    expect(await bobOnly.listPending('production')).toEqual([]);
    const live = await bobOnly.live('production');
    expect(live?.keyIds.sort()).toEqual([alice.kid, bob.kid].sort());
    expect(history.filter((entry) => entry.action === 'cosign')).toHaveLength(1);
  });

  it('rollback republishes the previous good content under a new, higher version', async () => {
    await aliceOnly.publish('dev', sampleConfig('a:good'));
    await aliceOnly.publish('dev', sampleConfig('b:bad'));
    const plan = await aliceOnly.planRollback('dev');
    expect(plan).toMatchObject({ restoresVersion: 1, fromVersion: 2, toVersion: 3 });
    expect(plan.diff).toEqual([
      {
        path: 'tiers.free.chain',
        kind: 'changed',
        before: ['b:bad', 'sandbox:sandbox-fast'],
        after: ['a:good', 'sandbox:sandbox-fast'],
      },
    ]);
    const outcome = await aliceOnly.rollback('dev');
    expect(outcome).toMatchObject({ status: 'published', version: 3 });
    const live = await aliceOnly.live('dev');
    expect(live?.config).toEqual(sampleConfig('a:good'));
    expect(history.at(-1)).toMatchObject({
      action: 'rollback',
      version: 3,
      detail: { restoresVersion: 1 },
    });
    await expect(aliceOnly.rollback('dev', 3)).rejects.toMatchObject({ code: 'validation' });
  });

  it('gradual rollout: each step a new signed version after its bake time; pause and resume', async () => {
    await aliceOnly.publish('dev', sampleConfig());
    const { state, outcome } = await aliceOnly.startRollout({
      environment: 'dev',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      steps: [1, 5, 25, 50, 100],
      bakeMinutes: 60,
    });
    expect(state).toMatchObject({ stepIndex: 0, status: 'running' });
    expect(outcome).toMatchObject({ status: 'published', version: 2 });
    const flag = async () => getFlag((await aliceOnly.live('dev'))!.config, 'new-video-model');
    expect((await flag()).targeting).toEqual({
      fractional: [
        ['on', 1],
        ['off', 99],
      ],
    });

    // Too early: the step has not baked.
    await expect(aliceOnly.advanceRollout('dev', 'new-video-model')).rejects.toMatchObject({
      code: 'conflict',
      retryAfterMs: HOUR,
    });
    time.advance(HOUR);
    await aliceOnly.advanceRollout('dev', 'new-video-model');
    expect((await flag()).targeting).toEqual({
      fractional: [
        ['on', 5],
        ['off', 95],
      ],
    });

    await aliceOnly.pauseRollout('dev', 'new-video-model');
    time.advance(5 * HOUR);
    expect(await aliceOnly.tickRollouts()).toEqual([]);
    await expect(aliceOnly.advanceRollout('dev', 'new-video-model')).rejects.toThrow(
      /paused; resume/,
    );
    await aliceOnly.resumeRollout('dev', 'new-video-model');
    // Bake restarts at resume.
    expect(await aliceOnly.tickRollouts()).toEqual([]);
    time.advance(HOUR);
    expect(await aliceOnly.tickRollouts()).toEqual([
      { environment: 'dev', flagKey: 'new-video-model', percent: 25 },
    ]);
    time.advance(HOUR);
    await aliceOnly.tickRollouts();
    time.advance(HOUR);
    await aliceOnly.tickRollouts();
    const final = await flag();
    expect(final.defaultVariant).toBe('on');
    expect(final.targeting).toBeUndefined();
    expect((await aliceOnly.rolloutState('dev', 'new-video-model'))?.status).toBe('completed');
    expect((await aliceOnly.live('dev'))?.version).toBe(6);
    expect(
      history
        .filter((entry) => entry.action === 'rollout_step')
        .map((entry) => entry.detail.percent),
    ).toEqual([1, 5, 25, 50, 100]);
  });

  it('a rollout step refuses when the flag was changed by hand since the last step', async () => {
    await aliceOnly.publish('dev', sampleConfig());
    await aliceOnly.startRollout({
      environment: 'dev',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      bakeMinutes: 0,
    });
    const config = (await aliceOnly.live('dev'))!.config;
    const edited = JSON.parse(JSON.stringify(config)) as {
      flags: Record<string, { targeting?: unknown }>;
    };
    edited.flags['new-video-model']!.targeting = {
      fractional: [
        ['on', 40],
        ['off', 60],
      ],
    };
    await aliceOnly.publish('dev', edited);
    await expect(aliceOnly.advanceRollout('dev', 'new-video-model')).rejects.toThrow(
      /someone changed it/,
    );
  });

  it('kill switch turns a flag off in every environment in one action and stops its rollouts', async () => {
    await aliceOnly.publish('dev', sampleConfig());
    await aliceOnly.promote('staging');
    await both.promote('production');
    await both.startRollout({
      environment: 'production',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      bakeMinutes: 30,
    });
    const results = await both.killSwitch('new-video-model');
    expect(results.map((result) => [result.environment, result.outcome?.status])).toEqual([
      ['production', 'published'],
      ['staging', 'unchanged'],
      ['dev', 'unchanged'],
    ]);
    // staging/dev already had it off (defaultVariant off, no targeting); production had the 1% split.
    for (const environment of ['dev', 'staging', 'production'] as const) {
      const flag = getFlag((await both.live(environment))!.config, 'new-video-model');
      expect(flag).toMatchObject({ state: 'ENABLED', defaultVariant: 'off' });
      expect(flag.targeting).toBeUndefined();
    }
    expect((await both.rolloutState('production', 'new-video-model'))?.status).toBe('stopped');
    // A flag on everywhere is turned off everywhere.
    const on = sampleConfig();
    (on.flags as Record<string, { defaultVariant: string }>)['new-video-model']!.defaultVariant =
      'on';
    await aliceOnly.publish('dev', on);
    await aliceOnly.promote('staging');
    await both.promote('production');
    const again = await both.killSwitch('new-video-model');
    expect(again.every((result) => result.outcome?.status === 'published')).toBe(true);
  });

  it('key rotation is signed under the old keys; a removed key can no longer publish', async () => {
    const carol = await memorySigner('carol');
    // Alice alone cannot meet the old trust threshold (2).
    await expect(
      makePublisher(store, [alice, carol], { now: time.now }).rotateTrust(
        [alice.info, carol.info],
        THRESHOLDS,
      ),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    const rotated = await makePublisher(store, [alice, bob, carol], {
      now: time.now,
      history,
    }).rotateTrust([alice.info, carol.info], THRESHOLDS);
    expect(rotated.version).toBe(2);
    expect((await bobOnly.readTrust('production')).trust.keys[bob.kid]).toBeUndefined();
    await expect(bobOnly.publish('dev', sampleConfig())).rejects.toThrow(
      /not.*in the trust file|is in the trust file/,
    );
    expect(
      await makePublisher(store, [carol], { now: time.now }).publish('dev', sampleConfig()),
    ).toMatchObject({
      status: 'published',
      keyIds: [carol.kid],
    });
    expect(history.at(-1)?.action).toBe('trust_rotate');
  });

  it('the published flags.json evaluates in flagd-core exactly like the bundle the console previews', async () => {
    await aliceOnly.publish('dev', sampleConfig());
    await aliceOnly.startRollout({
      environment: 'dev',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      steps: [25, 100],
      bakeMinutes: 0,
    });
    const fromFile = new FlagdCore();
    fromFile.setConfigurations((await store.get(storeKeys.flags('dev')))!.value);
    const trust = (await aliceOnly.readTrust('dev')).trust;
    const bundle = await verifyBundle(
      JSON.parse((await store.get(storeKeys.version('dev', 2)))!.value),
      {
        trust,
        environment: 'dev',
        now: T0,
      },
    );
    if (!bundle.ok) throw new Error(bundle.message);
    const preview = new FlagdCore();
    preview.setConfigurations(JSON.stringify({ flags: bundle.config.flags }));
    let on = 0;
    const keys = Array.from({ length: 400 }, (_, index) => `user-${index}`);
    for (const targetingKey of keys) {
      const a = fromFile.resolveBooleanEvaluation('new-video-model', false, { targetingKey });
      const b = preview.resolveBooleanEvaluation('new-video-model', false, { targetingKey });
      expect(a.value).toBe(b.value);
      expect(a.variant).toBe(b.variant);
      expect(a.reason).toBe('TARGETING_MATCH');
      if (a.value) on += 1;
      expect(fromFile.resolveStringEvaluation('video-provider', 'x', { targetingKey }).value).toBe(
        'together',
      );
    }
    // 25% split over 400 keys.
    expect(on).toBeGreaterThan(60);
    expect(on).toBeLessThan(140);
  });
});
