/**
 * The adapters the console can use, by provider id. Built in the composition root.
 */
import { AppError, NoSuchModelError } from '../../shared/errors';
import {
  PROVIDER_LABELS,
  type ModelInfo,
  type ModelRef,
  type ProviderId,
  type VideoProviderAdapter,
} from '../../shared/providers/video-provider-spec';

export class ProviderRegistry {
  private readonly adapters = new Map<ProviderId, VideoProviderAdapter>();

  register(adapter: VideoProviderAdapter): void {
    this.adapters.set(adapter.provider, adapter);
  }

  has(provider: ProviderId): boolean {
    return this.adapters.has(provider);
  }

  adapter(provider: ProviderId): VideoProviderAdapter {
    const adapter = this.adapters.get(provider);
    if (!adapter) {
      throw new AppError(
        'unsupported_model',
        `${PROVIDER_LABELS[provider]} is not set up in this console. Add its API key in Settings (or its environment variable for the CLI).`,
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

  allModels(): ModelInfo[] {
    return [...this.adapters.values()].flatMap((adapter) => adapter.models());
  }

  providers(): ProviderId[] {
    return [...this.adapters.keys()];
  }
}
