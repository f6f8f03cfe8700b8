/**
 * Per-key throttle, leading and trailing: the first call runs at once, calls during the next
 * `intervalMs` collapse into one trailing call. A burst of events thus costs at most two fetches.
 */
export interface KeyedThrottle<K> {
  (key: K): void;
  cancelAll(): void;
}

export function createKeyedThrottle<K>(
  run: (key: K) => void,
  intervalMs: number,
): KeyedThrottle<K> {
  const entries = new Map<K, { timer: ReturnType<typeof setTimeout>; pending: boolean }>();
  const schedule = (key: K): void => {
    const timer = setTimeout(() => {
      const entry = entries.get(key);
      entries.delete(key);
      if (entry?.pending) {
        run(key);
        schedule(key);
        const next = entries.get(key);
        if (next) next.pending = false;
      }
    }, intervalMs);
    entries.set(key, { timer, pending: false });
  };
  const throttled = ((key: K) => {
    const entry = entries.get(key);
    if (entry) {
      entry.pending = true;
      return;
    }
    run(key);
    schedule(key);
  }) as KeyedThrottle<K>;
  throttled.cancelAll = () => {
    for (const entry of entries.values()) clearTimeout(entry.timer);
    entries.clear();
  };
  return throttled;
}
