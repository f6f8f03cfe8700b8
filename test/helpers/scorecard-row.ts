/**
 * A generation row as the scorecard reads it (src/main/bench/scorecard.ts ScorecardRow): a
 * success of sandbox-fast in "people", 4 s 16:9 asked, nothing timed or billed, with `partial`
 * over it.
 */
import type { ScorecardRow } from '../../src/main/bench/scorecard';

export function scorecardRow(partial: Partial<ScorecardRow>): ScorecardRow {
  return {
    provider: 'sandbox',
    model_id: 'sandbox-fast',
    category: 'people',
    outcome: 'success',
    submitted_at: null,
    started_at: null,
    completed_at: null,
    finished_at: null,
    download_ms: null,
    cost_usd: null,
    cached: 0,
    settings: JSON.stringify({ durationSeconds: 4, aspectRatio: '16:9' }),
    ...partial,
  };
}
