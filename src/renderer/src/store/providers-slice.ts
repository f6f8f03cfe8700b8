import type { StateCreator } from 'zustand';
import type { ProviderStatus } from '../../../shared/ipc/contract';
import type { LoadStatus } from './bench-slice';
import type { AppState } from './store';

/** What the last "Test connection" of a provider said. */
export type ConnectionTest =
  { kind: 'testing' } | { kind: 'done'; ok: boolean; message: string; latencyMs: number };

/**
 * Provider statuses from `providers:list`. Holds where keys come from, never a key: typed keys
 * live only in the dialog's input until they are sent.
 */
export interface ProvidersSlice {
  providers: ProviderStatus[];
  providersStatus: LoadStatus;
  connectionTests: Partial<Record<ProviderStatus['provider'], ConnectionTest>>;
}

export const createProvidersSlice: StateCreator<AppState, [], [], ProvidersSlice> = () => ({
  providers: [],
  providersStatus: { kind: 'idle' },
  connectionTests: {},
});

/** Whether a provider's models can run: the sandbox always, others with a key. */
export function providerReady(
  providers: readonly ProviderStatus[],
  providersWithKeys: readonly string[] | undefined,
  provider: string,
): boolean {
  if (provider === 'sandbox') return true;
  const status = providers.find((entry) => entry.provider === provider);
  if (status) return status.configured;
  return providersWithKeys?.includes(provider) ?? false;
}
