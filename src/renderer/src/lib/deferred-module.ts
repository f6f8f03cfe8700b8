/**
 * A module loaded after start-up (a dialog, the palette) that, once loaded, renders at once:
 * unlike React.lazy, which suspends on every first render even when the code is already here,
 * so keys typed right after opening would be lost while it resolves.
 */
import { useSyncExternalStore } from 'react';

export interface DeferredModule<T> {
  /** Starts loading (once); resolves with the module. */
  load(): Promise<T>;
  /** The module, or null until it is loaded. */
  current(): T | null;
  subscribe(listener: () => void): () => void;
}

export function deferredModule<T>(importer: () => Promise<T>): DeferredModule<T> {
  let value: T | null = null;
  let loading: Promise<T> | null = null;
  const listeners = new Set<() => void>();
  return {
    load() {
      loading ??= importer().then(
        (module) => {
          value = module;
          for (const listener of listeners) listener();
          return module;
        },
        (error: unknown) => {
          loading = null; // a later attempt may succeed (the server was restarting)
          throw error;
        },
      );
      return loading;
    },
    current: () => value,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The module once loaded (re-renders then), else null. */
export function useDeferredModule<T>(module: DeferredModule<T>): T | null {
  return useSyncExternalStore(module.subscribe, module.current);
}
