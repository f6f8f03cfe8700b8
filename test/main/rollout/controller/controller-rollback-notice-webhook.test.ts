/**
 * The controller retries a failed automatic rollback at every check while the breaching step
 * stays live; its webhook (a chat channel, a pager) must hear of each step's failure once per
 * reason, not at every check, also after the controller restarts. A real HTTP receiver on
 * loopback counts the posts; the real controller wiring (buildController, its SQLite, the lock
 * file lease), a real directory store, real passphrase-protected operator key, a real empty
 * Prometheus (every guard has no data, which rolls back where auto-rollback is on).
 *
 * The failures are real: first the operator key is not in the trust file at all (signing is
 * refused), then it is one of dev's two required keys (the rollback needs a co-signature).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildController } from '../../../../src/main/rollout/controller/controller-cli';
import type { ControllerEvent } from '../../../../src/main/rollout/controller/rollout-controller';
import { createPassphraseProtector, generateKey } from '../../../../src/main/rollout/publish/keys';
import { DirectoryStore } from '../../../../src/main/rollout/stores/directory-store';
import { openDatabase } from '../../../../src/main/store/db';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../../helpers/prometheus-process';
import { tempDir } from '../../../helpers/temp-dir';
import { clock, makePublisher, memorySigner, sampleConfig, T0, startDevRollout } from '../fixtures';

const MINUTE = 60_000;
const PASS = 'operator key passphrase';

let prom: PrometheusProcess;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  prom = await spawnEmptyPrometheus('aideon-ctl-notice-prom-');
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("the controller's webhook hears of a failed rollback once per step and reason", () => {
  it('retries that fail the same way are not posted, also after a restart; another reason is', async () => {
    const { dir, cleanup } = tempDir('aideon-ctl-notice-');
    cleanups.push(cleanup);
    const posted: { type: string; repeated?: boolean; message: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        posted.push((JSON.parse(body) as { event: ControllerEvent }).event);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const dispatcher = new Agent();
    cleanups.push(() => dispatcher.close());
    const db = openDatabase({ file: join(dir, 'controller.sqlite') });
    cleanups.push(() => void db.close());

    // The store: dev runs a rollout at its first step; the trust file has no operator role
    // and does not list the controller's key.
    const storeDir = join(dir, 'store');
    mkdirSync(storeDir);
    const store = new DirectoryStore({ root: storeDir });
    const time = clock(T0);
    const alice = await memorySigner('alice');
    const admin = makePublisher(store, [alice], { now: time.now });
    await admin.initTrust([alice.info], { dev: 1, staging: 1, production: 1, trust: 1 });
    await admin.publish('dev', sampleConfig());
    await startDevRollout(admin, { bakeMinutes: 30 });
    const keyDir = join(dir, 'keys');
    const operator = await generateKey('controller', {
      dir: keyDir,
      protector: createPassphraseProtector(PASS),
      now: time.now,
    });
    const watchFile = join(dir, 'watch.json');
    writeFileSync(
      watchFile,
      JSON.stringify({
        environments: { dev: { prometheusUrl: prom.url, autoRollback: true } },
        checkIntervalMinutes: 1,
        bakeMinutes: 1,
        tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
      }),
    );

    /** Every event the controller had, repeated or not (the webhook gets the others). */
    const seen: ControllerEvent[] = [];
    const start = () =>
      buildController({
        settings: {
          storeUri: `dir:${storeDir}`,
          id: 'ctl-notice',
          host: 'test-host',
          tickMs: 1000,
          leaseMs: 30_000,
          operatorKeyFile: join(keyDir, `${operator.kid}.key.json`),
          webhookUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
          watchSettingsFile: watchFile,
          renewBeforeMs: 14 * 86_400_000,
        },
        env: { AIDEON_OPERATOR_PASSPHRASE: PASS },
        db,
        dispatcher,
        now: time.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log: () => undefined,
        onEvent: (event) => void seen.push(event),
      });
    /** Waits until the receiver has every event that was to be posted (in order, in the background). */
    const delivered = async () => {
      const expected = seen.filter((event) => !event.repeated).length;
      for (let i = 0; i < 500 && posted.length < expected; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(posted).toHaveLength(expected);
    };
    const failuresPosted = () =>
      posted.filter((event) => event.type === 'rollback_failed').map((event) => event.message);
    const failuresSeen = () => seen.filter((event) => event.type === 'rollback_failed');

    let built = await start();
    const interval = async (times: number) => {
      for (let i = 0; i < times; i += 1) {
        time.advance(2 * MINUTE);
        await built.controller.tick();
      }
    };
    await built.controller.tick();
    await interval(4);
    await delivered();
    expect(failuresSeen()).toHaveLength(4);
    expect(failuresPosted()).toHaveLength(1);
    expect(failuresPosted()[0]).toMatch(
      /None of your unlocked keys .* is in the trust file of dev/,
    );

    // The controller restarts (same database): the same failure was posted before. (Its last
    // pass before it stops checks and fails once more.)
    await built.controller.once();
    await built.close();
    built = await start();
    await interval(2);
    await delivered();
    expect(failuresSeen()).toHaveLength(7);
    expect(failuresPosted()).toHaveLength(1);

    // The admins make the controller's key one of dev's two required keys: the rollback now
    // waits for a co-signature. Another reason: posted once; one pending bundle, reused.
    const bob = await memorySigner('bob');
    await admin.rotateTrust([alice.info, bob.info, { ...operator, role: 'admin' }], {
      dev: 2,
      staging: 1,
      production: 1,
      trust: 1,
    });
    await interval(3);
    await delivered();
    expect(failuresSeen()).toHaveLength(10);
    expect(failuresPosted()).toHaveLength(2);
    expect(failuresPosted()[1]).toMatch(/needs 1 more signature\(s\)/);
    const pending = await makePublisher(store, []).listPending('dev');
    expect(pending.map((item) => [item.version, item.applicable])).toEqual([[3, true]]);

    await built.controller.once();
    await built.close();
  }, 60_000);
});
