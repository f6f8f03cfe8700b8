/// <reference lib="dom" />
/**
 * Small windows, 1024x700 in the light theme and 1024x640 in the dark one: every screen fits and
 * reads. On each screen of the shared walk (plus the run's scorecard and a tier whose model has a
 * long name) the page's element boxes and text are measured against what holds them: nothing may
 * stick out of the window, out of its card or table, or out of a scroll box sideways (a table
 * that scrolls sideways hides its last columns); a dialog's header and footer (with its buttons)
 * stay in the window; a page's subtitle is not squeezed into a narrow column by the header's
 * buttons; an error toast after a vote that was not saved leaves the verdict buttons uncovered;
 * text stands out from what is behind it (contrast). Screenshots go to
 * test-results/screens/<scheme>-<size>/ (e.g. dark-1024x640) to be looked at.
 */
import { expect, test } from '@playwright/test';
import {
  type ConsoleServer,
  benchmarkWithCli,
  consoleErrorsOf,
  newDataDir,
  startConsole,
} from './console-server';
import { STEPS, type Step } from './screen-steps';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The window sizes and themes walked; screenshots go to test-results/screens/<name>/. */
const RUNS = [
  { scheme: 'light', width: 1024, height: 700 },
  { scheme: 'dark', width: 1024, height: 640 },
] as const;
/** Where the walk under way puts its screenshots. */
let shots = 'test-results/screens/light-1024x700';

/**
 * A dialog the walk passes: opened, screenshot, measured while open, closed again (the next step
 * starts from the screen under it).
 */
const dialogStep = (name: string, open: string, dialog: string, heading: RegExp): Step => ({
  name,
  go: async (page) => {
    await page.getByTestId(open).first().click();
    const shown = page.getByRole('dialog');
    await expect(shown).toBeVisible();
    await expect(page.locator(dialog)).toBeVisible();
    await page.screenshot({ path: `${shots}/${name}-open.png` });
    expect(await page.evaluate(offences)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(shown).toHaveCount(0);
  },
  heading,
});

/** Screens the shared walk does not stop at, put in after the step they start from. */
const EXTRA_AFTER: Record<string, Step[]> = {
  '01-models': [
    dialogStep('01b-monitor-settings-dialog', 'monitor-settings', '.dialog', /^Models$/),
  ],
  '14-rollout-publishing': [
    dialogStep(
      '14b-generate-key-dialog',
      'keys-generate',
      '[data-testid="generate-key-dialog"]',
      /^Rollout/,
    ),
    dialogStep(
      '14c-add-public-key-dialog',
      'add-public-key',
      '[data-testid="add-public-key-dialog"]',
      /^Rollout/,
    ),
  ],
  '05-run': [
    {
      name: '05b-run-scorecard',
      go: async (page) => {
        await page.getByTestId('tab-scorecard').click();
        await expect(page.getByTestId('scorecard-table')).toBeVisible();
      },
      heading: /Smoke|smoke|run/,
    },
    {
      name: '05c-run-results',
      go: async (page) => {
        await page.getByTestId('tab-results').click();
        await expect(page.getByTestId('results-table')).toBeVisible();
      },
      heading: /Smoke|smoke|run/,
    },
  ],
  '08-review-vote': [
    {
      // A vote that is not saved (the database busy): the error toast must leave the verdict
      // buttons free to vote again, and say its title once.
      name: '08b-vote-not-saved-toast',
      go: async (page) => {
        await page.route('**/api/review:cast-vote*', (route) =>
          route.fulfill({
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({
              ok: false,
              error: {
                code: 'conflict',
                message:
                  'The vote was not saved: the database is busy (another Aideon console or command is writing to it). Vote again in a moment; the pair is still open.',
                retryable: true,
              },
            }),
          }),
        );
        await page.getByTestId('vote-a').click();
        const toast = page.getByTestId('toast');
        await expect(toast).toContainText('The vote was not saved');
        await expect(toast.locator('.toast-description')).toHaveText(
          /^The database is busy \(another Aideon console/,
        );
        await page.unroute('**/api/review:cast-vote*');
        await page.screenshot({
          path: `${shots}/08b-vote-not-saved-toast.png`,
        });
        // Measured below with the toast up; then dismissed, so it sits on no later screen.
        await page.evaluate(offences).then((list) => expect(list).toEqual([]));
        await toast.getByRole('button', { name: 'Dismiss' }).click();
        await expect(toast).toHaveCount(0);
      },
      heading: /^Review$/,
    },
  ],
  '11-rollout-config': [
    {
      // Runway's "Runway Gen-4 Turbo (image-to-video)": a long name in the targets table.
      name: '11b-tier-long-model-name',
      go: async (page) => {
        await page.getByTestId('tier-free-model-1').click();
        await page.keyboard.type('Gen-4 Turbo');
        await page.getByTestId('model-option-runway:gen4_turbo').click();
        await expect(page.getByTestId('tier-free-model-1')).toContainText('Gen-4 Turbo');
      },
      heading: /^Rollout/,
    },
  ],
};

const WALK: Step[] = STEPS.flatMap((step) => [step, ...(EXTRA_AFTER[step.name] ?? [])]);

/**
 * What sticks out, as readable lines (empty when the layout fits). Runs in the page.
 *
 * Each visible element and each piece of text is held by the nearest of: a card-like container
 * (CONTAINERS), a table cell or button (for text), a box that scrolls, or the window. It must lie
 * within that holder sideways (1 px of rounding allowed). Whatever sits inside a box that clips
 * (overflow hidden: an ellipsis, a cropped video) is that box's business and not measured; the
 * box itself is.
 */
function offences(): string[] {
  const CONTAINERS =
    '.page, .rt-card, .form-card, .table-wrap, .monitor-panel, .dialog, .run-summary, .plan, .palette, .toast';
  const TEXT_HOLDERS = 'td, th, button, .badge';
  const out: string[] = [];
  const view = { left: 0, right: window.innerWidth, top: 0, bottom: window.innerHeight };
  type Box = { left: number; right: number; top: number; bottom: number };
  const name = (element: Element): string => {
    const id = element.getAttribute('data-testid');
    const classes = typeof element.className === 'string' ? element.className.trim() : '';
    const text = (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `<${element.tagName.toLowerCase()}${id ? ` data-testid=${id}` : ''}${classes ? ` class="${classes}"` : ''}> "${text}"`;
  };
  const shown = (element: Element): boolean => {
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || style.display === 'contents') return false;
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  };
  /** The box that holds `element`'s own box, or null when a clipping box hides what overflows. */
  const holderOf = (element: Element, textHolders: boolean): { box: Box; by: string } | null => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (textHolders && parent.matches(TEXT_HOLDERS)) {
        return { box: parent.getBoundingClientRect(), by: name(parent) };
      }
      const style = getComputedStyle(parent);
      if (style.overflowX === 'hidden' || style.overflowX === 'clip') return null;
      if (style.overflowX === 'auto' || style.overflowX === 'scroll') {
        const rect = parent.getBoundingClientRect();
        const left = rect.left + parent.clientLeft;
        return {
          box: { left, right: left + parent.clientWidth, top: rect.top, bottom: rect.bottom },
          by: `the scroll box ${name(parent)}`,
        };
      }
      if (parent.matches(CONTAINERS))
        return { box: parent.getBoundingClientRect(), by: name(parent) };
    }
    return { box: view, by: 'the window' };
  };
  const sticksOut = (rect: Box, box: Box): boolean =>
    rect.left < box.left - 1 || rect.right > box.right + 1;

  if (document.documentElement.scrollWidth > window.innerWidth) {
    out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide`);
  }
  for (const element of document.body.querySelectorAll('*')) {
    if (!shown(element)) continue;
    const holder = holderOf(element, false);
    if (!holder) continue;
    const rect = element.getBoundingClientRect();
    if (sticksOut(rect, holder.box)) {
      out.push(
        `${name(element)} [${Math.round(rect.left)}–${Math.round(rect.right)}] sticks out of ${holder.by} [${Math.round(holder.box.left)}–${Math.round(holder.box.right)}]`,
      );
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !(node.textContent ?? '').trim() || !shown(parent)) continue;
    const holder = holderOf(node as unknown as Element, true);
    if (!holder) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.width === 0) continue;
      if (sticksOut(rect, holder.box)) {
        out.push(
          `text "${(node.textContent ?? '').trim().slice(0, 40)}" [${Math.round(rect.left)}–${Math.round(rect.right)}] sticks out of ${holder.by} [${Math.round(holder.box.left)}–${Math.round(holder.box.right)}]`,
        );
        break;
      }
    }
  }
  // A dialog fits the window, and its header and footer are in it (only its body scrolls).
  for (const dialog of document.querySelectorAll('[role="dialog"], [role="alertdialog"]')) {
    if (!shown(dialog)) continue;
    const box = dialog.getBoundingClientRect();
    if (box.top < -1 || box.bottom > view.bottom + 1) {
      out.push(`${name(dialog)} is taller than the window`);
    }
    for (const part of dialog.querySelectorAll('.dialog-header, .dialog-footer')) {
      const rect = part.getBoundingClientRect();
      if (rect.top < box.top - 1 || rect.bottom > Math.min(box.bottom, view.bottom) + 1) {
        out.push(`${name(part)} is cut off: [${Math.round(rect.top)}–${Math.round(rect.bottom)}]`);
      }
    }
  }
  // A toast leaves what is marked to keep clear (the blind vote's verdict buttons) and a
  // dialog's buttons uncovered.
  for (const toast of document.querySelectorAll('[data-testid="toast"]')) {
    const over = toast.getBoundingClientRect();
    for (const clear of document.querySelectorAll('[data-toast-keep-clear], .dialog-footer > *')) {
      const under = clear.getBoundingClientRect();
      const overlaps =
        over.left < under.right &&
        under.left < over.right &&
        over.top < under.bottom &&
        under.top < over.bottom;
      if (overlaps && under.width > 0) out.push(`${name(toast)} covers ${name(clear)}`);
    }
  }
  // Text is readable on what is behind it, in the light and the dark theme alike: a contrast
  // ratio (WCAG's) of at least 4.5, what WCAG AA asks of body text. Found below it: the dark
  // theme's JSON strings (2.3), chart legends in their series' colour (3.2–3.7), coloured text on
  // a tint of its colour (badges, the plan's verdict: 4.4). The background is the nearest opaque
  // ancestor's with the semi-transparent ones on the way blended in; text over a picture (a
  // gradient, an image, a video) or in something dimmed on purpose (disabled, faded) is not judged.
  type Rgba = [number, number, number, number];
  const parse = (text: string): Rgba | null => {
    const rgb = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(text);
    if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), Number(rgb[4] ?? 1)];
    const srgb = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/.exec(text);
    if (srgb)
      return [
        Number(srgb[1]) * 255,
        Number(srgb[2]) * 255,
        Number(srgb[3]) * 255,
        Number(srgb[4] ?? 1),
      ];
    return null;
  };
  const over = (top: Rgba, under: Rgba): Rgba => [
    top[0] * top[3] + under[0] * (1 - top[3]),
    top[1] * top[3] + under[1] * (1 - top[3]),
    top[2] * top[3] + under[2] * (1 - top[3]),
    1,
  ];
  const luminance = ([r, g, b]: Rgba): number => {
    const channel = (value: number): number => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  /** What is behind `element`'s text, or null when it cannot be told (a picture, a video). */
  const backdrop = (element: Element): Rgba | null => {
    const layers: Rgba[] = [];
    for (let at: Element | null = element; at; at = at.parentElement) {
      const style = getComputedStyle(at);
      if (style.backgroundImage !== 'none' || at.matches('video, canvas, img, svg')) return null;
      const colour = parse(style.backgroundColor);
      if (colour === null) return null;
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let result: Rgba = [255, 255, 255, 1];
    const canvas = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (layers.at(-1)?.[3] !== 1 && canvas && canvas[3] > 0) result = over(canvas, result);
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const dimmed = (element: Element): boolean => {
    if (element.closest(':disabled, [aria-disabled="true"], [data-disabled]')) return true;
    for (let at: Element | null = element; at; at = at.parentElement) {
      if (Number(getComputedStyle(at).opacity) < 1) return true;
    }
    return false;
  };
  const judged = new Set<Element>();
  const textWalker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = textWalker.nextNode(); node; node = textWalker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || judged.has(parent) || !(node.textContent ?? '').trim() || !shown(parent))
      continue;
    judged.add(parent);
    const style = getComputedStyle(parent);
    if (style.visibility !== 'visible' || dimmed(parent)) continue;
    if (parent.closest('[aria-hidden="true"]:not([data-aria-hidden])')) continue;
    const back = backdrop(parent);
    const fore = parse(style.color);
    if (!back || !fore) continue;
    const ink = over(fore, back);
    const [light, dark] = [luminance(ink), luminance(back)].sort((a, b) => b - a) as [
      number,
      number,
    ];
    const ratio = (light + 0.05) / (dark + 0.05);
    const needed = 4.5;
    if (ratio < needed) {
      out.push(
        `text "${(node.textContent ?? '').trim().slice(0, 40)}" in ${name(parent)}: contrast ${ratio.toFixed(2)} < ${needed} (${style.color} on ${back.map((v) => Math.round(v)).join(',')})`,
      );
    }
  }
  // A page's subtitle keeps the header's width: the buttons wrap under it instead.
  for (const subtitle of document.querySelectorAll('.page-subtitle')) {
    if (!shown(subtitle)) continue;
    const lineHeight = parseFloat(getComputedStyle(subtitle).lineHeight) || 20;
    const lines = Math.round(subtitle.getBoundingClientRect().height / lineHeight);
    if (lines > 3) out.push(`${name(subtitle)} is squeezed onto ${lines} lines`);
  }
  // A player's seek bar stays long enough to aim at a moment (it was squeezed to ~40 px on the
  // blind vote), and a key hint wraps between its entries, never inside one ("all / keys").
  for (const seek of document.querySelectorAll('[aria-label="Seek"]')) {
    if (!shown(seek)) continue;
    const width = seek.getBoundingClientRect().width;
    if (width < 120) out.push(`${name(seek)} is only ${Math.round(width)} px long`);
  }
  for (const item of document.querySelectorAll('.keyboard-hint .hint-item')) {
    if (!shown(item)) continue;
    // An inline box broken across lines has one fragment per line.
    if (item.getClientRects().length > 1)
      out.push(`the key hint ${name(item)} breaks across lines`);
  }
  // The library's prompt column is the one an admin reads: never narrower than the models.
  const prompt = document.querySelector('.library-row .library-text');
  const models = document.querySelector('.library-row .library-models');
  if (prompt && models) {
    const promptWidth = prompt.getBoundingClientRect().width;
    const modelsWidth = models.getBoundingClientRect().width;
    if (promptWidth < modelsWidth) {
      out.push(
        `the library's prompts (${Math.round(promptWidth)} px) are narrower than its models (${Math.round(modelsWidth)} px)`,
      );
    }
  }
  return out;
}

let dataDir = '';
test.beforeAll(() => {
  dataDir = newDataDir();
  benchmarkWithCli(dataDir);
});

for (const { scheme, width, height } of RUNS) {
  test(`every screen at ${width}x${height}, ${scheme}: nothing sticks out, is cut off or unreadable`, async ({
    page,
  }) => {
    test.setTimeout(180_000);
    shots = `test-results/screens/${scheme}-${width}x${height}`;
    await page.setViewportSize({ width, height });
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    server = await startConsole(dataDir);
    const consoleErrors = consoleErrorsOf(page);
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

    const found: Record<string, string[]> = {};
    for (const step of WALK) {
      await step.go(page);
      await expect(page.locator('h1').first()).toHaveText(step.heading);
      await expect(page.getByTestId('skeleton')).toHaveCount(0);
      // Nor a spinner (a pair still being found, charts still loading): the screen as it settles.
      await expect(page.locator('.loading')).toHaveCount(0);
      await page.screenshot({
        path: `${shots}/${step.name}.png`,
      });
      const list = await page.evaluate(offences);
      // The first few say what is wrong; a table that does not fit lists every one of its cells.
      if (list.length > 0) found[step.name] = list.slice(0, 12);
    }
    expect(found).toEqual({});
    expect(consoleErrors).toEqual([]);
  });
}
