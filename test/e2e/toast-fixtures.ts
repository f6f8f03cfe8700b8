/// <reference lib="dom" />
/**
 * Toasts stacking under a dialog: Benchmarks → a new sandbox benchmark whose start fails with a
 * retryable "database is busy (attempt n)" each time it is pressed. The dialog stays open, so
 * every failure is a toast under it. The route stays until `stop` (page.unroute).
 */
import { expect, type Locator, type Page } from '@playwright/test';

const START_RUN = '**/api/bench:start-run*';

export async function failedStartsUnderDialog(
  page: Page,
  count: number,
): Promise<{ shown: Locator; waiting: Locator; stop: () => Promise<void> }> {
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('new-sandbox-benchmark').first().click();
  await expect(page.getByTestId('plan-total-cost')).toBeVisible();
  let attempt = 0;
  await page.route(START_RUN, (route) => {
    attempt += 1;
    return route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        ok: false,
        error: {
          code: 'conflict',
          message: `The benchmark did not start: the database is busy (attempt ${attempt}). Start it again in a moment.`,
          retryable: true,
        },
      }),
    });
  });
  const shown = page.getByTestId('toast');
  const waiting = page.getByTestId('toast-waiting');
  // The pointer rests on the dialog (not on a toast, which would hold that one).
  for (let n = 1; n <= count; n += 1) {
    await page.getByTestId('start-run').click();
    await expect(shown.or(waiting).filter({ hasText: `attempt ${n})` })).toHaveCount(1);
  }
  return { shown, waiting, stop: () => page.unroute(START_RUN) };
}
