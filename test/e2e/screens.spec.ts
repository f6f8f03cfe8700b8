/// <reference lib="dom" />
/**
 * The screenshot sweep: every screen at 1440x900 and 1280x720, each in the light and the dark
 * theme, saved under test-results/screens/ to be looked at. Each screen must show its heading and
 * the whole walk must log no console error.
 */
import { expect, test } from '@playwright/test';
import {
  type ConsoleServer,
  benchmarkWithCli,
  newDataDir,
  startConsole,
  consoleErrorsOf,
} from './console-server';
import { STEPS } from './screen-steps';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const THEMES = [
  { label: 'light', colorScheme: 'light', width: 1440, height: 900 },
  { label: 'dark', colorScheme: 'dark', width: 1280, height: 720 },
  { label: 'light', colorScheme: 'light', width: 1280, height: 720 },
  { label: 'dark', colorScheme: 'dark', width: 1440, height: 900 },
] as const;

let dataDir = '';
test.beforeAll(() => {
  dataDir = newDataDir();
  benchmarkWithCli(dataDir);
});

for (const theme of THEMES) {
  test(`every screen at ${theme.width}x${theme.height} ${theme.label}: heading shown, no console error`, async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: theme.width, height: theme.height });
    await page.emulateMedia({ colorScheme: theme.colorScheme, reducedMotion: 'reduce' });
    server = await startConsole(dataDir);
    const consoleErrors = consoleErrorsOf(page);
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

    for (const step of STEPS) {
      await step.go(page);
      await expect(page.locator('h1').first()).toHaveText(step.heading);
      // No skeleton left: the screen's data is on it.
      await expect(page.getByTestId('skeleton')).toHaveCount(0);
      await page.screenshot({
        path: `test-results/screens/${theme.label}-${theme.width}x${theme.height}/${step.name}.png`,
      });
    }
    expect(consoleErrors).toEqual([]);
  });
}
