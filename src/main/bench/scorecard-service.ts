import { AppError } from '../../shared/errors';
import { scorecardFieldsFromColumns } from '../media/analysis-columns';
import type { ReadableDb } from '../store/db';
import { getRunSummary, listGenerationRows, type GenerationRow } from './bench-repository';
import {
  compareScorecards,
  computeScorecard,
  scorecardToCsv,
  type Scorecard,
  type ScorecardRow,
} from './scorecard';

/** A stored generation as the scorecard reads it (with its video analysis). */
export function scorecardRowOf(row: GenerationRow): ScorecardRow {
  const fields = scorecardFieldsFromColumns(row);
  return {
    provider: row.provider,
    model_id: row.model_id,
    category: row.category,
    outcome: row.outcome,
    submitted_at: row.submitted_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    finished_at: row.finished_at,
    download_ms: row.download_ms,
    cost_usd: row.cost_usd,
    cached: row.cached,
    settings: row.settings,
    videoSeconds: fields.videoSeconds ?? null,
    measures: fields.measures ?? null,
    compliance: fields.compliance ?? null,
  };
}

/** The scorecard of one run, from its stored generations and video analysis. */
export function runScorecard(db: ReadableDb, runId: string): Scorecard {
  if (!getRunSummary(db, runId)) throw new AppError('not_found', `There is no run "${runId}".`);
  const rows = listGenerationRows(db, runId).map(scorecardRowOf);
  return computeScorecard(rows);
}

export function runScorecardCsv(db: ReadableDb, runId: string): string {
  return scorecardToCsv(runScorecard(db, runId));
}

/** A model's figures between two runs, with what got worse marked. */
export function compareRuns(db: ReadableDb, beforeRunId: string, afterRunId: string) {
  return compareScorecards(runScorecard(db, beforeRunId), runScorecard(db, afterRunId));
}
