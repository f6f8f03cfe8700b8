/**
 * Which models the published routing configs use, fed to the release monitor so that "a model
 * your config uses is being retired" fires. The models in use are every target of every tier of
 * the config live in dev, staging and production (a model being tried in dev is in use too).
 *
 * A store that cannot be read, or an environment whose bundle is refused, leaves the monitor's
 * list as it was: a smaller list read from a broken store would silently stop the warnings.
 */
import type { PublishedConfig } from '../../shared/rollout/publish-ipc-schemas';
import { providerIdSchema, type ModelRef } from '../../shared/providers/video-provider-spec';
import type { MonitorEvent } from '../../shared/monitor/monitor-schemas';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every `provider`/`model` target of every tier of the configs, once each. */
export function modelsRoutedBy(configs: readonly unknown[]): ModelRef[] {
  const out = new Map<string, ModelRef>();
  for (const config of configs) {
    if (!isObject(config) || !isObject(config.tiers)) continue;
    for (const tier of Object.values(config.tiers)) {
      if (!isObject(tier) || !Array.isArray(tier.targets)) continue;
      for (const target of tier.targets) {
        if (!isObject(target) || typeof target.model !== 'string' || target.model === '') continue;
        const provider = providerIdSchema.safeParse(target.provider);
        if (!provider.success) continue;
        out.set(`${provider.data}\u0000${target.model.toLowerCase()}`, {
          provider: provider.data,
          modelId: target.model,
        });
      }
    }
  }
  return [...out.values()];
}

export interface ModelsInUseSyncDeps {
  /** The config live in each environment (PublishingService.publishedConfigs). */
  publishedConfigs: () => Promise<PublishedConfig[]>;
  monitor: { markModelsInUse(refs: ModelRef[]): MonitorEvent[] };
  log?: (line: string) => void;
}

export type ModelsInUseOutcome =
  | { status: 'synced'; models: ModelRef[]; events: MonitorEvent[] }
  | { status: 'kept'; reason: string };

/** Reads the live configs and hands their models to the monitor (see the file comment). */
export async function syncModelsInUse(deps: ModelsInUseSyncDeps): Promise<ModelsInUseOutcome> {
  let published: PublishedConfig[];
  try {
    published = await deps.publishedConfigs();
  } catch (error) {
    const reason = `the published configs could not be read: ${error instanceof Error ? error.message : String(error)}`;
    deps.log?.(`monitor: models in use kept as they were; ${reason}`);
    return { status: 'kept', reason };
  }
  const broken = published.filter((entry) => entry.problem !== null);
  if (broken.length > 0) {
    const reason = broken.map((entry) => `${entry.environment}: ${entry.problem}`).join('; ');
    deps.log?.(`monitor: models in use kept as they were; ${reason}`);
    return { status: 'kept', reason };
  }
  const models = modelsRoutedBy(published.map((entry) => entry.live?.config));
  const events = deps.monitor.markModelsInUse(models);
  return { status: 'synced', models, events };
}

/**
 * Runs syncs one at a time; a request made while one runs is folded into one more run after it,
 * so a burst of publish events reads the store at most twice.
 */
export function modelsInUseSyncer(deps: ModelsInUseSyncDeps): {
  request(): Promise<ModelsInUseOutcome>;
  idle(): Promise<void>;
} {
  let running: Promise<ModelsInUseOutcome> | undefined;
  let queued: Promise<ModelsInUseOutcome> | undefined;
  const run = (): Promise<ModelsInUseOutcome> => {
    const promise = syncModelsInUse(deps).finally(() => {
      if (running === promise) running = undefined;
    });
    running = promise;
    return promise;
  };
  return {
    request() {
      if (!running) return run();
      if (!queued)
        queued = running
          .catch(() => undefined)
          .then(() => {
            queued = undefined;
            return run();
          });
      return queued;
    },
    async idle() {
      while (running || queued) await Promise.allSettled([running, queued]);
    },
  };
}
