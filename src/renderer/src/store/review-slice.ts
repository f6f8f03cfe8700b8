import type { StateCreator } from 'zustand';
import type { Pool, RatingsResult } from '../../../shared/review/review-schemas';
import type { LoadStatus } from './bench-slice';
import type { AppState } from './store';

/** Ratings as last computed; `ratingsStale` is set by votes and imports so the next look refits. */
export interface ReviewSlice {
  ratings: RatingsResult | null;
  ratingsStatus: LoadStatus;
  ratingsStale: boolean;
  /** The pool the ratings are shown for; '' = every pool, combined (and named). */
  ratingsPool: Pool | '';
  setRatingsPool: (pool: Pool | '') => void;
  /** Prompt categories seen in pairs and ratings, for the category filter. */
  reviewCategories: string[];
  markRatingsStale: () => void;
  rememberCategories: (categories: readonly string[]) => void;
}

export const createReviewSlice: StateCreator<AppState, [], [], ReviewSlice> = (set) => ({
  ratings: null,
  ratingsStatus: { kind: 'idle' },
  ratingsStale: true,
  ratingsPool: '',
  setRatingsPool: (pool) => set({ ratingsPool: pool, ratingsStale: true }),
  reviewCategories: [],
  markRatingsStale: () => set({ ratingsStale: true }),
  rememberCategories: (categories) =>
    set((state) => {
      const missing = categories.filter((category) => !state.reviewCategories.includes(category));
      return missing.length === 0
        ? {}
        : { reviewCategories: [...state.reviewCategories, ...missing].sort() };
    }),
});
