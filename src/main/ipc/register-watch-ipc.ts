import type { Services } from '../services';
import type { PartialHandlerMap } from './dispatcher';

export function registerWatchIpc(services: Services): PartialHandlerMap {
  return {
    'watch:get-settings': () => services.watch.getSettings(),
    'watch:save-settings': ({ settings }) => services.watch.saveSettings(settings),
    'watch:check-now': ({ env }) => services.watch.checkNow(env),
    'watch:get-series': (input) => services.watch.getSeries(input),
    'watch:get-stability': (input) => services.watch.getStability(input),
    'watch:get-budgets': ({ env }) => services.watch.getBudgets(env),
  };
}
