/// <reference lib="dom" />
/**
 * Two admins, two consoles (`aideon serve` each, own data folder, own key), one directory
 * config store: Alice sets up signing, adds Bob's public key by rotating the trust file
 * (production needs 2), publishes and promotes; production waits as pending; Bob's console
 * shows it with its diff and who signed, Bob co-signs, production goes live and a consumer
 * accepts it with 2 signatures. Then Alice rolls dev back to a version she chooses.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { benchmarkWithCli, newDataDir, startConsole, type ConsoleServer } from './console-server';
import { SANDBOX_CONFIG, verify } from './publishing-fixtures';
import { replaceEditorText } from './json-editor-input';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

const ALICE_PASSPHRASE = 'alice e2e passphrase';
const BOB_PASSPHRASE = 'bob e2e passphrase';

const servers: ConsoleServer[] = [];
test.afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function openConsole(browser: Browser, server: ConsoleServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();
  await expect(page.getByTestId('publishing-section')).toBeVisible();
  return page;
}

async function useStore(page: Page, uri: string): Promise<void> {
  const row = page.getByTestId('store-row');
  await row.getByRole('button', { name: 'Change…' }).click();
  await row.getByLabel('Config store URI').fill(uri);
  await row.getByRole('button', { name: 'Use this store' }).click();
  await expect(page.getByTestId('store-uri')).toHaveText(uri);
}

async function generateKey(page: Page, scope: string, name: string, passphrase: string) {
  await page.getByTestId(scope).getByTestId('keys-generate').click();
  await page.getByTestId('key-name').fill(name);
  await page.getByTestId('key-passphrase').fill(passphrase);
  await page.getByTestId('key-passphrase-again').fill(passphrase);
  await page.getByTestId('key-generate-submit').click();
  await expect(page.getByTestId('generate-key-dialog')).toBeHidden();
}

async function saveDraft(page: Page, config: unknown, revision: number): Promise<void> {
  await page.getByTestId('tab-raw').click();
  await replaceEditorText(page, 'routing-raw', JSON.stringify(config, null, 2));
  await page.getByTestId('routing-save').click();
  await expect(page.getByTestId('routing-revision')).toContainText(`Draft revision ${revision}`);
}

async function publishDraft(page: Page, version: number): Promise<void> {
  await page.getByTestId('publish-draft').click();
  await expect(page.getByTestId('plan-dev')).toContainText(`→ ${version}`);
  await page.getByTestId('publish-draft-confirm').click();
  await expect(page.getByTestId('env-dev-version')).toHaveText(String(version));
}

test('Co-signing across two consoles, trust rotation from the UI, and a chosen rollback target', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const shared = newDataDir();
  const storeDir = join(shared, 'store');
  mkdirSync(storeDir);
  const storeUri = `dir:${storeDir}`;
  const aliceDir = newDataDir();
  const bobDir = newDataDir();
  benchmarkWithCli(aliceDir);
  const quiet = { TOGETHER_API_KEY: '', RUNWAYML_API_SECRET: '' };
  const aliceServer = await startConsole(aliceDir, { ...quiet, AIDEON_ACTOR: 'alice' });
  servers.push(aliceServer);
  const bobServer = await startConsole(bobDir, { ...quiet, AIDEON_ACTOR: 'bob' });
  servers.push(bobServer);
  const alice = await openConsole(browser, aliceServer);
  const bob = await openConsole(browser, bobServer);

  // ---- Alice: the shared store, her key, a trust file where she alone signs ------------------
  await saveDraft(alice, SANDBOX_CONFIG, 1);
  await useStore(alice, storeUri);
  await expect(alice.getByTestId('setup-signing')).toBeVisible();
  await generateKey(alice, 'setup-signing', 'alice e2e', ALICE_PASSPHRASE);
  await alice.getByTestId('setup-create-trust').click();
  await expect(alice.getByTestId('trust-panel')).toContainText('version 1');

  // ---- Bob: same store, his own key; it is not trusted yet; he copies its public key ---------
  await useStore(bob, storeUri);
  await expect(bob.getByTestId('unlock-callout')).toBeVisible();
  await generateKey(bob, 'unlock-callout', 'bob e2e', BOB_PASSPHRASE);
  const bobKey = bob.getByTestId('keys-panel').getByTestId('signing-key');
  await expect(bobKey).toContainText('Not trusted by this store');
  await bobKey.getByTestId('copy-public-key').click();
  const publicKeyText = await bob.getByTestId('public-key-text').inputValue();
  expect(publicKeyText).toContain('"schema":"aideon.public-key/1"');
  expect(publicKeyText).not.toMatch(/"d"|protectedPrivateKey/);
  await shot(bob, 'cosign-01-bob-copies-public-key');
  await bob.getByTestId('copy-public-key-dialog').getByRole('button', { name: 'Close' }).click();

  // ---- Alice: adds Bob's public key, then rotates trust: + bob, production needs 2 -----------
  await alice.getByTestId('keys-panel').getByTestId('add-public-key').click();
  await alice.getByTestId('public-key-input').fill('{"schema":"nope"}');
  await alice.getByTestId('public-key-submit').click();
  await expect(alice.getByTestId('add-public-key-dialog')).toContainText(
    'is not an Aideon public key',
  );
  await alice.getByTestId('public-key-input').fill(publicKeyText);
  await alice.getByTestId('public-key-submit').click();
  await expect(alice.getByTestId('imported-key')).toContainText('bob e2e');
  await expect(alice.getByTestId('imported-key')).toContainText('Not in the trust file yet');

  await alice.getByTestId('trust-change').click();
  const trustDialog = alice.getByTestId('trust-change-dialog');
  await trustDialog.getByTestId('trust-key-bob e2e').getByRole('checkbox').check();
  await trustDialog.getByTestId('trust-threshold-production').fill('2');
  await trustDialog.getByTestId('trust-change-review').click();
  const trustPlan = trustDialog.getByTestId('trust-plan');
  await expect(trustDialog).toContainText('version 1 → 2');
  await expect(trustPlan.getByTestId('trust-plan-key-bob e2e')).toContainText('added');
  await expect(trustPlan.getByTestId('trust-plan-threshold-production')).toContainText('12');
  await expect(trustPlan.getByTestId('trust-plan-warnings')).toContainText(
    'Trust changes need 1 signature(s) but an environment needs 2',
  );
  await shot(alice, 'cosign-02-trust-rotation-review');
  await trustDialog.getByTestId('trust-change-confirm').click();
  await expect(trustDialog).toBeHidden();
  await expect(alice.getByTestId('trust-panel')).toContainText('version 2');
  await expect(alice.getByTestId('trust-thresholds')).toContainText('production needs 2');
  await expect(alice.getByTestId('imported-key')).toContainText('In the trust file');

  // ---- Alice: publish → staging → production; production waits for a second signature -------
  await publishDraft(alice, 1);
  await alice.getByTestId('promote-staging').click();
  await alice.getByTestId('promote-staging-confirm').click();
  await expect(alice.getByTestId('env-staging-version')).toHaveText('1');
  await alice.getByTestId('promote-production').click();
  await expect(alice.getByTestId('promote-production-dialog')).toContainText(
    'Signs with 1 of 2 needed: waits for co-signature',
  );
  await alice.getByTestId('promote-production-confirm').click();
  await expect(alice.getByTestId('env-production-pending-badge')).toHaveText(
    'Pending v1 · 1/2 signed',
  );
  const alicePending = alice.getByTestId('env-production-pending');
  await expect(alicePending).toContainText('Waiting for 1 more signature');
  await expect(alicePending.getByTestId('pending-signers')).toContainText(
    'Signed by alice e2e (you) · 1 of 2',
  );
  await expect(alicePending.getByTestId('cosign-unavailable')).toContainText('You signed it');
  await expect(alice.getByTestId('env-production-empty')).toBeVisible();
  await alice.getByTestId('env-production').scrollIntoViewIfNeeded();
  await shot(alice, 'cosign-03-alice-production-pending');
  // A consumer sees nothing in production yet.
  expect(verify(shared, 'production', storeDir)).toMatchObject({ ok: false, reason: 'not_found' });

  // ---- Bob: sees the pending bundle with its diff and who signed; co-signs --------------------
  await bob.getByTestId('publish-refresh').click();
  await expect(bobKey).toContainText('In the trust file');
  const bobPending = bob.getByTestId('env-production-pending');
  await expect(bob.getByTestId('env-production-pending-badge')).toHaveText(
    'Pending v1 · 1/2 signed',
  );
  await expect(bobPending.getByTestId('pending-signers')).toContainText('Signed by alice e2e');
  await expect(bobPending.getByTestId('pending-diff')).toBeVisible();
  await expect(bobPending.getByTestId('pending-diff')).toContainText('tiers');
  await bob.getByTestId('env-production').scrollIntoViewIfNeeded();
  await shot(bob, 'cosign-04-bob-sees-pending-with-diff');
  await bobPending.getByTestId('cosign').click();
  const cosignDialog = bob.getByTestId('cosign-dialog');
  await expect(cosignDialog).toContainText('Signed by alice e2e (1 of 2)');
  await expect(cosignDialog).toContainText('Your signature makes it live at once');
  await expect(cosignDialog.getByTestId('cosign-diff')).toContainText('premium-pro-video');
  await shot(bob, 'cosign-04b-bob-cosign-dialog');
  await cosignDialog.getByTestId('cosign-confirm').click();
  await expect(bob.getByTestId('env-production-version')).toHaveText('1');
  await expect(bob.getByTestId('env-production-signatures')).toContainText('2/2');
  await expect(bob.getByTestId('env-production-signatures')).toContainText('bob e2e (you)');
  await expect(bob.getByTestId('env-production-pending')).toHaveCount(0);

  // The consumer accepts production with both signatures.
  const verified = verify(shared, 'production', storeDir);
  expect(verified).toMatchObject({ ok: true, environment: 'production', version: 1 });
  expect(verified.keyIds).toHaveLength(2);

  await alice.getByTestId('publish-refresh').click();
  await expect(alice.getByTestId('env-production-signatures')).toContainText('2/2');
  await expect(alice.getByTestId('env-production-signatures')).toContainText('bob e2e');
  await shot(alice, 'cosign-05-alice-production-live');

  // ---- Alice: two more dev versions, then roll dev back to the version she chooses -----------
  const second = structuredClone(SANDBOX_CONFIG);
  second.tiers.free.targets[0]!.timeoutSeconds = 90;
  await saveDraft(alice, second, 2);
  await publishDraft(alice, 2);
  const third = structuredClone(SANDBOX_CONFIG);
  third.tiers.free.targets[0]!.timeoutSeconds = 120;
  await saveDraft(alice, third, 3);
  await publishDraft(alice, 3);

  await alice.getByTestId('rollback-dev').click();
  const rollback = alice.getByTestId('rollback-dev-dialog');
  const versions = rollback.getByTestId('rollback-versions');
  await expect(versions.getByTestId('rollback-version-3')).toContainText('live');
  await expect(versions.getByTestId('rollback-version-2')).toContainText('alice');
  await expect(versions.getByTestId('rollback-version-1')).toContainText('signed by alice e2e');
  // The default is the newest earlier version with other content.
  await expect(versions.getByTestId('rollback-version-2').getByRole('radio')).toBeChecked();
  await expect(rollback).toContainText('Restores the content of version 2');
  await expect(rollback.getByTestId('plan-diff-dev')).toContainText('120');
  await versions.getByTestId('rollback-version-1').getByRole('radio').check();
  await expect(rollback).toContainText('Restores the content of version 1');
  await expect(rollback.getByTestId('plan-diff-dev')).toContainText('tiers.free.targets');
  await expect(rollback.getByTestId('plan-diff-dev')).toContainText('60');
  await shot(alice, 'cosign-06-rollback-choose-version');
  await expect(rollback.getByTestId('rollback-dev-confirm')).toHaveText(
    'Sign and roll back to version 1',
  );
  await rollback.getByTestId('rollback-dev-confirm').click();
  await expect(alice.getByTestId('env-dev-version')).toHaveText('4');
  const dev = verify(shared, 'dev', storeDir);
  expect(dev).toMatchObject({ ok: true, version: 4 });

  // History: one shared log in the store, so Alice sees Bob's co-signature too; nothing secret
  // reached either page or database.
  const aliceActions = await alice
    .getByTestId('history-table')
    .getByTestId('history-row')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
  expect(aliceActions).toEqual([
    'rollback',
    'publish',
    'publish',
    'cosign',
    'pending',
    'promote',
    'publish',
    'trust_rotate',
    'trust_init',
  ]);
  await expect(
    bob.getByTestId('history-table').locator('[data-testid="history-row"][data-action="cosign"]'),
  ).toHaveCount(1);
  for (const page of [alice, bob]) {
    const text = await page.getByTestId('publishing-section').innerText();
    expect(text).not.toContain(ALICE_PASSPHRASE);
    expect(text).not.toContain(BOB_PASSPHRASE);
  }
  for (const dir of [aliceDir, bobDir])
    for (const secret of [ALICE_PASSPHRASE, BOB_PASSPHRASE])
      expect(readFileSync(join(dir, 'aideon.sqlite')).includes(secret)).toBe(false);
});
