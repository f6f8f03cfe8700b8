/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('unsaved routing edits survive leaving Rollout, are saved by Save draft, and closing warns', async ({
  page,
}) => {
  server = await startConsole(newDataDir());
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('routing-revision')).toContainText('Built-in example');
  const weight = page.getByTestId('tier-free-weight-1');
  const original = await weight.inputValue();
  expect(original).not.toBe('70');
  await weight.fill('70');
  await expect(page.getByTestId('routing-revision')).toContainText('unsaved changes');
  await expect(page.getByTestId('nav-rollout-unsaved')).toBeVisible();

  // Leave and come back: the edit is still there, and leaving said so.
  await page.getByTestId('nav-benchmarks').click();
  await expect(
    page.locator('.toast-title', { hasText: 'Unsaved routing changes kept' }),
  ).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('tier-free-weight-1')).toHaveValue('70');
  await expect(page.getByTestId('tier-free-share-1')).toHaveText('50%');
  await expect(page.getByTestId('routing-revision')).toContainText('unsaved changes');

  // Save draft saves the edited config, not the built-in example.
  await page.getByTestId('routing-save').click();
  await expect(page.getByTestId('routing-revision')).toHaveText('Draft revision 1');
  await expect(page.getByTestId('nav-rollout-unsaved')).toHaveCount(0);
  await page.reload();
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('routing-revision')).toHaveText('Draft revision 1');
  await expect(page.getByTestId('tier-free-weight-1')).toHaveValue('70');

  // Discarding asks first, and goes back to the saved draft.
  await page.getByTestId('tier-free-weight-1').fill('10');
  await page.getByTestId('routing-discard').click();
  await expect(page.getByRole('alertdialog')).toContainText('saved draft revision 1');
  await page.getByTestId('confirm-routing-discard').click();
  await expect(page.getByTestId('tier-free-weight-1')).toHaveValue('70');
  await expect(page.getByTestId('routing-revision')).toHaveText('Draft revision 1');

  // Closing the window with unsaved edits asks before they are lost.
  await page.getByTestId('tier-free-weight-1').fill('20');
  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const asked = await dialog;
  expect(asked.type()).toBe('beforeunload');
  await asked.dismiss();
  expect(page.isClosed()).toBe(false);
  await expect(page.getByTestId('tier-free-weight-1')).toHaveValue('20');
});
