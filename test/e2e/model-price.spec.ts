/// <reference lib="dom" />
/**
 * An admin enters a model's price in the Models screen (browser mode): a Replicate model with no
 * known price is planned "≤ $X" in the New benchmark dialog; a bad amount is refused naming the
 * field; once priced, the row says "admin-entered, as of DATE", the dialog's estimate is exact
 * and the run fits the budget. Clearing asks first, then brings "price unknown" back. Replicate
 * runs on its emulator (a key, so the plan can use the model; nothing is generated).
 */
import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import {
  consoleErrorsOf,
  newDataDir,
  NO_VENDOR_KEYS,
  startConsole,
  type ConsoleServer,
} from './console-server';
import { ReplicateEmulator } from '../emulators/replicate-emulator';

const KEY = 'r8_e2e_model_price_0000000001';
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/model-price-${name}.png` });

let server: ConsoleServer | undefined;
let emulator: ReplicateEmulator | undefined;
test.afterEach(async () => {
  await server?.stop();
  await emulator?.stop();
  server = undefined;
  emulator = undefined;
});

/** The New benchmark dialog with the sandbox pair and Replicate's MiniMax Video-01 ticked. */
async function planWithMinimax(page: Page): Promise<void> {
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('new-sandbox-benchmark').first().click();
  await page.getByTestId('new-run-model-search').fill('minimax video-01');
  await page.getByTestId('model-checkbox-minimax/video-01').check();
  await expect(page.getByTestId('plan-line-cost')).toHaveCount(3);
}

test('models: enter a price, see the New benchmark estimate become exact, clear it', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  emulator = new ReplicateEmulator({ apiKey: KEY });
  const baseUrl = await emulator.start();
  server = await startConsole(newDataDir(), {
    ...NO_VENDOR_KEYS,
    REPLICATE_API_TOKEN: KEY,
    AIDEON_REPLICATE_BASE_URL: baseUrl,
    AIDEON_ACTOR: 'alice',
  });
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  // Before: no price, so the plan counts it at the dearest known price: an upper bound.
  await planWithMinimax(page);
  const minimaxLine = page.locator('.plan-table tbody tr', { hasText: 'MiniMax Video-01' });
  await expect(minimaxLine.getByTestId('plan-line-cost')).toHaveText(/^≤ \$\d/);
  await expect(page.getByTestId('plan-total-cost')).toHaveText(/^≤ \$/);
  await expect(page.getByTestId('plan-price-note')).toContainText('MiniMax Video-01');
  await expect(page.getByTestId('model-price-minimax/video-01')).toHaveText('price unknown');
  await page.keyboard.press('Escape');

  // The Models screen: the row, its price, and the form.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('catalogue-search').fill('minimax video-01');
  const row = page.locator('[data-testid="model-row"][data-provider="replicate"]', {
    has: page.locator('code', { hasText: /^minimax\/video-01$/ }),
  });
  await expect(row.getByTestId('model-price')).toHaveText('price unknown');
  await row.getByTestId('model-price-edit').click();
  const form = page.getByTestId('price-form');
  await expect(form).toBeVisible();
  await expect(form.getByTestId('price-current')).toContainText('No price is known');

  // A bad amount is refused in the form, naming what is wrong; nothing is saved.
  await form.getByTestId('price-usd').fill('0');
  await form.getByTestId('price-save').click();
  await expect(form.getByTestId('price-usd-error')).toHaveText('Price must be more than $0');
  await expect(form.getByTestId('price-usd')).toHaveAttribute('aria-invalid', 'true');
  await form.getByTestId('price-usd').fill('25');
  await form.getByTestId('price-save').click();
  await expect(form.getByTestId('price-usd-error')).toContainText(
    'Price must be at most $10.00 per second of video',
  );
  await form.getByTestId('price-usd').fill('0.10');
  // The error goes once the field is changed.
  await expect(form.getByTestId('price-usd-error')).toHaveCount(0);
  await shot(page, '01-form');
  await form.getByTestId('price-save').click();
  await expect(form).toBeHidden();

  await expect(row.getByTestId('model-price')).toHaveText('$0.10/s');
  await expect(row.getByTestId('model-price-origin')).toHaveText(
    /^admin-entered, as of \d{1,2} \w{3,4} \d{4}$/,
  );
  await expect(row.getByTestId('model-price-edit')).toHaveText('Edit price');
  await shot(page, '02-models-priced');

  // After: the estimate is the price (3 clips × $0.10/s, counted at the model's only length, 6 s,
  // though the suite asks 4 s), and the run fits the $5 budget.
  await planWithMinimax(page);
  await expect(minimaxLine.getByTestId('plan-line-cost')).toHaveText('$1.80');
  await expect(minimaxLine.getByTestId('plan-line-origin')).toHaveText(
    /^admin-entered price, as of /,
  );
  await expect(page.getByTestId('plan-total-cost')).toHaveText('$3.84');
  await expect(page.getByTestId('plan-price-note')).toHaveCount(0);
  await expect(page.getByTestId('plan-verdict')).toHaveAttribute('data-fits', 'true');
  await expect(page.getByTestId('model-price-minimax/video-01')).toHaveText(
    '$0.10/s · admin-entered',
  );
  await expect(page.getByTestId('start-run')).toBeEnabled();
  await shot(page, '03-plan-priced');
  await page.keyboard.press('Escape');

  // Clearing asks first, naming the model, the price that goes and what comes back; keeping
  // it changes nothing; clearing brings "price unknown" back.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('catalogue-search').fill('minimax video-01');
  await row.getByTestId('model-price-edit').click();
  await page.getByTestId('price-clear').click();
  const ask = page.getByRole('alertdialog');
  await expect(ask).toContainText('Clear the price entered for MiniMax Video-01?');
  await expect(ask).toContainText('$0.10 per second of video, entered by alice, is removed');
  await expect(ask).toContainText('it shows price unknown');
  await shot(page, '03b-clear-confirm');
  await ask.getByRole('button', { name: 'Keep the price' }).click();
  await expect(ask).toHaveCount(0);
  await expect(form.getByTestId('price-current')).toContainText('Entered: $0.10/s');
  await page.getByTestId('price-clear').click();
  await page.getByTestId('confirm-price-clear').click();
  await expect(page.getByTestId('price-form')).toBeHidden();
  await expect(row.getByTestId('model-price')).toHaveText('price unknown');
  await expect(row.getByTestId('model-price-edit')).toHaveText('Set price');
  // The cleared price stays in the model's history, shown in its form.
  await row.getByTestId('model-price-edit').click();
  await page.getByTestId('price-history').locator('summary').click();
  await expect(page.getByTestId('price-history-entry')).toHaveText([
    /^\$0\.10 per second of video entered by alice on .+; cleared by alice on /,
  ]);
  await shot(page, '03c-price-history');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('price-form')).toBeHidden();

  // A model with resolutions and audio takes an amount per resolution and an audio extra.
  await page.getByTestId('catalogue-search').fill('replicate veo 3');
  const veo = page.locator('[data-testid="model-row"][data-provider="replicate"]', {
    has: page.locator('code', { hasText: /^google\/veo-3$/ }),
  });
  // (The save and clear notices close by themselves first, so the screenshot shows the form.)
  await expect(page.getByTestId('toast')).toHaveCount(0);
  await veo.getByTestId('model-price-edit').click();
  await form.getByTestId('price-usd').fill('0.40');
  await form.getByTestId('price-res-1080p').fill('-1');
  await form.getByTestId('price-audio').fill('0.35');
  await form.getByTestId('price-save').click();
  await expect(form.getByTestId('price-res-1080p-error')).toHaveText(
    '1080p price must be more than $0',
  );
  await shot(page, '04-form-resolutions');
  await form.getByTestId('price-res-1080p').fill('0.60');
  await form.getByTestId('price-save').click();
  await expect(form).toBeHidden();
  await expect(veo.getByTestId('model-price')).toHaveText('$0.40–$0.60/s');
  expect(consoleErrors).toEqual([]);
});

test('models: a price set from the CLI shows in the open console without a reload', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  emulator = new ReplicateEmulator({ apiKey: KEY });
  const dataDir = newDataDir();
  const env = {
    ...NO_VENDOR_KEYS,
    REPLICATE_API_TOKEN: KEY,
    AIDEON_REPLICATE_BASE_URL: await emulator.start(),
    AIDEON_ACTOR: 'alice',
  };
  server = await startConsole(dataDir, env);
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-models').click();
  await page.getByTestId('catalogue-search').fill('minimax video-01');
  const row = page.locator('[data-testid="model-row"][data-provider="replicate"]', {
    has: page.locator('code', { hasText: /^minimax\/video-01$/ }),
  });
  await expect(row.getByTestId('model-price')).toHaveText('price unknown');

  // Another process on the same data folder: the CLI, as an admin would run it.
  const cli = (args: string[]) =>
    execFileSync(process.execPath, ['bin/aideon.mjs', '--data-dir', dataDir, ...args], {
      env: { ...process.env, ...env, AIDEON_ACTOR: 'bob' },
      stdio: 'pipe',
      timeout: 30_000,
    });
  cli(['models', 'price', 'set', 'replicate:minimax/video-01', '--per-second', '0.12']);
  await expect(row.getByTestId('model-price')).toHaveText('$0.12/s');
  await expect(row.getByTestId('model-price-origin')).toHaveText(/^admin-entered, as of /);
  cli(['models', 'price', 'clear', 'replicate:minimax/video-01']);
  await expect(row.getByTestId('model-price')).toHaveText('price unknown');
  // The search and the screen stayed as they were: no reload.
  await expect(page.getByTestId('catalogue-search')).toHaveValue('minimax video-01');
  expect(consoleErrors).toEqual([]);
});
