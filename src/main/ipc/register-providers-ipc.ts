import { AppError, serializeError } from '../../shared/errors';
import { PROVIDER_IDS, PROVIDER_LABELS } from '../../shared/providers/video-provider-spec';
import { BASE_URL_ENV_VARS, KEY_ENV_VARS } from '../secrets';
import type { Services } from '../services';
import type { PartialHandlerMap } from './dispatcher';

export function registerProvidersIpc(services: Services): PartialHandlerMap {
  return {
    'providers:list': () =>
      PROVIDER_IDS.map((provider) => ({
        provider,
        label: PROVIDER_LABELS[provider],
        configured: services.registry.has(provider),
        keySource: services.secrets.source(provider),
        keyEnvVar: provider === 'sandbox' ? null : KEY_ENV_VARS[provider],
        baseUrlOverridden:
          provider !== 'sandbox' && Boolean(services.options.env[BASE_URL_ENV_VARS[provider]]),
        keysEditable: provider !== 'sandbox' && typeof services.secrets.set === 'function',
        modelCount: services.registry.modelsOf(provider).length,
      })),
    'providers:test-connection': async ({ provider }) => {
      // A cheap authenticated call (the model list), never a paid generation.
      const started = Date.now();
      try {
        const models = await services.registry
          .adapter(provider)
          .listModels(AbortSignal.timeout(20000));
        return {
          ok: true,
          message: `Connected to ${PROVIDER_LABELS[provider]}: ${models.length} video models listed.`,
          latencyMs: Date.now() - started,
          modelCount: models.length,
        };
      } catch (error) {
        return {
          ok: false,
          message: serializeError(error).message,
          latencyMs: Date.now() - started,
          modelCount: null,
        };
      }
    },
    'keys:set': ({ provider, key }) => {
      if (!services.secrets.set) {
        throw new AppError(
          'forbidden',
          `Keys cannot be saved from the browser. Set ${KEY_ENV_VARS[provider]} in the environment of \`aideon serve\` and restart it.`,
        );
      }
      services.secrets.set(provider, key);
      services.reloadProviders();
      return { configured: services.registry.has(provider) };
    },
    'keys:remove': ({ provider }) => {
      if (!services.secrets.remove) {
        throw new AppError(
          'forbidden',
          `Keys come from ${KEY_ENV_VARS[provider]} in browser mode; unset it and restart \`aideon serve\`.`,
        );
      }
      services.secrets.remove(provider);
      services.reloadProviders();
      return { configured: services.registry.has(provider) };
    },
  };
}
