/**
 * The console's own rollout loop (no controller registered for the store) while a rollout state
 * in the store cannot be read (edited by hand: the state is not signed). The headless controller
 * keeps guarding the live step then (controller-damaged-state-guard.test.ts); the console's loop
 * skipped the environment: `listRollouts` threw in its scheduler tick (which then did nothing for
 * any environment) and in its bake, so the live step went unguarded and the admin watching the
 * console saw nothing in the Watch view.
 *
 * The console as `aideon serve` wires it (openConsole), a real etcd store, a real Prometheus with
 * no series (every guard has no data: missing data counts as a breach). dev runs a rollout
 * 10 → 50 → 100 (an hour's bake: nothing may advance) whose state loses its bake time.
 * - auto-rollback on: the console rolls back with its unlocked (operator) key to the content
 *   before the rollout, named by the signed bundles; once; the damaged state is left for the
 *   admin; the Watch view's panel says what is damaged and what became of the step.
 * - auto-rollback off: the step is held live; one inbox entry and one notice with the exact
 *   rollback command; nothing published however many checks fail.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../src/consumer/bundle-format';
import { openConsole, type WiredConsole } from '../../../src/main/app/console-wiring';
import { resourcesDir } from '../../../src/main/paths';
import type { ControllerPanel } from '../../../src/shared/rollout/controller-status';
import { startEtcd, type EtcdServer } from '../../helpers/etcd-server';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process';
import { flaggedPremiumConfig } from '../../helpers/flagged-routing-config';
import { okValue } from '../../helpers/test-console';
import { seedGenerations } from '../review/seed-review';
import { controllerTestStore } from './fixtures';

const FLAG = 'new-video-model';
const PASSPHRASE = 'operator passphrase for the console damaged-state test';

const cleanups: (() => void | Promise<void>)[] = [];
let etcd: EtcdServer;
let prom: PrometheusProcess;

beforeAll(async () => {
  etcd = await startEtcd();
  prom = await spawnEmptyPrometheus('aideon-console-damaged-prom-');
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await prom?.stop();
  await etcd?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Notice {
  title: string;
  body?: string;
}

/** A routing config the console's checks accept (its rollback is checked like any publish). */
function routingConfig(): Record<string, unknown> {
  return flaggedPremiumConfig({
    description: 'Premium on the sandbox; its pro model behind the flag.',
    flag: FLAG,
    flagged: { provider: 'sandbox', model: 'sandbox-pro', timeoutSeconds: 300, retries: 1 },
    fallback: { provider: 'sandbox', model: 'sandbox-fast', timeoutSeconds: 300, retries: 2 },
  });
}

async function damagedRolloutInConsole(prefix: string, autoRollback: boolean) {
  const context = await controllerTestStore(prefix, PASSPHRASE, cleanups, {
    storeUri: etcd.uri(prefix),
    config: routingConfig(),
  });
  const { data, storeUri, store, admin, operator } = context;
  await admin.startRollout({
    environment: 'dev',
    flagKey: FLAG,
    onVariant: 'on',
    offVariant: 'off',
    steps: [10, 50, 100],
    bakeMinutes: 60,
  });
  // Someone edits the rollout state by hand and drops its bake time.
  const key = storeKeys.rollout('dev', FLAG);
  const edited = JSON.parse((await store.get(key))?.value ?? '{}') as Record<string, unknown>;
  delete edited.bakeMs;
  const damagedText = JSON.stringify(edited);
  await store.commit([{ key, value: damagedText }]);

  // The console: its data folder holds the operator key (trusted to sign a rollback alone).
  const consoleDir = join(data.dir, 'console');
  mkdirSync(join(consoleDir, 'keys'), { recursive: true });
  copyFileSync(
    join(data.dir, `${operator.kid}.key.json`),
    join(consoleDir, 'keys', `${operator.kid}.key.json`),
  );
  const notices: Notice[] = [];
  const lines: string[] = [];
  const wired: WiredConsole = openConsole(
    {
      dataDir: consoleDir,
      resourcesDir: resourcesDir(),
      env: {},
      mode: 'browser',
      version: 'test',
      analyseVideos: false,
      publishTickMs: 200,
    },
    {
      present: (notice) => notices.push(notice as Notice),
      log: (line) => lines.push(line),
    },
  );
  cleanups.push(() => wired.close());
  await wired.ready;
  const { dispatcher } = wired;
  // Benchmark evidence for the routed models (the console checks it in every publish).
  seedGenerations(wired.services.db, {
    models: ['sandbox:sandbox-pro', 'sandbox:sandbox-fast'],
    prompts: 1,
  });
  okValue(await dispatcher.dispatch('publish:set-store', { storeUri }));
  okValue(await dispatcher.dispatch('publish:unlock-keys', { passphrase: PASSPHRASE }));
  okValue(
    await dispatcher.dispatch('watch:save-settings', {
      settings: {
        environments: { dev: { prometheusUrl: prom.url, autoRollback } },
        checkIntervalMinutes: 0.05,
        bakeMinutes: 60,
        timeoutMs: 5000,
        tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
      },
    }),
  );
  const inbox = async () =>
    okValue<{ events: { kind: string; summary?: string; action?: string | null }[] }>(
      await dispatcher.dispatch('monitor:list-inbox', {}),
    ).events.filter((entry) => entry.kind === 'guard_breached');
  const panel = async () =>
    okValue<ControllerPanel>(await dispatcher.dispatch('publish:get-controller', {}));
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > until)
        throw new Error(
          `${what} did not happen in ${ms} ms. Log:\n${lines.join('\n')}\nNotices:\n${notices.map((n) => `${n.title}: ${n.body}`).join('\n')}`,
        );
      await pause(100);
    }
  };
  return { ...context, wired, key, damagedText, notices, lines, inbox, panel, waitFor };
}

describe("the console's own loop while a rollout state cannot be read (etcd)", () => {
  it('auto-rollback on: the live step is guarded and rolled back to the content before the rollout, once; the Watch view says what is damaged', async () => {
    const c = await damagedRolloutInConsole('aideon-console-damaged-rollback-', true);
    // The Watch view's panel names the damaged state and what to do, from the first tick.
    const first = await c.waitFor('the damaged state in the panel', async () =>
      (await c.panel()).damaged?.find((item) => item.environment === 'dev'),
    );
    expect(first.problem).toContain(c.key);
    expect(first.advice).toMatch(/Then mend .* \(restore its value\) or delete it/);

    const versions = () => c.store.list(storeKeys.versionsPrefix('dev'));
    await c.waitFor('the rollback', async () =>
      (await versions()).length === 3 ? true : undefined,
    );
    // 1 = publish, 2 = the 10 % step, 3 = the rollback; version 3 holds version 1's content.
    expect(await c.admin.versionConfig('dev', 3)).toEqual(await c.admin.versionConfig('dev', 1));
    const entries = await c.waitFor('the inbox entry', async () => {
      const found = await c.inbox();
      return found.length > 0 ? found : undefined;
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.action).toBe('rolled_back');
    expect(entries[0]?.summary).toContain(c.key);
    const rolledBack = c.notices.filter((notice) => /Rolled back/.test(notice.title));
    expect(rolledBack).toHaveLength(1);
    const after = (await c.panel()).damaged?.find((item) => item.environment === 'dev');
    expect(after?.advice).toMatch(/Rolled back dev to the content of version 1/);

    // More ticks and check intervals: the rolled-back version is no step; nothing more is done.
    await pause(4000);
    expect(await versions()).toHaveLength(3);
    expect(await c.inbox()).toHaveLength(1);
    // Nothing left to guard: looked at again a minute later, not at every 200 ms tick.
    expect(c.lines.filter((line) => /watch of dev: no_step/.test(line)).length).toBeLessThan(3);
    // The damaged state is the admin's to mend: left exactly as it was.
    expect((await c.store.get(c.key))?.value).toBe(c.damagedText);
    // The console still answers.
    expect(await c.wired.dispatcher.dispatch('watch:get-settings', {})).toMatchObject({
      ok: true,
    });
  }, 90_000);

  it('auto-rollback off: the step is held live, one alert with the exact rollback command, nothing published', async () => {
    const c = await damagedRolloutInConsole('aideon-console-damaged-hold-', false);
    const entries = await c.waitFor('the inbox entry', async () => {
      const found = await c.inbox();
      return found.length > 0 ? found : undefined;
    });
    const command = `aideon config rollback --store ${c.storeUri} --env dev --to-version 1 --yes`;
    expect(entries[0]?.summary).toMatch(/metrics are missing under config version 2/);
    expect(entries[0]?.summary).toMatch(/HELD LIVE/);
    expect(entries[0]?.summary).toContain(command);
    expect(entries[0]?.summary).toContain(c.key);
    const shown = (await c.panel()).damaged?.find((item) => item.environment === 'dev');
    expect(shown?.advice).toMatch(/HELD LIVE/);
    expect(shown?.advice).toContain(command);

    // More failed checks (every 3 s): still one alert, nothing published.
    await pause(7000);
    expect(await c.inbox()).toHaveLength(1);
    expect(c.notices.filter((notice) => /held live/.test(notice.title))).toHaveLength(1);
    expect(await c.store.list(storeKeys.versionsPrefix('dev'))).toHaveLength(2);
    expect(c.lines.filter((line) => /watch of dev failed/.test(line))).toEqual([]);
    expect(await c.wired.dispatcher.dispatch('watch:get-settings', {})).toMatchObject({
      ok: true,
    });
  }, 90_000);
});
