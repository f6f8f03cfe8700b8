/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';
import { SANDBOX_CONFIG } from './publishing-fixtures';
import { replaceEditorText } from './json-editor-input';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('a live flag with its own targeting rule: the ramp picker says why it cannot be ramped', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  server = await startConsole(dataDir, { AIDEON_ACTOR: 'e2e-admin' });
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-rollout').click();

  const config = structuredClone(SANDBOX_CONFIG) as typeof SANDBOX_CONFIG & {
    flags: { 'premium-pro-video': { targeting?: unknown } };
  };
  config.flags['premium-pro-video'].targeting = {
    if: [{ '==': [{ var: 'plan' }, 'enterprise'] }, 'on', 'off'],
  };
  await page.getByTestId('tab-raw').click();
  await replaceEditorText(page, 'routing-raw', JSON.stringify(config, null, 2));
  await page.getByTestId('routing-save').click();
  await expect(page.getByTestId('routing-revision')).toContainText('Draft revision 1');

  const setup = page.getByTestId('setup-signing');
  await setup.getByTestId('keys-generate').click();
  await page.getByTestId('key-name').fill('alice e2e');
  await page.getByTestId('key-passphrase').fill('correct horse battery staple');
  await page.getByTestId('key-passphrase-again').fill('correct horse battery staple');
  await page.getByTestId('key-generate-submit').click();
  await expect(page.getByTestId('generate-key-dialog')).toBeHidden();
  await page.getByTestId('setup-create-trust').click();
  await page.getByTestId('publish-draft').click();
  await page.getByTestId('publish-draft-confirm').click();
  await expect(page.getByTestId('env-dev-version')).toHaveText('1');

  await page.getByTestId('ro-env').selectOption('dev');
  await expect(page.getByTestId('ro-flag')).toBeDisabled();
  await expect(page.getByTestId('ro-flag')).toContainText('No flag that can be ramped here');
  const note = page.getByTestId('ro-flag-own-rule');
  await expect(note).toContainText(
    'premium-pro-video is live in dev but has its own targeting rule',
  );
  await expect(note).toContainText('kill switch');
  await note.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/rollout-own-rule.png' });
});
