/// <reference lib="dom" />
/**
 * Rollout → Production watch: the rollout controller panel in browser mode, in its three states.
 * A real console (`aideon serve`) on a data folder with a signed production rollout running
 * (10 → 50 → 100 %, made with the console's own services before it starts), and heartbeat
 * records written into its directory store by the controller's own registry code:
 * none → a live leader (the console stands down, the rollout row says who owns it) → a stale
 * heartbeat (a warning with what to do; the console takes the work back).
 */
import { expect, test, type Page } from '@playwright/test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  removeControllerStatus,
  writeControllerStatus,
} from '../../src/main/rollout/controller/controller-registry';
import { openConfigStore } from '../../src/main/rollout/stores/open-store';
import { resourcesDir } from '../../src/main/paths';
import { formatTimeOfDay, formatDateTime } from '../../src/shared/format';
import { createServices } from '../../src/main/services';
import {
  CONTROLLER_STATUS_SCHEMA,
  type ControllerStatus,
} from '../../src/shared/rollout/controller-status';
import { benchmarkWithCli, newDataDir, startConsole, type ConsoleServer } from './console-server';
import { SANDBOX_CONFIG } from './publishing-fixtures';

const FLAG = 'premium-pro-video';
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/controller-${name}.png`, fullPage: false });

/** Production runs SANDBOX_CONFIG; a rollout of FLAG is at its first step (10 %), bake 1 h. */
async function seedRunningRollout(dataDir: string): Promise<number> {
  benchmarkWithCli(dataDir);
  const services = createServices({
    dataDir,
    resourcesDir: resourcesDir(),
    env: { AIDEON_ACTOR: 'e2e admin' },
    mode: 'cli',
    version: 'e2e',
  });
  try {
    const { publishing, routing } = services;
    const kids = (await publishing.generateKey('e2e key', 'e2e passphrase')).unlocked;
    await publishing.initTrust(kids, { dev: 1, staging: 1, production: 1, trust: 1 });
    const saved = routing.saveDraft(SANDBOX_CONFIG, routing.getDraft().revision);
    await publishing.publishDraft({ draftRevision: saved.revision, expectFromVersion: 0 });
    await publishing.promote({ target: 'staging', expectFromVersion: 0 });
    await publishing.promote({ target: 'production', expectFromVersion: 0 });
    await publishing.startRollout({
      environment: 'production',
      flagKey: FLAG,
      onVariant: 'on',
      offVariant: 'off',
      steps: [10, 50, 100],
      bakeMinutes: 60,
    });
    const production = (await publishing.overview()).environments.find(
      (env) => env.environment === 'production',
    );
    return production?.rollouts[0]?.nextStepAt as number;
  } finally {
    await services.close();
  }
}

function heartbeat(lastTickAt: number, aliveUntil: number): ControllerStatus {
  return {
    schema: CONTROLLER_STATUS_SCHEMA,
    id: 'ctl-prod-1',
    host: 'ops-box',
    pid: 4242,
    actor: 'controller:ctl-prod-1',
    role: 'leader',
    leaseKind: 'lock-file',
    startedAt: lastTickAt - 3_600_000,
    lastTickAt,
    aliveUntil,
    activity: `production ${FLAG} 10%: baking (check 3), next step in 58 min`,
    lastEvent: {
      at: lastTickAt - 60_000,
      type: 'check_passed',
      message: 'config version 2 (premium-pro-video at 10%): all 4 guards passed (check 3)',
    },
  };
}

let server: ConsoleServer | undefined;
let dataDir: string | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

test('controller panel: none → alive (the console stands down) → stale heartbeat (warning)', async ({
  page,
}) => {
  test.setTimeout(150_000);
  dataDir = newDataDir();
  const nextStepAt = await seedRunningRollout(dataDir);
  expect(nextStepAt).toBeGreaterThan(Date.now());
  server = await startConsole(dataDir);
  const store = openConfigStore(`dir:${join(dataDir, 'config-store')}`);
  try {
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
    await page.getByTestId('nav-rollout').click();

    // 1. No controller registered: one line, and where `aideon controller` is documented.
    const panel = page.getByTestId('controller-panel');
    await panel.scrollIntoViewIfNeeded();
    await expect(panel).toHaveAttribute('data-state', 'none');
    await expect(panel).toContainText('run only while this console is open');
    await expect(panel).toContainText('aideon controller');
    await expect(panel).toContainText('Running the controller in production');
    const row = page.getByTestId(`rollout-production-${FLAG}`);
    await expect(row).toHaveAttribute('data-status', 'running');
    await expect(row.getByTestId('rollout-controller-owned')).toHaveCount(0);
    await panel.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await shot(page, '01-none');

    // 2. A live leader ticked 4 s ago: who, where, what it does; the console stood down.
    const now = Date.now();
    await writeControllerStatus(store, heartbeat(now - 4_000, now + 10 * 60_000));
    await expect(panel).toHaveAttribute('data-state', 'alive', { timeout: 20_000 });
    const leader = panel.getByTestId('controller-ctl-prod-1');
    await expect(leader).toHaveAttribute('data-alive', 'true');
    await expect(leader).toContainText('Controller ctl-prod-1 on ops-box');
    await expect(leader).toContainText('alive');
    await expect(leader.getByTestId('controller-last-tick')).toContainText(/last tick \d+ s ago/);
    await expect(panel.getByTestId('controller-activity')).toContainText('baking (check 3)');
    const production = panel.getByTestId('controller-env-production');
    // "until 00:23" today, "until 4 Dec 2026, 00:23" when the bake ends after midnight (the
    // browser and this test may read the clock either side of it: both forms are right).
    const bakeEnds = [formatTimeOfDay(nextStepAt, nextStepAt), formatDateTime(nextStepAt)];
    await expect(production).toContainText(
      new RegExp(
        `baking step 10% of "${FLAG}" \\(version 2\\) until (${bakeEnds.map(escapeRegExp).join('|')})`,
      ),
    );
    await expect(panel.getByTestId('controller-env-dev')).toContainText(
      'no rollout running (version 1 live)',
    );
    await expect(panel.getByTestId('controller-last-action')).toContainText('check passed');
    await expect(panel.getByTestId('controller-stood-down')).toContainText(
      'This console has stood down',
    );
    await expect(panel.getByTestId('controller-stood-down')).toContainText(
      'ramp, bake and guard loop is off',
    );
    // The rollout row in Publishing says the controller owns its steps and its watch.
    await expect(row.getByTestId('rollout-controller-owned')).toContainText(
      'Stepped and watched by controller ctl-prod-1',
    );
    await expect(row.getByTestId('rollout-pause')).toHaveAttribute(
      'title',
      /controller ctl-prod-1 holds it/,
    );
    await panel.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await shot(page, '02-alive');
    await row.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await shot(page, '03-alive-rollout-row');

    // An admin pauses the rollout: its 10 % step is still live, and the row says so plainly,
    // with who watches it and since when (not a bare "paused" that reads as nothing live).
    await expect(row.getByTestId('rollout-paused-live')).toHaveCount(0);
    await row.getByTestId('rollout-pause').click();
    await expect(row).toHaveAttribute('data-status', 'paused');
    await expect(row.getByTestId('rollout-paused-live')).toHaveText(
      new RegExp(
        `^Paused and still live; watched by controller ctl-prod-1 since (\\d{2}:\\d{2}|\\d{1,2} \\w{3} \\d{4}, \\d{2}:\\d{2})\\. 10% of production users still get "on": resume it, or roll back under Publishing → production → Roll back…$`,
      ),
    );
    await shot(page, '03b-paused-still-live');

    // 3. The heartbeat is stale (last tick 5 min ago): a warning, what to do; no one owns it.
    // A fresh clock reading: the panel counts the age live, so one taken before the screenshots
    // above could already read "6 min ago" on a slow machine (past 5 min 30 s).
    const later = Date.now();
    await writeControllerStatus(store, heartbeat(later - 5 * 60_000, later - 3.5 * 60_000));
    await expect(panel).toHaveAttribute('data-state', 'stale', { timeout: 20_000 });
    const warning = panel.getByTestId('controller-stale-warning');
    await expect(warning).toContainText('The rollout controller is not running');
    await expect(warning).toContainText('ctl-prod-1 on ops-box last ticked 5 min ago');
    await expect(warning).toContainText('systemctl start aideon-controller');
    await expect(warning).toContainText('keep this console open to take over');
    await expect(panel.getByTestId('controller-ctl-prod-1')).toHaveAttribute('data-alive', 'false');
    await expect(panel.getByTestId('controller-ctl-prod-1')).toContainText('heartbeat stale');
    await expect(row.getByTestId('rollout-controller-owned')).toHaveCount(0);
    // No controller and no production watch here: nothing rolls the paused step back.
    await expect(row.getByTestId('rollout-paused-live')).toContainText(
      'nothing rolls it back on its own',
    );
    await panel.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await shot(page, '04-stale');

    // The controller stops cleanly (its record is removed): back to the one-line empty state.
    await removeControllerStatus(store, 'ctl-prod-1');
    await expect(panel).toHaveAttribute('data-state', 'none', { timeout: 20_000 });
  } finally {
    await store.close();
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
