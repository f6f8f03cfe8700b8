/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { benchmarkWithCli, newDataDir, startConsole, type ConsoleServer } from './console-server';
import { SANDBOX_CONFIG, verify } from './publishing-fixtures';
import { replaceEditorText } from './json-editor-input';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

const PASSPHRASE = 'e2e signing passphrase';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('Publishing: set up signing, publish → promote → ramp a flag → roll back, verified as a consumer', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  server = await startConsole(dataDir, {
    TOGETHER_API_KEY: '',
    RUNWAYML_API_SECRET: '',
    AIDEON_ACTOR: 'e2e-admin',
    AIDEON_PUBLISH_TICK_MS: '1000',
  });
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();

  // Save a sandbox-only draft (the example config needs vendor keys the test does not have).
  await page.getByTestId('tab-raw').click();
  await replaceEditorText(page, 'routing-raw', JSON.stringify(SANDBOX_CONFIG, null, 2));
  await page.getByTestId('routing-save').click();
  await expect(page.getByTestId('routing-revision')).toContainText('Draft revision 1');

  // First run: no trust file → "Set up signing".
  const section = page.getByTestId('publishing-section');
  const setup = page.getByTestId('setup-signing');
  await expect(setup).toBeVisible();
  // Nothing signed yet: the history has nothing to check or export.
  await expect(page.getByTestId('history-panel')).toContainText('Nothing signed yet');
  await expect(page.getByTestId('check-chain')).toBeDisabled();
  await expect(page.getByTestId('export-history')).toBeDisabled();
  await expect(page.getByTestId('store-uri')).toHaveText(`dir:${join(dataDir, 'config-store')}`);
  await setup.scrollIntoViewIfNeeded();
  await shot(page, 'publishing-01-setup');

  await setup.getByTestId('keys-generate').click();
  await page.getByTestId('key-name').fill('alice e2e');
  await page.getByTestId('key-passphrase').fill(PASSPHRASE);
  await page.getByTestId('key-passphrase-again').fill('something else');
  await expect(page.getByTestId('key-generate-submit')).toBeDisabled();
  await page.getByTestId('key-passphrase-again').fill(PASSPHRASE);
  await page.getByTestId('key-generate-submit').click();
  await expect(page.getByTestId('generate-key-dialog')).toBeHidden();
  await page.getByTestId('setup-create-trust').click();

  // Three environments, nothing live yet.
  await expect(page.getByTestId('env-dev-empty')).toBeVisible();
  await expect(page.getByTestId('env-production-empty')).toBeVisible();

  // Lock, then unlock with a wrong and the right passphrase.
  await page.getByTestId('keys-lock').click();
  await expect(page.getByTestId('unlock-callout')).toBeVisible();
  await expect(page.getByTestId('publish-draft')).toBeDisabled();
  // Nothing can be signed: a rollout cannot be started either (its confirmation used to open).
  await expect(page.getByTestId('ro-start')).toBeDisabled();
  await expect(page.getByTestId('rollout-panel')).toContainText(
    'Unlock a trusted key to start or advance a rollout.',
  );
  await page.getByTestId('unlock-callout').getByTestId('keys-unlock').click();
  await page.getByTestId('unlock-passphrase').fill('wrong passphrase');
  await page.getByTestId('unlock-submit').click();
  await expect(page.getByTestId('unlock-dialog')).toContainText('the passphrase does not open it');
  await page.getByTestId('unlock-passphrase').fill(PASSPHRASE);
  await page.getByTestId('unlock-submit').click();
  await expect(page.getByTestId('unlock-callout')).toBeHidden();

  // Publish the draft to dev: the diff first, then sign.
  await page.getByTestId('publish-draft').click();
  const publishDialog = page.getByTestId('publish-draft-dialog');
  await expect(publishDialog.getByTestId('plan-dev')).toContainText('version — → 1');
  await expect(publishDialog.getByTestId('plan-diff-dev')).toContainText('tiers');
  await expect(publishDialog).toContainText('1 of 1 signature: goes live at once');
  // The checks' warnings travel with the plan: signing is allowed, but a sandbox model cannot
  // make real videos, and the dialog says so before anyone signs.
  await expect(publishDialog.getByTestId('plan-warnings')).toContainText('simulated sandbox');
  await expect(publishDialog.getByTestId('publish-draft-confirm')).toBeEnabled();
  await shot(page, 'publishing-02-publish-diff');
  await page.getByTestId('publish-draft-confirm').click();
  await expect(page.getByTestId('env-dev-version')).toHaveText('1');
  await expect(page.getByTestId('env-dev-signatures')).toContainText('1/1');

  // Promote dev → staging → production.
  await page.getByTestId('promote-staging').click();
  await expect(page.getByTestId('promote-staging-dialog')).toContainText(
    'Takes exactly what is live in dev (version 1)',
  );
  await page.getByTestId('promote-staging-confirm').click();
  await expect(page.getByTestId('env-staging-version')).toHaveText('1');

  // The editor compares itself, unsaved edits included, with what each environment runs.
  await page.getByTestId('tab-published').click();
  await expect(page.getByTestId('published-diff-dev')).toContainText('Same as the editor');
  await expect(page.getByTestId('published-diff-staging')).toContainText('runs v1');
  await expect(page.getByTestId('published-diff-production')).toContainText('Nothing published');
  await page.getByTestId('tab-raw').click();
  const edited = structuredClone(SANDBOX_CONFIG);
  edited.tiers.free.targets[0]!.timeoutSeconds = 90;
  await replaceEditorText(page, 'routing-raw', JSON.stringify(edited, null, 2));
  await page.getByTestId('tab-published').click();
  await expect(page.getByTestId('published-diff-table-staging')).toContainText(
    'tiers.free.targets',
  );
  await expect(page.getByTestId('published-diff-table-staging')).toContainText('90');
  await shot(page, 'publishing-01b-compare-with-published');
  await page.getByTestId('tab-raw').click();
  await replaceEditorText(page, 'routing-raw', JSON.stringify(SANDBOX_CONFIG, null, 2));
  await page.getByTestId('tab-published').click();
  await expect(page.getByTestId('published-diff-dev')).toContainText('Same as the editor');
  await page.getByTestId('promote-production').click();
  await page.getByTestId('promote-production-confirm').click();
  await expect(page.getByTestId('env-production-version')).toHaveText('1');
  expect(verify(dataDir, 'production')).toMatchObject({ ok: true, version: 1 });

  // Ramp premium-pro-video in production: 10% → (bake 15 s, the scheduler) → 50%, then pause
  // (15 s leaves room to pause at 50% on a loaded machine before the 100% step is due).
  await page.getByTestId('ro-env').selectOption('production');
  await page.getByTestId('ro-flag').selectOption('premium-pro-video');
  // Unchosen, the ramp turns on the variant that is not the flag's default, and the others keep
  // the default (it proposed the reverse: the first variant listed was "off").
  await expect(page.getByTestId('ro-on')).toHaveValue('on');
  await expect(page.getByTestId('ro-off')).toHaveValue('off');
  await page.getByTestId('ro-steps').fill('10, 50, 100');
  await page.getByTestId('ro-bake').fill('0.25');
  await page.getByTestId('ro-start').click();
  await page.getByTestId('confirm-ro-start').click();
  const rollout = page.getByTestId('rollout-production-premium-pro-video');
  await expect(rollout.getByTestId('rollout-percent')).toContainText('10%');
  await expect(page.getByTestId('env-production-version')).toHaveText('2');
  await expect(rollout.getByTestId('rollout-percent')).toContainText('50%', { timeout: 45_000 });
  await rollout.getByTestId('rollout-pause').click();
  await expect(rollout).toHaveAttribute('data-status', 'paused');
  await expect(page.getByTestId('env-production-version')).toHaveText('3');
  await rollout.scrollIntoViewIfNeeded();
  await shot(page, 'publishing-03-rollout');
  const ramped = JSON.parse(
    readFileSync(join(dataDir, 'config-store', 'production', 'flags.json'), 'utf8'),
  ) as { flags: Record<string, { targeting?: unknown }> };
  expect(ramped.flags['premium-pro-video']?.targeting).toEqual({
    fractional: [
      ['on', 50],
      ['off', 50],
    ],
  });

  // Roll production back: the diff shows 50% → 10%; published as version 4.
  await page.getByTestId('rollback-production').click();
  const rollbackDialog = page.getByTestId('rollback-production-dialog');
  await expect(rollbackDialog).toContainText('Restores the content of version 2');
  await expect(rollbackDialog.getByTestId('plan-diff-production')).toContainText(
    'flags.premium-pro-video.targeting',
  );
  await shot(page, 'publishing-04-rollback-diff');
  await page.getByTestId('rollback-production-confirm').click();
  await expect(page.getByTestId('env-production-version')).toHaveText('4');
  await expect(rollout).toHaveAttribute('data-status', 'stopped');

  // The consumer accepts version 4 (higher than anything seen; the digest chain links).
  expect(verify(dataDir, 'production')).toMatchObject({
    ok: true,
    environment: 'production',
    version: 4,
  });
  const rolledBack = JSON.parse(
    readFileSync(join(dataDir, 'config-store', 'production', 'flags.json'), 'utf8'),
  ) as { flags: Record<string, { targeting?: unknown }> };
  expect(rolledBack.flags['premium-pro-video']?.targeting).toEqual({
    fractional: [
      ['on', 10],
      ['off', 90],
    ],
  });

  // History: every action with who and key ids; the chain is intact; export as JSON.
  const history = page.getByTestId('history-table');
  await expect(history.getByTestId('history-row').first()).toHaveAttribute(
    'data-action',
    'rollback',
  );
  await expect(history).toContainText('e2e-admin');
  await expect(history.locator('[data-action="rollout_step"]')).toHaveCount(2);
  await expect(history.locator('[data-action="promote"]')).toHaveCount(2);
  await page.getByTestId('check-chain').click();
  await expect(page.getByTestId('chain-result')).toContainText('Chain intact: 8 entries');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-history').click();
  const file = await download;
  const exported = JSON.parse(readFileSync(await file.path(), 'utf8')) as {
    chain: { ok: boolean };
    entries: { action: string; actor: string }[];
  };
  expect(exported.chain.ok).toBe(true);
  expect(exported.entries.map((entry) => entry.action)).toEqual([
    'trust_init',
    'publish',
    'promote',
    'promote',
    'rollout_step',
    'rollout_step',
    'rollout_pause',
    'rollback',
  ]);
  expect(new Set(exported.entries.map((entry) => entry.actor))).toEqual(new Set(['e2e-admin']));
  // The passphrase never reached the page, the export or the database.
  expect(await section.innerText()).not.toContain(PASSPHRASE);
  expect(readFileSync(await file.path(), 'utf8')).not.toContain(PASSPHRASE);
  expect(readFileSync(join(dataDir, 'aideon.sqlite')).includes(PASSPHRASE)).toBe(false);
  await page.getByTestId('history-panel').scrollIntoViewIfNeeded();
  await shot(page, 'publishing-05-history');
});
