/**
 * The Electron entry. Kept thin: it builds the same services as browser mode and the CLI,
 * wires ipcMain to the contract's dispatcher (checking the sender), serves the renderer and
 * media over privileged custom protocols, and locks the window down.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EVENT_CHANNEL_NAMES,
  EVENT_PREFIX,
  INVOKE_CHANNEL_NAMES,
} from '../../shared/ipc/channel-names';
import { createAppDispatcher } from '../ipc/index';
import { resourcesDir } from '../paths';
import { CONTENT_SECURITY_POLICY } from '../serve/browser-server';
import { createServices, type Services } from '../services';
import { APP_ORIGIN, handleAppRequest, handleMediaRequest } from './protocols';
import { createDesktopSecretStore } from './keychain';
import { safeStorageKeyProtector } from './key-protector';
import { notify } from './notifications';
import type { EventPayload } from '../../shared/ipc/contract';
import { PROVIDER_LABELS } from '../../shared/providers/video-provider-spec';

protocol.registerSchemesAsPrivileged([
  { scheme: 'aideon', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  {
    scheme: 'aideon-media',
    privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
  },
]);

let services: Services | undefined;
const here = dirname(fileURLToPath(import.meta.url));

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  try {
    return new URL(url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

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

async function start(): Promise<void> {
  await app.whenReady();
  const dataDir = app.getPath('userData');
  services = createServices({
    dataDir,
    resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : resourcesDir(),
    env: process.env,
    secrets: createDesktopSecretStore(join(dataDir, 'keys.json'), process.env),
    // Signing keys for publishing: the private part encrypted by the OS keychain.
    keyProtector: safeStorageKeyProtector,
    notifier: {
      notify: (event) =>
        notify(
          event.kind === 'added'
            ? `New video model on ${PROVIDER_LABELS[event.provider]}`
            : `A model your config uses is being retired (${PROVIDER_LABELS[event.provider]})`,
          `${event.displayName} · ${event.modelId}\n${event.priceText ?? 'Price not published yet'}`,
          () => {
            const [window] = BrowserWindow.getAllWindows();
            window?.show();
            window?.focus();
            const open: EventPayload<'monitor:model-open-requested'> = {
              provider: event.provider,
              modelId: event.modelId,
            };
            window?.webContents.send(`${EVENT_PREFIX}monitor:model-open-requested`, open);
          },
        ),
    },
    mode: 'electron',
    version: app.getVersion(),
  });
  const current = services;
  const dispatcher = createAppDispatcher(current);

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
  protocol.handle('aideon-media', (request) => handleMediaRequest(request, current.media));

  for (const channel of INVOKE_CHANNEL_NAMES) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isTrustedSender(event)) {
        return {
          ok: false,
          error: {
            code: 'forbidden',
            message: 'This window may not call the console.',
            retryable: false,
          },
        };
      }
      return dispatcher.dispatch(channel, input);
    });
  }

  const window = createWindow();
  current.bus.onAny((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(`${EVENT_PREFIX}${event}`, payload);
  }, EVENT_CHANNEL_NAMES);
  current.bus.on('watch:guard-breached', (breach) =>
    notify(
      'Rollout guard breached',
      String(
        (breach as { message?: unknown }).message ??
          'A production guard failed; the rollout is paused.',
      ),
    ),
  );
  current.monitor.start();
  // Due rollout steps go out on their bake time; running steps are watched again.
  current.publishing.start();
  const resumed = current.bench.resumeAll();
  current.bench.followOtherProcesses();
  if (resumed.length > 0)
    notify(
      'Benchmarks resumed',
      `${resumed.length} unfinished run(s) picked up where they stopped.`,
    );
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', () => {
  void services?.close();
});

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

void start();
