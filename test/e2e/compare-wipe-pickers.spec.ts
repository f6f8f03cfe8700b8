/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';
import { addModelsToFirstPrompt } from './seed-database';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** WCAG relative luminance of an `rgb(…)` colour. */
function luminance(rgb: string): number {
  const [r, g, b] = rgb
    .match(/\d+(\.\d+)?/g)!
    .slice(0, 3)
    .map(Number) as [number, number, number];
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`wipe mode: the model pickers are readable (${colorScheme})`, async ({ page }) => {
    const dataDir = newDataDir();
    benchmarkWithCli(dataDir);
    addModelsToFirstPrompt(dataDir);
    server = await startConsole(dataDir);
    await page.emulateMedia({ colorScheme });
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
    await page.getByTestId('nav-benchmarks').click();
    await page.getByTestId('run-list-item').first().click();
    await page.getByTestId('compare-button').first().click();
    await page.getByTestId('compare-mode-wipe').click();
    await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-mode', 'wipe');
    const pickers = page.locator('.compare-caption select');
    await expect(pickers).toHaveCount(2);
    for (const picker of await pickers.all()) {
      const { color, background } = await picker.evaluate((element) => {
        const style = getComputedStyle(element);
        return { color: style.color, background: style.backgroundColor };
      });
      const [light, dark] = [luminance(color), luminance(background)].sort((a, b) => b - a) as [
        number,
        number,
      ];
      // WCAG AA for text: a contrast ratio of at least 4.5.
      expect((light + 0.05) / (dark + 0.05)).toBeGreaterThan(4.5);
    }
    await page.screenshot({ path: `test-results/screenshots/compare-wipe-${colorScheme}.png` });
  });
}
