/// <reference lib="dom" />
import { benchmarkWithCli, newDataDir } from './console-server';
import { expect, test } from './console-test';
import { seedRatedRun } from './seed-database';

test('scorecard charts: axis titles, a legend click hides a series and a second shows it', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const server = await startConsole(dataDir);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  await page.getByTestId('tab-scorecard').click();

  const latency = page.getByTestId('chart-latency');
  await expect(latency.locator('.recharts-label', { hasText: 'Time' })).toBeVisible();
  await expect(
    page.getByTestId('chart-outcomes').locator('.recharts-label', { hasText: 'Share of rated' }),
  ).toBeVisible();
  await expect(
    page.getByTestId('chart-cost').locator('.recharts-label', { hasText: 'Dollars per second' }),
  ).toBeVisible();

  // Bars of the first and the second model (a zero-height bar, e.g. no queue time, is not drawn).
  const firstBars = latency.locator('.recharts-bar-rectangle path[fill="var(--chart-1)"]');
  const secondBars = latency.locator('.recharts-bar-rectangle path[fill="var(--chart-2)"]');
  const before = await firstBars.count();
  const others = await secondBars.count();
  expect(before).toBeGreaterThan(0);
  expect(others).toBeGreaterThan(0);
  const first = latency.getByTestId('legend-toggle').first();
  await expect(first).toHaveAttribute('data-off', 'false');
  await first.click();
  await expect(first).toHaveAttribute('data-off', 'true');
  // The first model hidden: its p50 and p95 bars go, the other model's stay.
  await expect(firstBars).toHaveCount(0);
  await expect(secondBars).toHaveCount(others);
  await first.click();
  await expect(first).toHaveAttribute('data-off', 'false');
  await expect(firstBars).toHaveCount(before);
});

test('review charts: axis titles, one tick format per unit, hover values, legends that hide series', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  seedRatedRun(dataDir);
  const server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();
  await page.getByTestId('tab-ratings').click();
  await expect(page.getByTestId('rating-row')).toHaveCount(4);

  // Axis titles on every chart with a value axis.
  const titles: [string, string][] = [
    ['chart-leaderboard', 'Rating (1000 = mean)'],
    ['chart-quality-cost', 'Cost per second of video (USD)'],
    ['chart-quality-cost', 'Rating'],
    ['chart-win-rate', 'Against (column #)'],
    ['chart-latency', 'Seconds from submit to file on disk'],
    ['chart-outcomes', 'Share of finished generations'],
  ];
  for (const [card, title] of titles) {
    await expect(
      page.getByTestId(card).locator('.recharts-label', { hasText: title }).first(),
    ).toBeVisible();
  }

  // The same tick format per unit as the scorecard: "250 ms", "12.5 s", "75%", "$0.125".
  const ticks = async (card: string, axis: 'x' | 'y'): Promise<string[]> =>
    page
      .getByTestId(card)
      .locator(`.recharts-${axis}Axis-tick-labels .recharts-cartesian-axis-tick-value`)
      .allTextContents();
  const latencyTicks = await ticks('chart-latency', 'x');
  expect(latencyTicks.length).toBeGreaterThan(1);
  for (const tick of latencyTicks) expect(tick).toMatch(/^\d[\d,]*(\.\d{1,2})? s$|^\d+(\.\d)? ms$/);
  expect(new Set(latencyTicks).size).toBe(latencyTicks.length);
  expect(await ticks('chart-outcomes', 'x')).toEqual(['0%', '25%', '50%', '75%', '100%']);
  for (const tick of await ticks('chart-quality-cost', 'x')) expect(tick).toMatch(/^\$\d/);

  // Outcomes: hiding "Failure" removes its bars; showing it brings them back.
  const outcomes = page.getByTestId('chart-outcomes');
  await outcomes.scrollIntoViewIfNeeded();
  const outcomeBars = outcomes.locator('.recharts-bar-rectangle');
  const allBars = await outcomeBars.count();
  const failure = outcomes.getByTestId('legend-toggle').filter({ hasText: 'Failure' });
  await failure.click();
  await expect(failure).toHaveAttribute('data-off', 'true');
  await expect.poll(() => outcomeBars.count()).toBeLessThan(allBars);
  await failure.click();
  await expect(failure).toHaveAttribute('data-off', 'false');
  await expect(outcomeBars).toHaveCount(allBars);

  // Hover: the outcome shares read as percentages.
  const bar = outcomeBars.first();
  await bar.hover();
  await expect(outcomes.locator('.recharts-tooltip-wrapper')).toContainText('%');

  // Latency boxes: each of the four parts has its own fill, told apart by texture as well as
  // colour (WCAG 1.4.1), and its legend swatch is drawn with that same fill ("fastest–p25" and
  // "p25–median" had one swatch: the tails' 30 % opacity never reached the legend).
  const latency = page.getByTestId('chart-latency');
  await latency.scrollIntoViewIfNeeded();
  const parts = ['fastest–p25', 'p25–median', 'median–p75', 'p75–p95'];
  const swatchFills: string[] = [];
  for (const [index, name] of parts.entries()) {
    const swatch = latency
      .locator('.recharts-legend-item', { hasText: name })
      .locator('.recharts-legend-icon');
    const fill = (await swatch.getAttribute('fill')) ?? '';
    swatchFills.push(fill);
    // The bars of that part (after the invisible offset) are filled the same way.
    await expect(
      latency
        .locator('.recharts-bar')
        .nth(index + 1)
        .locator('path')
        .first(),
    ).toHaveAttribute('fill', fill);
  }
  expect(new Set(swatchFills).size).toBe(4);
  // Apart from the colour: one part solid, the others each a pattern of its own texture.
  const textures = await Promise.all(
    swatchFills.map((fill) => {
      const id = /^url\(#(.+)\)$/.exec(fill)?.[1];
      return id
        ? latency.locator(`pattern[id="${id}"]`).getAttribute('data-texture')
        : Promise.resolve('solid');
    }),
  );
  expect(textures).toEqual(['hatch-up', 'solid', 'dots', 'hatch-down']);
  await latency.screenshot({ path: 'test-results/screenshots/latency-legend-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await latency.screenshot({ path: 'test-results/screenshots/latency-legend-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });

  // A hidden part turns transparent, the rest keep their places.
  const tail = latency.getByTestId('legend-toggle').filter({ hasText: 'p75–p95' });
  const tailBars = latency.locator('.recharts-bar').nth(4).locator('path').first();
  await expect(tailBars).toHaveAttribute('fill-opacity', '1');
  await tail.click();
  await expect(tail).toHaveAttribute('data-off', 'true');
  await expect(tailBars).toHaveAttribute('fill-opacity', '0');
  await tail.click();
  await expect(tailBars).toHaveAttribute('fill-opacity', '1');

  // Quality versus cost: the dominated points can be hidden from the legend.
  const qualityCost = page.getByTestId('chart-quality-cost');
  await qualityCost.scrollIntoViewIfNeeded();
  const symbols = qualityCost.locator('.recharts-scatter-symbol');
  const before = await symbols.count();
  const dominated = qualityCost.getByTestId('legend-toggle').filter({ hasText: 'Dominated' });
  await dominated.click();
  await expect(symbols).toHaveCount(before - 1);
  await dominated.click();
  await expect(symbols).toHaveCount(before);

  // Hover on the leaderboard: the model's rating, interval and votes.
  const leaderboard = page.getByTestId('chart-leaderboard');
  await leaderboard.scrollIntoViewIfNeeded();
  await leaderboard.locator('.recharts-scatter-symbol').first().hover();
  await expect(leaderboard.locator('.chart-tooltip')).toContainText(/95%: \d+–\d+/);
  await expect(leaderboard.locator('.chart-tooltip')).toContainText('votes');
  await page.screenshot({
    path: 'test-results/screenshots/chart-legends-review.png',
    fullPage: true,
  });
});

test('a four-model scorecard: the table spans the row like the charts under it, and the cost axis steps are round', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  seedRatedRun(dataDir);
  const server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').filter({ hasText: 'Seeded rated run' }).click();
  await page.getByTestId('tab-scorecard').click();
  const table = page.getByTestId('scorecard-table');
  await expect(table.locator('thead th')).toHaveCount(5);

  // Four models leave the charts no room beside the table: they go under it, and the table
  // then spans the row as they do (it stopped at its own width, a third of the row left empty).
  const charts = page.locator('.scorecard-body > .chart-grid');
  const tableBox = (await table.boundingBox())!;
  const chartsBox = (await charts.boundingBox())!;
  expect(chartsBox.y).toBeGreaterThanOrEqual(tableBox.y + tableBox.height);
  expect(Math.abs(tableBox.x + tableBox.width - (chartsBox.x + chartsBox.width))).toBeLessThan(2);

  // Costs per second from $0.03 to $0.14: round steps of $0.05, not recharts' $0.035.
  const ticks = page
    .getByTestId('chart-cost')
    .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value');
  await expect(ticks).toHaveText(['$0', '$0.05', '$0.10', '$0.15']);
});
