import type { StateCreator } from 'zustand';
import type { GenerationRecord, RunDetail, RunSummary, SuiteSummary } from '../../../shared/domain';
import type { ChannelOutput } from '../../../shared/ipc/contract';
import type { ModelInfo } from '../../../shared/providers/video-provider-spec';
import type { AppState } from './store';

export type AppInfo = ChannelOutput<'app:get-info'>;

/** Loading state of one fetched thing; the message is already in user words. */
export type LoadStatus =
  { kind: 'idle' } | { kind: 'loading' } | { kind: 'loaded' } | { kind: 'error'; message: string };

export interface BenchSlice {
  appInfo: AppInfo | null;
  models: ModelInfo[];
  modelsStatus: LoadStatus;
  suites: SuiteSummary[];
  suitesStatus: LoadStatus;
  runs: RunSummary[];
  runsStatus: LoadStatus;
  /** Runs opened in the run view, by id. A cache of what SQLite says, refreshed on events. */
  runDetails: Record<string, RunDetail>;
  runStatus: Record<string, LoadStatus>;
  upsertRun: (run: RunSummary) => void;
  upsertGeneration: (generation: GenerationRecord) => void;
}

export const createBenchSlice: StateCreator<AppState, [], [], BenchSlice> = (set) => ({
  appInfo: null,
  models: [],
  modelsStatus: { kind: 'idle' },
  suites: [],
  suitesStatus: { kind: 'idle' },
  runs: [],
  runsStatus: { kind: 'idle' },
  runDetails: {},
  runStatus: {},
  upsertRun: (run) =>
    set((state) => {
      const runs = sortRuns([...state.runs.filter((existing) => existing.id !== run.id), run]);
      const detail = state.runDetails[run.id];
      return detail
        ? { runs, runDetails: { ...state.runDetails, [run.id]: { ...detail, run } } }
        : { runs };
    }),
  upsertGeneration: (generation) =>
    set((state) => {
      const detail = state.runDetails[generation.runId];
      if (!detail) return {};
      const index = detail.generations.findIndex((existing) => existing.id === generation.id);
      const generations =
        index === -1
          ? [...detail.generations, generation]
          : detail.generations.map((existing, position) =>
              position === index ? generation : existing,
            );
      return {
        runDetails: { ...state.runDetails, [generation.runId]: { ...detail, generations } },
      };
    }),
});

/** Newest first. */
export function sortRuns(runs: RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => b.createdAt - a.createdAt);
}
