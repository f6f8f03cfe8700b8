/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { type ConsoleServer, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('model picker: grouped by provider, type to filter, keyboard to choose, full names at 1280 px', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  server = await startConsole(newDataDir());
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();

  const picker = page.getByTestId('tier-premium-model-0');
  await expect(picker).toHaveAttribute('data-value', 'sandbox:sandbox-pro');
  await expect(picker).toHaveAttribute('role', 'combobox');
  // The display name, not a raw id cut to "sandbox:s".
  const name = picker.locator('.model-combo-name');
  await expect(name).not.toContainText(':');
  expect(await name.evaluate((node) => node.scrollWidth <= node.clientWidth)).toBe(true);

  // Opening shows every provider as a group with its label.
  await picker.click();
  const list = page.getByTestId('tier-premium-model-0-list');
  await expect(list).toBeVisible();
  for (const heading of [
    'Sandbox (simulated)',
    'Together AI',
    'Runway',
    'Google Veo (Gemini API)',
  ]) {
    await expect(list.locator('[cmdk-group-heading]', { hasText: heading })).toBeVisible();
  }
  // The current model is marked.
  await expect(list.locator('[data-testid="model-option-sandbox:sandbox-pro"]')).toHaveAttribute(
    'data-current',
    'true',
  );

  // Type to filter: only Veo 3 models remain (Gemini's own and Together's), nothing fuzzy.
  await page.keyboard.type('veo 3');
  await expect(page.getByTestId('model-group-option-sandbox')).toBeHidden();
  await expect(page.getByTestId('model-group-option-gemini')).toBeVisible();
  const shown = await list
    .locator('[cmdk-item]')
    .evaluateAll((nodes) => nodes.map((node) => node.textContent?.toLowerCase() ?? ''));
  expect(shown.length).toBeGreaterThan(1);
  expect(shown.every((text) => text.includes('veo') && text.includes('3'))).toBe(true);

  // Keyboard: ↓ moves, Enter chooses, the list closes and focus returns to the picker.
  const first = list.locator('[cmdk-item]').first();
  await expect(first).toHaveAttribute('data-selected', 'true');
  await page.keyboard.press('ArrowDown');
  const second = await list.locator('[cmdk-item]').nth(1).getAttribute('data-testid');
  await page.keyboard.press('Enter');
  await expect(list).toHaveCount(0);
  await expect(picker).toBeFocused();
  await expect(picker).toHaveAttribute('data-value', second!.replace('model-option-', ''));
  await expect(picker.locator('.model-combo-name')).toContainText('Veo 3');

  // Typing on the closed picker starts a search; Esc closes without changing anything.
  await page.keyboard.press('s');
  await expect(list).toBeVisible();
  await expect(list.getByRole('combobox')).toHaveValue('s');
  await page.keyboard.press('Escape');
  await expect(list).toHaveCount(0);
  await expect(picker).toHaveAttribute('data-value', second!.replace('model-option-', ''));
  await page.screenshot({ path: 'test-results/screenshots/model-picker.png' });
});

test('catalogue: search by name, provider or id; source notes are tooltips, not text', async ({
  page,
}) => {
  server = await startConsole(newDataDir());
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-models').click();
  const count = page.getByTestId('catalogue-count');
  const all = Number(/^(\d+) models$/.exec((await count.textContent()) ?? '')?.[1]);
  expect(all).toBeGreaterThan(20);
  // Developer notes (where a price was read) are not on the page as text.
  await expect(page.locator('.models-table')).not.toContainText('models.ts');

  await page.getByTestId('catalogue-search').fill('veo 3');
  await expect(count).toHaveText(new RegExp(`^\\d+ of ${all} models$`));
  const names = await page
    .getByTestId('model-row')
    .evaluateAll((rows) => rows.map((row) => row.textContent?.toLowerCase() ?? ''));
  expect(names.length).toBeGreaterThan(0);
  expect(names.every((text) => text.includes('veo') && text.includes('3'))).toBe(true);
  await expect(page.getByTestId('model-group-sandbox')).toHaveCount(0);

  await page.getByTestId('catalogue-search').fill('');
  await expect(count).toHaveText(`${all} models`);
});
