import type { StateCreator } from 'zustand';
import type {
  BoardCard,
  CheckResult,
  InboxEvent,
  MonitorStatus,
} from '../../../shared/monitor/monitor-schemas';
import type { ProviderId } from '../../../shared/providers/video-provider-spec';
import type { LoadStatus } from './bench-slice';
import type { AppState } from './store';

export type NotificationPermissionState = 'default' | 'granted' | 'denied' | 'unsupported';

/**
 * The release monitor: provider check status, the inbox of release events and production-watch
 * guard breaches (with the unread
 * count shown on the Models nav item and in the window title) and the onboarding board.
 */
export interface MonitorSlice {
  monitorStatus: MonitorStatus | null;
  monitorStatusLoad: LoadStatus;
  /** Providers with a "Check now" this window asked for and that has not answered yet. */
  monitorChecking: Partial<Record<ProviderId, true>>;
  /** The latest check result per provider seen by this window (includes "no key" answers). */
  monitorLastChecks: Partial<Record<ProviderId, CheckResult>>;
  inbox: InboxEvent[];
  inboxStatus: LoadStatus;
  unread: number;
  board: BoardCard[];
  boardStatus: LoadStatus;
  notificationPermission: NotificationPermissionState;
  /** Which tab of the Models screen is open. */
  modelsTab: ModelsTab;
  setModelsTab: (tab: ModelsTab) => void;
  /** The model a notification or inbox entry asked to see; highlighted until another is opened. */
  focusedModel: FocusedModel | null;
  /** Shows one model: its onboarding card when it has one, else its catalogue row. */
  openModel: (model: FocusedModel) => void;
}

export interface FocusedModel {
  provider: ProviderId;
  modelId: string;
}

export const isFocused = (
  focused: FocusedModel | null,
  provider: ProviderId,
  modelId: string,
): boolean => focused !== null && focused.provider === provider && focused.modelId === modelId;

export type ModelsTab = 'catalogue' | 'inbox' | 'board';

export const createMonitorSlice: StateCreator<AppState, [], [], MonitorSlice> = (set, get) => ({
  monitorStatus: null,
  monitorStatusLoad: { kind: 'idle' },
  monitorChecking: {},
  monitorLastChecks: {},
  inbox: [],
  inboxStatus: { kind: 'idle' },
  unread: 0,
  board: [],
  boardStatus: { kind: 'idle' },
  notificationPermission: 'unsupported',
  modelsTab: 'catalogue',
  setModelsTab: (modelsTab) => set({ modelsTab }),
  focusedModel: null,
  openModel: (model) => {
    const onBoard = get().board.some((card) => isFocused(model, card.provider, card.modelId));
    set({
      route: { screen: 'models' },
      modelsTab: onBoard ? 'board' : 'catalogue',
      focusedModel: { ...model },
    });
  },
});

export interface InboxState {
  inbox: InboxEvent[];
  unread: number;
}

/**
 * A live event joins the inbox, newest first. An event already there (the same id, e.g. seen
 * both in a list and as an event) changes nothing, so it is never counted twice.
 */
export function addInboxEvent(state: InboxState, event: InboxEvent): InboxState {
  if (state.inbox.some((existing) => existing.id === event.id)) return state;
  const inbox = [event, ...state.inbox].sort((a, b) => b.at - a.at);
  return { inbox, unread: state.unread + (event.read ? 0 : 1) };
}

/** Marks the given events read (all when `ids` is undefined); the count never drops below 0. */
export function markInboxRead(state: InboxState, ids?: readonly string[]): InboxState {
  const wanted = ids === undefined ? null : new Set(ids);
  let marked = 0;
  const inbox = state.inbox.map((event) => {
    if (event.read || (wanted !== null && !wanted.has(event.id))) return event;
    marked += 1;
    return { ...event, read: true };
  });
  if (marked === 0 && wanted !== null) return state;
  const unread = wanted === null ? 0 : Math.max(0, state.unread - marked);
  return { inbox, unread };
}

export const APP_TITLE = 'Aideon Video Console';

/** "(2) Aideon Video Console" while something is unread. */
export function documentTitle(unread: number): string {
  return unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${APP_TITLE}` : APP_TITLE;
}

/** The badge's text: nothing at 0, "99+" past 99. */
export function unreadBadgeText(unread: number): string | null {
  if (unread <= 0) return null;
  return unread > 99 ? '99+' : String(unread);
}
