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
import { isDatabaseBusy } from '../store/busy-retry';

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
  /**
   * The syncer's first wait before trying again when the database was busy (another process
   * held its write lock), ms; doubles up to a minute. Default 5 s.
   */
  busyRetryMs?: number;
}

export type ModelsInUseOutcome =
  | { status: 'synced'; models: ModelRef[]; events: MonitorEvent[] }
  | { status: 'kept'; reason: string; busy?: true };

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
  let events: MonitorEvent[];
  try {
    events = deps.monitor.markModelsInUse(models);
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
    // One transaction: nothing was changed. The syncer tries again shortly.
    const reason =
      'the database is busy (another Aideon process on this data folder is writing to it)';
    deps.log?.(`monitor: models in use kept as they were for now; ${reason}`);
    return { status: 'kept', reason, busy: true };
  }
  return { status: 'synced', models, events };
}

/**
 * Runs syncs one at a time; a request made while one runs is folded into one more run after it,
 * so a burst of publish events reads the store at most twice.
 */
export function modelsInUseSyncer(deps: ModelsInUseSyncDeps): {
  request(): Promise<ModelsInUseOutcome>;
  idle(): Promise<void>;
  /** Ends the retries a busy database scheduled. */
  stop(): void;
} {
  let running: Promise<ModelsInUseOutcome> | undefined;
  let queued: Promise<ModelsInUseOutcome> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let retryMs = deps.busyRetryMs ?? 5000;
  let stopped = false;
  const run = (): Promise<ModelsInUseOutcome> => {
    const promise = syncModelsInUse(deps)
      .then((outcome) => {
        // A busy database (another process's lock) is tried again later: no publish event may
        // come for a long time, and the list must not stay stale until then.
        if (outcome.status === 'kept' && outcome.busy) later();
        else retryMs = deps.busyRetryMs ?? 5000;
        return outcome;
      })
      .finally(() => {
        if (running === promise) running = undefined;
      });
    running = promise;
    return promise;
  };
  const later = (): void => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (!stopped) void request().catch(() => undefined);
    }, retryMs);
    retry.unref?.();
    retryMs = Math.min(retryMs * 2, 60_000);
  };
  const request = (): Promise<ModelsInUseOutcome> => {
    if (!running) return run();
    if (!queued)
      queued = running
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          return run();
        });
    return queued;
  };
  return {
    request,
    async idle() {
      while (running || queued) await Promise.allSettled([running, queued]);
    },
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
    },
  };
}
