/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { benchmarkWithCli, consoleErrorsOf, newDataDir } from './console-server';
import { expect, shot, test } from './console-test';

test('a finished run shows analysis lines, a scorecard with charts, exports and comparisons', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  benchmarkWithCli(dataDir);
  const server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);

  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await expect(page.getByTestId('run-list-item')).toHaveCount(2);
  await page.getByTestId('run-list-item').first().click();

  // Results: every succeeded clip has its analysis line from ffprobe.
  const rows = page.getByTestId('generation-row');
  await expect(rows).toHaveCount(6);
  const lines = page.getByTestId('analysis-line');
  await expect(lines).toHaveCount(6);
  await expect(lines.first()).toContainText(/\d+\.\d s · \d+×\d+ · \d+ fps · h264/);
  await expect(page.getByTestId('model-progress')).toHaveCount(2);
  await expect(page.getByTestId('model-progress').first()).toContainText('3/3');

  // The measures tooltip explains each measure in a sentence.
  await page.getByTestId('measures-trigger').first().hover();
  const tooltip = page.getByTestId('measures-tooltip');
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText('Flicker');
  await expect(tooltip).toContainText('hard cuts');
  await shot(page, 'scorecard-01-results-analysis');
  await page.keyboard.press('Escape');
  await expect(tooltip).toBeHidden();

  // Scorecard: a column per model, and three recharts charts drawn as SVG.
  await page.getByTestId('tab-scorecard').click();
  const table = page.getByTestId('scorecard-table');
  await expect(table).toBeVisible();
  await expect(table).toContainText('Sandbox Fast');
  await expect(table).toContainText('Sandbox Pro');
  await expect(page.getByTestId('scorecard-row-rate.success')).toContainText('100%');
  await expect(page.getByTestId('scorecard-row-cost.clip')).toContainText('$0.20');
  // Each chart is an image named by its summary (its numbers are in the card's Table view).
  for (const chart of ['chart-outcomes', 'chart-latency', 'chart-cost']) {
    await expect(
      page.getByTestId(chart).locator('svg.recharts-surface[role="img"][aria-label]'),
    ).toBeVisible();
    await expect(page.getByTestId(chart).locator('.recharts-bar-rectangle').first()).toBeVisible();
  }
  // The console scrolls inside its main pane: a tall window shows the whole scorecard.
  await page.setViewportSize({ width: 1360, height: 2000 });
  await shot(page, 'scorecard-02-scorecard');
  await page.setViewportSize({ width: 1360, height: 860 });

  // One category at a time.
  await page.getByTestId('scorecard-category').selectOption('animals');
  await expect(page.getByTestId('scorecard-row-generations')).toContainText('1');

  // CSV export downloads the scorecard.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^aideon-smoke-.*-scorecard\.csv$/);
  const csv = readFileSync(await file.path(), 'utf8');
  expect(csv.split('\n')[0]).toContain('provider');
  expect(csv).toContain('sandbox-fast');

  // Compare with the other run: a table of changes (or a clear "nothing changed").
  await page.getByTestId('scorecard-category').selectOption('');
  await page.getByTestId('compare-runs').click();
  await page.getByTestId('compare-run-option').first().click();
  const comparison = page.getByTestId('comparison');
  await expect(comparison).toBeVisible();
  await expect(
    comparison.getByTestId('comparison-table').or(comparison.getByTestId('comparison-empty')),
  ).toBeVisible();
  await shot(page, 'scorecard-03-comparison');
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});

test('a running run shows progress per model with spend and time left, and one model can be cancelled', async ({
  page,
  startConsole,
}) => {
  const server = await startConsole(newDataDir(), { AIDEON_SANDBOX_TIME_SCALE: '0.5' });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('new-sandbox-benchmark').click();
  await expect(page.getByTestId('plan-total-cost')).toContainText('$2.04');
  await page.getByTestId('start-run').click();

  const progress = page.getByTestId('model-progress');
  await expect(progress).toHaveCount(2);
  await expect(page.getByTestId('run-time-left')).toBeVisible();
  const pro = progress.filter({ hasText: 'Sandbox Pro' });
  await expect(pro.getByTestId('cancel-model')).toBeVisible();
  await expect(page.getByTestId('run-time-left')).toContainText(/left/, { timeout: 30_000 });
  await shot(page, 'scorecard-04-running');

  await pro.getByTestId('cancel-model').click();
  await expect(page.getByRole('alertdialog')).toContainText('The other models keep running');
  await page.getByTestId('confirm-cancel-model').click();
  await expect(
    page.locator('[data-testid="generation-row"][data-state="cancelled"]').first(),
  ).toBeVisible();
  await expect(pro.getByTestId('cancel-model')).toBeHidden();
  // Sandbox Fast carries on to the end.
  await expect(page.locator('[data-testid="run-summary-state"], .run-summary-state')).toContainText(
    /Finished|Cancelled/,
    { timeout: 60_000 },
  );
  await expect(progress.filter({ hasText: 'Sandbox Fast' })).toContainText('3/3');
  await shot(page, 'scorecard-05-model-cancelled');
});
