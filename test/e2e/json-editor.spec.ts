/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { type ConsoleServer, newDataDir, startConsole, consoleErrorsOf } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('raw JSON editor: line numbers, the parse error marked at its line, gone when fixed', async ({
  page,
}) => {
  server = await startConsole(newDataDir());
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  await page.getByTestId('tab-raw').click();

  const editor = page.getByTestId('routing-raw');
  await expect(editor).toBeVisible();
  await expect(editor).toHaveAttribute('contenteditable', 'true');
  const gutter = page.locator('.cm-lineNumbers');
  await expect(gutter).toBeVisible();
  await expect(gutter.locator('.cm-gutterElement', { hasText: /^12$/ })).toHaveCount(1);
  await expect(editor).toContainText('"schemaVersion"');

  // A missing comma on line 3.
  await editor.fill('{\n  "schemaVersion": 1,\n  "tiers": {} "flags": {}\n}');
  const error = page.getByTestId('routing-raw-error');
  await expect(error).toContainText('JSON parse error at line 3, column');
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
  await expect(page.locator('.cm-lintRange-error, .cm-lintPoint-error')).toHaveCount(1);
  await expect(editor).toHaveAttribute('aria-invalid', 'true');

  // Fixed: the error and the marks go.
  await editor.fill('{\n  "schemaVersion": 1,\n  "tiers": {}, "flags": {}\n}');
  await expect(error).toHaveCount(0);
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(0);
  await expect(editor).toHaveAttribute('aria-invalid', 'false');
  await page.screenshot({ path: 'test-results/screenshots/json-editor.png' });
  expect(consoleErrors).toEqual([]);
});
