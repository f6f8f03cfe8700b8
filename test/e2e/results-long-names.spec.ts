/// <reference lib="dom" />
/**
 * A model name with no space in it (a Replicate community model pinned to a version, a model the
 * console has no display name for) wraps inside its cell of the run's results at 1024x640, whole:
 * it ran under the status badge beside it, cut off mid-letter (and the model filter, with it among
 * its options, took the whole row).
 */
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';
import { addModelsToFirstPrompt } from './seed-database';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const LONG = 'community-owner/an-image-to-video-model-without-spaces:9f3c2a1b7e5d';

test('1024x640: a long model name without spaces wraps inside its results cell', async ({
  page,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  addModelsToFirstPrompt(dataDir, [LONG]);
  server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  const row = page.getByTestId('generation-row').filter({ hasText: 'without-spaces' });
  await expect(row).toHaveCount(1);
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/results-long-name-1024x640.png' });
  const name = row.locator('.model-cell-name .strong');
  await expect(name).toHaveText(LONG);
  const boxes = await name.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const lines = [...range.getClientRects()];
    return {
      cellRight: element.closest('td')!.getBoundingClientRect().right,
      textRight: Math.max(...lines.map((rect) => rect.right)),
      lines: lines.length,
    };
  });
  // Within the cell, on several lines.
  expect(boxes.textRight).toBeLessThanOrEqual(boxes.cellRight);
  expect(boxes.lines).toBeGreaterThan(1);
  // The model filter, with that name among its options, keeps to its size.
  const filter = await page.getByTestId('results-filter-model').boundingBox();
  expect(filter?.width ?? 0).toBeLessThanOrEqual(280);
});
