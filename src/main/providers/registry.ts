/**
 * The adapters the console can use, by provider id. Built in the composition root.
 */
import { AppError, NoSuchModelError } from '../../shared/errors';
import { KEY_ENV_VARS } from '../secrets';
import {
  PROVIDER_LABELS,
  type ModelInfo,
  type ModelRef,
  type ProviderId,
  type VideoProviderAdapter,
} from '../../shared/providers/video-provider-spec';

export class ProviderRegistry {
  private readonly adapters = new Map<ProviderId, VideoProviderAdapter>();
  private readonly configured = new Set<ProviderId>();

  /** `configured: false` = the model table is known but there is no key, so nothing can run. */
  register(adapter: VideoProviderAdapter, options: { configured?: boolean } = {}): void {
    this.adapters.set(adapter.provider, adapter);
    if (options.configured ?? true) this.configured.add(adapter.provider);
    else this.configured.delete(adapter.provider);
  }

  has(provider: ProviderId): boolean {
    return this.configured.has(provider);
  }

  adapter(provider: ProviderId): VideoProviderAdapter {
    const adapter = this.adapters.get(provider);
    if (!adapter || !this.configured.has(provider)) {
      throw new AppError(
        'unsupported_model',
        provider === 'sandbox'
          ? 'The sandbox provider is not available.'
          : `${PROVIDER_LABELS[provider]} has no API key. Add it in Settings, or set ${KEY_ENV_VARS[provider]} for the CLI and browser mode.`,
      );
    }
    return adapter;
  }

  resolve(ref: ModelRef): { adapter: VideoProviderAdapter; model: ModelInfo } {
    const adapter = this.adapter(ref.provider);
    const model = adapter.model(ref.modelId);
    if (model.lifecycle === 'retired') {
      throw new NoSuchModelError(ref.provider, `${ref.modelId} (retired)`);
    }
    return { adapter, model };
  }

  /** The model table of a provider, with or without a key. */
  modelsOf(provider: ProviderId): ModelInfo[] {
    return this.adapters.get(provider)?.models() ?? [];
  }

  allModels(): ModelInfo[] {
    return [...this.adapters.values()].flatMap((adapter) => adapter.models());
  }

  /** Providers that can run generations (sandbox, and vendors with a key). */
  providers(): ProviderId[] {
    return [...this.configured];
  }
}
