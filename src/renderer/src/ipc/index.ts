/** Picks the transport once at startup: the preload's API in Electron, HTTP in a browser. */
import { createBrowserTransport, takeAccessToken } from './browser-transport';
import { createClient, type Client } from './client';
import { createElectronTransport } from './electron-transport';

export type ClientSetup = { client: Client } | { client: null; problem: 'missing-token' };

let current: Client | null = null;

export function setupClient(): ClientSetup {
  if (window.aideon) {
    current = createClient(createElectronTransport(window.aideon));
    return { client: current };
  }
  const token = takeAccessToken();
  if (!token) return { client: null, problem: 'missing-token' };
  current = createClient(createBrowserTransport({ token }));
  return { client: current };
}

/** The client chosen at startup. Tests install their own with `setClient`. */
export function getClient(): Client {
  if (!current) throw new Error('The IPC client is not set up yet.');
  return current;
}

export function setClient(client: Client | null): void {
  current = client;
}
