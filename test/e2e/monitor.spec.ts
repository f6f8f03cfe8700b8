/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { NO_VENDOR_KEYS, newDataDir, startConsole, type ConsoleServer } from './console-server';
import { TogetherEmulator } from '../emulators/together-emulator';

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
  server = await startConsole(newDataDir(), NO_VENDOR_KEYS);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-models').click();

  const panel = page.getByTestId('monitor-panel');
  await expect(panel).toBeVisible();
  // Runway, fal and Luma publish no model list: their rows say the table is built in and
  // unchecked, never "OK".
  for (const provider of ['runway', 'fal', 'luma']) {
    const result = page.getByTestId(`monitor-result-${provider}`);
    await expect(result).toContainText('Built-in list', { timeout: 20_000 });
    await expect(result).toContainText('video models · not checked');
    await expect(result).not.toContainText('OK');
    await expect(page.getByTestId(`monitor-last-${provider}`)).toHaveText('Not checked');
    await expect(page.getByTestId(`monitor-check-${provider}`)).toHaveCount(0);
  }
  // The sandbox's simulated catalogue is checked like a vendor's.
  await expect(page.getByTestId('monitor-result-sandbox')).toContainText('Simulated catalogue');
  await expect(page.getByTestId('monitor-result-sandbox')).toContainText('3 video models');
  // List calls that need a key.
  for (const provider of ['together', 'gemini', 'replicate']) {
    await expect(page.getByTestId(`monitor-result-${provider}`)).toContainText('No key');
    await expect(page.getByTestId(`monitor-result-${provider}`)).toContainText(
      'Add a key in Settings',
    );
  }
  await expect(page.getByTestId('monitor-last-sandbox')).toHaveText(/just now|min ago/);
  await expect(page.getByTestId('monitor-next-sandbox')).toHaveText(/^in /);
  await shot(page, '01-panel');

  const before = Number(await page.getByTestId('monitor-last-sandbox').getAttribute('data-at'));
  await page.getByTestId('monitor-check-all').click();
  await expect(page.getByTestId('monitor-check-all')).toBeEnabled();
  await expect
    .poll(async () =>
      Number(await page.getByTestId('monitor-last-sandbox').getAttribute('data-at')),
    )
    .toBeGreaterThan(before);
  // A "no key" answer is a check too: its time shows.
  await expect(page.getByTestId('monitor-last-together')).toHaveText('just now');
  await expect(page.getByTestId('monitor-result-sandbox')).toContainText('Simulated catalogue');
  await shot(page, '02-after-check-all');

  // One provider on its own.
  await page.getByTestId('monitor-check-sandbox').click();
  await expect(page.getByTestId('monitor-check-sandbox')).toHaveText('Check now');

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

test('a new Together model: one inbox entry, a board card, and "Open" shows that card', async ({
  page,
}) => {
  const key = 'tgp_v1_e2e-monitor-key-0000';
  const emulator = new TogetherEmulator({ apiKey: key });
  await emulator.start();
  try {
    server = await startConsole(newDataDir(), {
      ...NO_VENDOR_KEYS,
      TOGETHER_API_KEY: key,
      AIDEON_TOGETHER_BASE_URL: emulator.baseUrl,
    });
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
    await page.getByTestId('nav-models').click();
    // The first check is the baseline: nothing is "new" on first sight.
    await expect(page.getByTestId('monitor-result-together')).toContainText('OK', {
      timeout: 20_000,
    });
    await expect(page.getByTestId('nav-unread')).toHaveCount(0);

    emulator.extraModels.push({
      id: 'HappyHorse/HappyHorse-1.0-T2V',
      object: 'model',
      created: 1790000000,
      type: 'video',
      display_name: 'HappyHorse 1.0',
      pricing: { base: 0.3 },
    });
    await page.getByTestId('monitor-check-together').click();
    await expect(page.getByTestId('nav-unread')).toHaveText('1');
    await expect(page).toHaveTitle('(1) Aideon Video Console');

    // A failed check and a repeat check add nothing.
    emulator.catalogueFaults.push('truncated');
    await page.getByTestId('monitor-check-together').click();
    await expect(page.getByTestId('monitor-result-together')).toContainText(/fail|malformed/i);
    await page.getByTestId('monitor-check-together').click();
    await expect(page.getByTestId('monitor-result-together')).toContainText('OK');
    await expect(page.getByTestId('nav-unread')).toHaveText('1');

    await page.getByTestId('tab-inbox').click();
    const item = page.getByTestId('inbox-item');
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-kind', 'added');
    await expect(item).toContainText('HappyHorse 1.0');
    await expect(item).toContainText('HappyHorse/HappyHorse-1.0-T2V');
    await shot(page, '06-inbox-new-model');

    await item.getByTestId('inbox-open').click();
    const card = page.locator('[data-testid="board-card"][data-focused="true"]');
    await expect(card).toBeVisible();
    await expect(card).toHaveAttribute('data-model', 'together/HappyHorse/HappyHorse-1.0-T2V');
    await expect(card).toHaveAttribute('data-stage', 'detected');
    await expect(page.getByTestId('nav-unread')).toHaveCount(0);
    await shot(page, '07-board-focused-card');
  } finally {
    await emulator.stop();
  }
});
