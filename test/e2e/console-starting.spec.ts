/// <reference lib="dom" />
/**
 * A console started while another Aideon process holds the data folder's database (a long
 * `aideon bench import`, another console's migration):
 * - with nothing to write at its start, it opens at once (it used to wait for the lock to
 *   record its URL, with a blank page, and ended after 60 s);
 * - with something to write (here a built-in suite missing from the folder), the page says the
 *   console is starting, who holds the database, and opens by itself once it is free.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { lockHolder } from '../helpers/lock-holder';
import { NO_VENDOR_KEYS, newDataDir, startConsole, type ConsoleServer } from './console-server';

let server: ConsoleServer | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('a console started while another process holds the database opens, or says why it waits', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const dataDir = newDataDir();
  // The folder as an earlier console or command left it.
  execFileSync(process.execPath, ['bin/aideon.mjs', 'bench', 'suites', '--data-dir', dataDir], {
    stdio: 'pipe',
  });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Nothing for the start to write: the console opens while the import holds the lock.
  const importing = await lockHolder(cleanups, dataDir, ['bench', 'import', 'big-run.tar']);
  server = await startConsole(dataDir, NO_VENDOR_KEYS);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('nav-rollout')).toBeVisible();
  await importing.stop();
  await server.stop();

  // A built-in suite to write back: the start waits for the lock, and the page says so.
  const db = new Database(join(dataDir, 'aideon.sqlite'));
  db.prepare("DELETE FROM suites WHERE id = 'smoke'").run();
  db.close();
  const held = await lockHolder(cleanups, dataDir, ['--raw', 'bench', 'import', 'big-run.tar']);
  server = await startConsole(dataDir, NO_VENDOR_KEYS);
  await page.goto(server.url);
  const note = page.locator('#console-starting');
  await expect(note).toHaveAttribute('role', 'status');
  await expect(note).toContainText('The console is starting: the database is busy (');
  await expect(note).toContainText('`aideon bench import big-run.tar` (pid ');
  await expect(note).toContainText('It opens by itself as soon as the database is free.');
  await expect(page.locator('body')).toHaveAttribute('data-app-state', 'starting');
  await page.screenshot({ path: 'test-results/screenshots/console-starting-1280.png' });

  await held.stop();
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible({ timeout: 30_000 });
  await expect(note).toHaveCount(0);
  // The start did its write: the suite is back.
  await page.getByTestId('nav-benchmarks').click();
  await expect(page.getByTestId('tab-suites')).toBeVisible();
  expect(server.output()).toContain(
    'aideon: the database is busy (`aideon bench import big-run.tar`',
  );
});
