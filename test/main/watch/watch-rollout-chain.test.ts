/**
 * The whole chain, with nothing faked: a routing config benchmarked against the vendor
 * emulators, signed with passphrase keys into a directory config store, promoted dev → staging
 * → production, a gradual rollout of the flag that turns Kling 2.1 on for premium users, the
 * publishing service's own scheduler (ticker + bake), the production watch reading a REAL
 * Prometheus with 8 days of history in which kling-2.1 regresses on the last day, the monitor
 * inbox, the signed history and a consumer's verification.
 *
 * Production reports the signed config's version in the `config_version` label, and the
 * fixture's history is labelled "41" then "42". So production is brought to version 41 first
 * (a console that has shipped for a while), and each rollout's first step is version 42: the
 * step the watch judges is the one the metrics describe. The clock is virtual: `now` is set
 * inside the history (before or during the regression) and advancing it wakes the scheduler's
 * and the bake loop's sleeps.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { base64UrlDecode, storeKeys } from '../../../src/consumer/bundle-format';
import { verifyFromStore } from '../../../src/consumer/verify-bundle';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import type { HistoryRow } from '../../../src/shared/rollout/publish-ipc-schemas';
import type { WatchSettingsInput } from '../../../src/shared/watch/watch-settings';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import {
  CONFIG_CHANGE_AT,
  HISTORY_END,
  REGRESSION_FROM,
  startPrometheus,
  type PrometheusFixture,
} from '../../helpers/prometheus-server';
import { flaggedPremiumConfig } from '../../helpers/flagged-routing-config';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PASS = 'watch chain passphrase';
const FLAG = 'premium-together-video';
const TOGETHER_KEY = 'tgp_v1_watch-chain-0c5e1b';
const RUNWAY_KEY = `key_${'c4a1'.repeat(32)}`;

/** Premium on Runway, with Together's Kling 2.1 switched on by the flag (off to begin with). */
function premiumConfig(dailyQuota: number): Record<string, unknown> {
  return flaggedPremiumConfig({
    description: 'Premium on Runway; Kling 2.1 on Together behind premium-together-video.',
    flag: FLAG,
    flagged: {
      provider: 'together',
      model: 'kwaivgI/kling-2.1-master',
      timeoutSeconds: 300,
      retries: 1,
    },
    fallback: { provider: 'runway', model: 'gen4.5', timeoutSeconds: 300, retries: 2 },
    tier: {
      breaker: { failureRate: 0.3, minimumRequests: 50, cooldownSeconds: 30 },
      limits: { maxSeconds: 10, maxResolution: '1080p', dailyQuota },
    },
  });
}

/** Production's last version before the rollout (its config_version label is then 41). */
const PRODUCTION_BEFORE_ROLLOUT = 41;

/**
 * A virtual clock: `sleep` resolves when `advance` moves the time past its deadline (or is
 * aborted); `sleeping` counts the loops (scheduler, bake) waiting on it.
 */
function virtualClock(start: number) {
  let now = start;
  const sleepers = new Set<{ at: number; wake: () => void }>();
  return {
    now: () => now,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new Error('aborted'));
          return;
        }
        const sleeper = {
          at: now + ms,
          wake: () => {
            sleepers.delete(sleeper);
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener(
          'abort',
          () => {
            sleepers.delete(sleeper);
            reject(new Error('aborted'));
          },
          { once: true },
        );
      }),
    get sleeping() {
      return sleepers.size;
    },
    advance(ms: number) {
      now += ms;
      for (const sleeper of [...sleepers]) if (sleeper.at <= now) sleeper.wake();
    },
  };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let prom: PrometheusFixture;
const together = new TogetherEmulator({ apiKey: TOGETHER_KEY });
const runway = new RunwayEmulator({ apiKey: RUNWAY_KEY });
let env: NodeJS.ProcessEnv;
/** A data folder with evidence, keys, trust and production at version 41 (copied per test). */
let templateDir: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const promDir = tempDir('aideon-chain-prom-');
  cleanups.push(promDir.cleanup);
  prom = await startPrometheus({ dir: promDir.dir });
  env = {
    AIDEON_ACTOR: 'alice',
    TOGETHER_API_KEY: TOGETHER_KEY,
    RUNWAYML_API_SECRET: RUNWAY_KEY,
    AIDEON_TOGETHER_BASE_URL: await together.start(),
    AIDEON_RUNWAY_BASE_URL: await runway.start(),
  };
  const template = tempDir('aideon-chain-template-');
  cleanups.push(template.cleanup);
  templateDir = template.dir;
  // The template's work happens a week before the history ends (bundles live 90 days).
  const services = testServices({
    dataDir: templateDir,
    env,
    now: () => (CONFIG_CHANGE_AT - 3 * 86400) * 1000,
    analyseVideos: false,
  });
  try {
    // Evidence: the routing checks refuse models that were never benchmarked.
    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models: [
        { provider: 'together', modelId: 'kwaivgI/kling-2.1-master' },
        { provider: 'runway', modelId: 'gen4.5' },
      ],
      budgetUsd: 20,
    });
    const run = await services.bench.waitForRun(runId);
    expect(run.state).toBe('finished');

    const kid = (await services.publishing.generateKey('alice laptop', PASS)).unlocked[0];
    await services.publishing.initTrust([kid as string], {
      dev: 1,
      staging: 1,
      production: 1,
      trust: 1,
    });
    // Production has shipped 41 versions, each through dev and staging.
    for (let version = 1; version <= PRODUCTION_BEFORE_ROLLOUT; version += 1) {
      const draft = services.routing.getDraft();
      const saved = services.routing.saveDraft(premiumConfig(40 + version), draft.revision);
      expect(saved.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
      await services.publishing.publishDraft({
        draftRevision: saved.revision,
        expectFromVersion: version - 1,
      });
      await services.publishing.promote({ target: 'staging', expectFromVersion: version - 1 });
      const promoted = await services.publishing.promote({
        target: 'production',
        expectFromVersion: version - 1,
      });
      expect(promoted.outcomes[0]).toMatchObject({ status: 'published', version });
    }
  } finally {
    await services.close();
  }
}, 240_000);

afterAll(async () => {
  await prom?.stop();
  await together.stop();
  await runway.stop();
  cleanups.forEach((cleanup) => cleanup());
});

let current: { close: () => Promise<void> } | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

function watchSettings(
  autoRollback: boolean,
  extraTiers: WatchSettingsInput['tiers'] = [],
): WatchSettingsInput {
  return {
    environments: { production: { prometheusUrl: prom.url, autoRollback } },
    guardWindow: '3h',
    checkIntervalMinutes: 15,
    bakeMinutes: 60,
    tiers: [
      {
        tier: 'premium',
        minSuccessRate: 0.92,
        maxP95LatencySeconds: 200,
        maxCostPerVideoUsd: 4,
        // Production names the model by its own label.
        expected: [{ provider: 'together', model: 'kling-2.1' }],
      },
      ...(extraTiers ?? []),
    ],
  };
}

/** A console on a copy of the template, its clock at `startAt`, the watch and scheduler on. */
async function consoleAt(startAt: number, settings: WatchSettingsInput) {
  const { dir, cleanup } = tempDir('aideon-chain-');
  cpSync(templateDir, dir, { recursive: true });
  const clock = virtualClock(startAt);
  const logs: string[] = [];
  const services = testServices({
    dataDir: dir,
    env,
    now: clock.now,
    sleep: clock.sleep,
    publishTickMs: MINUTE,
    analyseVideos: false,
    log: (line) => logs.push(line),
  });
  const breaches: {
    status: string;
    action?: string | null | undefined;
    stepVersion: number | null;
  }[] = [];
  services.bus.on('watch:guard-breached', (event) => breaches.push(event));
  current = {
    close: async () => {
      await services.close();
      cleanup();
    },
  };
  expect((await services.publishing.unlockKeys({ passphrase: PASS })).unlocked).toHaveLength(1);
  services.watch.saveSettings(settings);
  services.publishing.start();
  const live = async (): Promise<number> =>
    (await services.publishing.overview()).environments.find(
      (environment) => environment.environment === 'production',
    )?.live?.version ?? 0;
  const rollout = async () =>
    (await services.publishing.overview()).environments.find(
      (environment) => environment.environment === 'production',
    )?.rollouts[0];
  const history = (): HistoryRow[] => services.publishing.history({ environment: 'production' });
  const startRollout = (steps = [10, 50, 100]) =>
    services.publishing.startRollout({
      environment: 'production',
      flagKey: FLAG,
      onVariant: 'on',
      offVariant: 'off',
      steps,
      bakeMinutes: 30,
    });
  return { dir, services, clock, logs, breaches, live, rollout, history, startRollout };
}

describe('production watch → rollout → signed rollback, against a real Prometheus', () => {
  it('a healthy window: the step bakes, the scheduler waits for the watch, then advances; the next step has no metrics and pauses', async () => {
    // Two hours before the regression: config_version 42 has 1.5 days of healthy history.
    const t0 = REGRESSION_FROM * 1000 - 2 * HOUR;
    const chain = await consoleAt(t0, watchSettings(false));
    expect(await chain.live()).toBe(PRODUCTION_BEFORE_ROLLOUT);
    const unread = chain.services.monitor.listInbox().unread;
    const started = await chain.startRollout();
    expect(started.outcomes[0]).toMatchObject({ status: 'published', version: 42 });
    // Scheduler and bake both sleep: the first check passed.
    await waitFor('the first check', () => chain.clock.sleeping === 2);
    expect(await chain.rollout()).toMatchObject({ stepIndex: 0, status: 'running' });

    // The rollout's own bake (30 min) is over, the watch's (60 min) is not: the step is held.
    chain.clock.advance(30 * MINUTE);
    await waitFor('the held tick', () => chain.clock.sleeping === 2);
    expect(await chain.rollout()).toMatchObject({ stepIndex: 0, status: 'running' });
    expect(await chain.live()).toBe(42);

    // The watch's bake ends with every check passing; the next tick publishes 50 %.
    chain.clock.advance(30 * MINUTE);
    await waitFor('the bake', () => chain.logs.includes('publishing: watch of production: baked'));
    for (let i = 0; i < 5 && (await chain.rollout())?.stepIndex === 0; i += 1) {
      await waitFor('the scheduler', () => chain.clock.sleeping >= 1);
      chain.clock.advance(MINUTE);
      await waitFor('the tick', () => chain.clock.sleeping >= 1);
    }
    expect(await chain.rollout()).toMatchObject({ stepIndex: 1 });
    expect(await chain.live()).toBe(43);
    const step = chain.history().find((row) => row.action === 'rollout_step' && row.version === 43);
    expect(step?.detail).toMatchObject({ flagKey: FLAG, percent: 50 });
    // Version 42 never breached.
    expect(chain.breaches.filter((breach) => breach.stepVersion === 42)).toEqual([]);

    // Version 43 has no series in Prometheus (production never reported it): missing data is
    // a breach, so the new step's first check pauses the rollout and tells the inbox.
    await waitFor('the pause', async () => (await chain.rollout())?.status === 'paused');
    // The pause is written to the store first, then to the history (and its SQLite copy).
    await waitFor('the pause in the history', () =>
      chain.history().some((row) => row.action === 'rollout_pause'),
    );
    const pause = chain.history().find((row) => row.action === 'rollout_pause');
    expect(String(pause?.detail.reason)).toMatch(/metrics are missing/);
    expect(String(pause?.detail.reason)).toMatch(
      /No requests reported for tier premium .* under config version 43|had 0 requests/,
    );
    await waitFor('the inbox', () => chain.services.monitor.listInbox().unread === unread + 1);
    expect(chain.services.monitor.listInbox().events[0]).toMatchObject({
      kind: 'guard_breached',
      status: 'no_data',
      action: 'paused',
      stepVersion: 43,
    });
    expect(await chain.live()).toBe(43);
  }, 60_000);

  it('auto-rollback ON at the 50 % step: the rollback restores the content before the rollout, not the 10 % step', async () => {
    const t0 = REGRESSION_FROM * 1000 - 2 * HOUR;
    const chain = await consoleAt(t0, watchSettings(true));
    await chain.startRollout();
    await waitFor('the first check', () => chain.clock.sleeping === 2);
    chain.clock.advance(30 * MINUTE);
    await waitFor('the held tick', () => chain.clock.sleeping === 2);
    chain.clock.advance(30 * MINUTE);
    await waitFor('the bake', () => chain.logs.includes('publishing: watch of production: baked'));
    for (let i = 0; i < 5 && (await chain.rollout())?.stepIndex === 0; i += 1) {
      await waitFor('the scheduler', () => chain.clock.sleeping >= 1);
      chain.clock.advance(MINUTE);
      await waitFor('the tick', () => chain.clock.sleeping >= 1);
    }
    expect(await chain.rollout()).toMatchObject({ stepIndex: 1 });
    // Version 43 (50 %) has no metrics: missing data rolls back, to version 41's content.
    await waitFor('the rollback', () =>
      chain.logs.includes('publishing: watch of production: rolled_back'),
    );
    expect(await chain.live()).toBe(44);
    const rollback = chain.history().find((row) => row.action === 'rollback');
    expect(rollback).toMatchObject({ version: 44 });
    expect(rollback?.detail).toMatchObject({ restoresVersion: PRODUCTION_BEFORE_ROLLOUT });
  }, 60_000);

  it('auto-rollback OFF: the regression breaches, the rollout pauses, the inbox gets it, nothing is published', async () => {
    const t0 = HISTORY_END * 1000 - HOUR;
    const chain = await consoleAt(t0, watchSettings(false));
    const unread = chain.services.monitor.listInbox().unread;
    await chain.startRollout();
    await waitFor('the pause', async () => (await chain.rollout())?.status === 'paused');
    await waitFor('the bake result', () =>
      chain.logs.includes('publishing: watch of production: paused'),
    );
    expect(chain.services.monitor.listInbox().unread).toBe(unread + 1);
    const event = chain.services.monitor.listInbox().events[0];
    expect(event).toMatchObject({
      kind: 'guard_breached',
      env: 'production',
      status: 'breach',
      action: 'paused',
      stepVersion: 42,
      read: false,
    });
    if (event?.kind !== 'guard_breached') throw new Error('expected a guard breach');
    expect(event.summary).toMatch(/together\/kling-2\.1 success rate 7\d\.\d%/);
    expect(event.summary).toMatch(/together\/kling-2\.1 p95 latency/);
    expect(chain.breaches).toEqual([
      expect.objectContaining({ status: 'breach', action: 'paused' }),
    ]);

    // Nothing new was signed: production stays at the step, and the scheduler holds a paused rollout.
    expect(await chain.live()).toBe(42);
    chain.clock.advance(2 * HOUR);
    await waitFor('the tick', () => chain.clock.sleeping === 1);
    expect(await chain.live()).toBe(42);
    expect(await chain.rollout()).toMatchObject({ stepIndex: 0, status: 'paused' });
    expect(
      chain
        .history()
        .map((row) => row.action)
        .slice(0, 2),
    ).toEqual(['rollout_pause', 'rollout_step']);
    expect(chain.history().some((row) => row.action === 'rollback')).toBe(false);
  }, 60_000);

  it('auto-rollback ON: the breach publishes a signed rollback to the content before the rollout, which a consumer verifies', async () => {
    const t0 = HISTORY_END * 1000 - HOUR;
    const chain = await consoleAt(t0, watchSettings(true));
    const unread = chain.services.monitor.listInbox().unread;
    await chain.startRollout();
    await waitFor('the rollback', () =>
      chain.logs.includes('publishing: watch of production: rolled_back'),
    );
    expect(await chain.live()).toBe(43);
    expect(await chain.rollout()).toMatchObject({ status: 'stopped' });

    // The rollback restores version 41's content exactly (the flag off), under version 43.
    const store = join(chain.dir, 'config-store');
    const reader = openConfigStore(`dir:${store}`);
    const bundle = async (version: number) => {
      const entry = await reader.get(storeKeys.version('production', version));
      const envelope = JSON.parse(entry?.value ?? '{}') as { jws: { payload: string } };
      return JSON.parse(base64UrlDecode(envelope.jws.payload).toString('utf8')) as {
        version: number;
        config: unknown;
      };
    };
    const [before, step, restored] = await Promise.all([bundle(41), bundle(42), bundle(43)]);
    await reader.close();
    expect(restored.config).toEqual(before.config);
    expect(restored.config).not.toEqual(step.config);
    expect(restored.version).toBe(43);

    // A consumer (aideon config verify) accepts it, including after having seen version 42.
    const trustFile = join(store, 'production', 'trust.json');
    const state = join(chain.dir, 'consumer-state.json');
    const verified = await verifyFromStore(`dir:${store}`, 'production', trustFile, state, {
      now: chain.clock.now(),
    });
    expect(verified).toMatchObject({ ok: true, version: 43 });

    // The history chain: step, pause and rollback, each with its reason; the chain is intact.
    const rows = chain.history();
    expect(rows.map((row) => row.action).slice(0, 3)).toEqual([
      'rollback',
      'rollout_pause',
      'rollout_step',
    ]);
    const rollback = rows[0];
    expect(rollback).toMatchObject({ version: 43, actor: 'alice' });
    expect(rollback?.detail.restoresVersion).toBe(41);
    expect(String(rollback?.detail.reason)).toMatch(/Watch paused config version 42/);
    expect(String(rollback?.detail.reason)).toMatch(/a guard breached/);
    expect(String(rollback?.detail.reason)).toMatch(/kling-2\.1 success rate/);
    expect(rollback?.keyIds).toHaveLength(1);
    expect(chain.services.publishing.checkChain()).toMatchObject({ ok: true });

    // One inbox item for it, saying what was done.
    expect(chain.services.monitor.listInbox().unread).toBe(unread + 1);
    expect(chain.services.monitor.listInbox().events[0]).toMatchObject({
      kind: 'guard_breached',
      status: 'breach',
      action: 'rolled_back',
      stepVersion: 42,
    });
  }, 60_000);

  it('a guarded tier with no series at all is a breach even when the rest is healthy (auto-rollback ON rolls back)', async () => {
    const t0 = REGRESSION_FROM * 1000 - 2 * HOUR;
    const chain = await consoleAt(
      t0,
      watchSettings(true, [{ tier: 'enterprise', minSuccessRate: 0.9 }]),
    );
    await chain.startRollout();
    await waitFor('the rollback', () =>
      chain.logs.includes('publishing: watch of production: rolled_back'),
    );
    expect(await chain.live()).toBe(43);
    const rollback = chain.history()[0];
    expect(rollback?.action).toBe('rollback');
    expect(String(rollback?.detail.reason)).toMatch(/metrics are missing/);
    expect(String(rollback?.detail.reason)).toMatch(/No requests reported for tier enterprise/);
    // Premium itself was healthy in this window.
    expect(String(rollback?.detail.reason)).not.toMatch(/kling-2\.1/);
    expect(chain.services.monitor.listInbox().events[0]).toMatchObject({
      status: 'no_data',
      action: 'rolled_back',
    });
  }, 60_000);

  it('the final 100 % step is guarded too, though the rollout is already complete', async () => {
    const t0 = HISTORY_END * 1000 - HOUR;
    const chain = await consoleAt(t0, watchSettings(true));
    const started = await chain.startRollout([100]);
    expect(started.outcomes[0]).toMatchObject({ version: 42 });
    await waitFor('the rollback', () =>
      chain.logs.includes('publishing: watch of production: rolled_back'),
    );
    expect(await chain.live()).toBe(43);
    const rollback = chain.history()[0];
    expect(rollback).toMatchObject({ action: 'rollback', version: 43 });
    expect(rollback?.detail.restoresVersion).toBe(41);
    expect(String(rollback?.detail.reason)).toMatch(
      /a guard breached under config version 42 \(premium-together-video at 100%\) in production, after the rollout completed/,
    );
    // Nothing was running to pause, so there is no pause entry.
    expect(chain.history().some((row) => row.action === 'rollout_pause')).toBe(false);
  }, 60_000);
});
