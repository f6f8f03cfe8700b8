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
import { PublishingService } from '../../../src/main/rollout/publish/publishing-service';
import type { ConfigStore } from '../../../src/main/rollout/stores/config-store';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { WatchService } from '../../../src/main/watch/watch-service';
import { AppError } from '../../../src/shared/errors';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process';
import { tempDir } from '../../helpers/temp-dir';
import { clock, sampleConfig, T0 } from './fixtures';

const PASS = 'console bake passphrase';
const MINUTE = 60_000;
const FLAG = 'new-video-model';

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
    let draft = {
      config: {} as unknown,
      revision: 0,
      source: 'example' as 'draft' | 'example',
      updatedAt: null as number | null,
    };
    service = new PublishingService({
      db,
      dataDir: dir,
      now: time.now,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
      actor: 'alice',
      validateConfig: (config) =>
        typeof config.tiers === 'object' ? [] : [{ path: 'tiers', message: 'required' }],
      draft: () => draft,
      emit: () => undefined,
      openStore: (uri) => {
        const store = openConfigStore(uri);
        const down = () => {
          if (storeDown)
            throw new AppError('provider_unavailable', 'the store could not be reached', {
              retryable: true,
            });
        };
        const flaky: ConfigStore = {
          uri: store.uri,
          get: async (key) => (down(), store.get(key)),
          list: async (prefix) => (down(), store.list(prefix)),
          commit: (writes) => store.commit(writes),
          close: () => store.close(),
        };
        return flaky;
      },
    });
    const kid = (await service.generateKey('alice laptop', PASS)).unlocked[0] as string;
    await service.initTrust([kid], { dev: 1, staging: 1, production: 1, trust: 1 });
    draft = { config: sampleConfig(), revision: 1, source: 'draft', updatedAt: T0 };
    await service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
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
      bake: (env, signal) =>
        around(() => watch.bake(env, signal)).then(
          (result) => {
            outcomes.push(result.outcome);
            return result;
          },
          (error: unknown) => {
            outcomes.push(`error: ${error instanceof Error ? error.message : String(error)}`);
            throw error;
          },
        ),
    });
  };
  const startRollout = async () => {
    await service.startRollout({
      environment: 'dev',
      flagKey: FLAG,
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 50, 100],
      bakeMinutes: 30,
    });
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
