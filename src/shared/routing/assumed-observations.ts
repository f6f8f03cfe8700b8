/**
 * The simulator's figures for every model of a config when the admin chooses assumed figures
 * instead of benchmark evidence (the console's Simulate panel, `aideon config simulate
 * --assume`): one success rate and one pair of latencies for all, each model at its listed
 * price.
 */

/** Figures the simulator assumes for a model when the admin chooses assumed figures. */
export interface AssumedFigures {
  successRate: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
}

/** The UI's and the CLI's starting figures: 95% success, p50 60 s, p95 150 s. */
export const DEFAULT_ASSUMED_FIGURES: AssumedFigures = {
  successRate: 0.95,
  p50LatencyMs: 60_000,
  p95LatencyMs: 150_000,
};

interface PricedModel {
  provider: string;
  modelId: string;
  pricing: { usdPerSecond?: number | undefined; usdPerClip?: number | undefined };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One observation per `provider:model` of the given configs: the assumed success rate and
 * latencies, and the model's listed price (0 when the model is not listed).
 */
export function assumedObservations(
  configs: readonly unknown[],
  models: readonly PricedModel[],
  figures: AssumedFigures,
): Record<string, AssumedFigures & { usdPerClip: number; usdPerSecond: number }> {
  const out: Record<string, AssumedFigures & { usdPerClip: number; usdPerSecond: number }> = {};
  for (const config of configs) {
    const tiers = isObject(config) ? config.tiers : undefined;
    if (!isObject(tiers)) continue;
    for (const tier of Object.values(tiers)) {
      const targets = isObject(tier) && Array.isArray(tier.targets) ? tier.targets : [];
      for (const target of targets) {
        if (!isObject(target)) continue;
        const key = `${String(target.provider)}:${String(target.model)}`;
        const model = models.find((m) => `${m.provider}:${m.modelId}` === key);
        out[key] = {
          ...figures,
          usdPerClip: model?.pricing.usdPerClip ?? 0,
          usdPerSecond: model?.pricing.usdPerSecond ?? 0,
        };
      }
    }
  }
  return out;
}
