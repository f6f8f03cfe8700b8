/**
 * Module-level actions: IPC calls and event listeners update the store without hooks.
 * SQLite (through the channels) is the source of truth; events patch the cache at once for
 * live progress and schedule a throttled refetch of what they touched.
 */
import type { GenerationRecord, RunSummary } from '../../../shared/domain';
import type { ChannelInput, ChannelOutput } from '../../../shared/ipc/contract';
import { describeError, type Client } from '../ipc/client';
import { getClient } from '../ipc';
import { createKeyedThrottle, type KeyedThrottle } from '../lib/throttle';
import { PROVIDER_LABELS, type ProviderId } from '../../../shared/providers/provider-ids';
import type { ConnectionTest } from './providers-slice';
import { useAppStore } from './store';

const REFETCH_INTERVAL_MS = 600;

export type VendorId = Exclude<ProviderId, 'sandbox'>;

export function notifyError(title: string, error: unknown): void {
  useAppStore.getState().pushToast({ title, description: describeError(error), tone: 'error' });
}

export function notify(
  title: string,
  description?: string,
  tone: 'info' | 'success' = 'info',
): void {
  useAppStore
    .getState()
    .pushToast(description === undefined ? { title, tone } : { title, description, tone });
}

export async function loadAppInfo(): Promise<void> {
  try {
    const appInfo = await getClient().invoke('app:get-info', {});
    useAppStore.setState({ appInfo });
  } catch {
    // The version line is optional; everything else still works.
  }
}

export async function loadModels(): Promise<void> {
  useAppStore.setState({ modelsStatus: { kind: 'loading' } });
  try {
    const models = await getClient().invoke('models:list', {});
    useAppStore.setState({ models, modelsStatus: { kind: 'loaded' } });
  } catch (error) {
    useAppStore.setState({ modelsStatus: { kind: 'error', message: describeError(error) } });
  }
}

/**
 * Entered prices changed (this window, another window, or `aideon models price set`): the list
 * is read again without showing it as loading; a failed read keeps what is shown.
 */
export async function refreshModels(): Promise<void> {
  try {
    const models = await getClient().invoke('models:list', {});
    useAppStore.setState({ models, modelsStatus: { kind: 'loaded' } });
  } catch {
    // The next change, or the next connection, reads it again.
  }
}

export async function loadSuites(): Promise<void> {
  useAppStore.setState({ suitesStatus: { kind: 'loading' } });
  try {
    const suites = await getClient().invoke('suites:list', {});
    useAppStore.setState({ suites, suitesStatus: { kind: 'loaded' } });
  } catch (error) {
    useAppStore.setState({ suitesStatus: { kind: 'error', message: describeError(error) } });
  }
}

export async function loadRuns(): Promise<void> {
  const { runsStatus } = useAppStore.getState();
  if (runsStatus.kind !== 'loaded') useAppStore.setState({ runsStatus: { kind: 'loading' } });
  try {
    const runs = await getClient().invoke('bench:list-runs', {});
    useAppStore.setState({
      runs: [...runs].sort((a, b) => b.createdAt - a.createdAt),
      runsStatus: { kind: 'loaded' },
    });
  } catch (error) {
    useAppStore.setState({ runsStatus: { kind: 'error', message: describeError(error) } });
  }
}

export async function loadRun(runId: string): Promise<void> {
  const state = useAppStore.getState();
  if (!state.runDetails[runId]) {
    useAppStore.setState({ runStatus: { ...state.runStatus, [runId]: { kind: 'loading' } } });
  }
  try {
    const detail = await getClient().invoke('bench:get-run', { runId });
    useAppStore.setState((current) => ({
      runDetails: { ...current.runDetails, [runId]: detail },
      runStatus: { ...current.runStatus, [runId]: { kind: 'loaded' } },
    }));
  } catch (error) {
    useAppStore.setState((current) => ({
      runStatus: {
        ...current.runStatus,
        [runId]: { kind: 'error', message: describeError(error) },
      },
    }));
  }
}

export async function loadProviders(): Promise<void> {
  const { providersStatus } = useAppStore.getState();
  if (providersStatus.kind !== 'loaded')
    useAppStore.setState({ providersStatus: { kind: 'loading' } });
  try {
    const providers = await getClient().invoke('providers:list', {});
    useAppStore.setState({ providers, providersStatus: { kind: 'loaded' } });
  } catch (error) {
    useAppStore.setState({ providersStatus: { kind: 'error', message: describeError(error) } });
  }
}

export async function testConnection(provider: ProviderId): Promise<void> {
  const setTest = (test: ConnectionTest): void =>
    useAppStore.setState((state) => ({
      connectionTests: { ...state.connectionTests, [provider]: test },
    }));
  setTest({ kind: 'testing' });
  try {
    const result = await getClient().invoke('providers:test-connection', { provider });
    setTest({ kind: 'done', ok: result.ok, message: result.message, latencyMs: result.latencyMs });
  } catch (error) {
    setTest({ kind: 'done', ok: false, message: describeError(error), latencyMs: 0 });
  }
}

/** A key changed: providers, models and app info all depend on it. */
async function afterKeyChange(provider: ProviderId): Promise<void> {
  useAppStore.setState((state) => {
    const connectionTests = { ...state.connectionTests };
    delete connectionTests[provider];
    return { connectionTests };
  });
  await Promise.all([loadProviders(), loadModels(), loadAppInfo()]);
}

/**
 * Saves a key in the keychain (desktop app). The key goes straight to main and is never put
 * in the store. Returns an error message for the dialog, or null when saved.
 */
export async function saveKey(provider: VendorId, key: string): Promise<string | null> {
  try {
    await getClient().invoke('keys:set', { provider, key });
  } catch (error) {
    return describeError(error);
  }
  notify('Key saved', `${PROVIDER_LABELS[provider]} is set up.`, 'success');
  await afterKeyChange(provider);
  return null;
}

export async function removeKey(provider: VendorId): Promise<boolean> {
  try {
    await getClient().invoke('keys:remove', { provider });
  } catch (error) {
    notifyError('The key could not be removed', error);
    return false;
  }
  notify('Key removed', `${PROVIDER_LABELS[provider]} no longer has a saved key.`);
  await afterKeyChange(provider);
  return true;
}

/** What app:bootstrap answers the admin: the first screen's data. */
export type StartData = NonNullable<ChannelOutput<'app:bootstrap'>['start']>;

/** Puts the start-up call's answer into the store in one update (one render). */
export function applyStartData(start: StartData): void {
  useAppStore.setState({
    appInfo: start.appInfo,
    models: start.models,
    modelsStatus: { kind: 'loaded' },
    suites: start.suites,
    suitesStatus: { kind: 'loaded' },
    runs: [...start.runs].sort((a, b) => b.createdAt - a.createdAt),
    runsStatus: { kind: 'loaded' },
    providers: start.providers,
    providersStatus: { kind: 'loaded' },
  });
}

/** Everything the first screen needs, one call each (when app:bootstrap failed). */
export async function loadInitialData(): Promise<void> {
  await Promise.all([loadAppInfo(), loadModels(), loadSuites(), loadRuns(), loadProviders()]);
  markConsoleReady();
}

/** Marks the body ready for end-to-end tests, once the first screen has its data. */
export function markConsoleReady(): void {
  document.body.dataset.appState = 'ready';
  // The first frame with the data, once painted: what test/bench/console-ready.bench.ts times
  // from navigation. A requestAnimationFrame callback runs before that frame's style, layout
  // and paint; a message posted from it is handled after them.
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      performance.mark(CONSOLE_READY_MARK);
      channel.port1.close();
      consoleReadyResolve();
    };
    channel.port2.postMessage(null);
  });
  // A hidden or minimised window gets no animation frames: the work waiting for ready (the
  // monitor's calls) starts after a second anyway instead of waiting until it is shown.
  setTimeout(() => consoleReadyResolve(), 1000);
}

let consoleReadyResolve: () => void = () => undefined;
const consoleReady = new Promise<void>((resolve) => {
  consoleReadyResolve = resolve;
});

/**
 * Resolves once the first screen with its data is on screen (the ready mark): start-up work the
 * first screen does not show (the monitor's calls) waits for it instead of delaying that frame.
 */
export function whenConsoleReady(): Promise<void> {
  return consoleReady;
}

/** performance.mark name set when the console's first screen shows its data. */
export const CONSOLE_READY_MARK = 'aideon:console-ready';

export async function startRun(input: ChannelInput<'bench:start-run'>): Promise<string | null> {
  try {
    const { runId } = await getClient().invoke('bench:start-run', input);
    await Promise.all([loadRuns(), loadRun(runId)]);
    useAppStore.getState().navigate({ screen: 'run', runId });
    return runId;
  } catch (error) {
    notifyError('The benchmark did not start', error);
    return null;
  }
}

export async function cancelRun(runId: string): Promise<void> {
  try {
    const { cancelled } = await getClient().invoke('bench:cancel-run', { runId });
    notify(
      'Run cancelled',
      cancelled === 1 ? '1 generation was stopped.' : `${cancelled} generations were stopped.`,
    );
    await loadRun(runId);
  } catch (error) {
    notifyError('The run could not be cancelled', error);
  }
}

export async function cancelGeneration(generationId: string, runId: string): Promise<void> {
  try {
    await getClient().invoke('bench:cancel-generation', { generationId });
    await loadRun(runId);
  } catch (error) {
    notifyError('The generation could not be cancelled', error);
  }
}

let refetchRun: KeyedThrottle<string> = createKeyedThrottle(
  (runId) => void loadRun(runId),
  REFETCH_INTERVAL_MS,
);

/** A generation changed: patch it in, then re-read the run from SQLite (throttled). */
export function handleGenerationUpdated(generation: GenerationRecord): void {
  const state = useAppStore.getState();
  if (!state.runDetails[generation.runId]) return;
  state.upsertGeneration(generation);
  refetchRun(generation.runId);
}

/** A run's summary changed: the event carries the whole summary, so it replaces ours. */
export function handleRunUpdated(run: RunSummary): void {
  useAppStore.getState().upsertRun(run);
  if (useAppStore.getState().runDetails[run.id] && run.state !== 'running') refetchRun(run.id);
}

/** Wires the client's events into the store; returns a function that unwires them. */
export function subscribeToEvents(client: Client): () => void {
  // Set once the connection was lost: the next 'connected' is a return, not the first one.
  let away = false;
  const offs = [
    client.on('bench:generation-updated', handleGenerationUpdated),
    client.on('bench:run-updated', handleRunUpdated),
    client.on('models:prices-changed', () => void refreshModels()),
    client.onConnection((connection) => {
      useAppStore.getState().setConnection(connection);
      if (connection !== 'connected') away = true;
      if (connection === 'connected') {
        // Events may have been missed while away: re-read what is on screen.
        void loadRuns();
        if (away && useAppStore.getState().modelsStatus.kind === 'loaded') void refreshModels();
        for (const runId of Object.keys(useAppStore.getState().runDetails)) void loadRun(runId);
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** Tests: forget pending refetches. */
export function resetActions(): void {
  refetchRun.cancelAll();
  refetchRun = createKeyedThrottle((runId) => void loadRun(runId), REFETCH_INTERVAL_MS);
}
