/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { NO_VENDOR_KEYS, newDataDir, startConsole, type ConsoleServer } from './console-server';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

const FAKE_KEY = 'test-key-123456';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('browser mode: provider cards say which providers are ready and where keys come from', async ({
  page,
}) => {
  // No vendor keys in the environment, whatever the machine has set.
  server = await startConsole(newDataDir(), NO_VENDOR_KEYS);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('provider-card-sandbox')).toBeVisible();
  await expect(page.getByTestId('provider-status-sandbox')).toHaveText('Ready');
  await expect(page.getByTestId('provider-key-source-sandbox')).toContainText(
    'Not needed for sandbox',
  );
  await expect(page.getByTestId('provider-card-together')).toBeVisible();
  await expect(page.getByTestId('provider-status-together')).toHaveText('No API key');
  await expect(page.getByTestId('provider-key-source-together')).toContainText('TOGETHER_API_KEY');
  await expect(page.getByTestId('test-connection-together')).toBeDisabled();
  await expect(page.getByTestId('browser-keys-hint')).toContainText(
    'In browser mode keys come from environment variables',
  );
  // Keys cannot be edited from a browser.
  await expect(page.getByTestId('set-key-together')).toHaveCount(0);

  await page.getByTestId('test-connection-sandbox').click();
  await expect(page.getByTestId('test-result-sandbox')).toHaveAttribute('data-ok', 'true');
  await shot(page, 'settings-01-no-keys');

  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('model-group-sandbox')).toBeVisible();
  await expect(page.getByTestId('add-key-link-together')).toBeVisible();
  await expect(page.getByTestId('add-key-link-sandbox')).toHaveCount(0);
  const groups = await page
    .locator('[data-testid^="model-group-"]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-testid')));
  expect(groups.slice(0, 2)).toEqual(['model-group-sandbox', 'model-group-together']);
  await shot(page, 'settings-02-models-grouped');
});

test('a key from the environment shows as Ready, and the key itself never reaches the page', async ({
  page,
}) => {
  server = await startConsole(newDataDir(), { TOGETHER_API_KEY: FAKE_KEY });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('provider-status-together')).toHaveText('Ready');
  await expect(page.getByTestId('provider-key-source-together')).toContainText('environment');
  await expect(page.getByTestId('provider-key-source-together')).toContainText('TOGETHER_API_KEY');
  await expect(page.getByTestId('test-connection-together')).toBeEnabled();
  await shot(page, 'settings-03-together-from-env');
  expect(await page.content()).not.toContain(FAKE_KEY);

  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('model-group-together')).toBeVisible();
  await expect(page.getByTestId('add-key-link-together')).toHaveCount(0);
  expect(await page.content()).not.toContain(FAKE_KEY);
});
