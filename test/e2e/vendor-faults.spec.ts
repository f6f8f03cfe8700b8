/// <reference lib="dom" />
/**
 * Vendor faults followed to what the admin sees: a benchmark started from the console's
 * new-benchmark dialog on the Together emulator, with one prompt per fault (a failed job, a
 * content refusal, no credits, a bad key, transient 5xx and resets on create/poll/download, a
 * truncated download). The run must finish on its own; each failure must say on the run screen
 * which vendor answered and what to do; each transient fault must end in a stored video; no job
 * may be paid twice; and `aideon serve` must still be up and answering afterwards.
 */
import { expect, test, type Page } from '@playwright/test';
import { newDataDir, startConsole, type ConsoleServer } from './console-server';
import { TogetherEmulator } from '../emulators/together-emulator';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/vendor-faults-${name}.png`, fullPage: true });

const KEY = 'tgp_v1_e2e-fault-key-000000001';
const MODEL = 'minimax/video-01-director';
/** Fault marker → does the generation end in a video? */
const FAULTS: Array<[string, boolean]> = [
  ['#fail', false],
  ['#policy', false],
  ['#credits', false],
  ['#5xx-once', true],
  // The create's answer is lost: the job may exist and be billed, so it is not sent again.
  ['#reset-once', false],
  ['#5xx-poll-once', true],
  ['#reset-download-once', true],
  ['#truncate-once', true],
  ['', true],
];

let server: ConsoleServer | undefined;
let emulator: TogetherEmulator | undefined;
test.afterEach(async () => {
  await server?.stop();
  await emulator?.stop();
  server = undefined;
  emulator = undefined;
});

test('vendor faults: a run on the Together emulator finishes, says what failed and what to do, pays nothing twice, and the console stays up', async ({
  page,
}) => {
  test.setTimeout(180_000);
  emulator = new TogetherEmulator({ apiKey: KEY, slowMs: 50 });
  const baseUrl = await emulator.start();
  server = await startConsole(newDataDir(), {
    TOGETHER_API_KEY: KEY,
    AIDEON_TOGETHER_BASE_URL: baseUrl,
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();

  // The suite: one prompt per fault, imported as a file like an admin would.
  await page.getByTestId('tab-suites').click();
  await page.getByTestId('import-suite-input').setInputFiles({
    name: 'faults.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({
        name: 'Vendor faults',
        description: 'one prompt per emulator fault',
        settings: {},
        prompts: FAULTS.map(([fault], index) => ({
          id: `f${index}`,
          text: `a lighthouse at dusk, waves below ${fault || 'calm'}`,
          category: 'general',
        })),
      }),
    ),
  });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vendor faults');

  // Run it from the suite; the estimate is shown before anything is spent.
  await page.getByRole('button', { name: 'Run benchmark…' }).click();
  await expect(page.getByTestId('suite-select')).toHaveValue('faults');
  await page.getByTestId(`model-checkbox-${MODEL}`).check();
  await expect(page.getByTestId('plan-generations')).toHaveText(String(FAULTS.length));
  await expect(page.getByTestId('plan-total-cost')).toHaveText(/^\$\d+\.\d\d$/);
  await page.getByTestId('budget-input').fill('20');
  await expect(page.getByTestId('plan-verdict')).toHaveAttribute('data-fits', 'true');
  await page.getByTestId('start-run').click();

  // The run finishes on its own: every row ends succeeded or failed.
  const rows = page.getByTestId('generation-row');
  await expect(rows).toHaveCount(FAULTS.length);
  await expect
    .poll(
      () =>
        rows.evaluateAll(
          (items) =>
            items.filter(
              (item) =>
                !['succeeded', 'failed', 'cancelled'].includes(
                  item.getAttribute('data-state') ?? '',
                ),
            ).length,
        ),
      { timeout: 150_000, intervals: [500] },
    )
    .toBe(0);

  // Each prompt's row: transient faults end in a video; the others say who and what to do.
  const groups = page.locator('tbody.prompt-group');
  await expect(groups).toHaveCount(FAULTS.length);
  for (const [fault, recovers] of FAULTS) {
    const group = groups.filter({ hasText: `waves below ${fault || 'calm'}` });
    const row = group.getByTestId('generation-row');
    if (recovers) {
      await expect(row, fault).toHaveAttribute('data-state', 'succeeded');
      await expect(row.getByTestId('poster-thumb'), fault).toBeVisible();
      continue;
    }
    await expect(row, fault).toHaveAttribute('data-state', 'failed');
    const message = group.locator('.error-text');
    await expect(message, fault).toContainText('Together');
    await expect(message, fault).toContainText(
      /check|add credit|change the prompt|try again|run the prompt again|run it again|dashboard/i,
    );
  }
  await shot(page, '01-run');
  // No credits (HTTP 402): named as payment required at the vendor, not a generic provider error.
  const credits = groups.filter({ hasText: 'waves below #credits' });
  await expect(credits.getByTestId('generation-row')).toContainText('Payment required');
  await expect(credits.locator('.error-text')).toContainText(
    /Together AI asks for payment \(HTTP 402\).*Add credits or raise the limit/,
  );
  // The lost create answer: the admin is told it was not sent again, and where to look.
  const unknown = groups.filter({ hasText: 'waves below #reset-once' });
  await expect(unknown.getByTestId('generation-row')).toHaveAttribute(
    'data-outcome',
    'submit_unknown',
  );
  await expect(unknown.locator('.error-text')).toContainText(/not sent again/i);
  // ...once: the run screen does not add its generic line to a message that says it already.
  await expect(unknown.locator('.error-text')).not.toContainText('We could not confirm');
  await unknown.scrollIntoViewIfNeeded();
  await shot(page, '02-unknown');

  // Nothing paid twice: every job the vendor made belongs to one of the generations.
  const created = emulator.stats.creates;
  expect(created).toBeLessThanOrEqual(FAULTS.length);

  // The console is still up: another screen loads its data, and the API answers.
  await page.getByTestId('nav-models').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('tab-runs').click();
  await expect(page.getByTestId('run-list-item').first()).toContainText('Vendor faults');
  await shot(page, '03-still-up');
  expect(consoleErrors.filter((text) => !/favicon|Failed to load resource/i.test(text))).toEqual(
    [],
  );
});
