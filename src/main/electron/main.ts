/**
 * The Electron entry: wiring only, so a reviewer can check it by eye. Every decision lives in
 * plain, tested modules: openConsole (services, notifiers, background work, models in use,
 * output checks; browser mode calls it too), runDesktopApp (single instance, activate, quit
 * waiting for close), guardedDispatch (sender check), the protocol handlers, notices and the
 * log sink. Here: Electron's objects are handed to them, and the window is locked down.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Notification,
  protocol,
  session,
  shell,
} from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_PREFIX, INVOKE_CHANNEL_NAMES } from '../../shared/ipc/channel-names';
import { openConsoleWhenFree, type WiredConsole } from '../app/console-wiring';
import { desktopDataDir, runDesktopApp } from '../app/desktop-lifecycle';
import { guardedDispatch } from '../app/ipc-guard';
import { createFileLog, logProcessErrors } from '../app/log-sink';
import { APP_ORIGIN, handleAppRequest, handleMediaRequest } from '../app/protocol-handlers';
import { resourcesDir } from '../paths';
import type { SecretStore } from '../secrets';
import { CONTENT_SECURITY_POLICY } from '../serve/browser-server';
import { safeStorageKeyProtector } from './key-protector';
import { createDesktopSecretStore } from './keychain';

protocol.registerSchemesAsPrivileged([
  // codeCache: V8 keeps the compiled console code between launches (as a browser does for
  // http), so every launch after the first skips compiling React and the first screen.
  {
    scheme: 'aideon',
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
  {
    scheme: 'aideon-media',
    privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
  },
]);

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = desktopDataDir(process.env, app.getPath('userData'));
// The keychain opens once the app is ready (safeStorage needs it); the log scrubs its keys.
let secrets: SecretStore | undefined;
const log = createFileLog({
  file: join(dataDir, 'logs', 'main.log'),
  now: Date.now,
  secrets: () => secrets?.all() ?? [],
});
logProcessErrors(process, log);

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Aideon Video Console',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // V8's code cache for the console's scripts from their first load on, not from the
      // third (Chromium's heat check is for web pages that may never come back; this window
      // loads the same files at every launch). The start chunk is a classic script for the
      // same reason (scripts/classic-chunk.ts). Not run in this project's CI (no Electron
      // binary there); browser mode's bench shows the cache in use (console-ready.bench.ts).
      v8CacheOptions: 'bypassHeatCheck',
    },
  });
  window.once('ready-to-show', () => window.show());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(APP_ORIGIN)) event.preventDefault();
  });
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

function focusWindow(): void {
  const [window] = BrowserWindow.getAllWindows();
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

async function start(stop: AbortSignal): Promise<WiredConsole> {
  secrets = createDesktopSecretStore(join(dataDir, 'keys.json'), process.env);
  // Another process holding the database's write lock (the rollout controller, a CLI import)
  // makes the start wait, said once by a notification, instead of failing; quitting stops it.
  const wired = await openConsoleWhenFree(
    {
      dataDir,
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : resourcesDir(),
      env: process.env,
      secrets,
      // Signing keys for publishing: the private part encrypted by the OS keychain.
      keyProtector: safeStorageKeyProtector,
      mode: 'electron',
      version: app.getVersion(),
    },
    {
      present: (notice, open) => {
        if (!Notification.isSupported()) return;
        const notification = new Notification({ title: notice.title, body: notice.body });
        notification.on('click', () => {
          focusWindow();
          open?.();
        });
        notification.show();
      },
      log,
      pickBundleFile: async () => {
        const owner = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const options: Electron.OpenDialogOptions = {
          title: 'Import a run bundle',
          properties: ['openFile'],
          filters: [{ name: 'Run bundle', extensions: ['tar', 'aideon-run'] }],
        };
        const picked = owner
          ? await dialog.showOpenDialog(owner, options)
          : await dialog.showOpenDialog(options);
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
    },
    {
      say: (line) => {
        log(`start-up: ${line}`);
        if (Notification.isSupported())
          new Notification({
            title: 'Aideon Video Console is waiting',
            body: startWaitNotice,
          }).show();
      },
      signal: stop,
    },
  );

  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'notifications');
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  protocol.handle('aideon', (request) => handleAppRequest(request, join(here, '../renderer')));
  protocol.handle('aideon-media', (request) =>
    handleMediaRequest(request, wired.services.media, wired.services.posters),
  );

  const invoke = guardedDispatch(wired.dispatcher, APP_ORIGIN);
  for (const channel of INVOKE_CHANNEL_NAMES)
    ipcMain.handle(channel, (event, input: unknown) =>
      invoke(event.senderFrame?.url, channel, input),
    );
  wired.subscribeEvents((event, payload) => {
    for (const window of BrowserWindow.getAllWindows())
      if (!window.isDestroyed()) window.webContents.send(`${EVENT_PREFIX}${event}`, payload);
  });
  return wired;
}

const startWaitNotice =
  'Another Aideon process on this data folder is writing to the database. The console opens as soon as it is done.';

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

runDesktopApp(app, {
  platform: process.platform,
  start,
  windowCount: () => BrowserWindow.getAllWindows().length,
  openWindow: () => void createWindow(),
  focusWindow,
  log,
  fatal: (message) =>
    dialog.showErrorBox('Aideon Video Console could not start', `${message}\n\nData: ${dataDir}`),
});
