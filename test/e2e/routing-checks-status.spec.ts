/// <reference lib="dom" />
/**
 * The Checks card on Rollout → Config shows one status at a time: "Checking…" while the config on
 * screen has no answer yet, the counts once it has. A slow answer to an older config never
 * replaces a newer one, and a failed check says so instead of "Checking…" forever.
 */
import { expect, test, type Route } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

declare global {
  interface Window {
    checksLog?: string[];
  }
}

/** Each state the card showed: "Checking…" alone or a result alone, never "can be signed" while pending. */
function expectOneStatusAtATime(log: string[]): void {
  for (const entry of log) {
    const [status = '', signable = ''] = entry.split(' | ');
    if (status.includes('Checking')) {
      expect(status, entry).toBe('Checking…');
      expect(signable, entry).not.toContain('can be signed');
    }
    if (status === 'Not checked') expect(signable, entry).not.toContain('can be signed');
  }
}

test('Checks card: "Checking…" never beside a result, stale answers dropped, failures shown', async ({
  page,
}) => {
  test.setTimeout(90_000);
  // Every state the card goes through, with whether it claimed "can be signed" at that moment.
  await page.addInitScript(() => {
    window.checksLog = [];
    let last = '';
    const record = (): void => {
      const card = document.querySelector('[data-testid="routing-problems"]');
      if (!card) return;
      const counts = card.querySelector('[data-testid="routing-problem-counts"]')?.textContent;
      const signable = card.querySelector('.rt-ok')?.textContent ?? '';
      const entry = `${counts ?? ''} | ${signable}`;
      if (entry !== last) window.checksLog!.push(entry);
      last = entry;
    };
    new MutationObserver(record).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });

  // The checks answer as the test says: the first answer to an edit is held back until released.
  let calls = 0;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let failNext = false;
  let heldAnswered: Promise<void> = Promise.resolve();
  await page.route('**/api/routing:check', async (route: Route) => {
    calls += 1;
    if (failNext) {
      failNext = false;
      await route.fulfill({ status: 500, contentType: 'text/plain', body: 'broken' });
      return;
    }
    if (calls === 2) {
      heldAnswered = (async () => {
        const response = await route.fetch();
        await held;
        await route.fulfill({ response });
      })();
      return;
    }
    await route.continue();
  });

  server = await startConsole(newDataDir(), { TOGETHER_API_KEY: '', RUNWAYML_API_SECRET: '' });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  const counts = page.getByTestId('routing-problem-counts');
  await expect(counts).toHaveText('0 errors · 1 warning');
  expectOneStatusAtATime(await page.evaluate(() => window.checksLog ?? []));
  await expect(page.getByTestId('routing-problems')).toHaveAttribute('data-state', 'checked');

  // Edit 1 (no weight: one error); its answer is held. Edit 2 (weight 70: no error) answers first.
  const weight = page.getByTestId('tier-free-weight-1');
  const firstEdit = page.waitForRequest('**/api/routing:check');
  await weight.fill('');
  await firstEdit;
  await expect(counts).toHaveText('Checking…');
  await weight.fill('70');
  await expect(counts).toHaveText('0 errors · 1 warning');
  // Now the older answer (one error) arrives late: it must not replace the newer one.
  release();
  await heldAnswered;
  await page
    .getByTestId('routing-problems')
    .evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  await expect(counts).toHaveText('0 errors · 1 warning');
  await expect(page.getByTestId('routing-problems')).toHaveAttribute('data-state', 'checked');
  await expect(page.getByTestId('routing-problem')).toHaveCount(1);

  // A check that fails says so, once, and can be retried; it does not stay "Checking…".
  failNext = true;
  await weight.fill('60');
  await expect(counts).toHaveText('Not checked');
  await expect(page.getByTestId('routing-problems')).toHaveAttribute('data-state', 'failed');
  await page
    .locator('.rt-side')
    .getByRole('button', { name: /try again|retry/i })
    .click();
  await expect(counts).toHaveText('0 errors · 1 warning');

  // Edits settled: the whole walk showed one status at a time, and ends on the result.
  const log = await page.evaluate(() => window.checksLog ?? []);
  expect(log.length).toBeGreaterThan(3);
  expectOneStatusAtATime(log);
  expect(log.at(-1)).toBe('0 errors · 1 warning | ');
});
