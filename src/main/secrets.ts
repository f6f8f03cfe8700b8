/**
 * API keys. The desktop app keeps them in the OS keychain (safeStorage, see src/main/electron);
 * the CLI and browser mode read the vendors' usual environment variables. A key is only ever
 * handed to the adapter that needs it; it never reaches the renderer, a log, SQLite or an error.
 */
import type { ProviderId } from '../shared/providers/video-provider-spec';

export const KEY_ENV_VARS: Record<Exclude<ProviderId, 'sandbox'>, string> = {
  together: 'TOGETHER_API_KEY',
  runway: 'RUNWAYML_API_SECRET',
  replicate: 'REPLICATE_API_TOKEN',
  gemini: 'GEMINI_API_KEY',
  fal: 'FAL_KEY',
  luma: 'LUMAAI_API_KEY',
};

/**
 * Where a missing key goes, for any message that says one is missing: the desktop app's
 * Settings, or the environment variable the CLI and browser mode read.
 */
export function addKeyAdvice(provider: ProviderId): string {
  if (provider === 'sandbox') return 'the sandbox needs none';
  return `add it in Settings, or set ${KEY_ENV_VARS[provider]} for the CLI and browser mode`;
}

export const BASE_URL_ENV_VARS: Record<Exclude<ProviderId, 'sandbox'>, string> = {
  together: 'AIDEON_TOGETHER_BASE_URL',
  runway: 'AIDEON_RUNWAY_BASE_URL',
  replicate: 'AIDEON_REPLICATE_BASE_URL',
  gemini: 'AIDEON_GEMINI_BASE_URL',
  fal: 'AIDEON_FAL_BASE_URL',
  luma: 'AIDEON_LUMA_BASE_URL',
};

export interface SecretStore {
  get(provider: ProviderId): string | undefined;
  /** Every key known, for scrubbing messages. */
  all(): string[];
  /** Where a provider's key comes from. */
  source(provider: ProviderId): 'keychain' | 'environment' | 'none' | 'not_needed';
  /** Present only where keys can be saved (the desktop app's keychain). */
  set?(provider: Exclude<ProviderId, 'sandbox'>, key: string): void;
  remove?(provider: Exclude<ProviderId, 'sandbox'>): void;
}

export function envSecretStore(env: NodeJS.ProcessEnv): SecretStore {
  return {
    get(provider) {
      if (provider === 'sandbox') return undefined;
      const value = env[KEY_ENV_VARS[provider]];
      return value && value.trim() ? value.trim() : undefined;
    },
    all() {
      return Object.values(KEY_ENV_VARS)
        .map((name) => env[name]?.trim())
        .filter((value): value is string => Boolean(value));
    },
    source(provider) {
      if (provider === 'sandbox') return 'not_needed';
      return this.get(provider) === undefined ? 'none' : 'environment';
    },
  };
}
