/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer } from './console-server';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/monitor-${name}.png`, fullPage: true });

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('release monitor: provider rows, Check all, inbox and board empty states', async ({
  page,
}) => {
  // No vendor keys, whatever the machine has set: only list-less providers can be read.
  server = await startConsole(newDataDir(), {
    TOGETHER_API_KEY: '',
    RUNWAYML_API_SECRET: '',
    REPLICATE_API_TOKEN: '',
    GEMINI_API_KEY: '',
    FAL_KEY: '',
    LUMAAI_API_KEY: '',
  });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-models').click();

  const panel = page.getByTestId('monitor-panel');
  await expect(panel).toBeVisible();
  // Catalogues from the adapters' known tables (the sandbox is not monitored: it never changes).
  await expect(page.getByTestId('monitor-row-sandbox')).toHaveCount(0);
  for (const provider of ['runway', 'fal', 'luma']) {
    await expect(page.getByTestId(`monitor-result-${provider}`)).toContainText('OK', {
      timeout: 20_000,
    });
    await expect(page.getByTestId(`monitor-result-${provider}`)).toContainText('video model');
  }
  // List calls that need a key.
  for (const provider of ['together', 'gemini', 'replicate']) {
    await expect(page.getByTestId(`monitor-result-${provider}`)).toContainText('No key');
    await expect(page.getByTestId(`monitor-result-${provider}`)).toContainText(
      'Add a key in Settings',
    );
  }
  await expect(page.getByTestId('monitor-last-runway')).toHaveText(/just now|min ago/);
  await expect(page.getByTestId('monitor-next-runway')).toHaveText(/^in /);
  await shot(page, '01-panel');

  const before = Number(await page.getByTestId('monitor-last-runway').getAttribute('data-at'));
  await page.getByTestId('monitor-check-all').click();
  await expect(page.getByTestId('monitor-check-all')).toBeEnabled();
  await expect
    .poll(async () => Number(await page.getByTestId('monitor-last-runway').getAttribute('data-at')))
    .toBeGreaterThan(before);
  // A "no key" answer is a check too: its time shows.
  await expect(page.getByTestId('monitor-last-together')).toHaveText('just now');
  await expect(page.getByTestId('monitor-result-runway')).toContainText('OK');
  await shot(page, '02-after-check-all');

  // One provider on its own.
  await page.getByTestId('monitor-check-fal').click();
  await expect(page.getByTestId('monitor-check-fal')).toHaveText('Check now');

  // Settings dialog.
  await page.getByTestId('monitor-settings').click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.getByTestId('monitor-interval').fill('30');
  await page.getByTestId('monitor-auto-smoke').check();
  await page.getByTestId('monitor-budget').fill('3');
  await shot(page, '03-settings');
  await page.getByTestId('monitor-settings-save').click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('monitor-schedule')).toContainText('every 30 min');
  await expect(page.getByTestId('monitor-schedule')).toContainText('$3.00');

  // Inbox: first checks only record a baseline, so nothing to read.
  await expect(page.getByTestId('nav-unread')).toHaveCount(0);
  await expect(page).toHaveTitle('Aideon Video Console');
  await page.getByTestId('tab-inbox').click();
  await expect(page.getByText('Nothing in the inbox yet')).toBeVisible();
  await expect(page.getByTestId('inbox-unread')).toHaveText('Nothing unread');
  await expect(page.getByTestId('inbox-mark-all')).toBeDisabled();
  await shot(page, '04-inbox-empty');

  await page.getByTestId('tab-board').click();
  await expect(page.getByText('No models to onboard yet')).toBeVisible();
  await shot(page, '05-board-empty');
});
