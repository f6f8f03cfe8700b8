import type { Services } from '../services';
import type { PartialHandlerMap } from './dispatcher';
import { listSuites } from '../bench/bench-repository';
import {
  exportSuite,
  getSuiteOrThrow,
  importSuite,
  saveSuite,
  suiteVersions,
} from '../bench/suite-service';

export function registerAppIpc(services: Services): PartialHandlerMap {
  return {
    'app:get-info': async () => ({
      version: services.options.version,
      mode: services.options.mode === 'electron' ? 'electron' : 'browser',
      ffmpegAvailable: await services.ffmpegAvailable(),
      providersWithKeys: services.registry.providers(),
    }),
    'models:list': () => services.registry.allModels(),
    'models:set-price': ({ provider, modelId, price }) =>
      services.prices.set({ provider, modelId }, price),
    'models:clear-price': ({ provider, modelId }) => services.prices.clear({ provider, modelId }),
    'models:price-history': ({ provider, modelId }) =>
      services.prices.history({ provider, modelId }),
    'suites:list': () => listSuites(services.db),
    'suites:get': ({ suiteId, version }) => {
      const suite = getSuiteOrThrow(services.db, suiteId, version);
      return { ...suite, versions: suiteVersions(services.db, suiteId) };
    },
    'suites:save': ({ suiteId, definition }) =>
      saveSuite(services.db, suiteId, definition, Date.now()),
    'suites:import': ({ fileName, text }) => importSuite(services.db, fileName, text, Date.now()),
    'suites:export': ({ suiteId, version, format }) =>
      exportSuite(services.db, suiteId, version, format),
  };
}
