/** Picks the transport once at startup: the preload's API in Electron, HTTP in a browser. */
import { createBrowserTransport, keepAccessToken, readAccessToken } from './browser-transport';
import { createClient, type Client } from './client';
import { createElectronTransport } from './electron-transport';

export type ClientSetup = { client: Client } | { client: null; problem: 'missing-token' };

let current: Client | null = null;

export function setupClient(): ClientSetup {
  if (window.aideon) {
    current = createClient(createElectronTransport(window.aideon));
    return { client: current };
  }
  const taken = readAccessToken();
  if (!taken) return { client: null, problem: 'missing-token' };
  if (taken.fromUrl) {
    pendingKeep = () => keepAccessToken(taken.token);
    // A reload or a move away before the first screen shows still keeps it.
    window.addEventListener('pagehide', keepTokenFromUrl, { once: true });
  }
  current = createClient(createBrowserTransport({ token: taken.token }));
  return { client: current };
}

let pendingKeep: (() => void) | null = null;

/**
 * Saves a token that came in the URL for reloads and takes it out of the address bar (see
 * readAccessToken); start.tsx calls it once the first screen shows. Does nothing the second time.
 */
export function keepTokenFromUrl(): void {
  const keep = pendingKeep;
  pendingKeep = null;
  keep?.();
}

/** The client chosen at startup. Tests install their own with `setClient`. */
export function getClient(): Client {
  if (!current) throw new Error('The IPC client is not set up yet.');
  return current;
}

export function setClient(client: Client | null): void {
  current = client;
}
