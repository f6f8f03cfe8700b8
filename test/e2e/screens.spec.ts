/// <reference lib="dom" />
/**
 * The screenshot sweep: every screen at 1440x900 and 1280x720, each in the light and the dark
 * theme, saved under test-results/screens/ to be looked at. Each screen must show its heading and
 * the whole walk must log no console error.
 */
import { expect, test, type Page } from '@playwright/test';
import {
  type ConsoleServer,
  benchmarkWithCli,
  newDataDir,
  startConsole,
  consoleErrorsOf,
} from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

interface Step {
  name: string;
  /** Gets there from anywhere (the previous step's screen). */
  go: (page: Page) => Promise<void>;
  /** The heading the screen must show. */
  heading: RegExp;
}

const nav = (section: string) => async (page: Page) => {
  await page.keyboard.press('Escape');
  await page.getByTestId(`nav-${section}`).click();
};

const STEPS: Step[] = [
  { name: '01-models', go: nav('models'), heading: /^Models$/ },
  { name: '02-benchmarks', go: nav('benchmarks'), heading: /^Benchmarks$/ },
  {
    name: '03-suites',
    go: async (page) => {
      await page.getByTestId('tab-suites').click();
      await expect(page.getByTestId('new-suite')).toBeVisible();
    },
    heading: /^Benchmarks$/,
  },
  {
    name: '04-new-run-dialog',
    go: async (page) => {
      await page.getByTestId('tab-runs').click();
      await page.keyboard.press('Control+k');
      await page.keyboard.type('new benchmark');
      await page.keyboard.press('Enter');
      await expect(page.getByRole('dialog')).toBeVisible();
      // The plan (cost before spending) is what the dialog is for: capture it, not its spinner.
      await expect(page.getByTestId('plan-total-cost')).toBeVisible();
    },
    heading: /^Benchmarks$/,
  },
  {
    name: '05-run',
    go: async (page) => {
      await page.keyboard.press('Escape');
      await page.getByTestId('run-list-item').first().click();
      await expect(page.getByTestId('compare-button').first()).toBeVisible();
      // The poster frames in view have loaded (lazy images, made by ffmpeg on first request).
      await expect
        .poll(() =>
          page
            .getByTestId('poster-thumb')
            .evaluateAll((images) =>
              images
                .filter((image) => image.getBoundingClientRect().top < window.innerHeight)
                .every((image) => (image as HTMLImageElement).naturalWidth > 0),
            ),
        )
        .toBe(true);
    },
    heading: /Smoke|smoke|run/,
  },
  {
    name: '06-compare',
    go: async (page) => {
      await page.getByTestId('compare-button').first().click();
      await expect(page.getByTestId('compare-video-a')).toBeVisible();
    },
    heading: /^Compare/,
  },
  {
    name: '07-suite-editor',
    go: async (page) => {
      await page.keyboard.press('Escape');
      await page.getByTestId('nav-benchmarks').click();
      await page.getByTestId('tab-suites').click();
      await page.getByTestId('new-suite').click();
    },
    heading: /suite/i,
  },
  { name: '08-review-vote', go: nav('review'), heading: /^Review$/ },
  {
    name: '09-review-ratings',
    go: async (page) => {
      await page.getByTestId('tab-ratings').click();
    },
    heading: /^Review$/,
  },
  {
    name: '10-review-library',
    go: async (page) => {
      await page.getByTestId('tab-library').click();
    },
    heading: /^Review$/,
  },
  { name: '11-rollout-config', go: nav('rollout'), heading: /^Rollout/ },
  {
    name: '12-rollout-raw-json',
    go: async (page) => {
      await page.getByTestId('tab-raw').click();
      await expect(page.getByTestId('routing-raw')).toBeVisible();
    },
    heading: /^Rollout/,
  },
  {
    name: '13-rollout-simulator',
    go: async (page) => {
      await page.getByTestId('rollout-nav-routing-simulator').click();
      await expect(page.getByTestId('routing-simulator')).toBeInViewport();
    },
    heading: /^Rollout/,
  },
  {
    name: '14-rollout-publishing',
    go: async (page) => {
      await page.getByTestId('rollout-nav-publishing-section').click();
      await expect(page.getByTestId('publishing-section')).toBeInViewport();
    },
    heading: /^Rollout/,
  },
  {
    name: '15-rollout-watch',
    go: async (page) => {
      await page.getByTestId('rollout-nav-watch-section').click();
      await expect(page.getByTestId('watch-section')).toBeInViewport();
    },
    heading: /^Rollout/,
  },
  { name: '16-settings', go: nav('settings'), heading: /^Settings$/ },
  {
    name: '17-command-palette',
    go: async (page) => {
      await page.keyboard.press('Control+k');
      await expect(page.getByTestId('command-palette')).toBeVisible();
    },
    heading: /^Settings$/,
  },
  {
    name: '18-shortcut-sheet',
    go: async (page) => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('?');
      await expect(page.getByTestId('shortcut-sheet')).toBeVisible();
    },
    heading: /^Settings$/,
  },
];

const THEMES = [
  { label: 'light', colorScheme: 'light', width: 1440, height: 900 },
  { label: 'dark', colorScheme: 'dark', width: 1280, height: 720 },
  { label: 'light', colorScheme: 'light', width: 1280, height: 720 },
  { label: 'dark', colorScheme: 'dark', width: 1440, height: 900 },
] as const;

let dataDir = '';
test.beforeAll(() => {
  dataDir = newDataDir();
  benchmarkWithCli(dataDir);
});

for (const theme of THEMES) {
  test(`every screen at ${theme.width}x${theme.height} ${theme.label}: heading shown, no console error`, async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: theme.width, height: theme.height });
    await page.emulateMedia({ colorScheme: theme.colorScheme, reducedMotion: 'reduce' });
    server = await startConsole(dataDir);
    const consoleErrors = consoleErrorsOf(page);
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

    for (const step of STEPS) {
      await step.go(page);
      await expect(page.locator('h1').first()).toHaveText(step.heading);
      // No skeleton left: the screen's data is on it.
      await expect(page.getByTestId('skeleton')).toHaveCount(0);
      await page.screenshot({
        path: `test-results/screens/${theme.label}-${theme.width}x${theme.height}/${step.name}.png`,
      });
    }
    expect(consoleErrors).toEqual([]);
  });
}
