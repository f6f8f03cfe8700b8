/// <reference lib="dom" />
/**
 * Two small layout faults seen in session 12, at the smallest window the console is made for
 * (1024 px wide): the "+N more" toast button over the sidebar's footer, and Rollout's
 * "Steps (%)" label a few px above its neighbours'. Screenshots go to AIDEON_SHOTS_DIR.
 */
import { expect, test } from '@playwright/test';
import { resourcesDir } from '../../src/main/paths';
import { createServices } from '../../src/main/services';
import { type ConsoleServer, consoleErrorsOf, newDataDir, startConsole } from './console-server';
import { failedStartsUnderDialog } from './toast-fixtures';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const SHOTS = process.env.AIDEON_SHOTS_DIR ?? 'test-results/screenshots';

test('"+N more" under a dialog at 1024 px stays clear of the sidebar\'s footer', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  server = await startConsole(newDataDir());
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  // Five failed starts under the dialog: three toasts in a row under it, two behind "+2 more".
  const { shown, stop } = await failedStartsUnderDialog(page, 5);
  const more = page.getByTestId('toast-more');
  await expect(more).toHaveText('+2 more');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  await page.screenshot({ path: `${SHOTS}/toast-more-1024.png` });
  // "+N more" is clear of the sidebar (its footer: the simulated badge, the version), at the
  // row's right end after the newest toast; the toasts keep their readable width.
  const sidebar = (await page.locator('nav.sidebar').boundingBox())!;
  const moreBox = (await more.boundingBox())!;
  expect(moreBox.x).toBeGreaterThanOrEqual(sidebar.x + sidebar.width);
  expect(moreBox.x + moreBox.width).toBeLessThanOrEqual(1024);
  const newest = (await shown.nth(2).boundingBox())!;
  expect(moreBox.x).toBeGreaterThanOrEqual(newest.x + newest.width);
  for (const toast of await shown.all()) {
    expect((await toast.boundingBox())!.width).toBeGreaterThanOrEqual(240);
  }
  // Still under the dialog, not over it.
  const dialog = (await page.getByRole('dialog').boundingBox())!;
  expect((await more.boundingBox())!.y).toBeGreaterThanOrEqual(dialog.y + dialog.height);
  await stop();
  expect(consoleErrors).toEqual([]);
});

test('Rollout → Start a rollout: "Steps (%)" and "Bake" labels level with the others', async ({
  page,
}) => {
  // Signing set up (a key and a trust file) before the console starts: the rollout form shows.
  const dataDir = newDataDir();
  const services = createServices({
    dataDir,
    resourcesDir: resourcesDir(),
    env: { AIDEON_ACTOR: 'e2e admin' },
    mode: 'cli',
    version: 'e2e',
  });
  try {
    const kid = (await services.publishing.generateKey('e2e key', 'e2e passphrase')).unlocked;
    await services.publishing.initTrust(kid, { dev: 1, staging: 1, production: 1, trust: 1 });
  } finally {
    await services.close();
  }
  server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  const panel = page.getByTestId('rollout-panel');
  await panel.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('ro-steps')).toBeVisible();
  await panel.screenshot({ path: `${SHOTS}/rollout-steps-label.png` });
  const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
  const envLabel = await box('label[for="ro-env"]');
  const envControl = await box('#ro-env');
  for (const id of ['ro-flag', 'ro-on', 'ro-off', 'ro-steps', 'ro-bake']) {
    const label = await box(`label[for="${id}"]`);
    const control = await box(`#${id}`);
    // Every control as tall as the others, its label as far above it.
    expect(Math.abs(control.height - envControl.height), `height of #${id}`).toBeLessThan(0.5);
    expect(
      Math.abs(control.y - label.y - (envControl.y - envLabel.y)),
      `label of #${id} above its control`,
    ).toBeLessThan(0.5);
    // On the Environment's row (Bake may wrap to the next): level with its label.
    if (Math.abs(control.y - envControl.y) < envControl.height) {
      expect(Math.abs(label.y - envLabel.y), `label of #${id} vs Environment`).toBeLessThan(0.5);
    }
  }
});
