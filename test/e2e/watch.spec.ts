/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, type PrometheusFixture } from '../helpers/prometheus-server';
import { benchmarkWithCli, newDataDir, startConsole, type ConsoleServer } from './console-server';
import { seedPublishHistory } from './seed-publish-history';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/watch-${name}.png`, fullPage: true });

let server: ConsoleServer | undefined;
let prom: PrometheusFixture | undefined;
let promDir: string | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
  await prom?.stop();
  prom = undefined;
  if (promDir) rmSync(promDir, { recursive: true, force: true });
  promDir = undefined;
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

  // Fixing one field clears its error at once (before saving); the other error stays.
  await page.getByTestId('watch-url-production').fill('http://127.0.0.1:9');
  await expect(page.getByTestId('watch-url-production-error')).toHaveCount(0);
  await expect(page.getByTestId('watch-tier-0-minSuccessRate-error')).toBeVisible();
  await page.getByTestId('watch-tier-0-minSuccessRate').fill('95');
  await expect(page.getByTestId('watch-tier-0-minSuccessRate-error')).toHaveCount(0);
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

  // The views say "unreachable" too, instead of drawing empty charts.
  const views = page.getByTestId('watch-views');
  await expect(views).toHaveAttribute('data-state', 'problem', { timeout: 30_000 });
  await expect(views.getByTestId('watch-problem').first()).toHaveAttribute(
    'data-kind',
    'unreachable',
  );
  await expect(views).toContainText('Prometheus unreachable');
  await expect(views.getByTestId('watch-chart')).toHaveCount(0);
  await views.scrollIntoViewIfNeeded();
  await shot(page, '03-views-unreachable');

  // The breach is in the inbox, and the unread count went up.
  await expect(page.getByTestId('nav-unread')).toHaveText('1');
  await page.getByTestId('nav-models').click();
  await page.getByTestId('tab-inbox').click();
  const breach = page.locator('[data-testid="inbox-item"][data-kind="guard_breached"]');
  await expect(breach).toHaveCount(1);
  await expect(breach).toHaveAttribute('data-read', 'false');
  await expect(breach).toContainText('Guard: metrics unreadable');
  await expect(breach).toContainText('could not be reached');
  await expect(page.getByTestId('inbox-unread')).toHaveText('1 unread');
  await shot(page, '04-inbox-breach');
  await breach.getByTestId('inbox-mark-read').click();
  await expect(page.getByTestId('nav-unread')).toHaveCount(0);

  // Settings survive a reload.
  await page.reload();
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('watch-tier-0-tier')).toHaveValue('free');
  await expect(page.getByTestId('watch-url-production')).toHaveValue('http://127.0.0.1:9');
  await expect(page.getByTestId('watch-tier-0-minSuccessRate')).toHaveValue('95');
});

test('Views: series from a real Prometheus, config version markers from the metrics and the publish history, provider filter, budget', async ({
  page,
}) => {
  test.setTimeout(240_000);
  promDir = mkdtempSync(join(tmpdir(), 'aideon-e2e-prom-'));
  prom = await startPrometheus({ dir: promDir });
  // Signed publishes inside the fixture's week: production v42 next to the metrics' 41 → 42,
  // then a rollout step (v43) and a rollback (v44) the metrics never saw.
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  await seedPublishHistory(dataDir);
  server = await startConsole(dataDir, { AIDEON_PROMETHEUS_TOKEN: '' });
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();

  await page.getByTestId('watch-url-production').fill(prom.url);
  await page.getByTestId('watch-add-tier').click();
  await page.getByTestId('watch-tier-0-tier').fill('premium');
  await page.getByTestId('watch-tier-0-minSuccessRate').fill('92');
  await page.getByTestId('watch-save').click();
  // Budget and quota are not typed in here: they are shown read-only, from the routing config
  // production runs (the seeded configs set premium's budget), with a way to edit them there.
  await expect(page.getByTestId('watch-tier-0-dailyUsd')).toHaveCount(0);
  const budgets = page.getByTestId('watch-budgets');
  await expect(budgets).toHaveAttribute('data-source', 'published');
  await expect(budgets.getByTestId('watch-budgets-source')).toContainText(
    'routing config live in production (version 44)',
  );
  const premiumBudget = budgets.getByTestId('watch-budget-premium');
  await expect(premiumBudget.locator('[data-field="dailyUsd"]')).toHaveText('$2,000');
  await expect(premiumBudget.locator('[data-field="dailyRequests"]')).toHaveText('1,000');
  await expect(premiumBudget.locator('[data-field="monthlyUsd"]')).toHaveText('—');
  await budgets.scrollIntoViewIfNeeded();
  await shot(page, '04b-budgets-from-routing');

  const views = page.getByTestId('watch-views');
  // The generated history ends on 2025-06-09 00:00 UTC: look at the week before it.
  await page.getByTestId('watch-view-end').fill('2025-06-09T00:00');
  await page.getByTestId('watch-view-range-7d').click();
  await expect(views).toHaveAttribute('data-state', 'charts', { timeout: 30_000 });
  await expect(page.getByTestId('watch-view-range')).toContainText(
    '2025-06-02 00:00 UTC to 2025-06-09 00:00 UTC',
  );
  await expect(views.getByTestId('watch-chart')).toHaveCount(6);
  await expect(views.getByTestId('watch-problem')).toHaveCount(0);
  await expect(views.getByTestId('watch-legend-item')).toHaveText([
    'gemini/veo-3',
    'runway/gen4-turbo',
    'together/kling-2.1',
  ]);
  // Markers: the metrics' 41 → 42 and the console's promotion of v42 five minutes before it
  // are one marker; the rollout step and the rollback come from the console only; staging's
  // and dev's publishes of the same week are not production's.
  const markers = views.getByTestId('watch-version-marker');
  await expect(markers).toHaveText([
    'v41 → v42 promotion at 2025-06-05 11:55 UTC ✓ metrics',
    'v43 rollout 10% at 2025-06-07 06:00 UTC',
    'v44 rollback at 2025-06-08 03:00 UTC',
  ]);
  await expect(markers.nth(0)).toHaveAttribute('data-source', 'both');
  await expect(markers.nth(1)).toHaveAttribute('data-source', 'console');
  await expect(markers.nth(2)).toHaveAttribute('data-action', 'rollback');
  await page.getByTestId('watch-view-range').scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await shot(page, '05a-views-markers');
  await expect(views.getByTestId('watch-legend-marker')).toHaveText([
    'config version in the metrics',
    'published from this console, not seen in the metrics',
  ]);
  for (const measure of ['volume', 'success_rate', 'p95_latency', 'generated_seconds', 'cost']) {
    const chart = views.locator(`[data-testid="watch-chart"][data-measure="${measure}"]`);
    await expect(chart.locator('.recharts-reference-line')).toHaveCount(3);
    await expect(chart.locator('.wt-marker-label')).toHaveText([
      'v42 promotion',
      'v43 rollout 10%',
      'v44 rollback',
    ]);
    await expect(chart.locator('.wt-marker-both')).toHaveCount(1);
    await expect(chart.locator('.wt-marker-console')).toHaveCount(2);
    // Metric-derived and dashed, console-only and solid.
    await expect(chart.locator('.wt-marker-both line')).toHaveAttribute('stroke-dasharray', '4 3');
    await expect(chart.locator('.wt-marker-console line').first()).not.toHaveAttribute(
      'stroke-dasharray',
      /.+/,
    );
    await expect(chart.locator('.recharts-line')).toHaveCount(3);
  }
  // Axis titles, and one tick format per unit (time ticks stay UTC days on a 7-day range).
  const axisTitles: Record<string, string> = {
    volume: 'Requests per step',
    success_rate: 'Success rate (%)',
    p95_latency: 'Seconds (p95)',
    generated_seconds: 'Video seconds per step',
    cost: 'Dollars per step',
  };
  for (const [measure, title] of Object.entries(axisTitles)) {
    const chart = views.locator(`[data-testid="watch-chart"][data-measure="${measure}"]`);
    await expect(chart.locator('.recharts-label', { hasText: title })).toHaveCount(1);
    await expect(chart.locator('.recharts-label', { hasText: 'Day (UTC)' })).toHaveCount(1);
    const xTicks = await chart
      .locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')
      .allTextContents();
    expect(xTicks.length).toBeGreaterThan(2);
    for (const tick of xTicks) expect(tick).toMatch(/^06-0\d$/);
  }
  const yTicks = async (measure: string): Promise<string[]> =>
    views
      .locator(`[data-testid="watch-chart"][data-measure="${measure}"]`)
      .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
      .allTextContents();
  for (const tick of await yTicks('success_rate')) expect(tick).toMatch(/^\d+%$/);
  for (const tick of await yTicks('cost')) expect(tick).toMatch(/^\$[\d,.]+$/);
  for (const tick of await yTicks('p95_latency')) expect(tick).toMatch(/^[\d,.]+ s$/);
  for (const tick of await yTicks('volume')) expect(tick).toMatch(/^[\d,.]+$/);

  // Hover: the values at that instant, with the time in UTC.
  const volume = views.locator('[data-testid="watch-chart"][data-measure="volume"]');
  await volume.scrollIntoViewIfNeeded();
  const plot = (await volume.locator('.recharts-cartesian-grid').boundingBox())!;
  await page.mouse.move(plot.x + plot.width * 0.4, plot.y + plot.height / 2);
  const tooltip = volume.locator('.recharts-tooltip-wrapper');
  await expect(tooltip).toContainText(/2025-06-0\d \d\d:\d\d UTC/);
  await expect(tooltip).toContainText('gemini/veo-3');
  await page.mouse.move(0, 0);

  // The legend hides a target's series in all six charts, and shows it again.
  const gemini = views.getByTestId('watch-legend-item').filter({ hasText: 'gemini/veo-3' });
  const geminiToggle = gemini.getByTestId('legend-toggle');
  await expect(geminiToggle).toHaveAttribute('aria-pressed', 'true');
  const dailyBars = views
    .locator('[data-testid="watch-chart"][data-measure="daily_cost"]')
    .locator('.recharts-bar-rectangle');
  const dailyBefore = await dailyBars.count();
  await geminiToggle.click();
  await expect(geminiToggle).toHaveAttribute('aria-pressed', 'false');
  for (const measure of Object.keys(axisTitles)) {
    const chart = views.locator(`[data-testid="watch-chart"][data-measure="${measure}"]`);
    await expect(chart.locator('.recharts-line')).toHaveCount(2);
  }
  await expect.poll(() => dailyBars.count()).toBeLessThan(dailyBefore);
  await geminiToggle.click();
  await expect(geminiToggle).toHaveAttribute('aria-pressed', 'true');
  await expect(views.locator('[data-testid="watch-chart"] .recharts-line')).toHaveCount(15);
  await expect(dailyBars).toHaveCount(dailyBefore);

  // Cost per day, with the daily budget line.
  const daily = views.locator('[data-testid="watch-chart"][data-measure="daily_cost"]');
  await expect(daily.locator('.recharts-reference-line')).toHaveCount(1);
  await expect(daily).toContainText('daily budget $2,000');
  // Budget for the day the range ends (2025-06-08): premium spends more than $2000 a day.
  const spend = views.locator('[data-testid="watch-budget-item"][data-kind="daily_usd"]');
  await expect(spend).toContainText('on 2025-06-08 (UTC)');
  await expect(spend).toHaveAttribute('data-over', 'true');
  const requests = views.locator('[data-testid="watch-budget-item"][data-kind="daily_requests"]');
  await expect(requests).toContainText('of 1,000');
  await views.locator('.chart-grid').scrollIntoViewIfNeeded();
  await shot(page, '05-views-7d');
  await expect(views.getByTestId('watch-budget-source')).toContainText(
    'live in production (version 44)',
  );
  await views.getByTestId('watch-budget').scrollIntoViewIfNeeded();
  await shot(page, '05b-views-budget');

  // One provider: only its model's lines; the markers stay.
  await page.getByTestId('watch-view-provider').selectOption('together');
  await expect(views.getByTestId('watch-legend-item')).toHaveText(['together/kling-2.1']);
  const success = views.locator('[data-testid="watch-chart"][data-measure="success_rate"]');
  await expect(success.locator('.recharts-line')).toHaveCount(1);
  await expect(success.locator('.recharts-reference-line')).toHaveCount(3);
  await views.locator('.chart-grid').scrollIntoViewIfNeeded();
  await shot(page, '06-views-kling');

  // A range after the history: "No data", never an empty chart that looks fine.
  await page.getByTestId('watch-view-end').fill('2025-07-01T00:00');
  await page.getByTestId('watch-view-range-24h').click();
  await expect(views).toHaveAttribute('data-state', 'problem', { timeout: 30_000 });
  await expect(views.getByTestId('watch-problem').first()).toHaveAttribute('data-kind', 'empty');
  await expect(views.getByTestId('watch-chart')).toHaveCount(0);
  await views.scrollIntoViewIfNeeded();
  await shot(page, '07-views-empty');
});
