/**
 * The desktop lifecycle against a stand-in for Electron's `app` (an EventEmitter with the same
 * calls): one instance, a window on `activate`, quitting when windows close, and a quit that
 * waits for the services to close.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  desktopDataDir,
  runDesktopApp,
  type DesktopHooks,
} from '../../../src/main/app/desktop-lifecycle';

class FakeApp extends EventEmitter {
  lock = true;
  quits = 0;
  exitCode: number | undefined;
  private ready!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.ready = resolve));
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  becomeReady(): void {
    this.ready();
  }
  quit(): void {
    this.quits += 1;
    // Electron emits before-quit on every quit() call; a prevented one stops there.
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('quit');
  }
  exit(code?: number): void {
    this.exitCode = code;
  }
  fire(event: string): { prevented: boolean } {
    const state = { prevented: false };
    this.emit(event, { preventDefault: () => (state.prevented = true) });
    return state;
  }
}

function hooks(overrides: Partial<DesktopHooks> = {}) {
  const calls: string[] = [];
  let windows = 0;
  let releaseClose!: () => void;
  const closeGate = new Promise<void>((resolve) => (releaseClose = resolve));
  const value: DesktopHooks = {
    platform: 'linux',
    start: () => {
      calls.push('start');
      return {
        close: async () => {
          calls.push('close:begin');
          await closeGate;
          calls.push('close:end');
        },
      };
    },
    windowCount: () => windows,
    openWindow: () => {
      windows += 1;
      calls.push('open');
    },
    focusWindow: () => calls.push('focus'),
    log: (line) => calls.push(`log:${line}`),
    fatal: (message) => calls.push(`fatal:${message}`),
    ...overrides,
  };
  return {
    value,
    calls,
    releaseClose,
    closeAll: () => {
      windows = 0;
    },
  };
}

describe('desktop lifecycle', () => {
  it('a second instance quits at once and leaves the first to show its window', async () => {
    const app = new FakeApp();
    app.lock = false;
    const { value, calls } = hooks();
    const lifecycle = runDesktopApp(app, value);
    expect(await lifecycle.started).toBe('second-instance');
    expect(app.quits).toBe(1);
    expect(calls).toEqual([]);
  });

  it('starts after ready, focuses on a second launch, reopens on activate, quits after close() finished', async () => {
    const app = new FakeApp();
    const { value, calls, releaseClose, closeAll } = hooks();
    const lifecycle = runDesktopApp(app, value);
    app.fire('second-instance');
    expect(calls).toEqual([]); // not started yet: nothing to focus
    app.becomeReady();
    expect(await lifecycle.started).toBe('running');
    expect(calls).toEqual(['start', 'open']);

    app.fire('second-instance');
    expect(calls.at(-1)).toBe('focus');
    closeAll();
    app.fire('activate');
    expect(calls.at(-1)).toBe('open');

    // window-all-closed quits on Linux; the quit is held until close() has finished.
    let quitEmitted = false;
    app.on('quit', () => (quitEmitted = true));
    app.fire('window-all-closed');
    expect(app.quits).toBe(1);
    expect(calls.at(-1)).toBe('close:begin');
    expect(quitEmitted).toBe(false);
    // A second quit while closing is held too, and does not close twice.
    expect(app.fire('before-quit').prevented).toBe(true);
    releaseClose();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls.filter((call) => call === 'close:begin')).toHaveLength(1);
    expect(calls.at(-1)).toBe('close:end');
    expect(app.quits).toBe(2);
    expect(quitEmitted).toBe(true);
    // No window is opened while quitting.
    app.fire('activate');
    expect(calls.at(-1)).toBe('close:end');
  });

  it('stays open on macOS when the last window closes', async () => {
    const app = new FakeApp();
    const { value } = hooks({ platform: 'darwin' });
    const lifecycle = runDesktopApp(app, value);
    app.becomeReady();
    await lifecycle.started;
    app.fire('window-all-closed');
    expect(app.quits).toBe(0);
  });

  it('a start that fails is logged, shown, and exits with 1', async () => {
    const app = new FakeApp();
    const { value, calls } = hooks({
      start: () => {
        throw new Error('This database was written by a newer console.');
      },
    });
    const lifecycle = runDesktopApp(app, value);
    app.becomeReady();
    expect(await lifecycle.started).toBe('failed');
    expect(calls).toContain(
      'log:the console could not start: This database was written by a newer console.',
    );
    expect(calls).toContain('fatal:This database was written by a newer console.');
    expect(app.exitCode).toBe(1);
  });

  it('a quit during start-up waits for the start, then closes it', async () => {
    const app = new FakeApp();
    const { value, calls, releaseClose } = hooks();
    const lifecycle = runDesktopApp(app, value);
    expect(app.fire('before-quit').prevented).toBe(true);
    releaseClose();
    app.becomeReady();
    expect(await lifecycle.started).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toEqual(['start', 'close:begin', 'close:end']);
  });
});

describe('desktop data folder', () => {
  it('honours AIDEON_DATA_DIR, else uses the per-user folder', () => {
    expect(desktopDataDir({ AIDEON_DATA_DIR: '/srv/aideon' }, '/home/a/.config/X')).toBe(
      '/srv/aideon',
    );
    expect(desktopDataDir({ AIDEON_DATA_DIR: '  ' }, '/home/a/.config/X')).toBe(
      '/home/a/.config/X',
    );
    expect(desktopDataDir({}, '/home/a/.config/X')).toBe('/home/a/.config/X');
  });
});
