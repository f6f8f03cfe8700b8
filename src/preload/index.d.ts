import type { Result } from '../shared/ipc/result';

/** What the preload exposes as `window.aideon` in the desktop app. */
export interface AideonBridge {
  invoke: Readonly<Record<string, (input: unknown) => Promise<Result<unknown>>>>;
  on: Readonly<Record<string, (listener: (payload: unknown) => void) => () => void>>;
}
