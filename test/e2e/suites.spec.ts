/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer, consoleErrorsOf } from './console-server';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('suites: create with two prompts, save v1, edit to v2, refuse a bad import, run the new suite', async ({
  page,
}) => {
  server = await startConsole(newDataDir(), { AIDEON_SANDBOX_TIME_SCALE: '0.05' });
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('tab-suites').click();

  // Built-in suites are listed and marked.
  const smoke = page.locator('[data-testid="suite-row"][data-suite-id="smoke"]');
  await expect(smoke).toContainText('Built in');
  await expect(smoke).toContainText('v1');
  await shot(page, 'suites-01-list');

  // A new suite: saving an empty form names what is missing.
  await page.getByTestId('new-suite').click();
  await page.getByTestId('save-suite').click();
  const errors = page.getByTestId('suite-errors');
  await expect(errors).toContainText('Give the suite a name.');
  await expect(errors).toContainText('Prompt 1 has no text.');

  await page.getByTestId('suite-name').fill('Hands and water');
  await page.getByTestId('suite-description').fill('Two prompts that are hard to get right.');
  await page.getByTestId('suite-duration').fill('4');
  await page.getByTestId('suite-aspect').selectOption('16:9');
  await page.getByTestId('suite-seed').fill('11');
  await page
    .getByTestId('prompt-text')
    .first()
    .fill('A pianist plays a fast passage, close on the hands.');
  await page.getByTestId('prompt-category').first().selectOption('people');
  await page.getByTestId('add-prompt').click();
  await page
    .getByTestId('prompt-text')
    .nth(1)
    .fill('Water pours into a glass and overflows onto a table.');
  await page.getByTestId('prompt-category').nth(1).selectOption('physics');
  await expect(page.getByTestId('prompt-row')).toHaveCount(2);
  await page.getByTestId('save-suite').click();
  await expect(page.getByTestId('suite-saved')).toHaveText('v1 saved');
  await expect(page.getByTestId('suite-editor-version')).toContainText('Version 1');
  await shot(page, 'suites-02-saved-v1');

  // Edit: a third prompt, then remove it again and change a text → v2.
  await page.getByTestId('add-prompt').click();
  await page.getByTestId('remove-prompt').nth(2).click();
  await page
    .getByTestId('prompt-text')
    .nth(1)
    .fill('Water pours into a glass, overflows and spreads across a wooden table.');
  await page.getByTestId('save-suite').click();
  await expect(page.getByTestId('suite-saved')).toHaveText('v2 saved');
  await expect(page.getByTestId('suite-version-select')).toBeVisible();

  // Built-in suites say that saving makes a copy.
  await page.getByTestId('suite-back').click();
  const mine = page.locator('[data-testid="suite-row"][data-suite-id="hands-and-water"]');
  await expect(mine).toContainText('v2');
  await expect(mine).toContainText('2');
  await smoke.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('built-in-notice')).toContainText('Saving makes your own copy');
  await shot(page, 'suites-03-built-in');
  await page.getByTestId('suite-back').click();

  // A bad YAML file is refused, the problems name the line and the field.
  await page.getByTestId('import-suite-input').setInputFiles({
    name: 'broken.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(
      ['name: Broken', 'prompts:', '  - id: a', '    text: ""', '    category: weather', ''].join(
        '\n',
      ),
    ),
  });
  const issues = page.getByTestId('import-suite-issues');
  await expect(issues).toBeVisible();
  await expect(issues).toContainText(/line 4: prompts\.0\.text/);
  await expect(issues).toContainText(/line 5: prompts\.0\.category/);
  await expect(issues.locator('li')).toHaveCount(2);
  await shot(page, 'suites-04-import-error');

  // Run the new suite from the new-benchmark dialog.
  await page.getByTestId('tab-runs').click();
  await page.getByTestId('new-sandbox-benchmark').click();
  await page.getByTestId('suite-select').selectOption('hands-and-water');
  await expect(page.getByTestId('plan-generations')).toHaveText('4');
  await page.getByTestId('start-run').click();
  await expect(page.getByTestId('run-progress')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Hands and water');
  await expect(page.getByTestId('generation-row')).toHaveCount(4);
  await expect(page.locator('[data-testid="generation-row"][data-state="succeeded"]')).toHaveCount(
    4,
    { timeout: 60_000 },
  );
  await expect(page.getByText('Hands and water (v2)')).toBeVisible();
  await shot(page, 'suites-05-run');
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});
