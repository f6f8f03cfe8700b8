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

test('raw JSON editor: a long line wraps, and the parse error after it is marked where it is', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  server = await startConsole(newDataDir());
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  await page.getByTestId('tab-raw').click();
  const editor = page.getByTestId('routing-raw');
  await expect(editor).toHaveClass(/\bcm-lineWrapping\b/);

  // Line 3: a long description, then a missing comma (the error comes after the wrap).
  const note =
    'Premium customers get the best model first; when it is down or slow the chain falls back to the next one, and a clip that fails twice is retried on the free tier before anyone is told. '.repeat(
      2,
    );
  const text = `{\n  "schemaVersion": 1,\n  "note": "${note}" "tiers": {},\n  "flags": {}\n}`;
  await editor.fill(text);
  const column = `  "note": "${note}" `.length + 1;
  await expect(page.getByTestId('routing-raw-error')).toContainText(
    `JSON parse error at line 3, column ${column}`,
  );
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
  const mark = page.locator('.cm-lintRange-error, .cm-lintPoint-error');
  await expect(mark).toHaveCount(1);

  const boxes = await page.evaluate(() => {
    const box = (
      selector: string,
    ): { left: number; right: number; top: number; bottom: number } => {
      const found = document.querySelector(selector);
      if (!found) throw new Error(`${selector} is not there`);
      const { left, right, top, bottom } = found.getBoundingClientRect();
      return { left, right, top, bottom };
    };
    const scroller = document.querySelector('.cm-scroller') as HTMLElement;
    const lines = document.querySelectorAll('.cm-content .cm-line');
    const third = lines[2]?.getBoundingClientRect();
    const number = [...document.querySelectorAll('.cm-lineNumbers .cm-gutterElement')].find(
      (element) => element.textContent === '3',
    );
    return {
      overflow: scroller.scrollWidth - scroller.clientWidth,
      rowHeight: parseFloat(getComputedStyle(scroller).lineHeight),
      content: box('.cm-content'),
      line: { top: third?.top ?? 0, bottom: third?.bottom ?? 0 },
      number: number?.getBoundingClientRect().top ?? -1,
      marker: box('.cm-lint-marker-error'),
      mark: box('.cm-lintRange-error, .cm-lintPoint-error'),
    };
  });
  // Nothing runs off to the right: the long line takes several rows instead.
  expect(boxes.overflow).toBeLessThanOrEqual(0);
  expect(boxes.line.bottom - boxes.line.top).toBeGreaterThan(2.5 * boxes.rowHeight);
  // Its number and the gutter marker sit at its first row; the underline on a later row, inside
  // the line and the editor's width.
  expect(Math.abs(boxes.number - boxes.line.top)).toBeLessThan(boxes.rowHeight / 2);
  expect(boxes.marker.top).toBeGreaterThanOrEqual(boxes.line.top - 2);
  expect(boxes.marker.bottom).toBeLessThanOrEqual(boxes.line.top + boxes.rowHeight + 2);
  expect(boxes.mark.top).toBeGreaterThan(boxes.line.top + boxes.rowHeight);
  expect(boxes.mark.bottom).toBeLessThanOrEqual(boxes.line.bottom + 1);
  expect(boxes.mark.left).toBeGreaterThanOrEqual(boxes.content.left);
  expect(boxes.mark.right).toBeLessThanOrEqual(boxes.content.right);
  await page.screenshot({ path: 'test-results/screenshots/json-editor-wrapped.png' });
  expect(consoleErrors).toEqual([]);
});
