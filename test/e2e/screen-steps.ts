/// <reference lib="dom" />
/**
 * The walk through every screen that the screenshot sweep (screens.spec.ts) and the small-window
 * check (window-sizes.spec.ts) share: each step gets to its screen from the previous step's.
 */
import { expect, type Page } from '@playwright/test';

export interface Step {
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

export const STEPS: Step[] = [
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
