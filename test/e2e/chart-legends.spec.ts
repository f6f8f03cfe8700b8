/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('scorecard charts: axis titles, a legend click hides a series and a second shows it', async ({
  page,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  server = await startConsole(dataDir);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  await page.getByTestId('tab-scorecard').click();

  const latency = page.getByTestId('chart-latency');
  await expect(latency.locator('.recharts-label', { hasText: 'Seconds' })).toBeVisible();
  await expect(
    page.getByTestId('chart-outcomes').locator('.recharts-label', { hasText: 'Share of rated' }),
  ).toBeVisible();
  await expect(
    page.getByTestId('chart-cost').locator('.recharts-label', { hasText: 'Dollars per second' }),
  ).toBeVisible();

  const bars = latency.locator('.recharts-bar-rectangle');
  const before = await bars.count();
  expect(before).toBeGreaterThan(0);
  const first = latency.getByTestId('legend-toggle').first();
  await expect(first).toHaveAttribute('data-off', 'false');
  await first.click();
  await expect(first).toHaveAttribute('data-off', 'true');
  // One of two models hidden: its p50 and p95 bars go.
  await expect(bars).toHaveCount(before / 2);
  await first.click();
  await expect(first).toHaveAttribute('data-off', 'false');
  await expect(bars).toHaveCount(before);
});
