/// <reference lib="dom" />
/**
 * The scorecard's latency chart is readable without colour (WCAG 1.4.1): each model's bars carry
 * its number (the legend and the table header pair the number with the name), and p50 / p95 are
 * solid / hatched (the review latency chart's textures), not one colour at two opacities.
 * Screenshots in the light and the dark theme, and in greyscale, go to AIDEON_SHOTS_DIR.
 */
import type { Page } from '@playwright/test';
import { benchmarkWithCli, newDataDir } from './console-server';
import { expect, test } from './console-test';
import { addFailedModel, seedRatedRun } from './seed-database';

const SHOTS = process.env.AIDEON_SHOTS_DIR ?? 'test-results/screenshots';

async function shotOf(page: Page, testId: string, name: string): Promise<void> {
  await page.getByTestId(testId).screenshot({ path: `${SHOTS}/${name}.png` });
}

test('scorecard latency: numbered bars, solid p50 and hatched p95, a legend with marks', async ({
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
  await latency.scrollIntoViewIfNeeded();
  await expect(latency.locator('.recharts-bar-rectangle').first()).toBeVisible();

  // Each model's bars are numbered, in all 4 phases (the sandbox times each of them), also where
  // p95 equals p50 (no hatched part above the number); a bar too short to see (a download of a
  // few ms beside seconds of generation) has its number with its time ("1 · 12 ms").
  const marks = latency.locator('.recharts-label-list text');
  await expect(marks.filter({ hasText: /^1( · .+)?$/ })).toHaveCount(4);
  await expect(marks.filter({ hasText: /^2( · .+)?$/ })).toHaveCount(4);

  // p50 solid in the model's colour, p50→p95 a hatch pattern in that colour.
  const solid = latency.locator('.recharts-bar-rectangle path[fill="var(--chart-1)"]');
  const hatched = latency.locator('.recharts-bar-rectangle path[fill^="url(#"]');
  expect(await solid.count()).toBeGreaterThan(0);
  expect(await hatched.count()).toBeGreaterThan(0);
  const fill = (await hatched.first().getAttribute('fill')) ?? '';
  const patternId = /^url\(#(.+)\)$/.exec(fill)?.[1] ?? '';
  await expect(latency.locator(`pattern[id="${patternId}"]`)).toHaveAttribute(
    'data-texture',
    'hatch-up',
  );
  // No bar tells p95 apart by opacity any more.
  expect(await latency.locator('.recharts-bar-rectangle path[fill-opacity="0.4"]').count()).toBe(0);

  // The legend pairs each number with its model and keys the two textures; the table header
  // shows the same numbers.
  const legend = page.getByTestId('latency-legend');
  await expect(legend.getByRole('button', { name: /Sandbox Fast/ })).toContainText('1');
  await expect(legend.getByRole('button', { name: /Sandbox Pro/ })).toContainText('2');
  await expect(legend).toContainText('p50 (median)');
  await expect(legend).toContainText('on to p95');
  await expect(legend.locator('svg[data-texture="hatch-up"] rect')).toHaveAttribute(
    'fill',
    /^url\(#.+\)$/,
  );
  const header = page.getByTestId('scorecard-table').locator('thead th');
  await expect(header.nth(1)).toHaveText('1Sandbox Fast');

  // Hiding a model from the legend hides its numbers and bars; showing it brings them back.
  const fast = legend.getByRole('button', { name: /Sandbox Fast/ });
  const before = await marks.count();
  await fast.click();
  await expect(marks.filter({ hasText: /^1( · .+)?$/ })).toHaveCount(0);
  await expect(solid).toHaveCount(0);
  await fast.click();
  await expect(marks).toHaveCount(before);

  await page.setViewportSize({ width: 1440, height: 1100 });
  await latency.scrollIntoViewIfNeeded();
  await shotOf(page, 'chart-latency', 'scorecard-latency-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shotOf(page, 'chart-latency', 'scorecard-latency-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.addStyleTag({ content: 'html { filter: grayscale(1); }' });
  await shotOf(page, 'chart-latency', 'scorecard-latency-greyscale');
});

/**
 * Per label in the latency chart: its text, and the height in px of the bar standing under its
 * middle (0 where none does). Runs in the page.
 */
function labelsOverBars(chart: Element): { text: string; barHeight: number }[] {
  const bars = [...chart.querySelectorAll('.recharts-bar-rectangle path')].map((path) =>
    path.getBoundingClientRect(),
  );
  return [...chart.querySelectorAll('.recharts-label-list text')].map((label) => {
    const box = label.getBoundingClientRect();
    const middle = box.left + box.width / 2;
    const under = bars.filter((bar) => bar.left <= middle && bar.right >= middle);
    const barHeight =
      under.length === 0
        ? 0
        : Math.max(...under.map((bar) => bar.bottom)) - Math.min(...under.map((bar) => bar.top));
    return { text: (label.textContent ?? '').trim(), barHeight };
  });
}

test('scorecard latency: a zero or missing time is written out, never a bare number on the axis', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  // The rated run's generations start when submitted and download in 0 ms (queue and download
  // are 0 for all four models), and one more model never succeeded (no time at all).
  seedRatedRun(dataDir);
  addFailedModel(dataDir);
  const server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1440, height: 1100 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').filter({ hasText: 'Seeded rated run' }).click();
  await page.getByTestId('tab-scorecard').click();
  const latency = page.getByTestId('chart-latency');
  await latency.scrollIntoViewIfNeeded();
  await expect(latency.locator('.recharts-bar-rectangle path').first()).toBeVisible();

  // Queue and download: "<number> · 0 s" for each of the four timed models; the failed model
  // reads "<its number> · no data" in all four phases.
  const labels = latency.locator('.recharts-label-list text');
  await expect(labels.filter({ hasText: /^\d · 0 s$/ })).toHaveCount(8);
  await expect(labels.filter({ hasText: /^\d · no data$/ })).toHaveCount(4);
  // A bare number labels a bar one can see; none sits on the axis over no bar.
  const found = await latency.evaluate(labelsOverBars);
  const bare = found.filter((label) => /^\d+$/.test(label.text));
  expect(bare).toHaveLength(8);
  expect(bare.filter((label) => label.barHeight < 3)).toEqual([]);
  await shotOf(page, 'chart-latency', 'scorecard-latency-zero-and-missing');
});
