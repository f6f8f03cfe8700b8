/// <reference types="vite/client" />
import type { Result } from '../../shared/ipc/result';
import type {
  ChannelInput,
  ChannelOutput,
  EventChannel,
  EventPayload,
  InvokeChannel,
} from '../../shared/ipc/contract';

/** What the sandboxed preload exposes (Electron mode only). */
export interface AideonPreloadApi {
  invoke: { [C in InvokeChannel]: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>> };
  on: { [E in EventChannel]: (listener: (payload: EventPayload<E>) => void) => () => void };
}

declare global {
  interface Window {
    /** Present only inside the Electron app; the browser build talks HTTP instead. */
    aideon?: AideonPreloadApi;
  }
}
