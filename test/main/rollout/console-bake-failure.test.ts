/**
 * The console's own rollout loop (no controller) must not let a step go on when its watch
 * could not do its job: a check whose record the console's SQLite cannot take (locked by
 * another writer) still pauses the step, and a bake that died (the store failed to answer)
 * holds the step until a new bake covered it. Before, both ended the bake with an error, the
 * scheduler no longer held the step, and the next step went out with no passing check behind
 * it. Real Prometheus (empty: every guard has no data), real SQLite, a real directory store.
 */
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
  unsavedDraft,
} from './console-publishing';
import { clock, startDevRollout, T0 } from './fixtures';

const PASS = 'console bake passphrase';
const MINUTE = 60_000;

let prom: PrometheusProcess;

beforeAll(async () => {
  prom = await spawnEmptyPrometheus('aideon-console-bake-prom-');
}, 60_000);

afterAll(async () => {
  await prom?.stop();
});

describe("the console's watch holds a step it could not judge (directory store)", () => {
  let dir: string;
  let cleanup: () => void;
  let db: WritableDb;
  let dispatcher: Agent;
  let service: PublishingService;
  let time: ReturnType<typeof clock>;
  /** Store reads fail while this is set (the store briefly unreachable). */
  let storeDown = false;
  const outcomes: string[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('aideon-console-bake-'));
    db = openDatabase({ file: join(dir, 'aideon.sqlite') });
    db.pragma('busy_timeout = 100');
    dispatcher = new Agent();
    time = clock(T0);
    storeDown = false;
    outcomes.length = 0;
    const draft = unsavedDraft();
    service = consolePublishing({
      db,
      dataDir: dir,
      now: time.now,
      draft,
      openStore: (uri) => storeWithOutages(openConfigStore(uri), () => storeDown),
    });
    await publishFirstVersion(service, draft, PASS);
  });
  afterEach(async () => {
    await service.stop();
    await dispatcher.close();
    db.close();
    cleanup();
  });

  const watchWith = (around: <T>(bake: () => Promise<T>) => Promise<T>) => {
    const watch = new WatchService({
      db,
      dispatcher,
      now: time.now,
      sleep: async () => undefined,
      rollout: service.rolloutControl(),
    });
    watch.saveSettings({
      environments: { dev: { prometheusUrl: prom.url } },
      tiers: [{ tier: 'free', minSuccessRate: 0.9 }],
    });
    service.attachWatch({
      isWatched: (env) => watch.getSettings().environments[env] !== undefined,
      bake: (env, signal) => noteOutcome(outcomes, () => around(() => watch.bake(env, signal))),
    });
  };
  const startRollout = async () => {
    await startDevRollout(service, { bakeMinutes: 30 });
    for (let i = 0; i < 300 && outcomes.length === 0; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    expect(outcomes.length).toBeGreaterThan(0);
  };
  const devRollout = async () =>
    (await service.overview()).environments.find((env) => env.environment === 'dev')?.rollouts[0];

  it('a check the database cannot record still pauses the step; the next step does not go out', async () => {
    // Another writer holds the console database's write lock during the bake.
    const other = openDatabase({ file: join(dir, 'aideon.sqlite') });
    watchWith(async (bake) => {
      other.exec('BEGIN IMMEDIATE');
      try {
        return await bake();
      } finally {
        other.exec('ROLLBACK');
      }
    });
    try {
      await startRollout();
      expect((await service.controllerPanel()).consoleStoodDown).toBe(false);
      time.advance(31 * MINUTE);
      expect(await service.tick()).toEqual([]);
      expect(await devRollout()).toMatchObject({ stepIndex: 0, status: 'paused' });
    } finally {
      other.close();
    }
  });

  it('a bake that died (the store did not answer) holds the step until a new bake judged it', async () => {
    let first = true;
    watchWith(async (bake) => {
      if (!first) return bake();
      first = false;
      storeDown = true;
      try {
        return await bake();
      } finally {
        storeDown = false;
      }
    });
    await startRollout();
    expect(outcomes[0]).toMatch(/^error: /);
    // The admin's controller panel polls as usual: no controller leads this store.
    expect((await service.controllerPanel()).consoleStoodDown).toBe(false);
    time.advance(31 * MINUTE);
    // Never the next step on the strength of a bake that did not finish.
    expect(await service.tick()).toEqual([]);
    expect(await devRollout()).toMatchObject({ stepIndex: 0 });
  });
});
