/**
 * API keys in the desktop app: the keychain store (src/main/app/keychain-store.ts) with
 * Electron's safeStorage as its encryption.
 */
import { safeStorage } from 'electron';
import { createDesktopSecretStore as createStore } from '../app/keychain-store';
import type { SecretStore } from '../secrets';

export function createDesktopSecretStore(file: string, env: NodeJS.ProcessEnv): SecretStore {
  return createStore(file, env, safeStorage);
}
