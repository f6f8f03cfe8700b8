/// <reference lib="dom" />
/**
 * Each chart's text alternative in a real Chromium: the SVG is an image named by its summary,
 * the Chart | Table switch works from the keyboard, the table holds the chart's models, and
 * Copy as CSV puts the table on the clipboard. Screenshots of two charts in both views and both
 * themes land in test-results/screenshots/chart-tables-*.png, for a person to look at.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  type ConsoleServer,
  benchmarkWithCli,
  consoleErrorsOf,
  newDataDir,
  startConsole,
} from './console-server';
import { seedRatedRun } from './seed-database';

/** A card's picture, with the pointer off it so no hover tooltip covers the chart. */
async function shot(page: Page, target: Locator, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await target.screenshot({ path: `test-results/screenshots/chart-tables-${name}.png` });
}

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Switches a card to its table with the keyboard (Tab lands on the button, Enter presses it). */
async function tableByKeyboard(page: Page, card: Locator): Promise<void> {
  await card.getByTestId('chart-view-chart').focus();
  await page.keyboard.press('Tab');
  await expect(card.getByTestId('chart-view-table')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(card).toHaveAttribute('data-view', 'table');
  await expect(card.getByTestId('chart-view-table')).toHaveAttribute('aria-pressed', 'true');
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`charts read as tables and copy as CSV, ${colorScheme} theme`, async ({ page, context }) => {
    test.setTimeout(180_000);
    const dataDir = newDataDir();
    benchmarkWithCli(dataDir);
    seedRatedRun(dataDir);
    server = await startConsole(dataDir);
    const consoleErrors = consoleErrorsOf(page);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

    // The review's leaderboard: four rated models, in the picture and in the table.
    await page.getByTestId('nav-review').click();
    await page.getByTestId('tab-ratings').click();
    await expect(page.getByTestId('rating-row')).toHaveCount(4);
    const board = page.getByTestId('chart-leaderboard');
    const picture = board.locator('svg[role="img"]');
    await expect(picture).toHaveAttribute('aria-label', /^Leaderboard, 4 models: highest rating /);
    await expect(page.getByRole('img', { name: /^Leaderboard, 4 models/ })).toHaveCount(1);
    await shot(page, board, `leaderboard-chart-${colorScheme}`);

    await tableByKeyboard(page, board);
    const table = board.getByRole('table');
    await expect(table.locator('caption')).toHaveText(/^Leaderboard: rating of each model/);
    await expect(table.locator('thead th')).toHaveText([
      'Model',
      'Rating (points)',
      '95% low (points)',
      '95% high (points)',
      'Votes',
    ]);
    await expect(table.locator('tbody tr')).toHaveCount(4);
    // Best first, as the ratings list: the first row is the ratings list's first model.
    const firstRated = (await page.getByTestId('rating-row').first().innerText()).trim();
    const firstRow = (await table.locator('tbody tr').first().locator('th').innerText()).trim();
    expect(firstRated).toContain(firstRow);
    await shot(page, board, `leaderboard-table-${colorScheme}`);

    await board.getByTestId('chart-table-copy').click();
    await expect(board.getByRole('status')).toHaveText('Copied to the clipboard.');
    const csv = await page.evaluate(() => navigator.clipboard.readText());
    const lines = csv.trimEnd().split('\r\n');
    // Raw numbers for a spreadsheet, each column named with its unit as the scorecard export is.
    expect(lines[0]).toBe('model,rating,rating_low_95,rating_high_95,votes');
    expect(lines).toHaveLength(5);
    expect(lines[1]?.startsWith(firstRow.includes(',') ? `"${firstRow}"` : firstRow)).toBe(true);
    for (const line of lines.slice(1))
      expect(line).toMatch(/,\d+(\.\d+)?,\d+(\.\d+)?,\d+(\.\d+)?,\d+$/);

    // The scorecard's latency chart: the per-phase, per-model numbers.
    await page.getByTestId('nav-benchmarks').click();
    await page.getByTestId('run-list-item').first().click();
    await page.getByTestId('tab-scorecard').click();
    const latency = page.getByTestId('chart-latency');
    await expect(latency.locator('svg[role="img"]')).toHaveAttribute(
      'aria-label',
      /^Latency per phase, \d models?: fastest median total /,
    );
    await shot(page, latency, `scorecard-latency-chart-${colorScheme}`);
    await tableByKeyboard(page, latency);
    const models = await page.getByTestId('scorecard-table').locator('thead th').count();
    // Four phases per model (the scorecard table's columns, less its "Measure" column).
    await expect(latency.getByRole('table').locator('tbody tr')).toHaveCount(4 * (models - 1));
    await shot(page, latency, `scorecard-latency-table-${colorScheme}`);

    // Back to the picture with the keyboard, and it is drawn again.
    await latency.getByTestId('chart-view-chart').focus();
    await page.keyboard.press('Space');
    await expect(latency).toHaveAttribute('data-view', 'chart');
    await expect(latency.locator('svg[role="img"]')).toBeVisible();

    // A series hidden from a recharts legend stays hidden across Chart → Table → Chart, and the
    // table names it and greys its column (it used to come back with the chart).
    const outcomes = page.getByTestId('chart-outcomes');
    const failure = outcomes.getByTestId('legend-toggle').filter({ hasText: 'Failure' });
    await failure.click();
    await expect(failure).toHaveAttribute('data-off', 'true');
    await tableByKeyboard(page, outcomes);
    await expect(outcomes.getByTestId('chart-table-hidden')).toHaveText(
      'Hidden in the chart: Failure. The table shows every series.',
    );
    await expect(
      outcomes.getByRole('table').locator('thead th[data-hidden-series="true"]'),
    ).toHaveText(['Failure (% of rated)']);
    await shot(page, outcomes, `scorecard-outcomes-hidden-table-${colorScheme}`);
    await outcomes.getByTestId('chart-view-chart').click();
    await expect(outcomes.locator('svg[role="img"]')).toBeVisible();
    await expect(failure).toHaveAttribute('data-off', 'true');
    await shot(page, outcomes, `scorecard-outcomes-hidden-chart-${colorScheme}`);
    await failure.click();
    await expect(failure).toHaveAttribute('data-off', 'false');
    expect(consoleErrors).toEqual([]);
  });
}
