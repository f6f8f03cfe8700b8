/**
 * Guard breaches' inbox entries that met another process's write lock are kept beside the
 * database until it is free (monitor-service.ts writeBreachSoon, store/pending-journal.ts).
 * Before, every process kept them in one file (`aideon.sqlite.pending-guard-breaches.json`):
 * two consoles on one data folder overwrote each other's, so a kill lost one console's
 * entries; and only a console's start wrote them, so a folder where the controller or `aideon
 * monitor watch` ran next kept them unwritten. Now each process keeps its own file, and the
 * next long-running process to start (console, controller, `monitor watch`) takes over every
 * file left and writes the entries, once; a one-shot command leaves them alone.
 *
 * Real processes throughout: `aideon serve` (serveCommand in a child), the real `aideon`
 * command for the controller, `monitor watch` and a one-shot command, a real Prometheus with no
 * series (every guard has no data: a breach), real SQLite with a second connection holding
 * BEGIN IMMEDIATE as another Aideon process would.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDb, spawnCli, until } from '../../helpers/cli-child';
import { holdWriteLock } from '../../helpers/db-lock';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process';
import { serveCommandChild, type ServedChild as Served } from '../../helpers/serve-command-child';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void | Promise<void>)[] = [];
let prom: PrometheusProcess;

beforeAll(async () => {
  prom = await spawnEmptyPrometheus('aideon-breach-journals-prom-');
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await prom?.stop();
});

const serve = (dataDir: string): Promise<Served> => serveCommandChild(dataDir, cleanups);

/** The guard breaches in the folder's inbox, as `env:status`, sorted. */
const inbox = (dataDir: string): string[] =>
  (
    readDb(
      dataDir,
      (db) =>
        db.prepare("SELECT payload FROM monitor_events WHERE kind = 'guard_breached'").all() as {
          payload: string;
        }[],
    ) ?? []
  )
    .map((row) => JSON.parse(row.payload) as { env: string; status: string })
    .map((event) => `${event.env}:${event.status}`)
    .sort();

/** The breach journals beside the folder's database. */
const journals = (dataDir: string): string[] =>
  readdirSync(dataDir).filter((name) => name.startsWith('aideon.sqlite.pending-guard-breaches'));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A console's check by hand of `env` while the lock is held: its inbox entry is kept. */
async function keepBreach(console: Served, env: string): Promise<void> {
  const report = await console
    .call<{ status: string }>('watch:check-now', { env })
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\n${console.output()}`);
    });
  expect(report.status).toBe('no_data');
  const said = new RegExp(`database is busy; the ${env} guard breach goes into the inbox`);
  for (let i = 0; i < 100 && !said.test(console.output()); i += 1) await pause(50);
  expect(console.output()).toMatch(said);
}

/** A console whose watch guards dev and staging with the empty Prometheus. */
async function guardingConsole(dir: string): Promise<Served> {
  const console = await serve(dir);
  await console.call('watch:save-settings', {
    settings: {
      environments: { dev: { prometheusUrl: prom.url }, staging: { prometheusUrl: prom.url } },
      tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
    },
  });
  return console;
}

const folder = (): string => tempDir('aideon-breach-journals-').dir;

/** A console that keeps one breach (of `env`) while the lock is held, then is killed. */
async function consoleKilledWithKeptBreach(dir: string, env: string): Promise<void> {
  const first = await guardingConsole(dir);
  const release = holdWriteLock(dir, (done) => cleanups.push(done));
  await keepBreach(first, env);
  expect(await first.stop('SIGKILL')).toBe(null);
  release();
  expect(journals(dir)).toHaveLength(1);
}

describe('guard breach inbox entries kept by several processes on one data folder', () => {
  it('two consoles both meet the lock and are killed: the next start writes both entries, once', async () => {
    const dir = folder();
    const a = await guardingConsole(dir);
    const b = await guardingConsole(dir);
    const release = holdWriteLock(dir, (done) => cleanups.push(done));
    await keepBreach(a, 'dev');
    await keepBreach(b, 'staging');
    // One file each: neither overwrote the other's.
    expect(journals(dir)).toHaveLength(2);
    expect(await a.stop('SIGKILL')).toBe(null);
    expect(await b.stop('SIGKILL')).toBe(null);
    release();

    const next = await serve(dir);
    await until(() => inbox(dir).length >= 2);
    expect(inbox(dir)).toEqual(['dev:no_data', 'staging:no_data']);
    expect(next.output()).toMatch(/2 guard breach inbox entries kept .* are written now/);
    expect(journals(dir)).toEqual([]);
    expect(await next.stop()).toBe(0);
    // Started again: nothing is written twice.
    const again = await serve(dir);
    await pause(500);
    expect(inbox(dir)).toEqual(['dev:no_data', 'staging:no_data']);
    expect(await again.stop()).toBe(0);
  }, 180_000);

  it('a live console whose file another start took over loses nothing: it writes its file again', async () => {
    const dir = folder();
    const a = await guardingConsole(dir);
    const release = holdWriteLock(dir, (done) => cleanups.push(done));
    await keepBreach(a, 'dev');
    const [own] = journals(dir);
    // Another console starts while the lock is still held: it takes over A's file (its entry
    // waits in the newcomer's own file now) ...
    const b = await serve(dir);
    await until(() => /1 guard breach inbox entry kept/.test(b.output()));
    expect(journals(dir)).not.toContain(own);
    expect(journals(dir)).toHaveLength(1);
    // ... A, still alive and still waiting, keeps another entry: its file is written again,
    // with both of its entries.
    await keepBreach(a, 'staging');
    expect(journals(dir)).toContain(own);
    expect(journals(dir)).toHaveLength(2);
    expect(await a.stop('SIGKILL')).toBe(null);
    expect(await b.stop('SIGKILL')).toBe(null);
    release();

    const next = await serve(dir);
    await until(() => inbox(dir).length >= 2);
    await pause(500);
    expect(inbox(dir)).toEqual(['dev:no_data', 'staging:no_data']);
    expect(journals(dir)).toEqual([]);
    expect(await next.stop()).toBe(0);
  }, 180_000);

  it('a one-shot command leaves the kept entry alone; the controller started next writes it, once', async () => {
    const dir = folder();
    await consoleKilledWithKeptBreach(dir, 'dev');
    // A one-shot command opens the same database and neither writes nor deletes the entry.
    const oneShot = spawnCli(['--data-dir', dir, 'bench', 'list']);
    expect(await oneShot.done).toBe(0);
    expect(inbox(dir)).toEqual([]);
    expect(journals(dir)).toHaveLength(1);

    const store = `dir:${join(dir, 'config-store')}`;
    const controller = spawnCli(['--data-dir', dir, 'controller', '--once', '--store', store], {
      AIDEON_CONTROLLER_ID: 'ctl-next',
    });
    await controller.done;
    expect(controller.stderr()).toMatch(/1 guard breach inbox entry kept .* is written now/);
    expect(inbox(dir)).toEqual(['dev:no_data']);
    expect(journals(dir)).toEqual([]);
    // A console started afterwards finds nothing left to write.
    const next = await serve(dir);
    await pause(500);
    expect(inbox(dir)).toEqual(['dev:no_data']);
    expect(await next.stop()).toBe(0);
  }, 180_000);

  it('`aideon monitor watch` started next writes the kept entry', async () => {
    const dir = folder();
    await consoleKilledWithKeptBreach(dir, 'staging');
    const watch = spawnCli(['--data-dir', dir, 'monitor', 'watch', '--interval', '1440'], {
      AIDEON_LOG: '1',
    });
    cleanups.push(() => {
      watch.child.kill('SIGKILL');
    });
    await until(() => inbox(dir).length > 0);
    expect(inbox(dir)).toEqual(['staging:no_data']);
    await until(() => journals(dir).length === 0);
    watch.child.kill('SIGTERM');
    expect(await watch.done).toBe(0);
  }, 180_000);
});
