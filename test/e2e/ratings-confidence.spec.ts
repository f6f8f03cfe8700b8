/// <reference lib="dom" />
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';
import { seedRatedRun } from './seed-database';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function votesIn(dataDir: string, category: string): number {
  const db = new Database(join(dataDir, 'aideon.sqlite'), { readonly: true });
  try {
    return (
      db.prepare('SELECT COUNT(*) AS n FROM votes WHERE category = ?').get(category) as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

test('a handful of votes gives "not enough votes", not a certain-looking rating', async ({
  page,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  seedRatedRun(dataDir, 16, 12);
  server = await startConsole(dataDir);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();
  await page.getByTestId('tab-ratings').click();
  const rows = page.getByTestId('rating-row');
  await expect(rows).toHaveCount(4);
  // 12 votes over 4 models: nobody has 10 decided votes, so nobody is ranked or given an interval.
  await expect(page.locator('[data-testid="rating-row"][data-ranked="true"]')).toHaveCount(0);
  await expect(page.getByTestId('rating-not-enough')).toHaveCount(4);
  await expect(page.getByTestId('ratings-table')).not.toContainText('±');
  await expect(page.getByTestId('ratings-table')).toContainText('more votes needed');
  await expect(page.getByTestId('chart-leaderboard')).toContainText(
    'No model has enough votes for a rating here yet',
  );
});

test('a category view counts and charts only that category’s votes', async ({ page }) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const total = seedRatedRun(dataDir);
  const people = votesIn(dataDir, 'people');
  expect(people).toBeGreaterThan(0);
  expect(people).toBeLessThan(total);
  server = await startConsole(dataDir);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();
  await page.getByTestId('tab-ratings').click();
  await expect(page.getByTestId('ratings-meta')).toContainText(`${total} votes`);
  await expect(page.getByTestId('chart-win-rate')).toContainText(`All votes (${total} votes)`);

  await page.getByTestId('ratings-category').selectOption('people');
  await expect(page.getByTestId('ratings-meta')).toContainText(
    `${people} votes in “people” (of ${total} in all)`,
  );
  const winRate = page.getByTestId('chart-win-rate');
  await expect(winRate).toContainText(`Category “people” votes only (${people} votes)`);
  await expect(winRate).not.toContainText('All votes');
  await expect(page.getByTestId('chart-leaderboard')).toContainText('Category “people” votes only');
});
