/// <reference lib="dom" />
/**
 * A toast that appears while a dialog is open never covers the dialog: not its fields, not its
 * buttons, at 1024x640 (the smallest window the console is made for) and at 1440x900. Three
 * dialogs of the three widths: a model's price (normal, tall with resolutions and audio), the
 * release monitor's settings (narrow), New benchmark (wide and as tall as the window). The toast
 * arrives while the dialog is open (a catalogue check, held back until the dialog is up, fails; a
 * run that does not start), stays readable (in the window, whole) and takes neither the keyboard
 * (the focus stays in the dialog) nor the dialog itself (dismissing the toast leaves it open).
 */
import { expect, test, type Page, type Route } from '@playwright/test';
import { type ConsoleServer, consoleErrorsOf, newDataDir, startConsole } from './console-server';
import { failedStartsUnderDialog } from './toast-fixtures';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const FAILED = {
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify({
    ok: false,
    error: {
      code: 'provider_unavailable',
      message:
        'The catalogue could not be read: the provider answered 503 Service Unavailable three times. The next scheduled check tries again.',
      retryable: true,
    },
  }),
};

/** "Check all" on the Models screen, its answer held until `release` is called: then it fails. */
async function heldCheck(page: Page): Promise<{ release: () => Promise<void> }> {
  let held: Route | undefined;
  let arrived: () => void = () => undefined;
  const here = new Promise<void>((resolve) => (arrived = resolve));
  await page.route('**/api/monitor:check-now*', (route) => {
    held = route;
    arrived();
  });
  await page.getByTestId('monitor-check-all').click();
  await here;
  return {
    release: async () => {
      await held?.fulfill(FAILED);
      await page.unroute('**/api/monitor:check-now*');
    },
  };
}

/** Toast and dialog boxes, and where the focus is, as the page has them now. */
async function layout(page: Page): Promise<{
  window: { width: number; height: number };
  dialog: DOMRectReadOnly;
  toasts: DOMRectReadOnly[];
  focusInDialog: boolean;
  focusOnToast: boolean;
}> {
  return page.evaluate(() => {
    const dialog = document.querySelector('[role="dialog"], [role="alertdialog"]');
    if (!dialog) throw new Error('no dialog is open');
    return {
      window: { width: window.innerWidth, height: window.innerHeight },
      dialog: dialog.getBoundingClientRect().toJSON() as DOMRectReadOnly,
      toasts: [...document.querySelectorAll('[data-testid="toast"]')].map(
        (toast) => toast.getBoundingClientRect().toJSON() as DOMRectReadOnly,
      ),
      focusInDialog: dialog.contains(document.activeElement),
      focusOnToast: document.activeElement?.closest('.toast-region') !== null,
    };
  });
}

/**
 * Every toast clear of the dialog, whole in the window and wide enough to read; the focus in the
 * dialog and on no toast.
 */
async function expectClear(page: Page, count: number): Promise<void> {
  await expect(page.getByTestId('toast')).toHaveCount(count);
  // Placed in the frame after it arrives.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  const { window: view, dialog, toasts, focusInDialog, focusOnToast } = await layout(page);
  for (const toast of toasts) {
    const overlaps =
      toast.left < dialog.right &&
      dialog.left < toast.right &&
      toast.top < dialog.bottom &&
      dialog.top < toast.bottom;
    expect(
      overlaps,
      `toast [${toast.left}–${toast.right} × ${toast.top}–${toast.bottom}] over dialog [${dialog.left}–${dialog.right} × ${dialog.top}–${dialog.bottom}]`,
    ).toBe(false);
    expect(toast.left).toBeGreaterThanOrEqual(0);
    expect(toast.top).toBeGreaterThanOrEqual(0);
    expect(toast.right).toBeLessThanOrEqual(view.width);
    expect(toast.bottom).toBeLessThanOrEqual(view.height);
    expect(toast.width).toBeGreaterThanOrEqual(240);
  }
  expect(focusInDialog).toBe(true);
  expect(focusOnToast).toBe(false);
}

for (const size of [
  { width: 1024, height: 640 },
  { width: 1440, height: 900 },
]) {
  test(`${size.width}x${size.height}: a toast during a dialog leaves the dialog uncovered`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(size);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    server = await startConsole(newDataDir());
    const consoleErrors = consoleErrorsOf(page);
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
    await page.getByTestId('nav-models').click();

    // A model's price (Veo 3: resolutions and audio, the tallest price form).
    let check = await heldCheck(page);
    await page.getByTestId('catalogue-search').fill('replicate veo 3');
    const veo = page.locator('[data-testid="model-row"][data-provider="replicate"]', {
      has: page.locator('code', { hasText: /^google\/veo-3$/ }),
    });
    await veo.getByTestId('model-price-edit').click();
    const form = page.getByTestId('price-form');
    await expect(form).toBeVisible();
    await expect(form.getByTestId('price-usd')).toBeFocused();
    await check.release();
    const toast = page.getByTestId('toast');
    await expect(toast).toContainText('The catalogues could not be checked');
    await expectClear(page, 1);
    await page.screenshot({
      path: `test-results/screenshots/toast-dialog-${size.width}x${size.height}-price.png`,
    });
    // Typing still goes to the form.
    await page.keyboard.type('0.40');
    await expect(form.getByTestId('price-usd')).toHaveValue('0.40');
    // Dismissing the toast closes the toast only.
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await expect(toast).toHaveCount(0);
    await expect(form).toBeVisible();
    await expect(form.getByTestId('price-usd')).toHaveValue('0.40');
    await page.keyboard.press('Escape');
    await expect(form).toHaveCount(0);

    // The release monitor's settings (narrow).
    check = await heldCheck(page);
    await page.getByTestId('monitor-settings').click();
    await expect(page.getByRole('dialog')).toContainText('Release monitor settings');
    await check.release();
    await expect(toast).toContainText('The catalogues could not be checked');
    await expectClear(page, 1);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await expect(toast).toHaveCount(0);

    // New benchmark (wide, as tall as a small window): a run that does not start says so in a
    // toast, and the dialog stays open to change something and try again; then a check started
    // on the Models screen fails too, so two toasts are up at once.
    check = await heldCheck(page);
    await page.getByTestId('nav-benchmarks').click();
    await page.getByTestId('new-sandbox-benchmark').first().click();
    await expect(page.getByTestId('plan-total-cost')).toBeVisible();
    await page.route('**/api/bench:start-run*', (route) =>
      route.fulfill({
        ...FAILED,
        body: JSON.stringify({
          ok: false,
          error: {
            code: 'conflict',
            message:
              'The benchmark did not start: the database is busy (another Aideon console or command is writing to it). Start it again in a moment.',
            retryable: true,
          },
        }),
      }),
    );
    await page.getByTestId('start-run').click();
    await expect(toast).toContainText('The benchmark did not start');
    // (Start keeps the focus while it waits for main's answer: the focus stays in the dialog.)
    await expectClear(page, 1);
    await expect(page.getByTestId('start-run')).toBeFocused();
    await page.getByTestId('budget-input').focus();
    await check.release();
    await expect(toast.nth(1)).toContainText('The catalogues could not be checked');
    await expectClear(page, 2);
    await page.screenshot({
      path: `test-results/screenshots/toast-dialog-${size.width}x${size.height}-new-run.png`,
    });
    // The dialog closed, the toasts go back to their corner and the room is given back. (The
    // pointer on the newest holds it open meanwhile.)
    const newest = toast.filter({ hasText: 'The catalogues could not be checked' });
    await newest.hover();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(newest).toBeVisible();
    await expect(page.locator('.toast-viewport')).toHaveAttribute('data-place', 'corner');
    expect(
      await page.evaluate(() => document.documentElement.style.getPropertyValue('--toast-room')),
    ).toBe('');
    expect(consoleErrors).toEqual([]);
  });
}

test('1024x640: five toasts during a dialog show the newest three and "+2 more", all still read out', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  server = await startConsole(newDataDir());
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  const { shown, waiting, stop } = await failedStartsUnderDialog(page, 5);
  // The newest three show, clear of the dialog; the two oldest wait behind "+2 more".
  await expectClear(page, 3);
  await expect(shown.nth(0)).toContainText('attempt 3)');
  await expect(shown.nth(2)).toContainText('attempt 5)');
  const more = page.getByTestId('toast-more');
  await expect(more).toHaveText('+2 more');
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  const moreBox = await more.boundingBox();
  const dialogBox = await page.getByRole('dialog').boundingBox();
  expect(moreBox && dialogBox).toBeTruthy();
  // On one line ("+2" over "more" in a squeezed row before).
  expect(moreBox!.height).toBeLessThan(40);
  expect(
    moreBox!.y + moreBox!.height <= dialogBox!.y || moreBox!.y >= dialogBox!.y + dialogBox!.height,
  ).toBe(true);
  // The waiting ones stay in the accessibility tree as the alerts they are, out of the Tab order
  // (and not shown again to a screen reader: they were announced when they came).
  await expect(waiting).toHaveCount(2);
  for (const index of [0, 1]) {
    await expect(waiting.nth(index)).toHaveAttribute('role', 'alert');
    await expect(waiting.nth(index)).toContainText(`attempt ${index + 1})`);
    await expect(waiting.nth(index).getByRole('button', { name: 'Dismiss' })).toHaveAttribute(
      'tabindex',
      '-1',
    );
  }
  await page.screenshot({ path: 'test-results/screenshots/toast-dialog-1024x640-five.png' });
  // "+2 more" shows them all; "Show fewer" the newest three again.
  await more.click();
  await expect(shown).toHaveCount(5);
  await expect(more).toHaveText('Show fewer');
  await more.click();
  await expect(shown).toHaveCount(3);
  // Dismissing one of the three brings the newest waiting one into view: "+1 more".
  await shown.nth(0).getByRole('button', { name: 'Dismiss' }).click();
  await expect(shown).toHaveCount(3);
  await expect(shown.nth(0)).toContainText('attempt 2)');
  await expect(more).toHaveText('+1 more');
  await stop();
  expect(consoleErrors).toEqual([]);
});
