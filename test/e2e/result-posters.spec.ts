/// <reference lib="dom" />
/**
 * The results list shows a poster frame of each finished video (made by main with ffmpeg,
 * cached beside the media), loaded lazily; without ffmpeg, a placeholder of the same size.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function openRun(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  await expect(page.locator('[data-testid="results-table"] .generation-row')).toHaveCount(6);
}

const postersOnDisk = (dataDir: string): string[] => {
  const root = join(dataDir, 'media', 'posters');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => name !== 'tmp')
    .flatMap((folder) => readdirSync(join(root, folder)));
};

test('results list: a loaded poster frame per finished video, a placeholder without ffmpeg', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);

  // No ffmpeg for this console: every finished row shows the placeholder, nothing is cached.
  server = await startConsole(dataDir, { AIDEON_FFMPEG: join(dataDir, 'no-ffmpeg-here') });
  await openRun(page, server.url);
  const placeholders = page.locator('[data-testid="poster-placeholder"].is-unavailable');
  await expect(placeholders).toHaveCount(6);
  await expect(page.getByTestId('poster-thumb')).toHaveCount(0);
  expect(postersOnDisk(dataDir)).toEqual([]);
  await server.stop();

  // With ffmpeg: six images that really loaded, each loaded lazily, cached on disk.
  server = await startConsole(dataDir);
  await openRun(page, server.url);
  const thumbs = page.getByTestId('poster-thumb');
  await expect(thumbs).toHaveCount(6);
  for (const thumb of await thumbs.all()) {
    await thumb.scrollIntoViewIfNeeded();
    await expect(thumb).toHaveAttribute('loading', 'lazy');
    await expect
      .poll(() => thumb.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth))
      .toBeGreaterThan(0);
    const size = await thumb.evaluate((image: HTMLImageElement) => ({
      width: image.naturalWidth,
      height: image.naturalHeight,
    }));
    expect(Math.max(size.width, size.height)).toBe(192);
  }
  await expect(page.getByTestId('poster-placeholder')).toHaveCount(0);
  // One cached poster per distinct video (the sandbox may hand two rows the same clip).
  const cached = postersOnDisk(dataDir);
  expect(cached.length).toBeGreaterThan(0);
  for (const name of cached) expect(name).toMatch(/^[a-f0-9]{64}\.jpg$/);
  await page.screenshot({ path: 'test-results/screenshots/result-posters.png' });
});
