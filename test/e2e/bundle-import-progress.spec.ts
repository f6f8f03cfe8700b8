/// <reference lib="dom" />
/**
 * Import run bundle, after the upload: the server checks every video's hash and says so, as
 * `bench:import-progress` events for this import; the button reads "Checking videos k of N"
 * over a bar. The upload's answer is held back (page.route) until the button shows the last
 * video checked, so what is on screen is seen, not raced.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { benchmarkWithCli, consoleErrorsOf, newDataDir } from './console-server';
import { expect, test } from './console-test';

const SHOTS = process.env.AIDEON_SHOTS_DIR ?? 'test-results/screenshots';

test('Import run bundle shows "Checking videos k of N" with a bar while the server checks them', async ({
  page,
  startConsole,
}) => {
  const source = newDataDir();
  benchmarkWithCli(source);
  const db = new Database(join(source, 'aideon.sqlite'), { readonly: true });
  const { id: runId } = db.prepare('SELECT id FROM runs').get() as { id: string };
  const videos = (
    db
      .prepare('SELECT COUNT(DISTINCT media_id) AS n FROM generations WHERE run_id = ?')
      .get(runId) as { n: number }
  ).n;
  db.close();
  expect(videos).toBeGreaterThan(1);
  const bundle = join(newDataDir(), 'run.tar');
  execFileSync(
    process.execPath,
    ['bin/aideon.mjs', 'bench', 'export', runId, '--bundle', bundle, '--data-dir', source],
    { stdio: 'pipe', timeout: 60_000 },
  );

  const server = await startConsole(newDataDir());
  const consoleErrors = consoleErrorsOf(page);
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();

  // Every progress event the server sends, on an event stream of the test's own.
  const token = new URL(server.url).hash.replace(/^#token=/, '');
  await page.evaluate((query) => {
    const seen: unknown[] = [];
    (window as unknown as { importEvents: unknown[] }).importEvents = seen;
    const source = new EventSource(`/events?token=${query}`);
    source.addEventListener('bench:import-progress', (event) =>
      seen.push(JSON.parse((event as MessageEvent<string>).data)),
    );
  }, encodeURIComponent(token));

  // The upload's answer waits until the check has been seen on screen. (Chromium does not hand
  // an intercepted request's file body over, so the same bytes, the bundle, are sent from here
  // to the same URL with the same token.)
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let uploadUrl = '';
  await page.route('**/upload/run-bundle**', async (route) => {
    uploadUrl = route.request().url();
    const body = readFileSync(bundle);
    const answer = await fetch(uploadUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-tar',
        'content-length': String(body.length),
      },
      body,
    });
    const text = await answer.text();
    await held;
    await route.fulfill({ status: answer.status, contentType: 'application/json', body: text });
  });

  await page.getByTestId('import-bundle-input').setInputFiles(bundle);
  const label = page.getByTestId('import-bundle-label');
  await expect(label).toHaveText(`Checking videos ${videos} of ${videos}`);
  const bar = page.getByTestId('import-bundle-check-progress');
  await expect(bar).toHaveAttribute('max', String(videos));
  await expect(bar).toHaveAttribute('value', String(videos));
  await label.locator('xpath=..').screenshot({ path: `${SHOTS}/import-checking-videos.png` });

  // The events: this import's id (from the upload's query), 0 to N videos, in order.
  const importId = new URL(uploadUrl).searchParams.get('importId');
  expect(importId).toMatch(/^[A-Za-z0-9-]{1,64}$/);
  const events = await page.evaluate(
    () => (window as unknown as { importEvents: unknown[] }).importEvents,
  );
  expect(events).toEqual(
    Array.from({ length: videos + 1 }, (_, checked) => ({ importId, checked, total: videos })),
  );

  release();
  await expect(page.locator('.toast-title')).toHaveText('Run imported');
  await expect(page.locator('.toast-description')).toHaveText(
    `6 generations; ${videos} videos verified.`,
  );
  await expect(label).toHaveText('Import run bundle');
  await expect(bar).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
