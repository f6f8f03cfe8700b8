/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import {
  type ConsoleServer,
  benchmarkWithCli,
  newDataDir,
  startConsole,
  consoleErrorsOf,
} from './console-server';
import { seedLargeRun, seedRatedRun } from './seed-database';

const shot = (page: Page, name: string, fullPage = true) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage });

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('ratings come with recharts charts: intervals, win rates, Pareto front, latency, outcomes', async ({
  page,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  seedRatedRun(dataDir);
  server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();
  await page.getByTestId('tab-ratings').click();
  await expect(page.getByTestId('rating-row')).toHaveCount(4);

  const cards = [
    'chart-leaderboard',
    'chart-quality-cost',
    'chart-win-rate',
    'chart-latency',
    'chart-outcomes',
  ];
  for (const card of cards) {
    await expect(page.getByTestId(card).locator('.recharts-wrapper').first()).toBeVisible();
  }
  // Leaderboard: one point and one error bar per model.
  await expect(
    page.getByTestId('chart-leaderboard').locator('.recharts-scatter-symbol'),
  ).toHaveCount(4);
  await expect(page.getByTestId('chart-leaderboard').locator('.recharts-errorBar')).toHaveCount(4);
  // Win rate: a 4 × 4 grid of cells, labelled with percentages off the diagonal.
  await expect(page.getByTestId('chart-win-rate').locator('.recharts-bar-rectangle')).toHaveCount(
    16,
  );
  await expect(page.getByTestId('chart-win-rate')).toContainText('%');
  // Quality versus cost: the front is drawn as a line and named in the legend.
  const qualityCost = page.getByTestId('chart-quality-cost');
  await expect(qualityCost.locator('.recharts-scatter-line')).toHaveCount(1);
  await expect(qualityCost).toContainText('Pareto front');
  // The seeded model costs more than Sandbox Pro and rates lower: dominated, off the front.
  await expect(
    qualityCost.locator('.recharts-scatter').nth(1).locator('.recharts-scatter-symbol'),
  ).toHaveCount(1);
  await expect(qualityCost).toContainText(/Sandbox\s*Pro/);
  // Each point's name stands clear of every error bar and of the other names (recharts' own
  // labels sat centred above their points, on the error bar running up from each).
  const layout = await qualityCost.evaluate((chart) => {
    const box = (element: Element) => {
      const rect = element.getBoundingClientRect();
      return { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
    };
    return {
      labels: [...chart.querySelectorAll('.point-labels text, .recharts-label-list text')].map(
        (label) => ({ text: label.textContent ?? '', ...box(label) }),
      ),
      bars: [...chart.querySelectorAll('.recharts-errorBar')].map(box),
    };
  });
  type Box = { left: number; right: number; top: number; bottom: number };
  const meet = (a: Box, b: Box) =>
    Math.min(a.right, b.right) > Math.max(a.left, b.left) &&
    Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
  expect(layout.labels).toHaveLength(4);
  expect(layout.bars).toHaveLength(4);
  const crossings = layout.labels.flatMap((label, index) => [
    ...layout.bars.filter((bar) => meet(label, bar)).map(() => `${label.text} on an error bar`),
    ...layout.labels
      .slice(index + 1)
      .filter((other) => meet(label, other))
      .map((other) => `${label.text} on ${other.text}`),
  ]);
  expect(crossings).toEqual([]);
  // Outcomes: the flaky model's failures show.
  await expect(page.getByTestId('chart-outcomes')).toContainText('Failure');
  await expect(page.getByTestId('chart-latency')).toContainText('p25–median');

  await page.getByTestId('chart-leaderboard').scrollIntoViewIfNeeded();
  await shot(page, 'review-06-ratings-charts');
  await page.getByTestId('chart-win-rate').scrollIntoViewIfNeeded();
  await page
    .getByTestId('chart-win-rate')
    .screenshot({ path: 'test-results/screenshots/review-07-win-rate.png' });
  await page
    .getByTestId('chart-quality-cost')
    .screenshot({ path: 'test-results/screenshots/review-08-quality-cost.png' });

  await page.getByTestId('chart-outcomes').scrollIntoViewIfNeeded();
  await shot(page, 'review-11-latency-outcomes');

  // A category narrows the leaderboard chart too.
  await page.getByTestId('ratings-category').selectOption('people');
  await expect(page.getByTestId('chart-leaderboard')).toContainText('Category “people”');
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});

test('the library lists 10,000 generations in a virtualised list that scrolls to the end', async ({
  page,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const { lastPrompt } = seedLargeRun(dataDir, 10_000);
  server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();
  const opened = Date.now();
  await page.getByTestId('tab-library').click();
  await expect(page.getByTestId('library-row').first()).toBeVisible();
  console.log(`library: 10,000 generations listed in ${Date.now() - opened} ms after the click`);
  const count = page.getByTestId('library-count');
  await expect(count).toContainText('generations');
  const total = Number(
    (await count.textContent())!.match(/of ([\d,]+) prompts/)![1]!.replace(/,/g, ''),
  );
  expect(total).toBeGreaterThanOrEqual(5000);
  await expect(count).toContainText(/10,0\d\d generations/);

  // Only a window of rows is in the DOM.
  const inDom = await page.getByTestId('library-row').count();
  expect(inDom).toBeGreaterThan(3);
  expect(inDom).toBeLessThan(60);
  await shot(page, 'review-09-library');

  // Scroll through the whole list in 40 steps, one per animation frame, timing the frames.
  const frames = await page.getByTestId('library-scroll').evaluate(async (element) => {
    const gaps: number[] = [];
    let last = performance.now();
    for (let step = 1; step <= 40; step += 1) {
      element.scrollTop = (element.scrollHeight * step) / 40;
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }
    return gaps.sort((a, b) => a - b);
  });
  console.log(
    `library scroll: 40 jumps across the list, median frame ${frames[20]!.toFixed(1)} ms, worst ${frames[39]!.toFixed(1)} ms`,
  );
  // At the end: the last row is rendered and visible, and still only a window is in the DOM.
  const lastRow = page.locator(`[data-testid="library-row"][data-index="${total - 1}"]`);
  await expect(lastRow).toBeVisible();
  expect(await page.getByTestId('library-row').count()).toBeLessThan(60);
  await shot(page, 'review-10-library-end');

  // The filter finds one prompt among thousands; Enter opens it to compare.
  await page.getByTestId('library-filter').fill(lastPrompt.split(':')[0]!);
  await expect(page.getByTestId('library-row')).toHaveCount(1);
  await expect(page.getByTestId('library-row')).toContainText(lastPrompt);
  await page.getByTestId('library-scroll').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('compare-video-a')).toBeVisible();
  await expect(page.locator('.compare-prompt p')).toHaveText(lastPrompt);
  await page.getByTestId('compare-close').click();
  await expect(page.getByTestId('tab-library')).toHaveAttribute('aria-selected', 'true');
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});
