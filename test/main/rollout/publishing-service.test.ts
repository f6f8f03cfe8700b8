import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyFromStore } from '../../../src/consumer/verify-bundle';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { PublishingService } from '../../../src/main/rollout/publish/publishing-service';
import { WatchService } from '../../../src/main/watch/watch-service';
import { Agent } from 'undici';
import { tempDir } from '../../helpers/temp-dir';
import { clock, sampleConfig, T0 } from './fixtures';

const PASS = 'correct horse battery';
const MINUTE = 60_000;

/** A manual scheduler sleep: each call waits until the test releases it. */
function manualSleep() {
  const waiting: (() => void)[] = [];
  return {
    sleep: (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        waiting.push(resolve);
      }),
    async release(): Promise<void> {
      // Let the loop reach its sleep, then wake it.
      for (let i = 0; i < 50 && waiting.length === 0; i += 1)
        await new Promise((r) => setTimeout(r, 5));
      waiting.shift()?.();
    },
  };
}

describe('publishing service (directory store, real SQLite, passphrase keys)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: WritableDb;
  let time: ReturnType<typeof clock>;
  let draft: {
    config: unknown;
    revision: number;
    source: 'draft' | 'example';
    updatedAt: number | null;
  };
  let events: string[];
  let service: PublishingService;
  let scheduler: ReturnType<typeof manualSleep>;

  const make = (actor = 'alice') =>
    new PublishingService({
      db,
      dataDir: dir,
      now: time.now,
      sleep: scheduler.sleep,
      actor,
      validateConfig: (config) =>
        typeof config.tiers === 'object' ? [] : [{ path: 'tiers', message: 'required' }],
      draft: () => draft,
      emit: (reason) => events.push(reason),
    });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('aideon-publishing-'));
    db = openDatabase({ file: join(dir, 'aideon.sqlite') });
    time = clock();
    draft = { config: {}, revision: 0, source: 'example', updatedAt: null };
    events = [];
    scheduler = manualSleep();
    service = make();
  });
  afterEach(async () => {
    await service.stop();
    db.close();
    cleanup();
  });

  async function setUp(thresholds = { dev: 1, staging: 1, production: 1, trust: 1 }) {
    const generated = await service.generateKey('alice laptop', PASS);
    const kid = generated.unlocked[0] as string;
    await service.initTrust([kid], thresholds);
    draft = { config: sampleConfig(), revision: 1, source: 'draft', updatedAt: T0 };
    return kid;
  }

  it('first run: no trust file, keys need a passphrase, then "set up signing" creates trust in every environment', async () => {
    const first = await service.overview();
    expect(first).toMatchObject({
      trust: null,
      environments: [],
      keys: [],
      keyProtection: 'passphrase',
      storeIsDefault: true,
      storeUri: `dir:${join(dir, 'config-store')}`,
    });
    await expect(service.generateKey('alice')).rejects.toThrow(/passphrase.*at least 8/);
    await expect(service.unlockKeys({ passphrase: PASS })).rejects.toThrow(/Generate one first/);

    const { keys, unlocked } = await service.generateKey('alice laptop', PASS);
    expect(keys).toEqual([
      expect.objectContaining({ name: 'alice laptop', protection: 'passphrase', unlocked: true }),
    ]);
    const kid = unlocked[0] as string;
    await service.lockKeys();
    await expect(
      service.initTrust([kid], { dev: 1, staging: 1, production: 1, trust: 1 }),
    ).rejects.toThrow(/Unlock the keys first/);
    const wrong = await service.unlockKeys({ passphrase: 'not the passphrase' });
    expect(wrong).toMatchObject({
      unlocked: [],
      failed: [{ kid, message: 'the passphrase does not open it' }],
    });
    expect((await service.unlockKeys({ passphrase: PASS })).unlocked).toEqual([kid]);

    const overview = await service.initTrust([kid], {
      dev: 1,
      staging: 1,
      production: 1,
      trust: 1,
    });
    expect(overview.trust).toMatchObject({ version: 1, keys: [{ kid, name: 'alice laptop' }] });
    expect(overview.environments.map((env) => [env.environment, env.live, env.threshold])).toEqual([
      ['dev', null, 1],
      ['staging', null, 1],
      ['production', null, 1],
    ]);
    expect(overview.keys[0]).toMatchObject({ kid, trusted: true, unlocked: true });
    await expect(
      service.initTrust([kid], { dev: 1, staging: 1, production: 1, trust: 1 }),
    ).rejects.toThrow(/already has a trust file/);

    // The passphrase is nowhere on disk: not in SQLite, not in the key file, not in the store.
    const files = [
      join(dir, 'aideon.sqlite'),
      ...readdirSync(join(dir, 'keys')).map((f) => join(dir, 'keys', f)),
    ];
    for (const file of files) expect(readFileSync(file).includes(PASS)).toBe(false);
  });

  it('publish draft → dev, promote to staging and production with the diff first; a stale plan is refused', async () => {
    await setUp();
    await service.lockKeys();
    await expect(service.publishDraft({ draftRevision: 1, expectFromVersion: 0 })).rejects.toThrow(
      /Unlock keys/,
    );
    await service.unlockKeys({ passphrase: PASS });

    const plan = await service.plan({ action: 'publish-draft' });
    expect(plan).toMatchObject({ action: 'publish-draft', draftRevision: 1, problems: [] });
    expect(plan.changes[0]).toMatchObject({
      environment: 'dev',
      fromVersion: 0,
      toVersion: 1,
      skipped: null,
      threshold: 1,
      willSign: 1,
    });
    expect(plan.changes[0]?.diff.map((d) => d.path)).toEqual(['flags', 'schema', 'tiers']);

    await expect(service.publishDraft({ draftRevision: 1, expectFromVersion: 3 })).rejects.toThrow(
      /moved on to version 0/,
    );
    await expect(service.publishDraft({ draftRevision: 2, expectFromVersion: 0 })).rejects.toThrow(
      /saved again/,
    );
    const published = await service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
    expect(published.outcomes[0]).toMatchObject({
      environment: 'dev',
      status: 'published',
      version: 1,
    });
    expect(events).toContain('publish');

    await expect(service.plan({ action: 'promote', target: 'production' })).rejects.toThrow(
      /staging has nothing live/,
    );
    const promotion = await service.plan({ action: 'promote', target: 'staging' });
    expect(promotion.source).toEqual({ environment: 'dev', version: 1 });
    await service.promote({ target: 'staging', expectFromVersion: 0 });
    await service.promote({ target: 'production', expectFromVersion: 0 });

    const overview = await service.overview();
    const production = overview.environments.find((env) => env.environment === 'production');
    expect(production?.live).toMatchObject({ version: 1, expired: false });
    expect(production?.flags.map((flag) => flag.key)).toEqual([
      'new-video-model',
      'video-provider',
    ]);

    // A consumer verifies what the console published.
    const trustFile = join(dir, 'config-store', 'production', 'trust.json');
    const verified = await verifyFromStore(
      `dir:${join(dir, 'config-store')}`,
      'production',
      trustFile,
      join(dir, 'verify-state.json'),
      { now: T0 },
    );
    expect(verified).toMatchObject({ ok: true, version: 1 });
  });

  it('co-signing: production needs two keys; the second admin sees the pending bundle and signs it', async () => {
    const alice = (await service.generateKey('alice', PASS)).unlocked[0] as string;
    const bob = (await service.generateKey('bob', 'bob passphrase')).unlocked[0] as string;
    await service.initTrust([alice, bob], { dev: 1, staging: 1, production: 2, trust: 2 });
    draft = { config: sampleConfig(), revision: 1, source: 'draft', updatedAt: T0 };
    await service.lockKeys();
    await service.unlockKeys({ passphrase: PASS });
    await service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
    await service.promote({ target: 'staging', expectFromVersion: 0 });
    const plan = await service.plan({ action: 'promote', target: 'production' });
    expect(plan.changes[0]).toMatchObject({ threshold: 2, willSign: 1 });
    const pending = await service.promote({ target: 'production', expectFromVersion: 0 });
    expect(pending.outcomes[0]).toMatchObject({ status: 'pending', needed: 1 });

    let production = (await service.overview()).environments[2];
    expect(production?.pending).toEqual([
      expect.objectContaining({ version: 1, needed: 1, keyIds: [alice], canSign: false }),
    ]);
    // Bob's console (a second service on the same store).
    const bobConsole = make('bob');
    await bobConsole.unlockKeys({ passphrase: 'bob passphrase' });
    production = (await bobConsole.overview()).environments[2];
    expect(production?.pending[0]?.canSign).toBe(true);
    const signed = await bobConsole.cosign({
      environment: 'production',
      digest: production?.pending[0]?.digest as string,
    });
    expect(signed.outcomes[0]).toMatchObject({ status: 'published', version: 1 });
    expect(signed.outcomes[0]?.keyIds.sort()).toEqual([alice, bob].sort());
    expect((await service.overview()).environments[2]?.pending).toEqual([]);
    await bobConsole.stop();
  });

  it('rollout: steps advance on the scheduler after their bake time; pause holds; kill switch and rollback show what changes', async () => {
    await setUp();
    await service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
    const started = await service.startRollout({
      environment: 'dev',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 50, 100],
      bakeMinutes: 30,
    });
    expect(started.message).toMatch(/started at 10%/);
    service.start();
    await scheduler.release();
    let rollout = (await service.overview()).environments[0]?.rollouts[0];
    expect(rollout).toMatchObject({
      stepIndex: 0,
      status: 'running',
      nextStepAt: T0 + 30 * MINUTE,
    });

    time.advance(31 * MINUTE);
    await scheduler.release();
    await scheduler.release(); // the previous tick has finished once the loop sleeps again
    rollout = (await service.overview()).environments[0]?.rollouts[0];
    expect(rollout).toMatchObject({ stepIndex: 1, status: 'running' });
    expect(events).toContain('rollout step');

    await service.rolloutAction({
      environment: 'dev',
      flagKey: 'new-video-model',
      action: 'pause',
    });
    time.advance(60 * MINUTE);
    expect(await service.tick()).toEqual([]);
    await service.rolloutAction({
      environment: 'dev',
      flagKey: 'new-video-model',
      action: 'resume',
    });
    await expect(
      service.rolloutAction({ environment: 'dev', flagKey: 'new-video-model', action: 'advance' }),
    ).rejects.toThrow(/bakes until/);

    // A due step with no key unlocked is reported on the rollout, not lost.
    await service.lockKeys();
    time.advance(31 * MINUTE);
    expect(await service.tick()).toEqual([]);
    rollout = (await service.overview()).environments[0]?.rollouts[0];
    expect(rollout?.problem).toMatch(/None of your unlocked keys/);
    await service.unlockKeys({ passphrase: PASS });
    expect(await service.tick()).toEqual([
      { environment: 'dev', flagKey: 'new-video-model', percent: 100 },
    ]);
    rollout = (await service.overview()).environments[0]?.rollouts[0];
    expect(rollout).toMatchObject({ status: 'completed', problem: null });

    // Kill switch: the plan names the environments it touches.
    const kill = await service.plan({ action: 'kill-switch', flagKey: 'new-video-model' });
    expect(kill.changes.map((c) => [c.environment, c.skipped])).toEqual([
      ['production', 'nothing live'],
      ['staging', 'nothing live'],
      ['dev', null],
    ]);
    expect(kill.changes[2]?.diff.map((d) => d.path)).toEqual([
      'flags.new-video-model.defaultVariant',
    ]);
    await expect(service.plan({ action: 'kill-switch', flagKey: 'nope' })).rejects.toThrow(
      /No environment has a flag "nope"/,
    );
    const killed = await service.killSwitch({ flagKey: 'new-video-model' });
    expect(killed.message).toBe('"new-video-model" is off in dev.');

    // Rollback: plan, then the action; the restored content is published as a new version.
    const live = (await service.overview()).environments[0]?.live?.version as number;
    const back = await service.plan({ action: 'rollback', environment: 'dev' });
    expect(back.restoresVersion).toBe(live - 1);
    expect(back.changes[0]).toMatchObject({ fromVersion: live, toVersion: live + 1 });
    const rolled = await service.rollback({ environment: 'dev', expectFromVersion: live });
    expect(rolled.outcomes[0]).toMatchObject({ status: 'published', version: live + 1 });

    // History: who, what, version and key ids, hash-chained; exported as JSON.
    const history = service.history({});
    expect(history.map((row) => row.action)).toEqual([
      'rollback',
      'kill_switch',
      'rollout_step',
      'rollout_resume',
      'rollout_pause',
      'rollout_step',
      'rollout_step',
      'publish',
      'trust_init',
    ]);
    expect(history[4]?.detail.reason).toBe('paused by alice');
    expect(service.checkChain()).toMatchObject({ ok: true, entries: 9 });
    expect(history.every((row) => row.signature === 'admin')).toBe(true);
    const exported = await service.exportHistory();
    expect(exported.fileName).toBe('aideon-publish-history-2026-03-01.json');
    const json = JSON.parse(exported.content) as { chain: { ok: boolean }; entries: unknown[] };
    expect(json.chain.ok).toBe(true);
    expect(json.entries).toHaveLength(9);
    // The history lives in the store: an entry rewritten there is named by the next check.
    const entry3 = join(dir, 'config-store', 'history', 'entries', '0000000003');
    writeFileSync(
      entry3,
      readFileSync(entry3, 'utf8').replace(
        /"digest":"sha256:[0-9a-f]{64}"/,
        `"digest":"sha256:${'0'.repeat(64)}"`,
      ),
    );
    expect(await service.verifyHistory()).toMatchObject({ ok: false, brokenAtSeq: 3 });
  });

  it('the store setting persists in SQLite; a bad URI is refused and leaves it unchanged', async () => {
    const other = `dir:${join(dir, 'shared-store')}`;
    expect((await service.setStore(other)).storeUri).toBe(other);
    expect(make().storeUri()).toBe(other);
    await expect(service.setStore('dir:relative/path')).rejects.toThrow(/absolute folder/);
    expect(service.storeUri()).toBe(other);
    expect((await service.setStore(null)).storeIsDefault).toBe(true);
  });

  it('the watch pauses a baking step through the publisher when Prometheus cannot be read', async () => {
    await setUp();
    await service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
    // A closed port: the check is an error (never healthy), which pauses without rolling back.
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address() as { port: number };
        server.close(() => resolve(address.port));
      });
    });
    const dispatcher = new Agent({ connectTimeout: 2000 });
    const watch = new WatchService({
      db,
      dispatcher,
      now: time.now,
      sleep: async () => undefined,
      rollout: service.rolloutControl(),
    });
    watch.saveSettings({
      environments: {
        dev: { prometheusUrl: `http://127.0.0.1:${closedPort}`, autoRollback: true },
      },
      tiers: [{ tier: 'free', minSuccessRate: 0.9 }],
    });
    const baked: string[] = [];
    service.attachWatch({
      isWatched: (env) => watch.getSettings().environments[env] !== undefined,
      bake: async (env, signal) => {
        const result = await watch.bake(env, signal);
        baked.push(result.outcome);
        return result;
      },
    });
    expect(await service.rolloutControl().currentStep('dev', watch.getSettings())).toBeNull();
    await service.startRollout({
      environment: 'dev',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 100],
      bakeMinutes: 0,
    });
    for (let i = 0; i < 200 && baked.length === 0; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    expect(baked).toEqual(['paused']);
    const rollout = (await service.overview()).environments[0]?.rollouts[0];
    expect(rollout).toMatchObject({ status: 'paused', stepIndex: 0, watching: false });
    const pause = service.history({}).find((row) => row.action === 'rollout_pause');
    expect(String(pause?.detail.reason)).toMatch(/metrics could not be read/);
    // Paused: the scheduler holds it even though its bake time (0) is over.
    expect(await service.tick()).toEqual([]);

    // The watch's rollback goes through the signed rollback.
    await service.rolloutAction({
      environment: 'dev',
      flagKey: 'new-video-model',
      action: 'resume',
    });
    const step = await service.rolloutControl().currentStep('dev', watch.getSettings());
    expect(step).toMatchObject({ version: 2, flag: 'new-video-model', percent: 10 });
    await service.rolloutControl().rollback('dev', 'guard breached');
    const dev = (await service.overview()).environments[0];
    expect(dev?.live?.version).toBe(3);
    expect(dev?.rollouts[0]?.status).toBe('stopped');
    await dispatcher.close();
  });
});
