/// <reference lib="dom" />
/**
 * A toast never takes Esc: with a toast on screen, Esc still closes the dialog on top, then
 * Compare, and the toast stays until its own button (or its time) closes it.
 */
import { benchmarkWithCli, newDataDir } from './console-server';
import { expect, test } from './console-test';

test('Esc closes the dialog, then Compare, not the toast that is open meanwhile', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const server = await startConsole(dataDir);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  // A toast: leaving Rollout with an unsaved edit says where the edit is kept.
  await page.getByTestId('nav-rollout').click();
  await page.getByTestId('tier-free-weight-1').fill('70');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('open compare');
  const toast = page.locator('.toast', { hasText: 'Unsaved routing changes kept' });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('compare-video-a')).toBeVisible();
  await expect(toast).toBeVisible();
  // The pointer on the toast holds it open for as long as this test needs; only the keyboard
  // is used from here on.
  await toast.hover();

  // A dialog on top of Compare: the first Esc closes the dialog only.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcut-sheet')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcut-sheet')).toHaveCount(0);
  await expect(page.getByTestId('compare-video-a')).toBeVisible();
  await expect(toast).toBeVisible();

  // The next Esc closes Compare; the toast is still there.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('compare-video-a')).toHaveCount(0);
  await expect(toast).toBeVisible();
  await expect(toast).toHaveAttribute('role', 'status');

  // Its own button closes it.
  await toast.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.locator('.toast')).toHaveCount(0);
});
