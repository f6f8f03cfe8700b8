/// <reference lib="dom" />
/**
 * The screenshot sweep: every screen at 1440x900 and 1280x720, each in the light and the dark
 * theme, and at 1920x1080 in the dark one, saved under test-results/screens/ to be looked at, on
 * a data folder that looks used (two runs, votes, a publish history, a model release in the
 * inbox). Each screen must show its heading, settled (no skeleton, no spinner), with every text
 * box and menu on it drawn like the others (a frame with rounded corners and room inside), and
 * the whole walk must log no console error.
 */
import { expect, test } from '@playwright/test';
import { type ConsoleServer, startConsole, consoleErrorsOf } from './console-server';
import { STEPS } from './screen-steps';
import { seedUsedDataDir } from './used-data-dir';

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
  // A large monitor: pages of different widths, tables that leave space, charts that stretch.
  { label: 'dark', colorScheme: 'dark', width: 1920, height: 1080 },
] as const;

/**
 * Text boxes and menus drawn with the browser's bare frame (square, no room inside) where the
 * rest of the console draws its own: one was the catalogue's search box. Runs in the page.
 */
function bareControls(): string[] {
  const out: string[] = [];
  const controls = document.querySelectorAll(
    'input:not([type="checkbox"]):not([type="radio"]):not([type="range"]):not([type="file"]):not([type="hidden"]), select, textarea',
  );
  for (const control of controls) {
    const rect = control.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(control);
    // A frameless box is part of a bigger frame (the command palette's search line).
    if (parseFloat(style.borderTopWidth) === 0) continue;
    const radius = parseFloat(style.borderTopLeftRadius);
    const padding = parseFloat(style.paddingLeft);
    if (radius < 2 || padding < 4) {
      const id = control.getAttribute('data-testid') ?? control.getAttribute('aria-label') ?? '';
      out.push(
        `<${control.tagName.toLowerCase()} ${id}> radius ${radius} px, padding ${padding} px`,
      );
    }
  }
  return out;
}

/**
 * Figures broken across lines: a number cell or figure (class "num") whose text runs onto a
 * second line, like "$23.45 of / $1,000.00" or "no shared / pairs" did. Only its inline text
 * counts: parts it stacks on purpose (a flex column, a block) are lines of their own. Runs in
 * the page.
 */
function brokenFigures(): string[] {
  const out: string[] = [];
  const inline = (element: Element, figure: Element): boolean => {
    for (let at: Element | null = element; at && at !== figure; at = at.parentElement) {
      if (!getComputedStyle(at).display.startsWith('inline')) return false;
    }
    return true;
  };
  for (const figure of document.querySelectorAll('.num')) {
    const display = getComputedStyle(figure).display;
    if (display.includes('flex') || display.includes('grid')) continue;
    const rects: DOMRect[] = [];
    const walker = document.createTreeWalker(figure, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!(node.textContent ?? '').trim() || !node.parentElement) continue;
      if (!inline(node.parentElement, figure)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      rects.push(...[...range.getClientRects()].filter((rect) => rect.width > 0));
    }
    rects.sort((a, b) => a.top - b.top);
    let lines = rects.length > 0 ? 1 : 0;
    let bottom = rects[0]?.bottom ?? 0;
    for (const rect of rects.slice(1)) {
      // A fragment that starts below the line so far is a new line.
      if (rect.top >= bottom - 2) {
        lines += 1;
        bottom = rect.bottom;
      } else bottom = Math.max(bottom, rect.bottom);
    }
    if (lines > 1) {
      const text = (figure.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50);
      out.push(`"${text}" takes ${lines} lines`);
    }
  }
  return out;
}

let dataDir = '';
test.beforeAll(async () => {
  dataDir = await seedUsedDataDir();
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

    const bare: Record<string, string[]> = {};
    // Where each screen's page starts: one place on every screen, or it jumps when switching.
    const pageLefts = new Map<number, string[]>();
    for (const step of STEPS) {
      await step.go(page);
      await expect(page.locator('h1').first()).toHaveText(step.heading);
      // No skeleton left: the screen's data is on it.
      await expect(page.getByTestId('skeleton')).toHaveCount(0);
      // Nor a spinner (a pair still being found, charts still loading): the screen as it settles.
      await expect(page.locator('.loading')).toHaveCount(0);
      await page.screenshot({
        path: `test-results/screens/${theme.label}-${theme.width}x${theme.height}/${step.name}.png`,
      });
      const found = [
        ...(await page.evaluate(bareControls)),
        ...(await page.evaluate(brokenFigures)),
      ];
      if (found.length > 0) bare[step.name] = found;
      const left = Math.round((await page.locator('.page').first().boundingBox())?.x ?? -1);
      pageLefts.set(left, [...(pageLefts.get(left) ?? []), step.name]);
    }
    expect([...pageLefts.keys()], JSON.stringify(Object.fromEntries(pageLefts))).toHaveLength(1);
    expect(bare).toEqual({});
    expect(consoleErrors).toEqual([]);
  });
}
