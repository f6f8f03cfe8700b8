/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('results: filter by model and outcome, compact by default', async ({ page }) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  server = await startConsole(dataDir);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();

  const rows = page.locator('[data-testid="results-table"] .generation-row');
  await expect(rows).toHaveCount(6);
  await expect(page.getByTestId('results-count')).toHaveText('6 generations');
  await expect(page.getByTestId('results-table')).toHaveClass(/is-compact/);
  const compactHeight = (await page.getByTestId('results-table').boundingBox())!.height;
  await page.getByTestId('results-compact').uncheck();
  const roomyHeight = (await page.getByTestId('results-table').boundingBox())!.height;
  expect(compactHeight).toBeLessThan(roomyHeight);

  await page.getByTestId('results-filter-model').selectOption({ label: 'Sandbox Pro' });
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('results-count')).toHaveText('3 of 6 generations');
  for (const text of await rows.allTextContents()) expect(text).toContain('Sandbox Pro');

  await page.getByTestId('results-filter-outcome').selectOption('failed');
  await expect(rows).toHaveCount(0);
  await expect(page.getByTestId('results-none')).toBeVisible();
  await page.getByTestId('results-filter-outcome').selectOption('succeeded');
  await expect(rows).toHaveCount(3);
});
