/**
 * Handlers for the proposed monitor channels (schemas in src/shared/monitor/monitor-schemas.ts).
 * Once the channels are in the contract, `...monitorIpcHandlers(services.monitor)` goes into
 * the handler map; inputs arrive already parsed by the dispatcher.
 */
import type {
  MonitorChannelInput,
  MonitorChannelOutput,
  MonitorInvokeChannel,
} from '../../shared/monitor/monitor-schemas';
import type { MonitorService } from './monitor-service';

export type MonitorHandlers = {
  [C in MonitorInvokeChannel]: (
    input: MonitorChannelInput<C>,
  ) => Promise<MonitorChannelOutput<C>> | MonitorChannelOutput<C>;
};

export function monitorIpcHandlers(monitor: MonitorService): MonitorHandlers {
  return {
    'monitor:get-status': () => monitor.getStatus(),
    'monitor:simulate-release': () => monitor.simulateRelease(),
    'monitor:check-now': async ({ provider }) => ({
      checks: await monitor.checkNow({ provider }, 'manual'),
    }),
    'monitor:list-inbox': ({ unreadOnly, limit }) => monitor.listInbox({ unreadOnly, limit }),
    'monitor:mark-read': ({ ids }) => monitor.markRead(ids),
    'monitor:get-board': () => ({ cards: monitor.board.list() }),
    'monitor:advance-card': ({ cardId, evidence }) => monitor.board.advance({ cardId, evidence }),
    'monitor:update-settings': (patch) => monitor.updateSettings(stripUndefined(patch)),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== undefined),
  ) as Partial<T>;
}
