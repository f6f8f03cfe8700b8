import type { StateCreator } from 'zustand';
import type { ConnectionState } from '../ipc/client';
import type { AppState } from './store';

export type Section = 'models' | 'benchmarks' | 'review' | 'rollout' | 'settings';

export type Route =
  | { screen: 'models' }
  | { screen: 'benchmarks' }
  | { screen: 'run'; runId: string }
  /** `back`: where Close goes (the run by default, or the review library). */
  | { screen: 'compare'; runId: string; promptId: string; back?: 'run' | 'library' }
  /** The suite editor; `suiteId: null` = a new suite. */
  | { screen: 'suite'; suiteId: string | null }
  | { screen: 'review'; tab?: 'vote' | 'ratings' | 'library' }
  | { screen: 'rollout' }
  | { screen: 'settings' };

export interface Toast {
  id: number;
  title: string;
  description?: string;
  tone: 'info' | 'success' | 'error';
}

export interface UiSlice {
  route: Route;
  toasts: Toast[];
  connection: ConnectionState;
  /** Whether the "new benchmark" dialog is open, and how it was opened. */
  newRunDialog:
    { open: false } | { open: true; preset: 'sandbox' | 'blank'; suiteId?: string | undefined };
  /** Which tab of the Benchmarks screen is open (kept while visiting a run or a suite). */
  benchmarksTab: 'runs' | 'suites';
  /**
   * The prompt Compare was just closed on: the screen it goes back to (the run's results, the
   * review library) puts the keyboard focus back on that prompt, then clears it.
   */
  returnFromCompare: { runId: string; promptId: string } | null;
  setBenchmarksTab: (tab: 'runs' | 'suites') => void;
  navigate: (route: Route) => void;
  pushToast: (toast: Omit<Toast, 'id'>) => void;
  dismissToast: (id: number) => void;
  setConnection: (state: ConnectionState) => void;
  openNewRunDialog: (preset: 'sandbox' | 'blank', suiteId?: string) => void;
  closeNewRunDialog: () => void;
}

let nextToastId = 1;

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  route: { screen: 'benchmarks' },
  toasts: [],
  connection: 'connected',
  newRunDialog: { open: false },
  benchmarksTab: 'runs',
  returnFromCompare: null,
  setBenchmarksTab: (benchmarksTab) => set({ benchmarksTab }),
  navigate: (route) => set({ route }),
  pushToast: (toast) =>
    set((state) => ({ toasts: [...state.toasts.slice(-4), { ...toast, id: nextToastId++ }] })),
  dismissToast: (id) =>
    set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) })),
  setConnection: (connection) => set({ connection }),
  openNewRunDialog: (preset, suiteId) => set({ newRunDialog: { open: true, preset, suiteId } }),
  closeNewRunDialog: () => set({ newRunDialog: { open: false } }),
});

/** The nav section a route belongs to. */
export function sectionOf(route: Route): Section {
  switch (route.screen) {
    case 'compare':
      return route.back === 'library' ? 'review' : 'benchmarks';
    case 'run':
    case 'suite':
    case 'benchmarks':
      return 'benchmarks';
    default:
      return route.screen;
  }
}
