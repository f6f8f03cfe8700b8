import type { Services } from '../services';
import {
  createDispatcher,
  type DispatchBusyRetry,
  type Dispatcher,
  type HandlerMap,
} from './dispatcher';
import { registerAppIpc } from './register-app-ipc';
import { registerBootstrapIpc } from './register-bootstrap-ipc';
import { registerBenchIpc, type BenchHost } from './register-bench-ipc';
import { registerProvidersIpc } from './register-providers-ipc';
import { registerReviewIpc } from './register-review-ipc';
import { registerWatchIpc } from './register-watch-ipc';
import { registerRoutingIpc } from '../rollout/routing/routing-ipc';
import { registerPublishIpc } from '../rollout/publish/publishing-ipc';
import { invokeChannels } from '../../shared/ipc/contract';
import { monitorIpcHandlers } from '../monitor/monitor-ipc';

/** Every feature's handlers, checked to cover the whole contract. */
export function createAppDispatcher(
  services: Services,
  options: { checkOutputs?: boolean; host?: BenchHost; busyRetry?: DispatchBusyRetry } = {},
): Dispatcher {
  const handlers = {
    ...registerAppIpc(services),
    ...registerBenchIpc(services, options.host),
    ...registerProvidersIpc(services),
    ...registerReviewIpc(services),
    ...registerWatchIpc(services),
    ...registerRoutingIpc(services.routing),
    ...registerPublishIpc(services.publishing),
    ...monitorIpcHandlers(services.monitor),
  };
  Object.assign(handlers, registerBootstrapIpc(handlers));
  const missing = Object.keys(invokeChannels).filter((channel) => !(channel in handlers));
  if (missing.length > 0) throw new Error(`No handler for channels: ${missing.join(', ')}`);
  return createDispatcher(handlers as HandlerMap, {
    ...(options.checkOutputs === undefined ? {} : { checkOutputs: options.checkOutputs }),
    log: services.options.log ?? (() => undefined),
    ...(options.busyRetry ? { busyRetry: options.busyRetry } : {}),
  });
}
