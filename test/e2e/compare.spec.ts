/// <reference lib="dom" />
import type { Page } from '@playwright/test';
import { benchmarkWithCli, consoleErrorsOf, newDataDir } from './console-server';
import { expect, shot, test } from './console-test';
import { addModelsToFirstPrompt } from './seed-database';

const videoTimes = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('[data-testid^="compare-video-"]')].map(
      (video) => video.currentTime,
    ),
  );

test('compare: wipe, difference, locked 1:1 zoom and an A-B loop', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);

  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  await page.getByTestId('compare-button').first().click();
  await expect(page.getByTestId('compare-video-a')).toBeVisible();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('video')].every((video) => video.readyState >= 2),
  );
  const duration = await page
    .getByTestId('compare-video-a')
    .evaluate((video: HTMLVideoElement) => video.duration);
  expect(duration).toBeGreaterThan(1);
  await shot(page, 'compare-01-side-by-side');

  // Wipe: one frame, A clipped left of the divider.
  await page.getByTestId('compare-mode-wipe').click();
  const divider = page.getByTestId('compare-wipe-divider');
  await expect(divider).toBeVisible();
  await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-mode', 'wipe');
  const stageBox = (await page.getByTestId('compare-stage').boundingBox())!;
  const dividerBox = (await divider.boundingBox())!;
  await page.mouse.move(dividerBox.x + dividerBox.width / 2, dividerBox.y + dividerBox.height / 2);
  await page.mouse.down();
  await page.mouse.move(stageBox.x + stageBox.width * 0.3, dividerBox.y + dividerBox.height / 2, {
    steps: 5,
  });
  await page.mouse.up();
  await expect(divider).toHaveAttribute('aria-valuenow', '30');
  const clip = await page
    .locator('.compare-panel-a .compare-viewport')
    .evaluate((element) => getComputedStyle(element).clipPath);
  expect(clip).toContain('inset(0px 70%');
  await shot(page, 'compare-02-wipe');

  // Difference: the canvas holds non-zero pixels (the two models' videos differ).
  await page.keyboard.press('w');
  await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-mode', 'difference');
  const canvas = page.getByTestId('compare-difference');
  await expect(canvas).toBeVisible();
  await page.keyboard.press('.'); // a frame step redraws the difference
  await expect
    .poll(() =>
      canvas.evaluate((element: HTMLCanvasElement) => {
        if (element.width === 0) return 0;
        const data = element
          .getContext('2d')!
          .getImageData(0, 0, element.width, element.height).data;
        let lit = 0;
        for (let i = 0; i < data.length; i += 4)
          if (data[i]! + data[i + 1]! + data[i + 2]! > 0) lit += 1;
        return lit;
      }),
    )
    .toBeGreaterThan(100);
  await shot(page, 'compare-03-difference');

  // Zoom 1:1, locked: both videos (and the canvas) carry the same transform.
  await page.getByTestId('compare-zoom-1to1').click();
  const expected = await page.getByTestId('compare-video-a').evaluate((video: HTMLVideoElement) => {
    const box = video.parentElement!.getBoundingClientRect();
    const fit = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
    return 1 / (fit * window.devicePixelRatio);
  });
  await expect(page.getByTestId('compare-zoom')).toHaveText(`${Math.round(expected * 100)}%`);
  const transforms = await page.evaluate(() =>
    [
      ...document.querySelectorAll<HTMLElement>(
        '[data-testid="compare-video-a"], [data-testid="compare-video-b"], [data-testid="compare-difference"]',
      ),
    ].map((element) => element.style.transform),
  );
  expect(transforms).toHaveLength(3);
  expect(new Set(transforms).size).toBe(1);
  const scale = Number(/scale\(([\d.]+)\)/.exec(transforms[0]!)?.[1]);
  expect(scale).toBeCloseTo(expected, 4);
  // On screen, the picture is now as many device pixels wide as the video has pixels.
  const shownPixels = await page
    .getByTestId('compare-video-a')
    .evaluate((video: HTMLVideoElement) => {
      const rect = video.getBoundingClientRect();
      const fit = Math.min(rect.width / video.videoWidth, rect.height / video.videoHeight);
      return { shown: fit * video.videoWidth * window.devicePixelRatio, width: video.videoWidth };
    });
  expect(shownPixels.shown).toBeCloseTo(shownPixels.width, 0);
  await page.keyboard.press('w'); // back to side by side: still one video pixel a screen pixel
  await expect
    .poll(() =>
      page.getByTestId('compare-video-b').evaluate((video: HTMLVideoElement) => {
        const rect = video.getBoundingClientRect();
        const fit = Math.min(rect.width / video.videoWidth, rect.height / video.videoHeight);
        return Math.round(fit * video.videoWidth * window.devicePixelRatio - video.videoWidth);
      }),
    )
    .toBe(0);
  await shot(page, 'compare-04-one-to-one');
  await page.keyboard.press('0');
  await expect(page.getByTestId('compare-zoom')).toHaveText('100%');

  // Loop a range: [ at 0.4 s, ] at 1.0 s, then play for 1.5 s: time stays inside.
  const seek = async (seconds: number) => {
    await page.getByTestId('compare-video-a').evaluate((video: HTMLVideoElement, t: number) => {
      video.currentTime = t;
    }, seconds);
    await page.waitForFunction(
      (t) =>
        Math.abs(
          document.querySelector<HTMLVideoElement>('[data-testid="compare-video-a"]')!.currentTime -
            t,
        ) < 0.01,
      seconds,
    );
  };
  await seek(0.4);
  await page.keyboard.press('[');
  await seek(1.0);
  await page.getByTestId('compare-loop-end').click();
  await expect(page.getByTestId('compare-loop')).toContainText('(looping)');
  await page.getByTestId('compare-play').click();
  await expect(page.getByTestId('compare-play')).toHaveAttribute('data-playing', 'true');
  const samples: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    await page.waitForTimeout(100);
    samples.push((await videoTimes(page))[0]!);
  }
  await shot(page, 'compare-05-loop');
  const [masterTime] = await videoTimes(page);
  // One frame (plus an animation frame) of slack past the end before the jump back.
  for (const time of [...samples, masterTime!]) {
    expect(time).toBeGreaterThanOrEqual(0.4 - 0.01);
    expect(time).toBeLessThanOrEqual(1.0 + 0.1);
  }
  // It did play and wrap: 1.5 s of play in a 0.6 s loop visits both halves.
  expect(samples.some((time) => time < 0.7)).toBe(true);
  expect(samples.some((time) => time > 0.7)).toBe(true);
  await page.getByTestId('compare-loop-clear').click();
  await expect(page.getByTestId('compare-loop')).toHaveText('No loop');
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});

/**
 * Drift of every follower from the master in one synchronous snapshot: |t − min(master, own
 * duration)|, in seconds (a shorter clip is held on its last frame, as the sync loop does).
 */
const driftSnapshot = (page: Page) =>
  page.evaluate(() => {
    const videos = [
      ...document.querySelectorAll<HTMLVideoElement>('[data-testid^="compare-video-"]'),
    ];
    const master = videos[0]!;
    return {
      master: master.currentTime,
      drift: Math.max(
        ...videos
          .slice(1)
          .map((video) =>
            Math.abs(video.currentTime - Math.min(master.currentTime, video.duration)),
          ),
      ),
      paused: videos.map((video) => video.paused),
    };
  });

test('compare 4-up: four players on one clock stay within a frame; keys 1–4 choose', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  addModelsToFirstPrompt(dataDir);
  const server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);

  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('run-list-item').first().click();
  await page.getByTestId('compare-button').first().click();
  await expect(page.getByTestId('compare-available')).toHaveText('4 videos');
  await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-players', '2');
  await page.getByTestId('compare-grid-4').click();
  await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-players', '4');
  for (const side of ['a', 'b', 'c', 'd'])
    await expect(page.getByTestId(`compare-video-${side}`)).toBeVisible();
  // Wipe and difference need exactly two videos: not offered 4-up.
  await expect(page.getByTestId('compare-mode-wipe')).toHaveCount(0);
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('video')].length === 4 &&
      [...document.querySelectorAll('video')].every((video) => video.readyState >= 2),
  );
  await shot(page, 'compare-06-four-up');

  // Play all four on the master clock; sample the drift every 50 ms for 3 s.
  await page.getByTestId('compare-play').click();
  await expect(page.getByTestId('compare-play')).toHaveAttribute('data-playing', 'true');
  await page.waitForTimeout(300); // start-up: play() resolves at slightly different moments
  const drifts: number[] = [];
  for (let i = 0; i < 60; i += 1) {
    const snapshot = await driftSnapshot(page);
    if (snapshot.master > 3.9) break;
    drifts.push(snapshot.drift);
    await page.waitForTimeout(50);
  }
  drifts.sort((a, b) => a - b);
  const worst = drifts[drifts.length - 1]!;
  const median = drifts[Math.floor(drifts.length / 2)]!;
  console.log(
    `4-up drift over ${drifts.length} samples: median ${(median * 1000).toFixed(1)} ms, worst ${(worst * 1000).toFixed(1)} ms (one frame = 41.7 ms)`,
  );
  expect(drifts.length).toBeGreaterThan(20);
  expect(worst).toBeLessThanOrEqual(1 / 24);

  // Pause, then a frame step lands every player on the same frame.
  await page.keyboard.press(' ');
  await expect(page.getByTestId('compare-play')).toHaveAttribute('data-playing', 'false');
  await page.keyboard.press('.');
  await expect
    .poll(async () => {
      const times = await videoTimes(page);
      return Math.max(...times) - Math.min(...times);
    })
    .toBeLessThan(0.001);
  const stepped = (await videoTimes(page))[0]!;
  expect(Math.abs(stepped * 24 - Math.round(stepped * 24))).toBeLessThan(0.01);

  // Speed applies to all four.
  await page.getByRole('radio', { name: '0.5×' }).click();
  const rates = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('[data-testid^="compare-video-"]')].map(
      (video) => video.playbackRate,
    ),
  );
  expect(rates).toEqual([0.5, 0.5, 0.5, 0.5]);

  // Zoom is locked: all four carry one transform.
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  const transforms = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid^="compare-video-"]')].map(
      (element) => element.style.transform,
    ),
  );
  expect(transforms).toHaveLength(4);
  expect(new Set(transforms).size).toBe(1);
  expect(transforms[0]).toContain('scale(1.5625)');
  await page.keyboard.press('0');

  // 3 chooses C; 3 again clears; 4 chooses D.
  await page.keyboard.press('3');
  await expect(page.getByTestId('compare-panel-c')).toHaveAttribute('data-chosen', 'true');
  await expect(page.getByTestId('compare-choice')).toContainText('Your pick: C');
  await shot(page, 'compare-07-four-up-chosen');
  await page.keyboard.press('3');
  await expect(page.getByTestId('compare-choice')).toHaveCount(0);
  await page.keyboard.press('4');
  await expect(page.getByTestId('compare-panel-d')).toHaveAttribute('data-chosen', 'true');

  // g goes back to 2-up, where wipe is offered again.
  await page.keyboard.press('g');
  await expect(page.getByTestId('compare-stage')).toHaveAttribute('data-players', '2');
  await expect(page.getByTestId('compare-mode-wipe')).toBeVisible();
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});
