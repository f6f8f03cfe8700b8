import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { importRunBundle, importRunBundleForWindow } from '../bench/run-bundle';
import type { Services } from '../services';
import { compareRuns, runScorecard, runScorecardCsv } from '../bench/scorecard-service';
import type { PartialHandlerMap } from './dispatcher';
import {
  getRunSummary,
  listGenerationRows,
  listRunSummaries,
  toGenerationRecord,
} from '../bench/bench-repository';

/** What only a desktop host can do for the bench channels. */
export interface BenchHost {
  /** Shows the system's open-file dialog for a run bundle; the chosen path, or null. */
  pickBundleFile?: () => Promise<string | null>;
}

export function registerBenchIpc(services: Services, host: BenchHost = {}): PartialHandlerMap {
  return {
    'bench:plan-run': (input) => services.bench.plan(input),
    'bench:start-run': (input) => ({ runId: services.bench.startRun(input).runId }),
    'bench:list-runs': () => listRunSummaries(services.db, services.bench.viewer()),
    'bench:get-run': ({ runId }) => {
      const run = getRunSummary(services.db, runId, services.bench.viewer());
      if (!run) throw new AppError('not_found', `There is no run "${runId}".`);
      return { run, generations: listGenerationRows(services.db, runId).map(toGenerationRecord) };
    },
    'bench:get-scorecard': ({ runId }) => runScorecard(services.db, runId),
    'bench:compare-runs': ({ beforeRunId, afterRunId }) =>
      compareRuns(services.db, beforeRunId, afterRunId).changes,
    'bench:compare-runs-detail': ({ beforeRunId, afterRunId }) =>
      compareRuns(services.db, beforeRunId, afterRunId),
    'bench:export-run': ({ runId, format }) => exportRun(services, runId, format),
    'bench:import-bundle': ({ contentBase64 }) => {
      const temp = join(services.media.root, 'tmp', `bundle-${randomUUID()}.tar`);
      writeFileSync(temp, Buffer.from(contentBase64, 'base64'));
      try {
        return importRunBundle(services.db, services.media, temp);
      } finally {
        rmSync(temp, { force: true });
      }
    },
    'bench:import-bundle-picked': async ({ importId }) => {
      if (!host.pickBundleFile) {
        throw new AppError(
          'invalid_request',
          'Choosing a file with a dialog works in the desktop app; in a browser the bundle is uploaded instead.',
        );
      }
      const file = await host.pickBundleFile();
      if (file === null) return { cancelled: true };
      // Progress as events while each video is checked, for the button that started it.
      return { cancelled: false, result: await importRunBundleForWindow(services, file, importId) };
    },
    'bench:cancel-run': async ({ runId }) => ({ cancelled: await services.bench.cancelRun(runId) }),
    'bench:cancel-model': async ({ runId, provider, modelId }) => ({
      cancelled: await services.bench.cancelModel(runId, provider, modelId),
    }),
    'bench:cancel-generation': async ({ generationId }) => ({
      cancelled: await services.bench.cancelGeneration(generationId),
    }),
  };
}

/** A run's scorecard as CSV, or the run, its generations and scorecard as JSON. */
export function exportRun(services: Services, runId: string, format: 'csv' | 'json') {
  const run = getRunSummary(services.db, runId);
  if (!run) throw new AppError('not_found', `There is no run "${runId}".`);
  const base = `aideon-${run.suiteId}-${new Date(run.createdAt).toISOString().slice(0, 10)}-${runId.slice(4, 12)}`;
  if (format === 'csv')
    return {
      fileName: `${base}-scorecard.csv`,
      mimeType: 'text/csv',
      content: runScorecardCsv(services.db, runId),
    };
  const content = JSON.stringify(
    {
      run,
      generations: listGenerationRows(services.db, runId).map(toGenerationRecord),
      scorecard: runScorecard(services.db, runId),
    },
    null,
    2,
  );
  return { fileName: `${base}.json`, mimeType: 'application/json', content };
}
