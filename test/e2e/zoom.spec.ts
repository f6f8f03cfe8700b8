/// <reference lib="dom" />
/**
 * 200% zoom: a 1280x800 window zoomed to 200% lays out as 640x400 CSS pixels drawn at twice the
 * density. Every screen of the shared walk must reflow into that (WCAG 1.4.10): the page itself
 * never scrolls sideways (a table or chart may scroll inside its own box). Screenshots go to
 * test-results/screens/zoom-200-640x400/ to be looked at.
 */
import { consoleErrorsOf } from './console-server';
import { expect, test } from './console-test';
import { STEPS } from './screen-steps';
import { seedUsedDataDir } from './used-data-dir';

const SHOTS = 'test-results/screens/zoom-200-640x400';

test.use({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });

let dataDir = '';
test.beforeAll(async () => {
  test.setTimeout(180_000);
  dataDir = await seedUsedDataDir();
});

interface Sideways {
  /** How far the document scrolls sideways, in CSS px (0 when it does not). */
  document: number;
  /** The same for the console's main column, which scrolls the screens inside it. */
  main: number;
  /** The outermost elements that reach past the window's right edge, to say what to fix. */
  widest: string[];
}

/** Runs in the page. */
function sidewaysScroll(): Sideways {
  const page = document.scrollingElement ?? document.documentElement;
  const main = document.getElementById('main');
  const right = Math.min(window.innerWidth, main ? main.getBoundingClientRect().right : Infinity);
  const widest: string[] = [];
  const clipped = (element: Element): boolean => {
    for (let at = element.parentElement; at && at !== main; at = at.parentElement) {
      if (getComputedStyle(at).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const element of document.body.querySelectorAll('*')) {
    if (element.getBoundingClientRect().right <= right + 1 || clipped(element)) continue;
    // Only the outermost: its children stick out because it does.
    const parent = element.parentElement;
    if (parent && parent !== main && parent.getBoundingClientRect().right > right + 1) continue;
    const id = element.getAttribute('data-testid');
    const classes = typeof element.className === 'string' ? element.className.trim() : '';
    widest.push(
      `<${element.tagName.toLowerCase()}${id ? ` ${id}` : ''}${classes ? ` .${classes.split(/\s+/).join('.')}` : ''}> to ${Math.round(element.getBoundingClientRect().right)} px`,
    );
  }
  return {
    document: Math.max(0, page.scrollWidth - page.clientWidth),
    main: main ? Math.max(0, main.scrollWidth - main.clientWidth) : 0,
    widest: widest.slice(0, 6),
  };
}

test('at 200% zoom (640x400 CSS px) no screen scrolls sideways', async ({ page, startConsole }) => {
  test.setTimeout(240_000);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  const sideways: Record<string, Sideways> = {};
  for (const step of STEPS) {
    await step.go(page);
    await expect(page.locator('h1').first()).toHaveText(step.heading);
    await expect(page.getByTestId('skeleton')).toHaveCount(0);
    await expect(page.locator('.loading')).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/${step.name}.png` });
    // And its end, for a screen taller than the window (the main column scrolls).
    const scrolled = await page.evaluate(() => {
      const main = document.getElementById('main');
      if (!main || main.scrollHeight <= main.clientHeight + 1) return false;
      main.scrollTop = main.scrollHeight;
      return true;
    });
    if (scrolled) {
      await page.screenshot({ path: `${SHOTS}/${step.name}-end.png` });
      await page.evaluate(() => document.getElementById('main')?.scrollTo({ top: 0 }));
    }
    const scroll = await page.evaluate(sidewaysScroll);
    // 1 px of rounding allowed.
    if (scroll.document > 1 || scroll.main > 1) sideways[step.name] = scroll;
  }
  expect(sideways, 'screens whose page scrolls sideways (px)').toEqual({});
  expect(consoleErrors).toEqual([]);
});

interface SheetLayout {
  /** Parts of the sheet that reach past its left or right edge. */
  outside: string[];
  /** How far the list scrolls sideways inside the sheet, in CSS px. */
  sideways: number;
  /** Key combinations laid out on more than one line, or a key broken inside. */
  broken: string[];
  /** Rows whose keys and description overlap. */
  overlapping: string[];
  /** The sheet's box, and whether it lies within the window. */
  fits: boolean;
  /** The list is taller than its box: it scrolls inside the sheet. */
  scrolls: boolean;
}

/** Runs in the page. */
function sheetLayout(): SheetLayout {
  const sheet = document.querySelector('[data-testid="shortcut-sheet"]')!;
  const list = sheet.querySelector<HTMLElement>('.shortcut-groups')!;
  const box = sheet.getBoundingClientRect();
  const name = (element: Element): string =>
    `<${element.tagName.toLowerCase()}> ${(element.textContent ?? '').trim().slice(0, 40)}`;
  const outside = [...sheet.querySelectorAll('*')]
    .filter((element) => {
      const rect = element.getBoundingClientRect();
      return rect.width > 0 && (rect.left < box.left - 1 || rect.right > box.right + 1);
    })
    .map(name);
  const broken: string[] = [];
  const overlapping: string[] = [];
  for (const row of sheet.querySelectorAll('.shortcut-row')) {
    const keys = row.querySelector('dt')!;
    const does = row.querySelector('dd')!;
    const tops = new Set(
      [...keys.querySelectorAll('kbd')].map((kbd) => Math.round(kbd.getBoundingClientRect().top)),
    );
    const lines = [...keys.querySelectorAll('kbd')].map((kbd) => {
      const range = document.createRange();
      range.selectNodeContents(kbd);
      return range.getClientRects().length;
    });
    if (tops.size > 1 || lines.some((count) => count > 1)) broken.push(name(row));
    const a = keys.getBoundingClientRect();
    const b = does.getBoundingClientRect();
    const apart = a.right <= b.left + 0.5 || b.top >= a.bottom - 0.5;
    if (!apart) overlapping.push(name(row));
  }
  return {
    outside: outside.slice(0, 6),
    sideways: Math.max(0, list.scrollWidth - list.clientWidth),
    broken,
    overlapping,
    fits: box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth,
    scrolls: list.scrollHeight > list.clientHeight + 1,
  };
}

test('at 200% zoom the shortcut sheet scrolls inside itself, keys whole beside their descriptions', async ({
  page,
  startConsole,
}) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.keyboard.press('?');
  const sheet = page.getByTestId('shortcut-sheet');
  await expect(sheet).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/shortcut-sheet.png` });

  const layout = await page.evaluate(sheetLayout);
  expect(layout.outside, 'parts of the sheet past its edges').toEqual([]);
  expect(layout.sideways, 'the list scrolls sideways (px)').toBeLessThanOrEqual(1);
  expect(layout.broken, 'key combinations broken over lines').toEqual([]);
  expect(layout.overlapping, 'keys over their descriptions').toEqual([]);
  expect(layout.fits, 'the sheet lies within the window').toBe(true);
  expect(layout.scrolls, 'the list scrolls inside the sheet').toBe(true);

  // The last shortcut comes into view by keyboard: the list is a tab stop, End scrolls it.
  const list = sheet.getByRole('region', { name: 'Shortcut list' });
  await list.focus();
  await page.keyboard.press('End');
  const last = sheet.locator('.shortcut-row').last();
  await expect
    .poll(async () => {
      const [row, box] = await Promise.all([last.boundingBox(), list.boundingBox()]);
      return (
        row !== null &&
        box !== null &&
        row.y >= box.y - 1 &&
        row.y + row.height <= box.y + box.height + 1
      );
    }, 'the last shortcut is scrolled into view')
    .toBe(true);
  await page.screenshot({ path: `${SHOTS}/shortcut-sheet-end.png` });
  // Still closable from the keyboard, the Close button in view.
  await expect(sheet.getByTestId('shortcut-sheet-close')).toBeInViewport();
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
