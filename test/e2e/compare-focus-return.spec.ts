/// <reference lib="dom" />
/**
 * Closing Compare (Esc or Close) puts the keyboard focus back on the prompt it was opened from,
 * on the run's results (its Compare button) and in the review library (the list, on that row).
 * The focus fell to the page's body and the library started again at its first row: an admin
 * going through prompts with the keyboard had to find their place again after each one.
 */
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('closing Compare gives the focus back to the prompt it came from', async ({ page }) => {
  test.setTimeout(120_000);
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  // The run's results: the second prompt's Compare, then Esc.
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  const second = page.getByTestId('compare-button').nth(1);
  const promptId = await second.getAttribute('data-prompt-id');
  expect(promptId).toBeTruthy();
  await second.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('compare-video-a')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('results-table')).toBeVisible();
  await expect(
    page.locator(`[data-testid="compare-button"][data-prompt-id="${promptId}"]`),
  ).toBeFocused();

  // The review library: the third row (↓ ↓ Enter), then Close.
  await page.getByTestId('nav-review').click();
  await page.getByTestId('tab-library').click();
  const list = page.getByTestId('library-scroll');
  await list.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(list).toHaveAttribute('aria-activedescendant', 'library-row-2');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('compare-video-a')).toBeVisible();
  await page.getByTestId('compare-close').click();
  await expect(list).toBeFocused();
  await expect(list).toHaveAttribute('aria-activedescendant', 'library-row-2');
  await expect(page.locator('#library-row-2')).toBeInViewport();
});
