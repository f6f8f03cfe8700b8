/// <reference lib="dom" />
/**
 * Ctrl+Shift+1…5 go to the sidebar's screens from anywhere, but never while typing in a text
 * field nor behind a dialog; the sidebar and the command palette show each screen's keys.
 */
import { expect, test } from '@playwright/test';
import { type ConsoleServer, consoleErrorsOf, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const SCREENS = [
  { digit: '1', section: 'models', heading: 'Models' },
  { digit: '2', section: 'benchmarks', heading: 'Benchmarks' },
  { digit: '3', section: 'review', heading: 'Review' },
  { digit: '4', section: 'rollout', heading: 'Rollout' },
  { digit: '5', section: 'settings', heading: 'Settings' },
] as const;

test('Ctrl+Shift+digit switches screens, shown in the sidebar and the palette, quiet while typing', async ({
  page,
}) => {
  server = await startConsole(newDataDir());
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  // Every screen by its key, in any order; the sidebar marks it and names its key.
  for (const screen of [...SCREENS].reverse()) {
    const nav = page.getByTestId(`nav-${screen.section}`);
    await expect(nav).toHaveAttribute('aria-keyshortcuts', `Control+Shift+${screen.digit}`);
    await expect(nav).toHaveAttribute('title', `${screen.heading} (Ctrl+Shift+${screen.digit})`);
    await page.keyboard.press(`Control+Shift+Digit${screen.digit}`);
    await expect(page.getByRole('heading', { level: 1, name: screen.heading })).toBeVisible();
    await expect(nav).toHaveAttribute('aria-current', 'page');
  }

  // Typing in a text field: the keys are the field's, the screen stays.
  await page.keyboard.press('Control+Shift+Digit1');
  await page.getByTestId('tab-catalogue').click();
  const search = page.getByTestId('catalogue-search');
  await search.click();
  await page.keyboard.press('Control+Shift+Digit4');
  await expect(page.getByTestId('nav-models')).toHaveAttribute('aria-current', 'page');
  await expect(search).toBeFocused();
  await search.blur();

  // The palette lists each screen with its keys; while it is open the keys do not switch behind it.
  await page.keyboard.press('Control+k');
  await expect(page.getByTestId('command-palette')).toBeVisible();
  for (const screen of SCREENS) {
    await expect(
      page.getByTestId(`palette-go-${screen.section}`).getByTestId('palette-keys'),
    ).toHaveText(`CtrlShift${screen.digit}`);
  }
  await page.keyboard.press('Control+Shift+Digit5');
  await expect(page.getByTestId('command-palette')).toBeVisible();
  await expect(page.getByTestId('nav-models')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('command-palette')).toHaveCount(0);

  // The shortcut sheet names them.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcut-sheet')).toContainText(
    'Go to Models, Benchmarks, Review, Rollout or Settings',
  );
  await page.keyboard.press('Escape');

  // Ctrl+digit alone (the browser's tab keys) and Alt+digit (Rollout's sections) are not taken.
  await page.keyboard.press('Control+Digit4');
  await page.keyboard.press('Alt+Digit4');
  await expect(page.getByTestId('nav-models')).toHaveAttribute('aria-current', 'page');

  expect(consoleErrors).toEqual([]);
});
