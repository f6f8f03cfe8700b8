/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { type ConsoleServer, newDataDir, startConsole } from './console-server';
import { addModelsToFirstPrompt } from './seed-database';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const times = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('[data-testid^="compare-video-"]')].map(
      (video) => video.currentTime,
    ),
  );

test('4-up while paused puts C and D where A is; frame steps use the clip’s measured 25 fps', async ({
  page,
}) => {
  const dataDir = newDataDir();
  // A 720p run: the sandbox returns 1280x720 clips at 25 fps, which ffprobe records.
  const suite = join(dataDir, 'hd.yaml');
  writeFileSync(
    suite,
    [
      'name: HD',
      'settings: { durationSeconds: 4, aspectRatio: "16:9", resolution: "720p" }',
      'prompts:',
      '  - { id: p1, category: people, text: "A barista pours milk" }',
      '',
    ].join('\n'),
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
    { env: { ...process.env, AIDEON_SANDBOX_TIME_SCALE: '0.05' }, stdio: 'pipe', timeout: 90_000 },
  );
  addModelsToFirstPrompt(dataDir);
  server = await startConsole(dataDir);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  await page.getByTestId('compare-button').first().click();
  await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-players', '2');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('video')].every((video) => video.readyState >= 2),
  );
  await expect(page.getByTestId('compare-frame')).toHaveAttribute('data-fps', '25');
  await expect(page.getByTestId('compare-frame')).toHaveText('frame 1 / 100 · 25 fps');

  // Paused at 2 s, then 4-up: the new players C and D start at 2 s too, not at 0:00.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('compare-time')).toContainText('0:02.0 /');
  await page.getByTestId('compare-grid-4').click();
  await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-players', '4');
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('video')].length === 4 &&
      [...document.querySelectorAll('video')].every((video) => video.readyState >= 1),
  );
  await expect
    .poll(async () => (await times(page)).map((t) => Math.round(t * 10) / 10))
    .toEqual([2, 2, 2, 2]);

  // One frame forward is 1/25 s, and the frame number says so.
  await page.keyboard.press('.');
  await expect(page.getByTestId('compare-frame')).toHaveText('frame 52 / 100 · 25 fps');
  const after = await times(page);
  for (const t of after) expect(t).toBeCloseTo(2.04, 2);
});
