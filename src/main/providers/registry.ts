/**
 * The adapters the console can use, by provider id. Built in the composition root.
 *
 * Prices an admin entered (model_prices) are applied here: `resolve`, `allModels` and
 * `estimateCost` give the entered price in place of the built-in table's, so the plan, the
 * budget checks, starting a run and the Models screen all use it. `modelsOf` stays the built-in
 * table (the release monitor compares the vendors' catalogues with it, not with what an admin
 * typed).
 */
import { AppError, NoSuchModelError } from '../../shared/errors';
import { addKeyAdvice } from '../secrets';
import { adminPricing, type StoredModelPrice } from '../../shared/providers/model-price';
import {
  PROVIDER_LABELS,
  type CostEstimate,
  type GenerationRequest,
  type ModelInfo,
  type ModelRef,
  type ProviderId,
  type VideoProviderAdapter,
} from '../../shared/providers/video-provider-spec';
import { estimateFromPricing } from './capabilities';

/** The admin-entered prices, keyed `provider:modelId` (read afresh on each call). */
export type PriceSource = () => ReadonlyMap<string, StoredModelPrice>;

export class ProviderRegistry {
  private readonly adapters = new Map<ProviderId, VideoProviderAdapter>();
  private readonly configured = new Set<ProviderId>();
  private prices: PriceSource = () => new Map();

  /** Where admin-entered prices come from (the composition root passes SQLite's). */
  usePrices(source: PriceSource): void {
    this.prices = source;
  }

  /** The model with its admin-entered price, if any, in place of the table's. */
  private priced(model: ModelInfo, prices = this.prices()): ModelInfo {
    const stored = prices.get(`${model.provider}:${model.modelId}`);
    if (!stored || model.simulated) return model;
    return { ...model, pricing: adminPricing(stored, model.capabilities, model.pricing) };
  }

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
          : `${PROVIDER_LABELS[provider]} has no API key: ${addKeyAdvice(provider)}.`,
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
    return { adapter, model: this.priced(model) };
  }

  /**
   * A model the provider's adapter knows (its table, or an id it accepts such as Replicate's
   * version-pinned community models), with or without a key, with its admin-entered price.
   * Throws NoSuchModelError for an id it does not know.
   */
  lookup(ref: ModelRef): ModelInfo {
    const adapter = this.adapters.get(ref.provider);
    if (!adapter) throw new NoSuchModelError(ref.provider, ref.modelId);
    return this.priced(adapter.model(ref.modelId));
  }

  /**
   * What one request costs by the model's price: the admin-entered one where there is one,
   * else the adapter's own estimate. With an entered price, audio the request leaves to the
   * model's default is counted when the model can make audio (an upper bound, so the budget
   * holds whatever the vendor's default is).
   */
  estimateCost(
    adapter: VideoProviderAdapter,
    model: ModelInfo,
    request: GenerationRequest,
  ): CostEstimate {
    if (!model.pricing.entered) return adapter.estimateCost(request);
    return estimateFromPricing(model.pricing, model.capabilities, {
      ...request,
      audio: request.audio ?? model.capabilities.audio,
    });
  }

  /** The built-in model table of a provider, with or without a key (no admin-entered prices). */
  modelsOf(provider: ProviderId): ModelInfo[] {
    return this.adapters.get(provider)?.models() ?? [];
  }

  /**
   * Every provider's models, with admin-entered prices in place of the tables'; a model an
   * admin priced that is not in its provider's table (a Replicate community model pinned to a
   * version: the adapter accepts it, its table does not list it) is listed too, so it has a row
   * on the Models screen and can be picked for a benchmark.
   */
  allModels(): ModelInfo[] {
    const prices = this.prices();
    const listed = [...this.adapters.values()].flatMap((adapter) =>
      adapter.models().map((model) => this.priced(model, prices)),
    );
    const seen = new Set(listed.map((model) => `${model.provider}:${model.modelId}`));
    for (const [key, stored] of prices) {
      if (seen.has(key)) continue;
      const adapter = this.adapters.get(stored.provider as ProviderId);
      if (!adapter) continue;
      let model: ModelInfo;
      try {
        model = adapter.model(stored.modelId);
      } catch (error) {
        // A price kept for an id the adapter no longer accepts: nothing to list.
        if (error instanceof NoSuchModelError) continue;
        throw error;
      }
      if (model.lifecycle === 'retired' || seen.has(`${model.provider}:${model.modelId}`)) continue;
      seen.add(`${model.provider}:${model.modelId}`);
      listed.push(this.priced(model, prices));
    }
    return listed;
  }

  /** Providers that can run generations (sandbox, and vendors with a key). */
  providers(): ProviderId[] {
    return [...this.configured];
  }
}
