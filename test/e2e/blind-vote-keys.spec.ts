/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('keys pressed during the reveal are acknowledged, never silently dropped; buttons fit 1280x720', async ({
  page,
}) => {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  server = await startConsole(dataDir);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-review').click();
  await expect(page.getByTestId('vote-a')).toBeEnabled();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('video')].every((video) => video.readyState >= 2),
  );
  await page.screenshot({ path: 'test-results/screenshots/blind-vote-1280x720.png' });
  // All four verdict buttons are on screen without scrolling.
  for (const id of ['vote-a', 'vote-b', 'vote-tie', 'vote-both-bad']) {
    await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
  }
  // The player's key hint offers only keys that do something here (Esc closes nothing).
  const hint = page.getByTestId('blind-vote').locator('.keyboard-hint');
  await expect(hint).toContainText('play/pause');
  await expect(hint).not.toContainText('close');

  const firstPair = await page.getByTestId('blind-vote').getAttribute('data-pair');
  await page.keyboard.press('1');
  await expect(page.getByTestId('reveal')).toBeVisible();
  // A second key during the reveal: it is not counted as a vote on a pair nobody saw, it says
  // so, and it moves on to the next pair at once instead of being dropped.
  await page.keyboard.press('2');
  const note = page.getByTestId('vote-key-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText('“2”');
  await expect(note).toContainText('not counted');
  await expect(page.getByTestId('reveal')).toBeHidden();
  await expect(page.getByTestId('vote-a')).toBeEnabled();
  await expect(page.getByTestId('blind-vote')).not.toHaveAttribute('data-pair', firstPair!);
  await expect(page.getByTestId('votes-cast')).toHaveText('1 vote this session');

  // The next key on a visible pair is a vote again, and clears the note.
  await page.keyboard.press('t');
  await expect(page.getByTestId('reveal')).toContainText('Tie');
  await expect(page.getByTestId('votes-cast')).toHaveText('2 votes this session');
  await expect(note).toBeHidden();

  await page.getByTestId('tab-ratings').click();
  await expect(page.getByTestId('ratings-meta')).toContainText('2 votes');
});
