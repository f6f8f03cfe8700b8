/**
 * The desktop app started while another Aideon process (the rollout controller, a CLI import)
 * holds the database's write lock, through the same calls src/main/electron/main.ts makes: the
 * lifecycle (runDesktopApp, with a stand-in for Electron's `app`) and openConsoleWhenFree on a
 * real SQLite database that needs a migration. The start says once that it waits and comes up
 * when the lock is free; a quit while it waits ends the wait without an error dialog; a lock
 * held past the busy patience is an error that says what to do.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openConsoleWhenFree, type WiredConsole } from '../../../src/main/app/console-wiring';
import { runDesktopApp } from '../../../src/main/app/desktop-lifecycle';
import { resourcesDir } from '../../../src/main/paths';
import { sleep } from '../../../src/main/services';
import { START_UP_WAITING } from '../../../src/main/store/busy-retry';
import { holdWriteLock, folderOneMigrationBehind } from '../../helpers/db-lock';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

class FakeApp extends EventEmitter {
  exitCode: number | undefined;
  quitEmitted = false;
  requestSingleInstanceLock(): boolean {
    return true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  quit(): void {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitEmitted = true;
  }
  exit(code?: number): void {
    this.exitCode = code;
  }
}

/** A data folder from the version before (the start has a migration to write), locked. */
function lockedFolder(): { dataDir: string; release: () => void } {
  const { dir, cleanup } = tempDir('aideon-desktop-busy-');
  cleanups.push(cleanup);
  const dataDir = join(dir, 'data');
  folderOneMigrationBehind(dataDir);
  const release = holdWriteLock(dataDir, (done) => cleanups.push(done));
  return { dataDir, release };
}

/** runDesktopApp with main.ts's start (openConsoleWhenFree), recording what the person sees. */
function launch(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const app = new FakeApp();
  const said: string[] = [];
  const fatal: string[] = [];
  let windows = 0;
  let wired: WiredConsole | undefined;
  const lifecycle = runDesktopApp(app, {
    platform: 'linux',
    start: async (stop) => {
      wired = await openConsoleWhenFree(
        {
          dataDir,
          resourcesDir: resourcesDir(),
          env,
          mode: 'electron',
          version: 'test',
          analyseVideos: false,
          publishTickMs: 3_600_000,
        },
        { present: () => undefined, log: () => undefined },
        { say: (line) => said.push(line), signal: stop },
      );
      cleanups.push(() => wired?.close());
      return wired;
    },
    windowCount: () => windows,
    openWindow: () => (windows += 1),
    focusWindow: () => undefined,
    log: () => undefined,
    fatal: (message) => fatal.push(message),
  });
  return { app, lifecycle, said, fatal, windows: () => windows, wired: () => wired };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('desktop start while another process holds the database', () => {
  it('says once that it waits, then opens its window once the lock is free', async () => {
    const { dataDir, release } = lockedFolder();
    const desktop = launch(dataDir);
    await until(() => desktop.said.length > 0, 'the waiting notice');
    expect(desktop.said).toEqual([START_UP_WAITING]);
    // Still waiting past several short busy waits: no window, no error.
    await sleep(1200);
    expect(desktop.windows()).toBe(0);
    expect(desktop.fatal).toEqual([]);
    release();
    expect(await desktop.lifecycle.started).toBe('running');
    expect(desktop.windows()).toBe(1);
    expect(desktop.said).toHaveLength(1);
    // The console works: a write goes through on the migrated database.
    const dispatcher = desktop.wired()!.dispatcher;
    const answer = await dispatcher.dispatch('app:get-info', {});
    expect(answer).toMatchObject({ ok: true, value: { mode: 'electron' } });
  }, 30_000);

  it('a quit while it waits ends the wait: no error dialog, the quit completes', async () => {
    const { dataDir } = lockedFolder();
    const desktop = launch(dataDir);
    await until(() => desktop.said.length > 0, 'the waiting notice');
    desktop.app.quit();
    expect(await desktop.lifecycle.started).toBe('quit-while-starting');
    await until(() => desktop.app.quitEmitted, 'the quit');
    expect(desktop.fatal).toEqual([]);
    expect(desktop.app.exitCode).toBeUndefined();
    expect(desktop.windows()).toBe(0);
    expect(desktop.wired()).toBeUndefined();
  }, 30_000);

  it('a lock held past the busy patience is an error dialog that says what to do', async () => {
    const { dataDir } = lockedFolder();
    const desktop = launch(dataDir, { AIDEON_BUSY_PATIENCE_MS: '800' });
    expect(await desktop.lifecycle.started).toBe('failed');
    expect(desktop.fatal).toHaveLength(1);
    expect(desktop.fatal[0]).toMatch(/The database stayed busy for/);
    expect(desktop.fatal[0]).toMatch(/Let it finish or close it, then start again/);
    expect(desktop.fatal[0]).toMatch(/AIDEON_BUSY_PATIENCE_MS/);
    expect(desktop.app.exitCode).toBe(1);
    expect(desktop.windows()).toBe(0);
  }, 30_000);
});
