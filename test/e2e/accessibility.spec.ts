/// <reference lib="dom" />
/**
 * axe-core (WCAG 2.1 A and AA rules) over every screen and main dialog, in the light and the dark
 * theme, on a data folder that looks used (the same seed as the screenshot sweep). A violation
 * fails the test with the rule, the element and axe's summary of what is wrong, so a screen
 * reader or keyboard user is never the first to find a control with no name or text too faint.
 */
import AxeBuilder from '@axe-core/playwright';
import { type Page } from '@playwright/test';
import { consoleErrorsOf } from './console-server';
import { expect, test } from './console-test';
import { STEPS, type Step } from './screen-steps';
import { SEEDED_KEY_PASSPHRASE, seedUsedDataDir } from './used-data-dir';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The dialogs the screen walk does not open: a model's price, publish and start rollout. */
const DIALOG_STEPS: Step[] = [
  {
    name: '19-model-price-dialog',
    go: async (page) => {
      await page.keyboard.press('Escape');
      await page.getByTestId('nav-models').click();
      await page.getByTestId('tab-catalogue').click();
      await page.getByTestId('model-price-edit').first().click();
      await expect(page.getByTestId('price-form')).toBeVisible();
    },
    heading: /^Models$/,
  },
  {
    name: '20-unlock-dialog',
    go: async (page) => {
      await page.keyboard.press('Escape');
      await page.getByTestId('nav-rollout').click();
      await page.getByTestId('rollout-nav-publishing-section').click();
      await page.getByTestId('unlock-callout').getByTestId('keys-unlock').click();
      await expect(page.getByTestId('unlock-dialog')).toBeVisible();
    },
    heading: /^Rollout/,
  },
  {
    name: '21-start-rollout-dialog',
    go: async (page) => {
      await page.getByTestId('unlock-passphrase').fill(SEEDED_KEY_PASSPHRASE);
      await page.getByTestId('unlock-submit').click();
      await expect(page.getByTestId('unlock-callout')).toBeHidden();
      // Starting a rollout asks for confirmation in an alert dialog.
      await page.getByTestId('ro-start').click();
      await expect(page.getByRole('alertdialog')).toBeVisible();
    },
    heading: /^Rollout/,
  },
];

/** Switches every chart card on the page that offers a table to its Table view. */
async function showChartTables(page: Page, testIds: readonly string[]): Promise<void> {
  for (const testId of testIds) {
    const card = page.getByTestId(testId);
    await card.getByTestId('chart-view-table').click();
    await expect(card).toHaveAttribute('data-view', 'table');
    await expect(card.getByTestId('chart-table')).toBeVisible();
  }
}

const SCORECARD_CHARTS = ['chart-outcomes', 'chart-latency', 'chart-cost'];
const REVIEW_CHARTS = [
  'chart-leaderboard',
  'chart-quality-cost',
  'chart-win-rate',
  'chart-latency',
  'chart-outcomes',
];

/**
 * The charts as pictures (an SVG named by its summary) and as tables (caption, header cells, a
 * scrolling region, the Chart | Table switch and the copy button): the scorecard's and the
 * review's. Last, since a chart's view is remembered for the session.
 */
const CHART_STEPS: Step[] = [
  {
    name: '22-scorecard-charts',
    go: async (page) => {
      await page.keyboard.press('Escape');
      await page.getByTestId('nav-benchmarks').click();
      await page.getByTestId('tab-runs').click();
      await page.getByTestId('run-list-item').first().click();
      await page.getByTestId('tab-scorecard').click();
      for (const testId of SCORECARD_CHARTS)
        await expect(page.getByTestId(testId).locator('svg[role="img"]')).toHaveAttribute(
          'aria-label',
          /\d models?/,
        );
    },
    heading: /Smoke|smoke|run/,
  },
  {
    name: '23-scorecard-tables',
    go: (page) => showChartTables(page, SCORECARD_CHARTS),
    heading: /Smoke|smoke|run/,
  },
  {
    name: '24-review-chart-tables',
    go: async (page) => {
      await page.getByTestId('nav-review').click();
      await page.getByTestId('tab-ratings').click();
      await showChartTables(page, REVIEW_CHARTS);
    },
    heading: /^Review$/,
  },
];

/** One line per violating element: the rule, the element and what axe says is wrong. */
async function violationsOn(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes
      // CodeMirror's scroller holds the editor's contenteditable text, which takes the focus
      // from the keyboard (Tab) and then scrolls with the caret; axe counts only tabindex and
      // natively focusable elements as focusable content, so it reports this one wrongly.
      .filter(
        (node) =>
          !(
            violation.id === 'scrollable-region-focusable' &&
            node.target.join(' ') === '.cm-scroller'
          ),
      )
      .map(
        (node) =>
          `${violation.id}: ${node.target.join(' ')} ${node.html.slice(0, 200)} — ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`,
      ),
  );
}

let dataDir = '';
test.beforeAll(async () => {
  test.setTimeout(180_000);
  dataDir = await seedUsedDataDir();
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG 2.1 A/AA violation on any screen or dialog, ${colorScheme} theme`, async ({
    page,
    startConsole,
  }) => {
    test.setTimeout(300_000);
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const server = await startConsole(dataDir);
    const consoleErrors = consoleErrorsOf(page);
    await page.goto(server.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

    const found: Record<string, string[]> = {};
    for (const step of [...STEPS, ...DIALOG_STEPS, ...CHART_STEPS]) {
      await step.go(page);
      await expect(page.locator('h1').first()).toHaveText(step.heading);
      await expect(page.getByTestId('skeleton')).toHaveCount(0);
      await expect(page.locator('.loading')).toHaveCount(0);
      const violations = await violationsOn(page);
      if (violations.length > 0) found[step.name] = violations;
    }
    await page.screenshot({ path: test.info().outputPath(`a11y-${colorScheme}-last.png`) });
    // The full list, for reading when this fails (the assertion below prints it too).
    await test.info().attach('violations', { body: JSON.stringify(found, null, 2) });
    expect(found).toEqual({});
    expect(consoleErrors).toEqual([]);
  });
}
