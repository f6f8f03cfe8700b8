/// <reference lib="dom" />
import { benchmarkWithCli, consoleErrorsOf, newDataDir } from './console-server';
import { expect, test } from './console-test';

test('Ctrl+K palette reaches screens and actions, ? lists every shortcut, Esc closes Compare', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  // The bundled UI font is loaded from the console itself (no remote URL, CSP font-src 'self'):
  // its Latin face (a family of its own, styles/fonts.css) by the first screen, and only that
  // one; the other subsets follow it in the font stack and load when a character needs them.
  const fonts = await page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts].map((face) => `${face.family.replace(/"/g, '')}: ${face.status}`);
  });
  expect(fonts.filter((face) => face.endsWith(': loaded'))).toEqual(['Inter Latin: loaded']);
  expect(fonts).toContain('Inter Variable: unloaded');
  expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(
    /^"?Inter Latin"?, "?Inter Variable"?,/,
  );
  const greek = await page.evaluate(async () => {
    const loaded = await document.fonts.load('14px "Inter Variable"', 'αβγ');
    return loaded.map((face) => face.unicodeRange);
  });
  expect(greek).toHaveLength(1);
  expect(greek[0]).toContain('U+370-377');

  // Type to filter, Enter to go: Review → Ratings.
  await page.keyboard.press('Control+k');
  const palette = page.getByTestId('command-palette');
  await expect(palette).toBeVisible();
  await expect(page.getByTestId('palette-input')).toBeFocused();
  await page.keyboard.type('ratings');
  await expect(page.getByTestId('palette-go-ratings')).toBeVisible();
  await expect(page.getByTestId('palette-go-settings')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(palette).toHaveCount(0);
  await expect(page.getByTestId('tab-ratings')).toHaveAttribute('aria-selected', 'true');

  // Arrow keys move the selection: the first "Go to" entry is Models, the next Benchmarks.
  await page.keyboard.press('Control+k');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('palette-go-benchmarks')).toHaveAttribute('data-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Benchmarks' })).toBeVisible();

  // A Rollout section, scrolled into view.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('production watch');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('watch-section')).toBeInViewport();

  // A destructive action with nothing to act on explains why instead of doing anything.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('kill switch');
  await page.keyboard.press('Enter');
  await expect(
    page.locator('.toast-title', { hasText: 'Kill switch: not available yet' }),
  ).toBeVisible();

  // Dismiss the toast with its button (toasts never take Esc).
  await page.locator('.toast-close').first().click();
  await expect(page.locator('.toast')).toHaveCount(0);

  // The new-run dialog.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('new benchmark');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Open compare on the newest run; ? shows the sheet, Esc closes only the sheet, then Compare.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('open compare');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('compare-close')).toBeVisible();
  await page.keyboard.press('?');
  const sheet = page.getByTestId('shortcut-sheet');
  await expect(sheet).toBeVisible();
  for (const text of ['Ctrl', 'Close Compare', 'Alt', 'Tie', 'Step one frame back or forward']) {
    await expect(sheet).toContainText(text);
  }
  expect(await page.getByTestId('shortcut-group').count()).toBe(5);
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  await expect(page.getByTestId('compare-close')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('compare-close')).toHaveCount(0);
  await expect(page.locator('h1 .run-title')).toBeVisible();

  // ? typed into a text field is text, not the sheet.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('?');
  await expect(page.getByTestId('palette-input')).toHaveValue('?');
  await expect(sheet).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('command-palette')).toHaveCount(0);

  expect(consoleErrors).toEqual([]);
});
