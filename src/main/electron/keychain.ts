/**
 * API keys in the desktop app, encrypted by the OS keychain through safeStorage and kept in a
 * file in the user-data folder. The renderer never sees them; Settings will add, replace and
 * remove keys through main-only channels (provider adapters issue).
 */
import { safeStorage } from 'electron';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ProviderId } from '../../shared/providers/video-provider-spec';
import { KEY_ENV_VARS, envSecretStore, type SecretStore } from '../secrets';

type Stored = Partial<Record<keyof typeof KEY_ENV_VARS, string>>;

export function createKeychainSecretStore(file: string) {
  const load = (): Stored =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stored) : {};
  return {
    set(provider: keyof typeof KEY_ENV_VARS, key: string): void {
      if (!safeStorage.isEncryptionAvailable())
        throw new Error(
          'The operating system keychain is not available, so the key was not saved.',
        );
      const stored = load();
      stored[provider] = safeStorage.encryptString(key).toString('base64');
      writeFileSync(`${file}.tmp`, JSON.stringify(stored), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
    remove(provider: keyof typeof KEY_ENV_VARS): void {
      const stored = load();
      delete stored[provider];
      writeFileSync(`${file}.tmp`, JSON.stringify(stored), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
    /** Keys as the environment variables the services read (in memory only). */
    asEnv(): Record<string, string> {
      if (!safeStorage.isEncryptionAvailable()) return {};
      const env: Record<string, string> = {};
      for (const [provider, encrypted] of Object.entries(load())) {
        if (!encrypted) continue;
        env[KEY_ENV_VARS[provider as keyof typeof KEY_ENV_VARS]] = safeStorage.decryptString(
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
export function createDesktopSecretStore(file: string, env: NodeJS.ProcessEnv): SecretStore {
  const keychain = createKeychainSecretStore(file);
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
