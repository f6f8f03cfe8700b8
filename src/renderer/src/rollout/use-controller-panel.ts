/**
 * The controller panel's data (`publish:get-controller`), shared by every component that shows
 * it (the panel in Production watch, the rollout rows in Publishing). One poll for all of them,
 * every POLL_MS while at least one is mounted and the window is visible; a publish event
 * (a step, "controller active", "controller gone") reads it at once.
 */
import { useSyncExternalStore } from 'react';
import type { ControllerPanel } from '../../../shared/rollout/controller-status';
import { getClient } from '../ipc';
import { describeError } from '../ipc/client';

/** How often the panel reads the controller records while visible, ms. */
export const CONTROLLER_POLL_MS = 5_000;

export interface ControllerPanelState {
  panel: ControllerPanel | null;
  error: string | null;
  /** When the answer arrived (this window's clock), to age "last tick" between polls. */
  receivedAt: number;
}

let state: ControllerPanelState = { panel: null, error: null, receivedAt: 0 };
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
let offEvent: (() => void) | undefined;
let inFlight = false;

function set(next: ControllerPanelState): void {
  state = next;
  for (const listener of listeners) listener();
}

/** Reads the controller records now (a poll already on its way is not doubled). */
export function refreshControllerPanel(): void {
  if (inFlight) return;
  inFlight = true;
  getClient()
    .invoke('publish:get-controller', {})
    .then((panel) => set({ panel, error: null, receivedAt: Date.now() }))
    .catch((error: unknown) => set({ ...state, error: describeError(error) }))
    .finally(() => {
      inFlight = false;
    });
}

const visible = (): boolean =>
  typeof document === 'undefined' || document.visibilityState === 'visible';

function schedule(): void {
  const wanted = listeners.size > 0 && visible();
  if (wanted && timer === undefined) {
    refreshControllerPanel();
    timer = setInterval(refreshControllerPanel, CONTROLLER_POLL_MS);
  } else if (!wanted && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    document.addEventListener('visibilitychange', schedule);
    offEvent = getClient().on('publish:state-changed', () => refreshControllerPanel());
  }
  schedule();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      document.removeEventListener('visibilitychange', schedule);
      offEvent?.();
      offEvent = undefined;
    }
    schedule();
  };
}

export function useControllerPanel(): ControllerPanelState {
  return useSyncExternalStore(subscribe, () => state);
}

/** The live leader's record, when one leads (the console then stood down). */
export function leadingController(panel: ControllerPanel | null) {
  if (!panel?.consoleStoodDown) return undefined;
  return panel.controllers.find((controller) => controller.id === panel.leader);
}
