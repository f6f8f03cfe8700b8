import type { StateCreator } from 'zustand';
import type { AppState } from './store';

/**
 * The routing config being edited in Rollout → Config, kept here (not in the screen) so that
 * leaving Rollout and coming back does not lose unsaved edits. SQLite keeps the saved draft;
 * this holds only what the admin has changed since `baseRevision` was loaded.
 */
export interface RoutingEdit {
  /** The saved draft revision these edits started from (the save's expected revision). */
  baseRevision: number;
  /** The last config that parsed (what the checks and the other tabs use). */
  config: unknown;
  /** The Raw JSON tab's text, which may not parse yet. */
  rawText: string;
}

export interface RoutingDraftSlice {
  /** Unsaved edits, or null when the editor shows the saved draft unchanged. */
  routingEdit: RoutingEdit | null;
  setRoutingEdit: (edit: RoutingEdit) => void;
  /** Drops the unsaved edits (after a save, or when the admin discards them). */
  clearRoutingEdit: () => void;
}

export const createRoutingDraftSlice: StateCreator<AppState, [], [], RoutingDraftSlice> = (
  set,
) => ({
  routingEdit: null,
  setRoutingEdit: (routingEdit) => set({ routingEdit }),
  clearRoutingEdit: () => set({ routingEdit: null }),
});
