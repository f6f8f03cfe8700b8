/**
 * The controller's automatic rollback must get done even when the first attempt does not: the
 * store fails the rollback's commit once (an etcd blip), or the leader dies between the pause
 * and the rollback and the next leader takes over. Before, the failed check paused the rollout
 * first, and a paused rollout is no longer watched, so nobody ever rolled the breaching step
 * back. Real Prometheus (empty: every guard has no data, which rolls back where auto-rollback
 * is on), a real directory store, real Ed25519 keys, the real lock-file lease.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseForStore } from '../../../../src/main/rollout/controller/leader-lease';
import {
  RolloutController,
  type ControllerEvent,
} from '../../../../src/main/rollout/controller/rollout-controller';
import type { Signer } from '../../../../src/main/rollout/publish/keys';
import { AppError } from '../../../../src/shared/errors';
import type { ConfigStore, StoreWrite } from '../../../../src/main/rollout/stores/config-store';
import { DirectoryStore } from '../../../../src/main/rollout/stores/directory-store';
import { PrometheusClient } from '../../../../src/main/watch/prometheus-client';
import { recordCheck } from '../../../../src/main/watch/watch-repository';
import { openDatabase } from '../../../../src/main/store/db';
import { watchSettingsSchema } from '../../../../src/shared/watch/watch-settings';
import { spawnPrometheus, type PrometheusProcess } from '../../../helpers/prometheus-process';
import { tempDir } from '../../../helpers/temp-dir';
import { clock, makePublisher, memorySigner, sampleConfig, T0 } from '../fixtures';

const MINUTE = 60_000;
const FLAG = 'new-video-model';

let prom: PrometheusProcess;
let dispatcher: Agent;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  const { dir, cleanup } = tempDir('aideon-ctl-retry-prom-');
  cleanups.push(cleanup);
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, 'global:\n  scrape_interval: 15s\n');
  prom = await spawnPrometheus({ configPath, dataDir: join(dir, 'data') });
  dispatcher = new Agent();
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await dispatcher?.close();
  for (const cleanup of cleanups.reverse()) cleanup();
});

async function setUp() {
  const { dir, cleanup } = tempDir('aideon-ctl-retry-');
  cleanups.push(cleanup);
  const store = new DirectoryStore({ root: join(dir, 'store') });
  const time = clock(T0);
  const alice = await memorySigner('alice');
  const operator = await memorySigner('controller');
  const admin = makePublisher(store, [alice], { now: time.now });
  await admin.initTrust(
    [alice.info],
    { dev: 1, staging: 1, production: 1, trust: 1 },
    { keys: [operator.info], threshold: 1 },
  );
  await admin.publish('dev', sampleConfig());
  const started = await admin.startRollout({
    environment: 'dev',
    flagKey: FLAG,
    onVariant: 'on',
    offVariant: 'off',
    steps: [10, 50, 100],
    bakeMinutes: 30,
  });
  expect(started.outcome).toMatchObject({ status: 'published', version: 2 });
  const settings = watchSettingsSchema.parse({
    environments: { dev: { prometheusUrl: prom.url, autoRollback: true } },
    checkIntervalMinutes: 1,
    bakeMinutes: 1,
    tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
  });
  const controller = (
    id: string,
    controllerStore: ConfigStore,
    signers: Signer[],
    extra: Pick<ConstructorParameters<typeof RolloutController>[0], 'recordCheck' | 'log'> = {},
  ) => {
    const events: ControllerEvent[] = [];
    const instance = new RolloutController({
      id,
      host: 'test-host',
      actor: `controller:${id}`,
      store: controllerStore,
      lease: leaseForStore(store.uri, { id, host: 'test-host', ttlMs: 30_000, now: time.now }),
      signers,
      now: time.now,
      sleep: async () => undefined,
      tickMs: 1000,
      settings: () => settings,
      metricsSource: (environment, watchSettings) =>
        new PrometheusClient({
          baseUrl: watchSettings.environments[environment]?.prometheusUrl ?? '',
          dispatcher,
        }),
      record: () => undefined,
      onEvent: (event) => {
        events.push(event);
      },
      ...extra,
    });
    return { instance, events };
  };
  const liveConfig = async () => (await admin.live('dev'))?.config;
  const before = await admin.versionConfig('dev', 1);
  return { dir, store, time, operator, controller, liveConfig, before };
}

/** The store, except that commits moving `dev/current` behave as `fault` says. */
function faultyStore(store: ConfigStore, fault: () => Promise<never> | undefined): ConfigStore {
  return {
    uri: store.uri,
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    close: () => store.close(),
    commit: (writes: readonly StoreWrite[]) => {
      if (writes.some((write) => write.key === 'dev/current')) {
        const failed = fault();
        if (failed) return failed;
      }
      return store.commit(writes);
    },
  };
}

describe('the automatic rollback is finished after a failed or interrupted first attempt', () => {
  it('a commit that fails once (the store was briefly unreachable): the next tick rolls back', async () => {
    const { store, time, operator, controller, liveConfig, before } = await setUp();
    let failures = 0;
    const flaky = faultyStore(store, () => {
      if (failures > 0) return undefined;
      failures += 1;
      return Promise.reject(
        new AppError('provider_unavailable', 'etcd could not be reached', { retryable: true }),
      );
    });
    const { instance, events } = controller('ctl-a', flaky, [operator]);
    await instance.tick();
    time.advance(2 * MINUTE);
    await instance.tick();
    expect(events.map((event) => event.type)).toContain('rollback_failed');
    expect(failures).toBe(1);
    // The event says that the controller tries again, and how to roll back at once.
    const failed = events.find((event) => event.type === 'rollback_failed')?.message ?? '';
    expect(failed).toMatch(/tries the rollback again when a check fails/);
    expect(failed).toMatch(
      /aideon config rollback --store <this store> --env dev --to-version 1 --yes/,
    );

    time.advance(2 * MINUTE);
    await instance.tick();
    expect(await liveConfig()).toEqual(before);
    expect(events.map((event) => event.type)).toContain('rolled_back');
  });

  it('the leader dies between the pause and the rollback: the next leader rolls back', async () => {
    const { store, time, operator, controller, liveConfig, before } = await setUp();
    // The first leader hangs forever in the rollback's commit (it is dead from here on).
    let hung = false;
    const dying = faultyStore(store, () => {
      hung = true;
      return new Promise<never>(() => undefined);
    });
    const first = controller('ctl-a', dying, [operator]);
    await first.instance.tick();
    time.advance(2 * MINUTE);
    void first.instance.tick();
    for (let i = 0; i < 200 && !hung; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(hung).toBe(true);
    expect((await makePublisher(store, []).rolloutState('dev', FLAG))?.status).toBe('paused');

    // Its lease expires; the standby takes over and finishes the job.
    time.advance(31_000);
    const next = controller('ctl-b', store, [operator]);
    await next.instance.tick();
    time.advance(2 * MINUTE);
    await next.instance.tick();
    expect(next.events.map((event) => event.type)).toContain('leader_acquired');
    expect(await liveConfig()).toEqual(before);
    expect(next.events.map((event) => event.type)).toContain('rolled_back');
  });

  it("the controller's own database cannot record the check (locked): it still rolls back", async () => {
    const { dir, store, time, operator, controller, liveConfig, before } = await setUp();
    const file = join(dir, 'controller.sqlite');
    const db = openDatabase({ file });
    // Another process holds the write lock (e.g. a console on the same data folder mid-write).
    const other = openDatabase({ file });
    db.pragma('busy_timeout = 100');
    other.exec('BEGIN IMMEDIATE');
    const logged: string[] = [];
    try {
      const { instance, events } = controller('ctl-a', store, [operator], {
        recordCheck: (report) => recordCheck(db, report),
        log: (line) => logged.push(line),
      });
      await instance.tick();
      time.advance(2 * MINUTE);
      await instance.tick();
      // The check's record is lost (and said so); the rollback is not.
      expect(await liveConfig()).toEqual(before);
      expect(events.map((event) => event.type)).toContain('rolled_back');
      expect(logged.some((line) => /check not recorded/.test(line))).toBe(true);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      db.close();
    }
  });
});
