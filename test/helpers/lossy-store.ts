/**
 * A config store in front of a real one that loses one commit's answer (after forwarding it, or
 * instead of it) and fails the read right after it: a connection cut mid-commit while the store
 * stays unreachable for a moment.
 */
import type { ConfigStore } from '../../src/main/rollout/stores/config-store';
import { AppError } from '../../src/shared/errors';

export function lossyStore(real: ConfigStore) {
  const faults = { loseNext: undefined as 'after' | 'instead' | undefined, failReads: 0 };
  const unreachable = () =>
    new AppError('provider_unavailable', 'the store could not be reached', { retryable: true });
  const store: ConfigStore = {
    uri: real.uri,
    get: async (key) => {
      if (faults.failReads > 0) {
        faults.failReads -= 1;
        throw unreachable();
      }
      return real.get(key);
    },
    list: (prefix) => real.list(prefix),
    commit: async (writes) => {
      const lose = faults.loseNext;
      if (lose) {
        faults.loseNext = undefined;
        if (lose === 'after') await real.commit(writes);
        faults.failReads = 1;
        throw Object.assign(new Error('the connection to etcd was cut'), {
          outcomeUnknown: true,
        });
      }
      return real.commit(writes);
    },
    close: () => real.close(),
  };
  return { store, faults };
}
