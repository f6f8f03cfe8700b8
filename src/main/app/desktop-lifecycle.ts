/**
 * The desktop app's lifecycle, as plain functions over the few calls of Electron's `app` it
 * needs (injected), so it is tested in Node: one instance per user (a second launch focuses
 * the first window and exits), a window again when the dock icon is clicked with none open
 * (macOS `activate`), quitting when the last window closes (except on macOS), and a quit that
 * waits for the services to close (running checks aborted, the database closed) before the
 * process ends. src/main/electron/main.ts passes the real `app` and its window functions.
 */
import { resolve } from 'node:path';

/** The part of Electron's `app` the lifecycle uses. */
export interface DesktopAppLike {
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<unknown>;
  on(
    event: 'second-instance' | 'activate' | 'window-all-closed' | 'before-quit',
    listener: (event: { preventDefault(): void }) => void,
  ): unknown;
  quit(): void;
  exit(code?: number): void;
}

/** What is running once the app started (the wired console). */
export interface DesktopSession {
  close(): Promise<void>;
}

export interface DesktopHooks {
  platform: NodeJS.Platform;
  /**
   * Builds the services, protocols and IPC (called once, after `whenReady`). It may wait (for
   * another process's database lock); `stop` is aborted when the person quits meanwhile, and
   * a start that then rejects is a quit, not a failure.
   */
  start(stop: AbortSignal): Promise<DesktopSession> | DesktopSession;
  /** Windows open now. */
  windowCount(): number;
  openWindow(): void;
  /** Shows and focuses the existing window (a second launch). */
  focusWindow(): void;
  log(line: string): void;
  /** Tells the person the app could not start (a dialog), before it exits. */
  fatal(message: string): void;
}

export interface DesktopLifecycle {
  /** Resolves when the app has started (or decided not to: a second instance, a failure). */
  started: Promise<'running' | 'second-instance' | 'failed' | 'quit-while-starting'>;
}

export function runDesktopApp(app: DesktopAppLike, hooks: DesktopHooks): DesktopLifecycle {
  if (!app.requestSingleInstanceLock()) {
    // Another instance owns the data folder; it gets 'second-instance' and shows its window.
    app.quit();
    return { started: Promise.resolve('second-instance') };
  }
  let session: DesktopSession | undefined;
  const stopStart = new AbortController();
  // Starts after `whenReady`; the listeners below are registered before that can happen.
  const starting: Promise<DesktopSession> = (async () => {
    await app.whenReady();
    return hooks.start(stopStart.signal);
  })();
  let closing: Promise<void> | undefined;
  let closed = false;

  app.on('second-instance', () => {
    if (!session) return;
    if (hooks.windowCount() === 0) hooks.openWindow();
    else hooks.focusWindow();
  });
  app.on('activate', () => {
    if (session && !closing && hooks.windowCount() === 0) hooks.openWindow();
  });
  app.on('window-all-closed', () => {
    if (hooks.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (closed) return;
    // Hold the quit until the services have closed, then quit again.
    event.preventDefault();
    // A start still waiting (for another process's lock) stops waiting.
    if (!session) stopStart.abort(new Error('The app quit while the console was starting.'));
    closing ??= (async () => {
      const current = session ?? (await starting.catch(() => undefined));
      try {
        await current?.close();
      } catch (error) {
        hooks.log(`closing the services failed: ${describe(error)}`);
      }
    })().finally(() => {
      closed = true;
      app.quit();
    });
  });

  const started = starting.then(
    (value) => {
      session = value;
      if (closing) return 'running' as const;
      hooks.openWindow();
      return 'running' as const;
    },
    (error: unknown) => {
      if (stopStart.signal.aborted) {
        // The person quit while it waited: before-quit finishes the quit.
        hooks.log('quit while the console was starting');
        return 'quit-while-starting' as const;
      }
      hooks.log(`the console could not start: ${describe(error)}`);
      hooks.fatal(describe(error));
      closed = true;
      app.exit(1);
      return 'failed' as const;
    },
  );
  return { started };
}

/**
 * The desktop app's data folder: `AIDEON_DATA_DIR` when set (as the CLI and browser mode
 * honour it), else Electron's per-user folder, so all three share one database.
 */
export function desktopDataDir(env: NodeJS.ProcessEnv, userDataPath: string): string {
  const fromEnv = env.AIDEON_DATA_DIR?.trim();
  return fromEnv ? resolve(fromEnv) : userDataPath;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
