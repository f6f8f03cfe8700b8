/** Release monitor IPC calls and events: status, checks, inbox (with watch breaches), board, settings. */
import { humanIssue } from '../../../shared/validation';
import type {
  BoardCard,
  CheckResult,
  MonitorEvent,
  MonitorSettings,
  StageEvidence,
} from '../../../shared/monitor/monitor-schemas';
import { PROVIDER_LABELS, type ProviderId } from '../../../shared/providers/provider-ids';
import { ClientError, describeError, type Client } from '../ipc/client';
import { getClient } from '../ipc';
import { createKeyedThrottle } from '../lib/throttle';
import { loadModels, notifyError } from './actions';
import { addInboxEvent, markInboxRead, type NotificationPermissionState } from './monitor-slice';
import { useAppStore } from './store';

/** Only the newest status request may write: an older answer arriving late is stale. */
let statusRequest = 0;

export async function loadMonitorStatus(): Promise<void> {
  const request = ++statusRequest;
  const { monitorStatusLoad } = useAppStore.getState();
  if (monitorStatusLoad.kind !== 'loaded')
    useAppStore.setState({ monitorStatusLoad: { kind: 'loading' } });
  try {
    const monitorStatus = await getClient().invoke('monitor:get-status', {});
    if (request !== statusRequest) return;
    useAppStore.setState({
      monitorStatus,
      monitorStatusLoad: { kind: 'loaded' },
      unread: monitorStatus.unread,
    });
  } catch (error) {
    if (request !== statusRequest) return;
    useAppStore.setState({ monitorStatusLoad: { kind: 'error', message: describeError(error) } });
  }
}

export async function loadInbox(): Promise<void> {
  const { inboxStatus } = useAppStore.getState();
  if (inboxStatus.kind !== 'loaded') useAppStore.setState({ inboxStatus: { kind: 'loading' } });
  try {
    const { events, unread } = await getClient().invoke('monitor:list-inbox', { limit: 200 });
    useAppStore.setState({ inbox: events, unread, inboxStatus: { kind: 'loaded' } });
  } catch (error) {
    useAppStore.setState({ inboxStatus: { kind: 'error', message: describeError(error) } });
  }
}

export async function loadBoard(): Promise<void> {
  const { boardStatus } = useAppStore.getState();
  if (boardStatus.kind !== 'loaded') useAppStore.setState({ boardStatus: { kind: 'loading' } });
  try {
    const { cards } = await getClient().invoke('monitor:get-board', {});
    useAppStore.setState({ board: cards, boardStatus: { kind: 'loaded' } });
  } catch (error) {
    useAppStore.setState({ boardStatus: { kind: 'error', message: describeError(error) } });
  }
}

/** Everything the monitor shows; the unread count is needed at once for the nav badge. */
export async function loadMonitor(): Promise<void> {
  useAppStore.setState({ notificationPermission: currentPermission() });
  await Promise.all([loadMonitorStatus(), loadInbox(), loadBoard()]);
}

function setChecking(providers: readonly ProviderId[], checking: boolean): void {
  useAppStore.setState((state) => {
    const monitorChecking = { ...state.monitorChecking };
    for (const provider of providers) {
      if (checking) monitorChecking[provider] = true;
      else delete monitorChecking[provider];
    }
    return { monitorChecking };
  });
}

function rememberChecks(checks: readonly CheckResult[]): void {
  useAppStore.setState((state) => {
    const monitorLastChecks = { ...state.monitorLastChecks };
    for (const check of checks) {
      const previous = monitorLastChecks[check.provider];
      if (!previous || previous.at <= check.at) monitorLastChecks[check.provider] = check;
    }
    return { monitorLastChecks };
  });
}

/** "Check now" for one provider, or for all when `provider` is undefined. */
export async function checkNow(provider?: ProviderId): Promise<void> {
  const all = useAppStore.getState().monitorStatus?.providers.map((entry) => entry.provider) ?? [];
  const providers = provider === undefined ? all : [provider];
  setChecking(providers, true);
  try {
    const { checks } = await getClient().invoke(
      'monitor:check-now',
      provider === undefined ? {} : { provider },
    );
    rememberChecks(checks);
  } catch (error) {
    notifyError(
      provider === undefined
        ? 'The catalogues could not be checked'
        : `${PROVIDER_LABELS[provider]} could not be checked`,
      error,
    );
  } finally {
    setChecking(providers, false);
  }
  await Promise.all([loadMonitorStatus(), loadInbox(), loadBoard()]);
}

/** The sandbox releases its next simulated model and its catalogue is checked at once. */
export async function simulateRelease(): Promise<void> {
  setChecking(['sandbox'], true);
  try {
    const { checks, displayName } = await getClient().invoke('monitor:simulate-release', {});
    rememberChecks(checks);
    useAppStore.getState().pushToast({
      tone: 'success',
      title: `Simulated release: ${displayName}`,
      description: 'The sandbox catalogue lists it now; see the inbox and the onboarding board.',
    });
  } catch (error) {
    notifyError('The sandbox could not simulate a release', error);
  } finally {
    setChecking(['sandbox'], false);
  }
  // The released model can be benchmarked at once: the model list includes it now.
  await Promise.all([loadMonitorStatus(), loadInbox(), loadBoard(), loadModels()]);
}

export async function markRead(ids?: readonly string[]): Promise<void> {
  const before = useAppStore.getState();
  useAppStore.setState(markInboxRead(before, ids));
  try {
    const { unread } = await getClient().invoke('monitor:mark-read', ids ? { ids: [...ids] } : {});
    useAppStore.setState({ unread });
  } catch (error) {
    useAppStore.setState({ inbox: before.inbox, unread: before.unread });
    notifyError('The inbox could not be updated', error);
  }
}

export async function updateMonitorSettings(
  patch: Partial<MonitorSettings>,
): Promise<string | null> {
  try {
    const settings = await getClient().invoke('monitor:update-settings', patch);
    statusRequest += 1; // any status request still in flight predates these settings
    useAppStore.setState((state) =>
      state.monitorStatus ? { monitorStatus: { ...state.monitorStatus, settings } } : {},
    );
    void loadMonitorStatus();
    return null;
  } catch (error) {
    return describeError(error);
  }
}

export type AdvanceOutcome =
  { kind: 'advanced'; card: BoardCard } | { kind: 'invalid'; issues: string[] };

/**
 * "Invalid input for monitor:advance-card: evidence.runId: runId is required; …" → one entry
 * per problem, without the channel name and the "evidence." prefix.
 */
export function validationIssues(message: string): string[] {
  const body = message.replace(/^Invalid (?:input for \S+?|[^:]*):\s+(?=\S)/, '');
  return body
    .split(/;\s+/)
    .map((issue) => issue.trim().replace(/^evidence\./, ''))
    .filter(Boolean)
    .map((issue) => {
      // "runId: Too small: …" → "Run id must be …"; a message that is not zod's stays.
      const cut = issue.indexOf(': ');
      if (cut <= 0) return issue;
      const path = issue.slice(0, cut);
      const text = issue.slice(cut + 2);
      const human = humanIssue(path, text);
      return human === text ? issue : human;
    });
}

export async function advanceCard(
  cardId: string,
  evidence: StageEvidence,
): Promise<AdvanceOutcome> {
  try {
    const card = await getClient().invoke('monitor:advance-card', { cardId, evidence });
    useAppStore.setState((state) => ({
      board: state.board.map((existing) => (existing.id === card.id ? card : existing)),
    }));
    return { kind: 'advanced', card };
  } catch (error) {
    if (error instanceof ClientError && error.code === 'validation')
      return { kind: 'invalid', issues: validationIssues(error.message) };
    return { kind: 'invalid', issues: [describeError(error)] };
  }
}

// ---- notifications ----

function notificationApi(): typeof Notification | null {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification : null;
}

function currentPermission(): NotificationPermissionState {
  const api = notificationApi();
  return api ? api.permission : 'unsupported';
}

/** Asks for the browser's permission; call only from a click. */
export async function enableDesktopNotifications(): Promise<void> {
  const api = notificationApi();
  if (!api) return;
  const permission = await api.requestPermission();
  useAppStore.setState({ notificationPermission: permission });
}

function eventTitle(event: MonitorEvent): string {
  const provider = PROVIDER_LABELS[event.provider];
  switch (event.kind) {
    case 'added':
      return `New video model on ${provider}`;
    case 'removed':
      return `${provider} no longer lists a model`;
    case 'changed':
      return `A ${provider} model changed`;
    case 'in_use_retired':
      return `A model in use is being retired (${provider})`;
  }
}

/** A release event: into the inbox, a toast, and (browser mode, when allowed) a notification. */
export function handleReleaseDetected(event: MonitorEvent, client: Client | null = null): void {
  const state = useAppStore.getState();
  const isNew = !state.inbox.some((existing) => existing.id === event.id);
  useAppStore.setState(addInboxEvent(state, event));
  if (!isNew) return;
  const title = eventTitle(event);
  state.pushToast({ title, description: event.summary, tone: 'info' });
  if (event.kind === 'added') void loadBoard();
  // The desktop app notifies from the main process; the browser uses its own API.
  const api = notificationApi();
  if (client?.kind === 'browser' && api && api.permission === 'granted') {
    try {
      const notification = new api(title, { body: event.summary, tag: event.id });
      notification.onclick = () => {
        window.focus();
        openModelFromEvent(event);
      };
    } catch {
      // Some browsers only allow notifications from a service worker; the inbox has it.
    }
  }
}

/** Opens the model an event is about, after the board has caught up with it. */
export function openModelFromEvent(event: Pick<MonitorEvent, 'provider' | 'modelId'>): void {
  const model = { provider: event.provider, modelId: event.modelId };
  void loadBoard().then(() => useAppStore.getState().openModel(model));
}

const refetchStatus = createKeyedThrottle(() => void loadMonitorStatus(), 500);

export function handleCheckFinished(result: CheckResult): void {
  rememberChecks([result]);
  refetchStatus('status');
}

const BREACH_WORDS = {
  breach: 'a guard breached',
  no_data: 'data is missing',
  error: 'metrics unreadable',
};
const ACTION_WORDS = {
  paused: 'rollout paused',
  rolled_back: 'rolled back',
  rollback_failed: 'rollback FAILED',
};

/**
 * A production-watch breach: main has already put it into the inbox (unless it repeats the
 * newest unread one), so the inbox and its unread count are reloaded, and a toast says so.
 * A failed rollback's retry that failed again the same way (`repeated`) was told already: no
 * toast, and main put nothing new into the inbox.
 */
export function handleGuardBreached(event: {
  env: string;
  status: keyof typeof BREACH_WORDS;
  summary: string;
  action?: keyof typeof ACTION_WORDS | undefined;
  repeated?: boolean | undefined;
}): void {
  if (event.repeated) return;
  const action = event.action ? `, ${ACTION_WORDS[event.action]}` : '';
  const findings = event.summary.split('\n').filter((line) => line.trim() !== '').length;
  useAppStore.getState().pushToast({
    title: `${event.env}: ${BREACH_WORDS[event.status]}${action}`,
    // A failed automatic rollback leaves the breaching step live: say what to do first.
    description:
      event.action === 'rollback_failed'
        ? `The step is paused but still live. Roll back now under Rollout → Publishing → ${event.env} → Roll back… (with a signing key unlocked); otherwise the watch tries again at its next check. The details are in Models → Inbox.`
        : `${findings === 1 ? '1 guard result is' : `${findings} guard results are`} not healthy; the details are in Models → Inbox.`,
    tone: 'error',
  });
  void loadInbox();
}

export function subscribeToMonitorEvents(client: Client): () => void {
  const offs = [
    client.on('monitor:release-detected', (event) => handleReleaseDetected(event, client)),
    client.on('watch:guard-breached', handleGuardBreached),
    client.on('monitor:check-finished', handleCheckFinished),
    // The desktop app's notification was clicked.
    client.on('monitor:model-open-requested', openModelFromEvent),
    client.onConnection((connection) => {
      if (connection === 'connected') void loadMonitor();
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
