/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { expect, test, type Page } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer, consoleErrorsOf } from './console-server';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('a new user runs the sandbox benchmark, compares two videos in sync, and finds it all after a restart', async ({
  page,
}) => {
  const dataDir = newDataDir();
  server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);

  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await shot(page, '01-benchmarks-empty');

  await page.getByTestId('nav-models').click();
  await expect(page.getByText('sandbox-fast').first()).toBeVisible();
  await shot(page, '02-models');
  await page.getByTestId('nav-benchmarks').click();

  await page.getByTestId('new-sandbox-benchmark').click();
  await expect(page.getByTestId('plan-summary')).toContainText('6');
  await expect(page.getByTestId('plan-total-cost')).toContainText('$2.04');
  await shot(page, '03-plan');
  await page.getByTestId('start-run').click();

  const rows = page.getByTestId('generation-row');
  await expect(rows).toHaveCount(6);
  await shot(page, '04-run-in-progress');
  await expect(page.locator('[data-testid="generation-row"][data-outcome="success"]')).toHaveCount(
    6,
    { timeout: 60_000 },
  );
  await expect(page.getByTestId('results-table')).toContainText('$0.20');
  await shot(page, '05-run-finished');

  await page.getByTestId('compare-button').first().click();
  const videoA = page.getByTestId('compare-video-a');
  await expect(page.getByTestId('compare-video-b')).toBeVisible();
  await expect(videoA).toBeVisible();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('video')].every((video) => video.readyState >= 2),
  );
  await page.getByTestId('compare-play').click();
  await page.waitForTimeout(2000);
  const times = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('[data-testid^="compare-video-"]')].map(
      (video) => ({
        time: video.currentTime,
        paused: video.paused,
      }),
    ),
  );
  expect(times).toHaveLength(2);
  expect(times[0]!.paused).toBe(false);
  expect(times[1]!.paused).toBe(false);
  expect(times[0]!.time).toBeGreaterThan(1);
  // Within one frame at 24 fps.
  expect(Math.abs(times[0]!.time - times[1]!.time)).toBeLessThan(1 / 24);
  await shot(page, '06-compare');

  // Seeking works (the media route honours Range): jump and both follow.
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(300);
  const afterSeek = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('[data-testid^="compare-video-"]')].map(
      (video) => video.currentTime,
    ),
  );
  expect(Math.abs(afterSeek[0]! - afterSeek[1]!)).toBeLessThan(1 / 24);

  // Restart the server on the same data folder: everything is still there.
  await server.stop();
  server = await startConsole(dataDir);
  await page.goto(server.url);
  // The old page lost its server on purpose: its connection errors are not faults.
  consoleErrors.length = 0;
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await expect(page.getByTestId('run-list-item')).toHaveCount(1);
  await page.getByTestId('run-list-item').first().click();
  await expect(page.locator('[data-testid="generation-row"][data-outcome="success"]')).toHaveCount(
    6,
  );
  await shot(page, '07-after-restart');
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});

test('the API refuses calls without the token', async ({ request }) => {
  server = await startConsole(newDataDir());
  const answer = await request.post(`${server.origin}/api/bench:list-runs`, { data: {} });
  expect(answer.status()).toBe(401);
  const foreign = await request.post(`${server.origin}/api/bench:list-runs`, {
    data: {},
    headers: {
      origin: 'https://evil.example',
      authorization: `Bearer ${new URL(server.url).hash.slice(7)}`,
    },
  });
  expect(foreign.status()).toBe(403);
});
