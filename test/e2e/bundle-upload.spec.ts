/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { type ConsoleServer, benchmarkWithCli, newDataDir, startConsole } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('Benchmarks → Import run bundle streams the file to the browser-mode server', async ({
  page,
}) => {
  const source = newDataDir();
  benchmarkWithCli(source);
  const db = new Database(join(source, 'aideon.sqlite'), { readonly: true });
  const { id: runId } = db.prepare('SELECT id FROM runs').get() as { id: string };
  db.close();
  const bundle = join(newDataDir(), 'run.tar');
  execFileSync(
    process.execPath,
    ['bin/aideon.mjs', 'bench', 'export', runId, '--bundle', bundle, '--data-dir', source],
    { stdio: 'pipe', timeout: 60_000 },
  );

  server = await startConsole(newDataDir());
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-benchmarks').click();
  await page.getByTestId('import-bundle-input').setInputFiles(bundle);
  await expect(page.locator('.toast-title')).toHaveText('Run imported');
  await expect(page.locator('.toast-description')).toHaveText(
    /^6 generations; \d+ videos verified\.$/,
  );
  // The run is listed here now.
  await expect(
    page.getByRole('list', { name: 'Benchmark runs' }).getByRole('listitem'),
  ).toHaveCount(1);
});
