/**
 * Builds the monitor for the composition root (src/main/services.ts) from the same
 * collaborators the other services get.
 */
import type { Dispatcher } from 'undici';
import type { ModelLifecycle, ModelRef } from '../../shared/providers/video-provider-spec';
import type { ProviderRegistry } from '../providers/registry';
import type { SecretStore } from '../secrets';
import type { WritableDb } from '../store/db';
import { createMonitorSources } from './catalogue-sources';
import { MonitorService, type MonitorServiceDeps } from './monitor-service';

export { MonitorService } from './monitor-service';
export type { Notifier, DetectedModel, MonitorTimers, UnavailableModel } from './monitor-service';
export { monitorCheck, monitorWatch, formatCheckLine } from './monitor-cli';
export { monitorIpcHandlers } from './monitor-ipc';
export { databaseEvidenceSources, MIN_RANKING_VOTES } from './evidence-checks';

export interface CreateMonitorDeps {
  db: WritableDb;
  registry: ProviderRegistry;
  secrets: SecretStore;
  env: NodeJS.ProcessEnv;
  dispatcher: Dispatcher;
  now: () => number;
  log?: (line: string) => void;
  notifier?: MonitorServiceDeps['notifier'];
  emit?: MonitorServiceDeps['emit'];
  onDetected?: MonitorServiceDeps['onDetected'];
  evidence?: MonitorServiceDeps['evidence'];
  busyPatienceMs?: number;
}

export function createMonitor(deps: CreateMonitorDeps): MonitorService {
  const tableLifecycle = (ref: ModelRef): ModelLifecycle | undefined =>
    deps.registry
      .modelsOf(ref.provider)
      .find((model) => model.modelId.toLowerCase() === ref.modelId.toLowerCase())?.lifecycle;
  return new MonitorService({
    db: deps.db,
    sources: createMonitorSources(deps),
    now: deps.now,
    tableLifecycle,
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    ...(deps.emit ? { emit: deps.emit } : {}),
    ...(deps.onDetected ? { onDetected: deps.onDetected } : {}),
    ...(deps.evidence ? { evidence: deps.evidence } : {}),
    ...(deps.busyPatienceMs === undefined ? {} : { busyPatienceMs: deps.busyPatienceMs }),
  });
}
