/**
 * Builds the adapters for every vendor. All are registered so their model tables (capabilities,
 * prices) are visible without a key; only those with a key configured can run generations.
 */
import type { Dispatcher } from 'undici';
import type { ProviderId, VideoProviderAdapter } from '../../shared/providers/video-provider-spec';
import { BASE_URL_ENV_VARS, type SecretStore } from '../secrets';
import type { ProviderRegistry } from './registry';
import { createFalAdapter } from './fal/fal-video-adapter';
import { createGeminiAdapter } from './gemini/gemini-video-adapter';
import { createLumaAdapter } from './luma/luma-video-adapter';
import { createReplicateAdapter } from './replicate/replicate-video-adapter';
import { createRunwayAdapter } from './runway/runway-video-adapter';
import { createTogetherAdapter } from './together/together-video-adapter';

export interface VendorAdapterDeps {
  env: NodeJS.ProcessEnv;
  secrets: SecretStore;
  dispatcher: Dispatcher;
  now: () => number;
}

type Factory = (settings: {
  apiKey: string;
  baseUrl?: string;
  dispatcher: Dispatcher;
  now?: () => number;
}) => VideoProviderAdapter;

const FACTORIES: Required<Record<Exclude<ProviderId, 'sandbox'>, Factory>> = {
  together: createTogetherAdapter,
  runway: createRunwayAdapter,
  replicate: createReplicateAdapter,
  gemini: createGeminiAdapter,
  fal: createFalAdapter,
  luma: createLumaAdapter,
};

export function registerVendorAdapters(registry: ProviderRegistry, deps: VendorAdapterDeps): void {
  for (const [provider, factory] of Object.entries(FACTORIES) as [
    Exclude<ProviderId, 'sandbox'>,
    Factory,
  ][]) {
    const apiKey = deps.secrets.get(provider);
    const baseUrl = deps.env[BASE_URL_ENV_VARS[provider]]?.trim();
    const adapter = factory({
      apiKey: apiKey ?? '',
      ...(baseUrl ? { baseUrl } : {}),
      dispatcher: deps.dispatcher,
      now: deps.now,
    });
    registry.register(adapter, { configured: apiKey !== undefined });
  }
}
