/**
 * The controller's automatic rollback must get done even when the first attempt does not: the
 * store fails the rollback's commit once (an etcd blip), or the leader dies between the pause
 * and the rollback and the next leader takes over. Before, the failed check paused the rollout
 * first, and a paused rollout is no longer watched, so nobody ever rolled the breaching step
 * back. Real Prometheus (empty: every guard has no data, which rolls back where auto-rollback
 * is on), a real directory store, real Ed25519 keys, the real lock-file lease.
 */
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
import { CONSOLE_BUSY_TIMEOUT_MS } from '../../../../src/main/store/busy-retry';
import { checkRecords } from '../../../../src/main/rollout/controller/controller-cli';
import { holdWriteLock } from '../../../helpers/db-lock';
import { watchSettingsSchema } from '../../../../src/shared/watch/watch-settings';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../../helpers/prometheus-process';
import { tempDir } from '../../../helpers/temp-dir';
import {
  clock,
  makePublisher,
  memorySigner,
  sampleConfig,
  T0,
  ROLLOUT_FLAG,
  startDevRollout,
} from '../fixtures';

const MINUTE = 60_000;
const FLAG = ROLLOUT_FLAG;

let prom: PrometheusProcess;
let dispatcher: Agent;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  prom = await spawnEmptyPrometheus('aideon-ctl-retry-prom-');
  dispatcher = new Agent();
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await dispatcher?.close();
  for (const cleanup of cleanups.reverse()) cleanup();
});

/**
 * `coSigned`: dev needs two signatures and the controller's key is one of dev's own keys (no
 * operator role), so its rollback can only be prepared for another admin (bob) to co-sign.
 */
async function setUp(options: { coSigned?: boolean } = {}) {
  const { dir, cleanup } = tempDir('aideon-ctl-retry-');
  cleanups.push(cleanup);
  const store = new DirectoryStore({ root: join(dir, 'store') });
  const time = clock(T0);
  const alice = await memorySigner('alice');
  const bob = await memorySigner('bob');
  const operator = await memorySigner('controller');
  const admin = makePublisher(store, options.coSigned ? [alice, bob] : [alice], { now: time.now });
  if (options.coSigned)
    await admin.initTrust([alice.info, bob.info, operator.info], {
      dev: 2,
      staging: 1,
      production: 1,
      trust: 1,
    });
  else
    await admin.initTrust(
      [alice.info],
      { dev: 1, staging: 1, production: 1, trust: 1 },
      { keys: [operator.info], threshold: 1 },
    );
  await admin.publish('dev', sampleConfig());
  const started = await startDevRollout(admin, { bakeMinutes: 30 });
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
    extra: Pick<
      ConstructorParameters<typeof RolloutController>[0],
      'recordCheck' | 'everyTick' | 'log'
    > = {},
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
  return { dir, store, time, operator, bob, controller, liveConfig, before };
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

  it('a check record the locked database could not take is written at the next free tick; the rollback is done at once, once', async () => {
    const { dir, store, time, operator, controller, liveConfig, before } = await setUp();
    // As `aideon controller` opens its database: the short busy wait after start-up.
    const db = openDatabase({ file: join(dir, 'aideon.sqlite') });
    db.pragma(`busy_timeout = ${CONSOLE_BUSY_TIMEOUT_MS}`);
    const release = holdWriteLock(dir, (done) => cleanups.push(done));
    const logged: string[] = [];
    const checks = checkRecords(db, (line) => logged.push(line));
    const stored = (): number =>
      (db.prepare('SELECT COUNT(*) AS n FROM watch_checks').get() as { n: number }).n;
    try {
      const { instance, events } = controller('ctl-a', store, [operator], {
        recordCheck: (report) => checks.record(report),
        everyTick: () => checks.flush(),
        log: (line) => logged.push(line),
      });
      await instance.tick();
      time.advance(2 * MINUTE);
      await instance.tick();
      // The rollback did not wait for the record.
      expect(await liveConfig()).toEqual(before);
      expect(events.filter((event) => event.type === 'rolled_back')).toHaveLength(1);
      expect(stored()).toBe(0);
      // Still locked at the next ticks: said once for the busy spell.
      time.advance(2 * MINUTE);
      await instance.tick();
      await instance.tick();
      expect(logged.filter((line) => /check record\(s\) not written yet/.test(line))).toHaveLength(
        1,
      );
      release();
      await instance.tick();
      expect(stored()).toBe(1);
      expect(logged.some((line) => /check records: the database is free again/.test(line))).toBe(
        true,
      );
      expect(events.filter((event) => event.type === 'rolled_back')).toHaveLength(1);
      expect(events.filter((event) => event.type === 'leader_lost')).toEqual([]);
    } finally {
      release();
      db.close();
    }
  });
});

describe('a rollback that keeps failing is reported once per step and failure reason', () => {
  const failedEvents = (events: ControllerEvent[]) =>
    events.filter((event) => event.type === 'rollback_failed');

  it('the same failure at every check is marked repeated; another reason or a new step is reported again', async () => {
    const { store, time, operator, controller, liveConfig, before } = await setUp();
    let failure: string | undefined = 'etcd could not be reached';
    const faulty = faultyStore(store, () =>
      failure === undefined
        ? undefined
        : Promise.reject(new AppError('provider_unavailable', failure, { retryable: true })),
    );
    const { instance, events } = controller('ctl-a', faulty, [operator]);
    const interval = async (times: number) => {
      for (let i = 0; i < times; i += 1) {
        time.advance(2 * MINUTE);
        await instance.tick();
      }
    };
    await instance.tick();
    await interval(4);
    // Four failed attempts, one report: the retries are recorded, marked repeated.
    expect(failedEvents(events).map((event) => event.repeated ?? false)).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(failedEvents(events)[0]).toMatchObject({ flagKey: FLAG, version: 2 });
    expect(instance.status().lastEvent).toMatchObject({ type: 'rollback_failed' });

    // Another reason: reported again, once.
    failure = 'etcd: the request timed out';
    await interval(2);
    expect(failedEvents(events).map((event) => event.repeated ?? false)).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
    ]);

    // An admin resumes the step (a new step as far as the watch goes): it breaches again and
    // its rollback fails for the reason already told for the old step: reported again.
    await makePublisher(store, [], { now: time.now }).resumeRollout('dev', FLAG);
    await interval(2);
    expect(failedEvents(events).map((event) => event.repeated ?? false)).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
      false,
      true,
    ]);

    failure = undefined;
    await interval(1);
    expect(await liveConfig()).toEqual(before);
    expect(events.at(-1)?.type).toBe('rolled_back');
  });

  it('a rollback that needs a co-signature is prepared once and reused at every check; co-signed, it is live', async () => {
    const { store, time, operator, bob, controller, liveConfig, before } = await setUp({
      coSigned: true,
    });
    const { instance, events } = controller('ctl-a', store, [operator]);
    const pending = () => makePublisher(store, []).listPending('dev');
    await instance.tick();
    for (let i = 0; i < 4; i += 1) {
      time.advance(2 * MINUTE);
      await instance.tick();
    }
    // One bundle for the other admins to co-sign, not one per check.
    const waiting = await pending();
    expect(waiting.map((item) => [item.version, item.needed, item.applicable])).toEqual([
      [3, 1, true],
    ]);
    const failed = failedEvents(events);
    expect(failed.map((event) => event.repeated ?? false)).toEqual([false, true, true, true]);
    expect(failed[0]?.message).toMatch(
      /the rollback \(version 3\) needs 1 more signature\(s\): the operator key may not sign it alone/,
    );
    expect(await liveConfig()).not.toEqual(before);

    const outcome = await makePublisher(store, [bob], { now: time.now }).cosign(
      'dev',
      waiting[0]?.digest ?? '',
    );
    expect(outcome).toMatchObject({ status: 'published', version: 3 });
    expect(await liveConfig()).toEqual(before);
  });
});
