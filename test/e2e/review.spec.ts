/// <reference lib="dom" />
import { benchmarkWithCli, consoleErrorsOf, newDataDir } from './console-server';
import { expect, shot, test } from './console-test';

test('an empty console explains how to get pairs to review', async ({ page, startConsole }) => {
  const server = await startConsole(newDataDir());
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();
  await expect(page.getByRole('heading', { name: 'Nothing to review yet' })).toBeVisible();
  // Said once: the body says where pairs come from, not the title again.
  await expect(page.getByTestId('review-empty')).toHaveText(
    /^Pairs come from benchmarks: run one with at least two models/,
  );
  await expect(page.getByTestId('review-empty')).not.toContainText(/review yet/i);
  await shot(page, 'review-01-empty');
  await page.getByTestId('tab-ratings').click();
  await expect(page.getByText('No votes yet')).toBeVisible();
  await page.getByTestId('tab-vote').click();
  await page.getByTestId('review-start-benchmark').click();
  await expect(page.getByTestId('plan-summary')).toBeVisible();
});

test('blind votes with the keyboard reveal the models and produce a ranked leaderboard', async ({
  page,
  startConsole,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const server = await startConsole(dataDir);
  const consoleErrors = consoleErrorsOf(page);

  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();

  const keys = ['1', '2', 't'];
  for (const [index, key] of keys.entries()) {
    const pane = page.getByTestId('blind-vote');
    await expect(pane).toBeVisible();
    await expect(page.getByTestId('vote-a')).toBeEnabled();
    // Blind: neither model's name is anywhere on screen before the vote.
    await expect(pane).not.toContainText('Sandbox Fast');
    await expect(pane).not.toContainText('Sandbox Pro');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('video')].every((video) => video.readyState >= 2),
    );
    if (index === 0) await shot(page, 'review-02-blind-pair');
    if (index === 1) await page.getByTestId('vote-comment').fill('B moves more naturally');
    // Typing in the comment must not vote; keys work once focus leaves it.
    if (index === 1) await page.getByTestId('vote-comment').blur();
    await page.keyboard.press(key);
    const reveal = page.getByTestId('reveal');
    await expect(reveal).toBeVisible();
    await expect(reveal).toContainText('Sandbox Fast');
    await expect(reveal).toContainText('Sandbox Pro');
    if (index === 0) await shot(page, 'review-03-revealed');
    await expect(reveal).toBeHidden({ timeout: 10_000 });
  }

  await page.getByTestId('tab-ratings').click();
  const rows = page.getByTestId('rating-row');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('rating-interval')).toHaveCount(2);
  await expect(page.getByTestId('ratings-meta')).toContainText('3 votes');
  await expect(page.getByTestId('ratings-table')).toContainText('Sandbox Fast');
  await expect(page.getByTestId('ratings-table')).toContainText('Sandbox Pro');
  await expect(page.getByTestId('votes-needed')).toBeVisible();
  await shot(page, 'review-04-ratings');

  // Export gives a CSV download with the three votes.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-votes').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^aideon-votes-.*\.csv$/);

  // A bad CSV is refused with the problems listed.
  await page.getByTestId('import-votes-input').setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('not,a,votes,file\n1,2,3,4\n'),
  });
  await expect(page.getByTestId('import-result')).toBeVisible();
  await shot(page, 'review-05-import-error');
  expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
});
