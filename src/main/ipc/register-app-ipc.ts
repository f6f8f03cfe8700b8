import type { Services } from '../services';
import type { PartialHandlerMap } from './dispatcher';
import { listSuites } from '../bench/bench-repository';

export function registerAppIpc(services: Services): PartialHandlerMap {
  return {
    'app:get-info': () => ({
      version: services.options.version,
      mode: services.options.mode === 'electron' ? 'electron' : 'browser',
      ffmpegAvailable: services.ffmpegAvailable,
      providersWithKeys: services.registry.providers(),
    }),
    'models:list': () => services.registry.allModels(),
    'suites:list': () => listSuites(services.db),
  };
}
