/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { benchmarkWithCli, newDataDir, startConsole, type ConsoleServer } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A run of a two-prompt suite that shares one prompt (the fox) with smoke. */
function otherSuiteRun(dataDir: string): void {
  const suite = join(dataDir, 'fox-and-boat.json');
  writeFileSync(
    suite,
    JSON.stringify({
      id: 'fox-and-boat',
      name: 'Fox and boat',
      description: 'One smoke prompt and one of its own.',
      settings: { durationSeconds: 4, aspectRatio: '16:9', seed: 7 },
      prompts: [
        {
          id: 'fox',
          category: 'animals',
          text: 'A red fox trots across fresh snow at dawn, its breath visible, the camera tracking alongside at ground level.',
        },
        { id: 'boat', category: 'camera', text: 'A paper boat drifts down a rain-filled gutter.' },
      ],
    }),
  );
  execFileSync(
    process.execPath,
    [
      'bin/aideon.mjs',
      'bench',
      'run',
      '--suite',
      suite,
      '--models',
      'sandbox:sandbox-fast,sandbox:sandbox-pro',
      '--data-dir',
      dataDir,
    ],
    { env: { ...process.env, AIDEON_SANDBOX_TIME_SCALE: '0.05' }, stdio: 'pipe', timeout: 60_000 },
  );
}

async function openCompare(page: Page, runName: RegExp): Promise<void> {
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').filter({ hasText: runName }).first().click();
  await page.getByTestId('tab-scorecard').click();
  await page.getByTestId('compare-runs').click();
}

/** The counts above the table match its rows. */
async function expectCountsMatchRows(page: Page): Promise<void> {
  const comparison = page.getByTestId('comparison');
  const table = comparison.getByTestId('comparison-table');
  if ((await table.count()) === 0) {
    await expect(comparison.getByTestId('comparison-empty')).toContainText('figures compared');
    return;
  }
  const worse = await comparison
    .locator('[data-testid="comparison-row"][data-worse="true"]')
    .count();
  const better = await comparison
    .locator('[data-testid="comparison-row"][data-worse="false"]')
    .count();
  const counts = comparison.getByTestId('comparison-counts');
  await expect(counts).toContainText(
    worse === 0 ? 'Nothing got worse' : `${worse} ${worse === 1 ? 'figure' : 'figures'} worse`,
  );
  if (better > 0)
    await expect(counts).toContainText(`${better} ${better === 1 ? 'figure' : 'figures'} better`);
  else await expect(counts).not.toContainText('better');
}

test('a run comparison says what differs between suites, compares only what both ran, and counts its rows', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  benchmarkWithCli(dataDir);
  otherSuiteRun(dataDir);
  server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await expect(page.getByTestId('run-list-item')).toHaveCount(3);

  // From the newest smoke run: the other smoke run is listed first; the other suite is marked.
  await openCompare(page, /smoke/i);
  const options = page.getByTestId('compare-run-option');
  await expect(options).toHaveCount(2);
  await expect(options.nth(0)).not.toContainText('Another suite');
  await expect(options.nth(1)).toContainText('Another suite');
  await page.screenshot({ path: 'test-results/ui-items/compare-picker-1440-light.png' });

  // Same suite: no difference to report, and the counts match the rows.
  await options.nth(0).click();
  const comparison = page.getByTestId('comparison');
  await expect(comparison).toBeVisible();
  await expect(
    comparison.getByTestId('comparison-counts').or(comparison.getByTestId('comparison-empty')),
  ).toBeVisible();
  await expect(comparison.getByTestId('comparison-differences')).toHaveCount(0);
  await expectCountsMatchRows(page);

  // Another suite: said before any figure, and only the shared prompt is compared.
  await page.getByTestId('compare-runs').click();
  await page.getByTestId('compare-run-option').filter({ hasText: 'Another suite' }).click();
  const differences = comparison.getByTestId('comparison-difference');
  await expect(differences.filter({ hasText: 'Different suites' })).toContainText('"Fox and boat"');
  await expect(differences.filter({ hasText: 'prompt was run by both' })).toContainText(
    '1 prompt was run by both (same text, image and settings) out of 3 before and 2 after',
  );
  await expect(
    comparison.getByTestId('comparison-counts').or(comparison.getByTestId('comparison-empty')),
  ).toBeVisible();
  await expectCountsMatchRows(page);
  await comparison.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/ui-items/compare-other-suite-1440-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1280, height: 720 });
  await comparison.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/ui-items/compare-other-suite-1280-dark.png' });
});
