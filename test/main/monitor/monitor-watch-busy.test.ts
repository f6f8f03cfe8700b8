/**
 * `aideon monitor watch` while another process holds the database's write lock (a console,
 * `aideon serve`, a bench run or an import on the same data folder), with the lock held by a
 * real SQLite connection and the real command.
 *
 * A check's write used to wait SQLite's 5 s busy timeout with the process stopped (no timer,
 * no Ctrl-C); now it waits at most the short busy wait, and the check counts as failed and is
 * tried again on the monitor's backoff. Started while the lock is held on a database that needs
 * a migration, the command used to fail after 5 s; now it says that it waits and starts once
 * the lock is free.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli/main';
import { resourcesDir } from '../../../src/main/paths';
// Loaded before the command runs, so its lazy imports do not stop this thread meanwhile.
import '../../../src/main/monitor/index';
import '../../../src/main/providers/http/dispatcher';
import { createServices } from '../../../src/main/services';
import { spawnCli, until } from '../../helpers/cli-child';
import { gapMeter, holdWriteLock, folderOneMigrationBehind } from '../../helpers/db-lock';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataFolder(): string {
  const { dir, cleanup } = tempDir('aideon-monitor-watch-busy-');
  cleanups.push(cleanup);
  return join(dir, 'data');
}

describe('aideon monitor watch while another process holds the database', () => {
  it('a check that meets the lock stops the process for a moment, not for the 5 s busy timeout, and says why it failed', async () => {
    const dataDir = dataFolder();
    // A data folder another process has used (schema and built-in suites in place).
    await createServices({
      dataDir,
      resourcesDir: resourcesDir(),
      env: {},
      mode: 'cli',
      version: 'test',
    }).close();
    const release = holdWriteLock(dataDir, (done) => cleanups.push(done));
    const before = new Set(process.listeners('SIGTERM'));
    let stdout = '';
    const meter = gapMeter();
    // No vendor keys: the sandbox's catalogue is the one checked (and written) at once.
    const done = runCli(['--data-dir', dataDir, 'monitor', 'watch', '--json'], {
      stdout: (text) => (stdout += text),
      stderr: () => undefined,
      env: {},
      isTTY: false,
    });
    let check: { provider: string; status: string; error: string } | undefined;
    try {
      check = await until(() =>
        stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { check?: typeof check }).check)
          .find((item) => item?.provider === 'sandbox'),
      );
    } finally {
      meter.stop();
    }
    expect(check).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/could not be saved: the database was busy/),
    });
    // Before: the check's write held this thread for SQLite's 5 s busy timeout.
    expect(meter.worst()).toBeLessThan(2500);
    release();
    // Ctrl-C, as the command's own handler gets it.
    const added = process.listeners('SIGTERM').filter((listener) => !before.has(listener));
    expect(added).toHaveLength(1);
    for (const listener of added) (listener as () => void)();
    expect(await done).toBe(0);
  }, 30_000);

  it('started while the lock is held (its database needs a migration): says it waits, and starts once the lock is free', async () => {
    const dataDir = dataFolder();
    // A data folder from the version before: the start has a migration to write.
    folderOneMigrationBehind(dataDir);
    const release = holdWriteLock(dataDir, (done) => cleanups.push(done));
    const watch = spawnCli(['--data-dir', dataDir, 'monitor', 'watch', '--json']);
    cleanups.push(async () => {
      if (watch.child.exitCode === null) watch.child.kill('SIGKILL');
      await watch.done;
    });
    const exited = (): boolean => watch.child.exitCode !== null;
    await until(() => /database is busy/.test(watch.stderr()) || exited());
    expect(watch.stderr()).toMatch(
      /the database is busy \(another Aideon process on this data folder is writing\); waiting/,
    );
    // Held past the 5 s busy timeout the start used to fail on.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(watch.child.exitCode).toBeNull();
    release();
    // It starts: the sandbox's catalogue is checked and recorded.
    await until(() => /"provider":"sandbox","[^\n]*"status":"ok"/.test(watch.stdout()) || exited());
    expect(watch.stdout()).toMatch(/"provider":"sandbox"/);
    expect(watch.stderr().match(/database is busy/g) ?? []).toHaveLength(1);
    watch.child.kill('SIGTERM');
    expect(await watch.done).toBe(0);
  }, 60_000);
});
