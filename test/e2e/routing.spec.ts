/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer } from './console-server';
import { replaceEditorText } from './json-editor-input';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('Rollout → Config: edit the example config, see checks, simulate and preview flags', async ({
  page,
}) => {
  test.setTimeout(90_000);
  server = await startConsole(newDataDir(), { TOGETHER_API_KEY: '', RUNWAYML_API_SECRET: '' });
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('routing-revision')).toContainText('Built-in example');
  await expect(page.getByTestId('tier-free')).toBeVisible();
  await expect(page.getByTestId('tier-premium')).toBeVisible();

  // Without vendor keys the example is the sandbox one: it passes the checks (one warning, that
  // it is simulated), so a first user can walk the whole path.
  const problems = page.getByTestId('routing-problem');
  await expect(problems).toHaveCount(1);
  await expect(problems.first()).toHaveAttribute('data-code', 'simulated-model');
  await expect(page.getByTestId('routing-problem-counts')).toHaveText('0 errors · 1 warning');

  // Weights as percentages of the total.
  await expect(page.getByTestId('tier-free-share-0')).toHaveText('70%');
  await expect(page.getByTestId('tier-free-share-1')).toHaveText('30%');
  await page.getByTestId('tier-free-weight-1').fill('70');
  await expect(page.getByTestId('tier-free-share-0')).toHaveText('50%');
  await expect(page.getByTestId('tier-free-share-1')).toHaveText('50%');
  await shot(page, 'routing-01-tiers');

  // Reorder the premium fallback chain with the buttons.
  const premium = page.getByTestId('tier-premium');
  const firstModel = premium.getByLabel('Model of target 1 in premium');
  await expect(firstModel).toHaveAttribute('data-value', 'sandbox:sandbox-pro');
  await page.getByTestId('tier-premium-down-0').click();
  await expect(firstModel).toHaveAttribute('data-value', 'sandbox:sandbox-fast');
  await expect(premium.getByLabel('Model of target 2 in premium')).toHaveAttribute(
    'data-value',
    'sandbox:sandbox-pro',
  );
  await page.getByTestId('tier-premium-up-1').click();
  await expect(firstModel).toHaveAttribute('data-value', 'sandbox:sandbox-pro');

  // Simulator: per-tier figures, before (example) vs after (the edited weights).
  await page.getByTestId('sim-requests').fill('20000');
  await page.getByTestId('sim-run').click();
  // No benchmarks yet: the simulator says so and offers assumed figures.
  await expect(page.getByTestId('routing-simulator').getByRole('alert')).toContainText(
    'No benchmark evidence for sandbox:sandbox-fast',
  );
  await expect(page.getByTestId('routing-simulator').getByRole('alert')).toContainText(
    'or tick "Use assumed figures" above.',
  );
  await page.getByTestId('sim-assume').check();
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-tier-free')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('sim-tier-premium')).toBeVisible();
  await expect(page.getByTestId('sim-cost-free')).toContainText('$');
  await expect(page.getByTestId('sim-success-premium')).toContainText('%');

  // Flag preview for premium.
  await page.getByTestId('flag-preview-run').click();
  const preview = page.getByTestId('preview-premium-pro-video-premium');
  await expect(preview).toBeVisible({ timeout: 20_000 });
  await expect(preview).toContainText(/With this config, 2[4-6](\.\d)?% of premium users get on/);
  await expect(preview).toContainText('sandbox-pro');
  await preview.scrollIntoViewIfNeeded();
  await shot(page, 'routing-02-simulator');

  // Flags tab and raw JSON with a parse error.
  await page.getByTestId('tab-flags').click();
  await expect(page.getByTestId('flag-premium-pro-video-fraction-0')).toHaveValue('25');
  await shot(page, 'routing-03-flags');
  await page.getByTestId('tab-raw').click();
  await replaceEditorText(page, 'routing-raw', '{ "schemaVersion": 1, ');
  await expect(page.getByTestId('routing-raw-error')).toContainText('JSON parse error');
  await shot(page, 'routing-04-raw');

  // The jump bar (and Alt+6) brings each part of the long Rollout page into view.
  await page.getByTestId('rollout-nav-publishing-section').click();
  await expect(page.getByTestId('publishing-section')).toBeInViewport();
  await expect(page.getByTestId('rollout-nav-publishing-section')).toHaveAttribute(
    'aria-current',
    'true',
  );
  await page.keyboard.press('Alt+6');
  await expect(page.getByTestId('watch-section')).toBeInViewport();
  await page.screenshot({ path: 'test-results/screenshots/routing-05-jump-bar.png' });
  await page.getByTestId('rollout-nav-rollout-editor').click();
  await expect(page.getByTestId('rollout-editor')).toBeInViewport();

  // Budget and quota per tier are set in the routing config; the watch shows them read-only
  // (from the saved draft while nothing is published) and links back here to edit them.
  await replaceEditorText(
    page,
    'routing-raw',
    JSON.stringify({
      schemaVersion: 1,
      tiers: {
        free: {
          targets: [{ provider: 'sandbox', model: 'sandbox-fast' }],
          limits: { dailyQuota: 3 },
          budget: { dailyUsd: 25, dailyRequests: 500 },
        },
      },
    }),
  );
  await page.getByTestId('routing-save').click();
  await expect(page.getByTestId('routing-revision')).toContainText('Draft revision 1');
  const budgets = page.getByTestId('watch-budgets');
  await expect(budgets).toHaveAttribute('data-source', 'draft');
  await expect(budgets.getByTestId('watch-budgets-source')).toContainText(
    'read from the saved routing draft (revision 1)',
  );
  const free = budgets.getByTestId('watch-budget-free');
  await expect(free.locator('[data-field="dailyUsd"]')).toHaveText('$25');
  await expect(free.locator('[data-field="dailyRequests"]')).toHaveText('500');
  await expect(page.getByTestId('watch-section').locator('input[id$="-dailyUsd"]')).toHaveCount(0);
  await budgets.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/routing-06-watch-budgets.png' });
  await budgets.getByTestId('watch-budgets-edit').click();
  await expect(page.getByTestId('rollout-editor')).toBeInViewport();
  await page.getByTestId('tab-tiers').click();
  await expect(page.getByTestId('tiers.free.budget.dailyUsd')).toHaveValue('25');
  await page.getByTestId('tiers.free-budget').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/routing-07-tier-budget.png' });
});
