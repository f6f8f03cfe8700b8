/**
 * The controller's guard path and renewal, in process, against a real Prometheus (8 days of
 * production history in which together/kling-2.1 regresses on the last day), a directory
 * config store in a temp dir and real Ed25519 keys (the operator key a passphrase key file).
 *
 * An admin publishes production up to version 40 and starts a 10 → 50 → 100 rollout (version
 * 41, labelled "41" in the metrics, healthy). The controller, ticked explicitly on a virtual
 * clock, checks every 15 minutes and applies 50 % (version 42) only once the watch's 60-minute
 * bake is covered by passing checks. The clock then moves into the regression, where version
 * 42's traffic breaches the guards: the controller pauses and rolls back with the operator
 * key. A consumer verifies the rollback as operator-signed on a fully signed basis; later the
 * controller renews the bundle's freshness before it expires. A fresh console on another
 * SQLite database reads the whole story from the shared history, attributed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64UrlDecode, storeKeys } from '../../../../src/consumer/bundle-format';
import { verifyFromStore } from '../../../../src/consumer/verify-bundle';
import { buildController } from '../../../../src/main/rollout/controller/controller-cli';
import type { ControllerEvent } from '../../../../src/main/rollout/controller/rollout-controller';
import { createPassphraseProtector, generateKey } from '../../../../src/main/rollout/publish/keys';
import { SharedHistory } from '../../../../src/main/rollout/publish/shared-history';
import { openConfigStore } from '../../../../src/main/rollout/stores/open-store';
import { openDatabase } from '../../../../src/main/store/db';
import type { WatchSettingsInput } from '../../../../src/shared/watch/watch-settings';
import {
  CONFIG_CHANGE_AT,
  HISTORY_END,
  startPrometheus,
  type PrometheusFixture,
} from '../../../helpers/prometheus-server';
import { testServices } from '../../../helpers/services';
import { tempDir } from '../../../helpers/temp-dir';
import { clock as makeClock, makePublisher, memorySigner, sampleConfig } from '../fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FLAG = 'new-video-model';
const PASSPHRASE = 'operator passphrase for the guard test';
/** Production's versions before the rollout: the rollout's first step is version 41. */
const BEFORE_ROLLOUT = 40;

let prom: PrometheusFixture;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  const promDir = tempDir('aideon-ctl-guard-prom-');
  cleanups.push(promDir.cleanup);
  prom = await startPrometheus({ dir: promDir.dir });
}, 240_000);

afterAll(async () => {
  await prom?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The bundle's payload as stored (no verification: the consumer does that). */
async function payload(storeUri: string, version: number) {
  const reader = openConfigStore(storeUri);
  try {
    const entry = await reader.get(storeKeys.version('production', version));
    const envelope = JSON.parse(entry?.value ?? '{}') as { jws: { payload: string } };
    return JSON.parse(base64UrlDecode(envelope.jws.payload).toString('utf8')) as {
      version: number;
      config: Record<string, unknown>;
      expiresAt: string;
    };
  } finally {
    await reader.close();
  }
}

describe('controller guard path against a real Prometheus', () => {
  it('advances to 50 % on passing checks, rolls back with the operator key on a breach, renews, and the shared history tells it', async () => {
    // The console's data folder; its default store is <dir>/config-store.
    const consoleDir = tempDir('aideon-ctl-guard-console-');
    cleanups.push(consoleDir.cleanup);
    const storeDir = join(consoleDir.dir, 'config-store');
    const storeUri = `dir:${storeDir}`;
    const store = openConfigStore(storeUri);
    cleanups.push(() => store.close());
    // Six hours before production switched its label to "42": version 41's traffic is healthy.
    const t0 = CONFIG_CHANGE_AT * 1000 - 6 * HOUR;
    const clock = makeClock(t0);

    const alice = await memorySigner('alice');
    const keys = tempDir('aideon-ctl-guard-keys-');
    cleanups.push(keys.cleanup);
    const operator = await generateKey('controller', {
      dir: keys.dir,
      protector: createPassphraseProtector(PASSPHRASE),
      now: clock.now,
    });
    const adminHistory = new SharedHistory({ store, signer: () => alice });
    const admin = makePublisher(store, [alice], {
      now: clock.now,
      actor: 'alice',
      record: (entry) => adminHistory.append(entry),
    });
    await admin.initTrust(
      [alice.info],
      { dev: 1, staging: 1, production: 1, trust: 1 },
      { keys: [operator], threshold: 1 },
    );
    for (let version = 1; version <= BEFORE_ROLLOUT; version += 1) {
      // Each version goes through dev and staging, as production requires.
      await admin.publish('dev', sampleConfig('together:wan-2.1', { rev: version }));
      await admin.promote('staging');
      expect(await admin.promote('production')).toMatchObject({ status: 'published', version });
    }
    const started = await admin.startRollout({
      environment: 'production',
      flagKey: FLAG,
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 50, 100],
      bakeMinutes: 30,
    });
    expect(started.outcome).toMatchObject({ status: 'published', version: 41 });

    // The controller, built as the CLI builds it (operator key file, watch settings file).
    const settings: WatchSettingsInput = {
      environments: { production: { prometheusUrl: prom.url, autoRollback: true } },
      guardWindow: '3h',
      checkIntervalMinutes: 15,
      bakeMinutes: 60,
      tiers: [
        {
          tier: 'premium',
          minSuccessRate: 0.92,
          maxP95LatencySeconds: 200,
          maxCostPerVideoUsd: 4,
          expected: [{ provider: 'together', model: 'kling-2.1' }],
        },
      ],
    };
    const ctlDir = tempDir('aideon-ctl-guard-controller-');
    cleanups.push(ctlDir.cleanup);
    const settingsFile = join(ctlDir.dir, 'watch-settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings));
    const db = openDatabase({ file: join(ctlDir.dir, 'aideon.sqlite') });
    cleanups.push(() => {
      db.close();
    });
    const dispatcher = new Agent();
    cleanups.push(() => dispatcher.close());
    const events: ControllerEvent[] = [];
    const built = await buildController({
      settings: {
        storeUri,
        id: 'ctl-guard',
        host: 'test-host',
        tickMs: 1000,
        leaseMs: 30_000,
        operatorKeyFile: join(keys.dir, `${operator.kid}.key.json`),
        watchSettingsFile: settingsFile,
        renewBeforeMs: 14 * DAY,
      },
      env: { AIDEON_OPERATOR_PASSPHRASE: PASSPHRASE },
      db,
      dispatcher,
      now: clock.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: () => undefined,
      onEvent: (event) => events.push(event),
    });
    cleanups.push(built.close);
    const { controller } = built;
    const applied = () => events.filter((event) => event.type === 'step_applied');

    // Every 15 minutes a check; 50 % goes out once the 60-minute watch bake has passed checks.
    await controller.tick();
    expect(events.map((event) => event.type)).toEqual(['leader_acquired']);
    for (let i = 0; i < 8 && applied().length === 0; i += 1) {
      clock.advance(15 * MINUTE);
      await controller.tick();
    }
    expect(applied()).toEqual([
      expect.objectContaining({
        percent: 50,
        version: 42,
        flagKey: FLAG,
        environment: 'production',
      }),
    ]);
    const appliedAt = applied()[0]?.at ?? 0;
    // Not before the watch's bake (60 min), and every check until then passed.
    expect(appliedAt - t0).toBeGreaterThanOrEqual(60 * MINUTE);
    const checks = events.filter((event) => event.type === 'check_passed');
    expect(checks.length).toBeGreaterThanOrEqual(4);
    expect(checks.every((event) => event.version === 41)).toBe(true);
    expect(events.some((event) => ['paused', 'rolled_back', 'error'].includes(event.type))).toBe(
      false,
    );

    // The clock moves into the regression: version 42's traffic breaches the guards.
    clock.set(HISTORY_END * 1000 - HOUR);
    await controller.tick();
    const rolledBack = events.find((event) => event.type === 'rolled_back');
    expect(rolledBack).toMatchObject({ environment: 'production', version: 43, flagKey: FLAG });
    expect(rolledBack?.message).toMatch(/a guard breached/);
    expect(rolledBack?.message).toMatch(/together\/kling-2\.1 success rate 7\d\.\d%/);
    expect((await admin.listRollouts('production'))[0]).toMatchObject({
      flagKey: FLAG,
      status: 'stopped',
      stepIndex: 1,
    });
    // Version 43 is version 40's content (before the rollout), not the step's.
    const [before, step, restored] = await Promise.all([
      payload(storeUri, BEFORE_ROLLOUT),
      payload(storeUri, 42),
      payload(storeUri, 43),
    ]);
    expect(restored.config).toEqual(before.config);
    expect(restored.config).not.toEqual(step.config);

    // A consumer accepts the rollback as signed by the operator role, on a fully signed basis.
    const trustFile = join(storeDir, 'production', 'trust.json');
    const consumerState = join(ctlDir.dir, 'consumer-state.json');
    const verified = await verifyFromStore(storeUri, 'production', trustFile, consumerState, {
      now: clock.now(),
    });
    expect(verified).toMatchObject({
      ok: true,
      version: 43,
      signedAs: 'operator',
      keyIds: [operator.kid],
      basis: { version: BEFORE_ROLLOUT, keyIds: [alice.info.kid] },
    });

    // No more checks once rolled back; near its expiry, the controller renews the bundle.
    const expiresAt = Date.parse(restored.expiresAt);
    clock.set(expiresAt - 10 * DAY);
    const before2 = events.length;
    await controller.tick();
    // Dev and staging were published at t0 too: all three expire within the 14-day window.
    const after = events.slice(before2);
    expect(after.map((event) => [event.type, event.environment]).sort()).toEqual([
      ['renewed', 'dev'],
      ['renewed', 'production'],
      ['renewed', 'staging'],
    ]);
    expect(after.find((event) => event.environment === 'production')).toMatchObject({
      version: 44,
    });
    const renewed = await payload(storeUri, 44);
    expect(renewed.config).toEqual(before.config);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(expiresAt);
    const verifiedRenewal = await verifyFromStore(
      storeUri,
      'production',
      trustFile,
      consumerState,
      { now: clock.now() },
    );
    expect(verifiedRenewal).toMatchObject({
      ok: true,
      version: 44,
      signedAs: 'operator',
      basis: { version: BEFORE_ROLLOUT },
    });
    // Nothing is due again right after: a second tick renews nothing.
    await controller.tick();
    expect(events.slice(before2)).toHaveLength(3);

    // A fresh console (its own SQLite) reads the shared history: who did what.
    const console = testServices({ dataDir: consoleDir.dir, now: clock.now });
    cleanups.push(() => console.close());
    const sync = await console.publishing.syncHistory('full');
    expect(sync).toMatchObject({ check: { ok: true }, added: sync.entries });
    expect(sync.entries).toBeGreaterThan(BEFORE_ROLLOUT);
    const rows = console.publishing
      .history({ environment: 'production' })
      .slice()
      .sort((a, b) => a.seq - b.seq);
    const story = rows.map((row) => [row.action, row.actor, row.version, row.signature]);
    const admins = story.slice(0, BEFORE_ROLLOUT);
    expect(admins).toHaveLength(BEFORE_ROLLOUT);
    expect(admins.every((row) => row[1] === 'alice' && row[3] === 'admin')).toBe(true);
    expect(admins.map((row) => row[2])).toEqual(
      Array.from({ length: BEFORE_ROLLOUT }, (_, i) => i + 1),
    );
    expect(story.slice(BEFORE_ROLLOUT)).toEqual([
      ['rollout_step', 'alice', 41, 'admin'],
      ['rollout_step', 'controller:ctl-guard', 42, 'operator'],
      ['rollout_pause', 'controller:ctl-guard', null, 'operator'],
      ['rollback', 'controller:ctl-guard', 43, 'operator'],
      ['renew', 'controller:ctl-guard', 44, 'operator'],
    ]);
    const rollbackRow = rows.find((row) => row.action === 'rollback');
    expect(String(rollbackRow?.detail.reason)).toMatch(
      /Controller ctl-guard stopped .* a guard breached/,
    );
    expect(rollbackRow?.detail).toMatchObject({ restoresVersion: BEFORE_ROLLOUT });
    expect(
      rows.find((row) => row.action === 'rollout_step' && row.version === 42)?.detail,
    ).toMatchObject({
      flagKey: FLAG,
      percent: 50,
    });

    // The controller's rollback resets the free tier's 7-day stability count in a console that
    // reads the shared history (the metrics alone show 8 clean days), the morning after it.
    await console.close();
    const morning = testServices({
      dataDir: consoleDir.dir,
      now: () => HISTORY_END * 1000 + 6 * HOUR,
    });
    cleanups.push(() => morning.close());
    morning.watch.saveSettings({
      ...settings,
      tiers: [
        {
          tier: 'free',
          minSuccessRate: 0.9,
          maxP95LatencySeconds: 120,
          maxCostPerVideoUsd: 0.5,
          expected: [
            { provider: 'together', model: 'wan-2.1' },
            { provider: 'fal', model: 'ltx-video' },
          ],
        },
      ],
    });
    const stability = await morning.watch.getStability({ tier: 'free' });
    expect(stability.problems).toEqual([]);
    expect(stability.count).toBe(0);
    expect(stability.stable).toBe(false);
    expect(stability.resetBy).toMatchObject({ day: '2025-06-08', status: 'critical' });
    expect(stability.resetBy?.failures).toEqual([
      expect.objectContaining({
        guard: 'rollback',
        message: expect.stringContaining('Rolled back by controller:ctl-guard at 2025-06-08T23:00'),
      }),
    ]);
    // The days before the rollback were clean.
    expect(stability.days.find((day) => day.day === '2025-06-07')?.status).toBe('ok');
  }, 240_000);
});
