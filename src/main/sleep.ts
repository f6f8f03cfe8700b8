/**
 * The one abortable wait of the main process. `timers` lets a service with injected timers (the
 * release monitor's tests drive its clock) wait on them instead of Node's.
 */
export interface SleepTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers. */
export const nodeTimers: SleepTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  timers: SleepTimers = nodeTimers,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
