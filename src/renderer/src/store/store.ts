/** The renderer's one zustand store, combined from typed slices. Read it through selectors. */
import { create } from 'zustand';
import { createBenchSlice, type BenchSlice } from './bench-slice';
import { createMonitorSlice, type MonitorSlice } from './monitor-slice';
import { createProvidersSlice, type ProvidersSlice } from './providers-slice';
import { createReviewSlice, type ReviewSlice } from './review-slice';
import { createRoutingDraftSlice, type RoutingDraftSlice } from './routing-draft-slice';
import { createUiSlice, type UiSlice } from './ui-slice';

export type AppState = UiSlice &
  BenchSlice &
  ProvidersSlice &
  ReviewSlice &
  MonitorSlice &
  RoutingDraftSlice;

export const useAppStore = create<AppState>()((...args) => ({
  ...createUiSlice(...args),
  ...createBenchSlice(...args),
  ...createProvidersSlice(...args),
  ...createReviewSlice(...args),
  ...createMonitorSlice(...args),
  ...createRoutingDraftSlice(...args),
}));

/** Back to the first state (tests, and a fresh start). */
export function resetAppStore(): void {
  useAppStore.setState(useAppStore.getInitialState(), true);
}
