/**
 * API keys and signing keys in the desktop app, encrypted by the OS keychain. The encryption
 * (Electron's safeStorage) is injected, so this logic is tested in Node; src/main/electron/
 * only passes safeStorage in. Key files are written through a temporary file (never half
 * written) with mode 0600. The renderer never sees a key.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import type { ProviderId } from '../../shared/providers/video-provider-spec';
import type { KeyProtector } from '../rollout/publish/keys';
import { KEY_ENV_VARS, envSecretStore, type SecretStore } from '../secrets';

/** The part of Electron's safeStorage used here. */
export interface StringEncryption {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

type Stored = Partial<Record<keyof typeof KEY_ENV_VARS, string>>;

export function createKeychainSecretStore(file: string, encryption: StringEncryption) {
  const load = (): Stored =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stored) : {};
  const save = (stored: Stored): void => {
    writeFileSync(`${file}.tmp`, JSON.stringify(stored), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  return {
    set(provider: keyof typeof KEY_ENV_VARS, key: string): void {
      if (!encryption.isEncryptionAvailable())
        throw new Error(
          'The operating system keychain is not available, so the key was not saved.',
        );
      const stored = load();
      stored[provider] = encryption.encryptString(key).toString('base64');
      save(stored);
    },
    remove(provider: keyof typeof KEY_ENV_VARS): void {
      const stored = load();
      delete stored[provider];
      save(stored);
    },
    /** Keys as the environment variables the services read (in memory only). */
    asEnv(): Record<string, string> {
      if (!encryption.isEncryptionAvailable()) return {};
      const env: Record<string, string> = {};
      for (const [provider, encrypted] of Object.entries(load())) {
        if (!encrypted) continue;
        env[KEY_ENV_VARS[provider as keyof typeof KEY_ENV_VARS]] = encryption.decryptString(
          Buffer.from(encrypted, 'base64'),
        );
      }
      return env;
    },
  };
}

/**
 * The desktop app's SecretStore: keys saved in the keychain win; otherwise the vendors'
 * environment variables still work (so a key exported in the shell is honoured).
 */
export function createDesktopSecretStore(
  file: string,
  env: NodeJS.ProcessEnv,
  encryption: StringEncryption,
): SecretStore {
  const keychain = createKeychainSecretStore(file, encryption);
  const fromEnv = envSecretStore(env);
  let saved = keychain.asEnv();
  const savedKey = (provider: ProviderId): string | undefined =>
    provider === 'sandbox' ? undefined : saved[KEY_ENV_VARS[provider]];
  return {
    get: (provider) => savedKey(provider) ?? fromEnv.get(provider),
    all: () => [...Object.values(saved), ...fromEnv.all()],
    source: (provider) =>
      savedKey(provider) !== undefined ? 'keychain' : fromEnv.source(provider),
    set(provider, key) {
      keychain.set(provider, key);
      saved = keychain.asEnv();
    },
    remove(provider) {
      keychain.remove(provider);
      saved = keychain.asEnv();
    },
  };
}

/**
 * Signing keys' protector in the desktop app: the private part encrypted by the keychain (the
 * CLI uses a passphrase instead). Bytes are base64'd because safeStorage encrypts strings.
 */
export function keychainKeyProtector(encryption: StringEncryption): KeyProtector {
  return {
    id: 'safe-storage',
    async protect(plain) {
      if (!encryption.isEncryptionAvailable()) {
        throw new AppError(
          'forbidden',
          'The operating system keychain is not available, so no signing key was created.',
        );
      }
      return encryption.encryptString(Buffer.from(plain).toString('base64'));
    },
    async unprotect(protectedBytes) {
      try {
        return Buffer.from(encryption.decryptString(Buffer.from(protectedBytes)), 'base64');
      } catch (error) {
        throw new AppError(
          'forbidden',
          'This signing key was encrypted by another user or machine and cannot be opened here.',
          { cause: error },
        );
      }
    },
  };
}
