/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer } from './console-server';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/watch-${name}.png`, fullPage: true });

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('Rollout → Production watch: not configured, then an unreachable Prometheus is a problem', async ({
  page,
}) => {
  test.setTimeout(90_000);
  server = await startConsole(newDataDir(), { AIDEON_PROMETHEUS_TOKEN: '' });
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  await page.getByTestId('nav-rollout').click();
  const section = page.getByTestId('watch-section');
  await section.scrollIntoViewIfNeeded();
  await expect(section).toBeVisible();
  await expect(section.getByTestId('watch-problem')).toHaveAttribute('data-kind', 'not_configured');
  await expect(section.getByTestId('watch-problem')).toContainText('Not configured');
  await expect(section).toContainText('AIDEON_PROMETHEUS_TOKEN');
  await shot(page, '01-not-configured');

  // Validation errors are shown on the field they belong to.
  await page.getByTestId('watch-url-production').fill('not a url');
  await page.getByTestId('watch-add-tier').click();
  await page.getByTestId('watch-tier-0-tier').fill('free');
  await page.getByTestId('watch-tier-0-minSuccessRate').fill('120');
  await page.getByTestId('watch-save').click();
  await expect(page.getByTestId('watch-url-production-error')).toContainText('must be a URL');
  await expect(page.getByTestId('watch-tier-0-minSuccessRate-error')).toContainText(
    'percentage from 0 to 100',
  );
  await expect(page.getByTestId('watch-url-production')).toHaveAttribute('aria-invalid', 'true');

  await page.getByTestId('watch-url-production').fill('http://127.0.0.1:9');
  await page.getByTestId('watch-tier-0-minSuccessRate').fill('95');
  await page.getByTestId('watch-tier-0-maxP95LatencySeconds').fill('120');
  await page.getByTestId('watch-save').click();
  await expect(page.getByTestId('watch-url-production-error')).toHaveCount(0);
  await expect(section.locator('[data-kind="not_configured"]')).toHaveCount(0);

  await page.getByTestId('watch-check-now').click();
  const report = page.getByTestId('watch-report');
  await expect(report).toBeVisible({ timeout: 30_000 });
  await expect(report).not.toHaveAttribute('data-status', 'pass');
  await expect(report).toContainText('Not healthy');
  await expect(report.locator('[data-kind="unreachable"]').first()).toContainText(
    'Prometheus unreachable',
  );
  const guards = page.getByTestId('watch-guard');
  await expect(guards.first()).toBeVisible();
  expect(await page.locator('[data-testid="watch-guard"][data-status="pass"]').count()).toBe(0);
  await expect(report).not.toContainText('All guards pass');
  await report.scrollIntoViewIfNeeded();
  await shot(page, '02-unreachable');

  // Settings survive a reload.
  await page.reload();
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('watch-url-production')).toHaveValue('http://127.0.0.1:9');
  await expect(page.getByTestId('watch-tier-0-minSuccessRate')).toHaveValue('95');
});
