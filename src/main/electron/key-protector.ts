/**
 * Signing keys in the desktop app: the keychain protector (src/main/app/keychain-store.ts)
 * with Electron's safeStorage as its encryption.
 */
import { safeStorage } from 'electron';
import { keychainKeyProtector } from '../app/keychain-store';
import type { KeyProtector } from '../rollout/publish/keys';

export const safeStorageKeyProtector: KeyProtector = keychainKeyProtector(safeStorage);
