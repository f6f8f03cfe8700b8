import { AppError } from '../../shared/errors';
import type { Services } from '../services';
import type { PartialHandlerMap } from './dispatcher';
import {
  getRunSummary,
  listGenerationRows,
  listRunSummaries,
  toGenerationRecord,
} from '../bench/bench-repository';

export function registerBenchIpc(services: Services): PartialHandlerMap {
  return {
    'bench:plan-run': (input) => services.bench.plan(input),
    'bench:start-run': (input) => ({ runId: services.bench.startRun(input).runId }),
    'bench:list-runs': () => listRunSummaries(services.db),
    'bench:get-run': ({ runId }) => {
      const run = getRunSummary(services.db, runId);
      if (!run) throw new AppError('not_found', `There is no run "${runId}".`);
      return { run, generations: listGenerationRows(services.db, runId).map(toGenerationRecord) };
    },
    'bench:cancel-run': async ({ runId }) => ({ cancelled: await services.bench.cancelRun(runId) }),
    'bench:cancel-generation': async ({ generationId }) => ({
      cancelled: await services.bench.cancelGeneration(generationId),
    }),
  };
}
