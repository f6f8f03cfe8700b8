/**
 * The console's own rollout loop (no controller leads the store) must finish an automatic
 * rollback that did not get done the first time, like the controller does: the rollback's
 * commit fails once (the store was briefly unreachable). Before, the failed check paused the
 * rollout first, a paused rollout was no longer baked, and the breaching step stayed live for
 * as long as the console was open. Real Prometheus (empty: every guard has no data, which rolls
 * back where auto-rollback is on), real SQLite, a real directory store.
 */
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeControllerStatus } from '../../../src/main/rollout/controller/controller-registry';
import type { PublishingService } from '../../../src/main/rollout/publish/publishing-service';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { WatchService } from '../../../src/main/watch/watch-service';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process';
import { tempDir } from '../../helpers/temp-dir';
import {
  consolePublishing,
  noteOutcome,
  publishFirstVersion,
  storeWithOutages,
  unreachableStore,
  unsavedDraft,
} from './console-publishing';
import {
  clock,
  controllerHeartbeat,
  makePublisher,
  ROLLOUT_FLAG,
  startDevRollout,
  T0,
} from './fixtures';

const PASS = 'console bake passphrase';
const MINUTE = 60_000;
const FLAG = ROLLOUT_FLAG;

let prom: PrometheusProcess;

beforeAll(async () => {
  prom = await spawnEmptyPrometheus('aideon-console-bake-prom-');
}, 60_000);

afterAll(async () => {
  await prom?.stop();
});

describe("the console's own loop finishes an automatic rollback (directory store)", () => {
  let dir: string;
  let cleanup: () => void;
  let db: WritableDb;
  let dispatcher: Agent;
  let service: PublishingService;
  const services: PublishingService[] = [];
  let time: ReturnType<typeof clock>;
  /** Store reads fail while this is set (the store briefly unreachable). */
  let storeDown = false;
  /** Commits that move dev/current fail this many more times. */
  let currentFailures = 0;
  /** Commits that move dev/current never answer while this is set (the console dies in one). */
  let currentHangs = false;
  const outcomes: string[] = [];
  /** What the inbox receives for each breach (its first lines are what the admin reads). */
  const breaches: { action?: string; summary: string; repeated?: boolean }[] = [];
  /** The desktop notifications (titles) the watch sent. */
  const notices: string[] = [];
  /** Bakes waiting between two checks (the watch's sleep that ends when stopped). */
  let sleeping = 0;
  const draft = unsavedDraft();

  /** A console on the same data folder and store (a second one is the console restarted). */
  const newService = () => {
    const created = consolePublishing({
      db,
      dataDir: dir,
      now: time.now,
      draft,
      openStore: (uri) => {
        const store = openConfigStore(uri);
        return storeWithOutages(
          store,
          () => storeDown,
          async (writes) => {
            // The rollback's commit (a step's commit also moves its rollout state).
            if (
              writes.some((write) => write.key === 'dev/current') &&
              !writes.some((write) => write.key.startsWith('dev/rollouts/'))
            ) {
              if (currentHangs) return new Promise<never>(() => undefined);
              if (currentFailures > 0) {
                currentFailures -= 1;
                throw unreachableStore();
              }
            }
            return store.commit(writes);
          },
        );
      },
    });
    services.push(created);
    return created;
  };

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('aideon-console-rollback-'));
    db = openDatabase({ file: join(dir, 'aideon.sqlite') });
    db.pragma('busy_timeout = 100');
    dispatcher = new Agent();
    time = clock(T0);
    storeDown = false;
    currentFailures = 0;
    currentHangs = false;
    outcomes.length = 0;
    breaches.length = 0;
    notices.length = 0;
    sleeping = 0;
    draft.current = unsavedDraft().current;
    service = newService();
    await publishFirstVersion(service, draft, PASS);
  });
  afterEach(async () => {
    for (const created of services.splice(0)) await created.stop();
    await dispatcher.close();
    db.close();
    cleanup();
  });

  const watchWith = (
    around: <T>(bake: () => Promise<T>) => Promise<T>,
    autoRollback = false,
    target = service,
    /** The watch's sleep between checks ends only when the bake is stopped. */
    sleepsUntilStopped = false,
  ) => {
    const watch = new WatchService({
      db,
      dispatcher,
      now: time.now,
      sleep: sleepsUntilStopped
        ? (_ms, signal) => {
            sleeping += 1;
            return new Promise((_resolve, reject) =>
              signal?.addEventListener('abort', () => reject(new Error('aborted')), {
                once: true,
              }),
            );
          }
        : async () => undefined,
      rollout: target.rolloutControl(),
      notifier: { notify: (notification) => void notices.push(notification.title) },
      onBreach: (event) => breaches.push(event),
    });
    watch.saveSettings({
      environments: { dev: { prometheusUrl: prom.url, autoRollback } },
      tiers: [{ tier: 'free', minSuccessRate: 0.9 }],
    });
    target.attachWatch({
      isWatched: (env) => watch.getSettings().environments[env] !== undefined,
      bake: (env, signal, options) =>
        noteOutcome(outcomes, () => around(() => watch.bake(env, signal, options))),
    });
    return watch;
  };
  const waitFor = async (done: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 300 && !(await done()); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(await done()).toBe(true);
  };
  const startRollout = async () => {
    await startDevRollout(service, { bakeMinutes: 30 });
    await waitFor(() => outcomes.length > 0);
  };
  const devOf = async (target = service) =>
    (await target.overview()).environments.find((env) => env.environment === 'dev');
  const devRollout = async (target = service) => (await devOf(target))?.rollouts[0];

  it('an automatic rollback that failed once (store blip) is done later, not left paused', async () => {
    watchWith((bake) => bake(), true);
    currentFailures = 1;
    await startRollout();
    expect(outcomes).toEqual(['rollback_failed']);
    // The rollout panel says what failed, that the watch tries again, and how to roll back now.
    const paused = await devRollout();
    // Paused, still live, and checked again by this console's watch for its rollback.
    expect(paused).toMatchObject({
      stepIndex: 0,
      status: 'paused',
      stillLive: true,
      watchedForRollback: true,
    });
    expect(paused?.problem).toMatch(
      /^Automatic rollback FAILED: the store could not be reached\. .*tries the rollback again.* Rollout → Publishing → dev → Roll back…/,
    );
    // The inbox: the pause, then what failed and what to do, before the guard lines.
    expect(breaches.map((breach) => breach.action)).toEqual(['rollback_failed']);
    const lines = breaches[0]?.summary.split('\n') ?? [];
    expect(lines[0]).toMatch(/^Watch paused config version 2 \(new-video-model at 10%\) in dev/);
    expect(lines[1]).toMatch(/^Automatic rollback FAILED: .* every 10 min .*Roll back…/);
    for (let i = 0; i < 3; i += 1) {
      time.advance(10 * MINUTE);
      await service.tick();
    }
    const dev = await devOf();
    expect(dev?.live?.version).toBe(3);
    expect(outcomes).toEqual(['rollback_failed', 'rolled_back']);
    // The content before the rollout is back, the rollout stopped, and the problem is gone.
    const store = openConfigStore(service.storeUri());
    try {
      const publisher = makePublisher(store, []);
      expect((await publisher.live('dev'))?.config).toEqual(
        await publisher.versionConfig('dev', 1),
      );
    } finally {
      await store.close();
    }
    expect(dev?.rollouts[0]).toMatchObject({
      status: 'stopped',
      problem: null,
      stillLive: false,
      watchedForRollback: false,
    });
  });

  it('the console died between the pause and the rollback: restarted, it rolls back', async () => {
    watchWith((bake) => bake(), true);
    currentHangs = true;
    // The first console pauses the step, then hangs in the rollback's commit (it is gone).
    void startDevRollout(service, { bakeMinutes: 30 });
    const reader = newService();
    await waitFor(async () => (await devRollout(reader))?.status === 'paused');
    await service.stop();
    currentHangs = false;
    time.advance(10 * MINUTE);

    // The console starts again on the same data folder and store, and unlocks its key.
    const restarted = newService();
    await restarted.unlockKeys({ passphrase: PASS });
    watchWith((bake) => bake(), true, restarted);
    restarted.start();
    await waitFor(() => outcomes.includes('rolled_back'));
    expect((await devOf(restarted))?.live?.version).toBe(3);
    expect(await devRollout(restarted)).toMatchObject({ status: 'stopped' });
  });

  it('a live controller leads: the console leaves the retry to it, and takes it back when it is gone', async () => {
    watchWith((bake) => bake(), true);
    currentFailures = 1;
    await startRollout();
    expect(outcomes).toEqual(['rollback_failed']);
    const store = openConfigStore(service.storeUri());
    try {
      time.advance(10 * MINUTE);
      await writeControllerStatus(store, controllerHeartbeat(time.now()));
      expect(await service.tick()).toEqual([]);
      expect((await service.controllerPanel()).consoleStoodDown).toBe(true);
      // Nothing was checked or rolled back by the console beside the controller.
      expect(outcomes).toEqual(['rollback_failed']);
      expect((await devOf())?.live?.version).toBe(2);

      // The controller's heartbeat goes stale: the console takes the work back.
      time.advance(10 * MINUTE);
      await service.tick();
      expect(outcomes).toEqual(['rollback_failed', 'rolled_back']);
      expect((await devOf())?.live?.version).toBe(3);
    } finally {
      await store.close();
    }
  });

  it("the retry's bake dies (the store does not answer): the next tick bakes it again and rolls back", async () => {
    let bakes = 0;
    watchWith(async (bake) => {
      bakes += 1;
      if (bakes !== 2) return bake();
      storeDown = true;
      try {
        return await bake();
      } finally {
        storeDown = false;
      }
    }, true);
    currentFailures = 1;
    await startRollout();
    expect(outcomes).toEqual(['rollback_failed']);
    time.advance(10 * MINUTE);
    // The store is down for the retry's bake (the rest of the tick reads it again).
    await service.tick();
    expect(outcomes).toHaveLength(2);
    expect(outcomes[1]).toMatch(/^error: the store could not be reached/);
    expect(await devRollout()).toMatchObject({ status: 'paused', stepIndex: 0 });
    time.advance(MINUTE);
    await service.tick();
    await waitFor(() => outcomes.length === 3);
    expect(outcomes[2]).toBe('rolled_back');
    expect((await devOf())?.live?.version).toBe(3);
  });

  it('a paused step resumed meanwhile (another admin) is baked as usual, without holding up the tick', async () => {
    const watch = watchWith((bake) => bake(), true, service, true);
    currentFailures = 1;
    await startRollout();
    expect(outcomes).toEqual(['rollback_failed']);
    // Another admin resumes the rollout from her console; the metrics are healthy again (a
    // bake of the running step checks, passes and waits for its next check).
    const store = openConfigStore(service.storeUri());
    try {
      await makePublisher(store, [], { now: time.now }).resumeRollout('dev', FLAG);
    } finally {
      await store.close();
    }
    const series = (value: string) =>
      `label_replace(label_replace(vector(${value}), "provider", "together", "", ""), "model", "wan-2.1", "", "")`;
    watch.saveSettings({
      environments: { dev: { prometheusUrl: prom.url, autoRollback: true } },
      tiers: [{ tier: 'free', minSuccessRate: 0.9 }],
      queries: { volume: series('100'), success_rate: series('0.99') },
    });
    time.advance(10 * MINUTE);
    // The tick's check of the paused step finds it running: it starts a full bake and returns
    // (awaiting that bake would hold the scheduler for the whole step).
    expect(await service.tick()).toEqual([]);
    expect(outcomes).toEqual(['rollback_failed', 'step_changed']);
    // The full bake checked the step (a pass) and waits for its next check.
    await waitFor(() => sleeping === 1);
    expect(await devRollout()).toMatchObject({ status: 'running', watching: true, problem: null });
    expect((await devOf())?.live?.version).toBe(2);
  });

  it('a rollback that waits for a co-signature is not prepared again at every check', async () => {
    // dev needs two signatures (alice's laptop and desktop keys); the desktop key is locked
    // by the time the breach comes, so the watch's rollback can only be prepared.
    const first = (await service.listKeys())[0]?.kid as string;
    await service.generateKey('alice desktop', PASS);
    const kids = (await service.listKeys()).map((key) => key.kid);
    await service.rotateTrust({
      kids,
      thresholds: { dev: 2, staging: 1, production: 1, trust: 1 },
      expectTrustVersion: 1,
    });
    let locked = false;
    watchWith(async (bake) => {
      if (!locked) {
        locked = true;
        await service.lockKeys();
        await service.unlockKeys({ passphrase: PASS, kids: [first] });
      }
      return bake();
    }, true);
    await startRollout();
    expect(outcomes).toEqual(['rollback_failed']);
    const store = openConfigStore(service.storeUri());
    try {
      const pending = async () => makePublisher(store, []).listPending('dev');
      expect(await pending()).toHaveLength(1);
      expect((await devRollout())?.problem).toMatch(/waits for 1 more signature/);
      for (let i = 0; i < 3; i += 1) {
        time.advance(10 * MINUTE);
        await service.tick();
      }
      // Still the one rollback for the other key to co-sign; the step stays paused. The admin
      // was told once; the retries are recorded as repeated.
      expect(await pending()).toHaveLength(1);
      expect(notices).toEqual(['Rollout paused in dev; automatic rollback FAILED']);
      expect(breaches.map((breach) => breach.repeated ?? false)).toEqual([false, true, true, true]);
      expect((await devOf())?.live?.version).toBe(2);
      expect(await devRollout()).toMatchObject({ status: 'paused' });
    } finally {
      await store.close();
    }
  });

  it('a rollback that keeps failing notifies once per step and reason, also across a restart; a new step notifies again', async () => {
    watchWith((bake) => bake(), true);
    // The store refuses the rollback's commit at every check.
    currentFailures = 1000;
    await startRollout();
    const interval = async (target = service) => {
      time.advance(10 * MINUTE);
      await target.tick();
    };
    for (let i = 0; i < 3; i += 1) await interval();
    expect(outcomes).toEqual(Array(4).fill('rollback_failed'));
    // One desktop notification; the retries reach the windows marked repeated (no toast, no
    // new inbox entry: see services.ts and handleGuardBreached).
    expect(notices).toEqual(['Rollout paused in dev; automatic rollback FAILED']);
    expect(breaches.map((breach) => breach.repeated ?? false)).toEqual([false, true, true, true]);

    // Another reason (no key unlocked, so the rollback cannot be signed): told once.
    await service.lockKeys();
    await interval();
    await interval();
    expect(notices).toHaveLength(2);
    expect(breaches.map((breach) => breach.repeated ?? false)).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
    ]);
    expect(breaches[4]?.summary).toMatch(/Automatic rollback FAILED: no signing key is unlocked/);

    // The console restarts on the same data folder and store: its first check of the paused
    // step fails the same way, which it told before the restart.
    await service.stop();
    const restarted = newService();
    watchWith((bake) => bake(), true, restarted);
    restarted.start();
    await waitFor(() => outcomes.length === 7);
    expect(outcomes.at(-1)).toBe('rollback_failed');
    expect(notices).toHaveLength(2);
    expect(breaches.at(-1)?.repeated).toBe(true);

    // An admin resumes the rollout: a new step. Its breach pauses it again and its rollback
    // fails for the same reason: told again, once.
    const store = openConfigStore(restarted.storeUri());
    try {
      await makePublisher(store, [], { now: time.now }).resumeRollout('dev', FLAG);
    } finally {
      await store.close();
    }
    await interval(restarted);
    await waitFor(() => outcomes.length === 9);
    expect(outcomes.slice(7)).toEqual(['step_changed', 'rollback_failed']);
    await interval(restarted);
    expect(outcomes).toHaveLength(10);
    expect(notices).toHaveLength(3);
    expect(breaches.map((breach) => breach.repeated ?? false).slice(7)).toEqual([false, true]);

    // A key is unlocked and the store takes writes again: the next check rolls back.
    await restarted.unlockKeys({ passphrase: PASS });
    currentFailures = 0;
    await interval(restarted);
    expect(outcomes.at(-1)).toBe('rolled_back');
    expect((await devOf(restarted))?.live?.version).toBe(3);
  });

  it('without auto-rollback a paused step is left to the admin (no second check, no rollback)', async () => {
    watchWith((bake) => bake(), false);
    await startRollout();
    expect(outcomes).toEqual(['paused']);
    for (let i = 0; i < 3; i += 1) {
      time.advance(10 * MINUTE);
      expect(await service.tick()).toEqual([]);
    }
    expect(outcomes).toEqual(['paused']);
    expect((await devOf())?.live?.version).toBe(2);
    // Still live, and nothing here watches it for a rollback (the panel says so).
    expect(await devRollout()).toMatchObject({
      status: 'paused',
      problem: null,
      stillLive: true,
      watchedForRollback: false,
    });
  });
});
