/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { NO_VENDOR_KEYS, newDataDir, startConsole, type ConsoleServer } from './console-server';

const PASSPHRASE = 'first run passphrase';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Saves a routing draft through the console's own API (as the editor's Save draft does). */
async function saveDraft(page: Page, config: unknown, expectedRevision: number): Promise<void> {
  const token = new URL(server!.url).hash.replace('#token=', '');
  const answer = await page.request.post(`${server!.origin}/api/routing:save-draft`, {
    data: { config, expectedRevision },
    headers: { authorization: `Bearer ${token}`, origin: server!.origin },
  });
  expect(answer.ok()).toBe(true);
  expect(((await answer.json()) as { ok: boolean }).ok).toBe(true);
}

test('a keyless first user opens Rollout to a signable sandbox example and walks it to dev', async ({
  page,
}) => {
  test.setTimeout(120_000);
  server = await startConsole(newDataDir(), NO_VENDOR_KEYS);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();

  await expect(page.getByTestId('routing-revision')).toContainText('Built-in example');
  await expect(page.getByTestId('routing-problem-counts')).toHaveText('0 errors · 1 warning');
  await expect(page.getByTestId('rollout-screen')).toContainText('Signable');
  await expect(page.getByTestId('rollout-screen')).not.toContainText('Cannot be signed');
  const problems = page.getByTestId('routing-problem');
  await expect(problems).toHaveCount(1);
  await expect(problems.first()).toHaveAttribute('data-code', 'simulated-model');
  // Where it is, in the editor's words; the raw config path only in the tooltip.
  const where = problems.first().getByTestId('routing-problem-where');
  await expect(where).toHaveText('Tier “free” · target 1 · model');
  await expect(where).toHaveAttribute('title', 'tiers.free.targets.0.provider');
  await expect(problems.first().getByTestId('routing-problem-also')).toHaveText(
    /^also Tier “free” · target 2 · model; /,
  );
  // The one warning is marked at each sandbox target, and its text is said once.
  await expect(
    page.locator('[data-testid="field-problem"][data-code="simulated-model"]'),
  ).toHaveCount(5);
  await expect(page.getByText('are the simulated sandbox', { exact: false })).toHaveCount(1);
  await page.screenshot({ path: 'test-results/ui-items/rollout-first-run-1440-light.png' });

  // The simulator runs on it (assumed figures: nothing benchmarked yet).
  await page.getByTestId('sim-assume').check();
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-tier-free')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('sim-tier-premium')).toBeVisible();

  // Save it, set up signing with a local key, and publish it to dev: no vendor key anywhere.
  await page.getByTestId('routing-save').click();
  await expect(page.getByTestId('routing-revision')).toHaveText('Draft revision 1');
  const setup = page.getByTestId('setup-signing');
  await setup.getByTestId('keys-generate').click();
  await page.getByTestId('key-name').fill('first admin');
  await page.getByTestId('key-passphrase').fill(PASSPHRASE);
  await page.getByTestId('key-passphrase-again').fill(PASSPHRASE);
  await page.getByTestId('key-generate-submit').click();
  await expect(page.getByTestId('generate-key-dialog')).toBeHidden();
  await page.getByTestId('setup-create-trust').click();
  await expect(page.getByTestId('env-dev-empty')).toBeVisible();
  await page.getByTestId('publish-draft').click();
  await expect(page.getByTestId('publish-draft-dialog').getByTestId('plan-dev')).toContainText(
    'version — → 1',
  );
  await page.getByTestId('publish-draft-confirm').click();
  await expect(page.getByTestId('env-dev-version')).toHaveText('1');
});

test('a broken config shows every problem exactly once, marked at each field it touches', async ({
  page,
}) => {
  server = await startConsole(newDataDir(), NO_VENDOR_KEYS);
  await page.setViewportSize({ width: 1440, height: 900 });
  // The vendor example without keys or benchmarks, with an unbenchmarked model in two tiers.
  const broken = JSON.parse(readFileSync('resources/routing/example-config.json', 'utf8')) as {
    tiers: { premium: { targets: unknown[] } };
  };
  broken.tiers.premium.targets.push({ provider: 'together', model: 'Wan-AI/wan2.7-t2v' });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await saveDraft(page, broken, 0);
  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('routing-revision')).toHaveText('Draft revision 1');

  await expect(page.getByTestId('routing-problem-counts')).toHaveText('7 errors · 1 warning');
  await expect(page.getByTestId('rollout-screen')).toContainText('Cannot be signed');
  const entries = page.getByTestId('routing-problem');
  await expect(entries).toHaveCount(8);
  // One no-key entry per provider; one no-evidence entry per model (4 vendor models; the
  // sandbox standby needs none); and Wan cannot serve premium's image-to-video.
  await expect(page.locator('[data-testid="routing-problem"][data-code="no-key"]')).toHaveCount(2);
  await expect(
    page.locator('[data-testid="routing-problem"][data-code="no-evidence"]'),
  ).toHaveCount(4);
  await expect(page.locator('[data-testid="routing-problem"][data-code="capability"]')).toHaveCount(
    1,
  );
  // Every message appears exactly once on the page.
  const messages = await page.getByTestId('routing-problem-message').allInnerTexts();
  expect(new Set(messages).size).toBe(messages.length);
  for (const message of messages) {
    await expect(page.getByText(message, { exact: true })).toHaveCount(1);
  }
  // Each field the problems touch is marked, and the marker leads to the one entry.
  const togetherNoKey = page.locator('[data-testid="field-problem"][data-code="no-key"]');
  await expect(togetherNoKey).toHaveCount(5);
  await page
    .getByTestId('tier-premium')
    .locator('[data-testid="field-problem"][data-code="no-key"]')
    .first()
    .click();
  await expect(
    page.locator('[data-testid="routing-problem"][data-code="no-key"]').first(),
  ).toBeFocused();
  await page.screenshot({ path: 'test-results/ui-items/rollout-broken-1440-light.png' });

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: 'test-results/ui-items/rollout-broken-1280-dark.png' });
});
