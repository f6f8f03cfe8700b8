/**
 * Data for the review charts and the library list, read from SQLite.
 *
 * Charts: the win-rate matrix comes from the votes; cost, latency and outcomes come from the
 * scorecard of every run a rated generation came from (all generations of those runs, so a
 * model's failures count even though failed generations are never voted on).
 */
import {
  RATED_OUTCOME_KEYS,
  winRateMatrix,
  type LatencyDistribution,
  type LibraryList,
  type ModelChartFacts,
  type ReviewChartData,
} from '../../shared/review/review-chart-schemas';
import { scorecardRowOf } from '../bench/scorecard-service';
import { computeScorecard, percentileNearestRank } from '../bench/scorecard';
import type { GenerationRow } from '../bench/bench-repository';
import type { ReadableDb } from '../store/db';
import { listVotes } from './review-repository';

const GENERATION_SELECT = `SELECT g.*, m.content_type AS media_content_type, m.bytes AS media_bytes
  FROM generations g LEFT JOIN media m ON m.id = g.media_id`;

/** Runs that hold a generation some vote refers to, oldest first. */
export function ratedRunIds(db: ReadableDb): string[] {
  const rows = db
    .prepare(
      `SELECT DISTINCT g.run_id AS run_id FROM generations g
       JOIN runs r ON r.id = g.run_id
       WHERE g.id IN (SELECT generation_a FROM votes UNION SELECT generation_b FROM votes)
       ORDER BY r.created_at, r.id`,
    )
    .all() as { run_id: string }[];
  return rows.map((row) => row.run_id);
}

/** Nearest-rank quartiles and tails of total latency over successful, uncached generations. */
export function latencyDistribution(rows: readonly GenerationRow[]): LatencyDistribution {
  const values = rows
    .filter(
      (row) =>
        row.outcome === 'success' &&
        row.cached !== 1 &&
        row.finished_at !== null &&
        row.submitted_at !== null,
    )
    .map((row) => row.finished_at! - row.submitted_at!)
    .sort((a, b) => a - b);
  return {
    n: values.length,
    min: values[0] ?? null,
    p25: percentileNearestRank(values, 25),
    p50: percentileNearestRank(values, 50),
    p75: percentileNearestRank(values, 75),
    p95: percentileNearestRank(values, 95),
    max: values.length > 0 ? values[values.length - 1]! : null,
  };
}

/** `filter.category`: the win rates and vote count use only that category's votes. */
export function reviewChartData(
  db: ReadableDb,
  filter: { category?: string } = {},
): ReviewChartData {
  const votes = listVotes(db, filter);
  const runIds = ratedRunIds(db);
  const rows: GenerationRow[] =
    runIds.length === 0
      ? []
      : (db
          .prepare(
            `${GENERATION_SELECT} WHERE g.run_id IN (${runIds.map(() => '?').join(',')})
             ORDER BY g.rowid`,
          )
          .all(...runIds) as GenerationRow[]);
  const scorecard = computeScorecard(rows.map(scorecardRowOf));
  const rowsByModel = new Map<string, GenerationRow[]>();
  for (const row of rows) {
    const key = `${row.provider}:${row.model_id}`;
    const list = rowsByModel.get(key);
    if (list) list.push(row);
    else rowsByModel.set(key, [row]);
  }
  const models: ModelChartFacts[] = scorecard.models
    .map((model) => {
      const key = `${model.provider}:${model.modelId}`;
      const line = model.overall;
      const outcomes = Object.fromEntries(
        RATED_OUTCOME_KEYS.map((outcome) => [outcome, line.counts[outcome] ?? 0]),
      ) as ModelChartFacts['outcomes'];
      return {
        model: key,
        generations: line.total,
        outcomes,
        costPerSecondUsd: line.costPerSecondUsd,
        latencyMs: latencyDistribution(rowsByModel.get(key) ?? []),
      };
    })
    .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { winRates: winRateMatrix(votes), models, runIds, votes: votes.length };
}

/** Every prompt of every run, newest run first: what the library list shows. */
export function listLibrary(db: ReadableDb): LibraryList {
  const rows = db
    .prepare(
      `SELECT g.run_id, r.name AS run_name, r.created_at AS run_created_at, g.prompt_id,
              MIN(g.prompt) AS prompt, MIN(g.category) AS category, COUNT(*) AS generations,
              SUM(CASE WHEN g.state = 'succeeded' AND g.media_id IS NOT NULL THEN 1 ELSE 0 END)
                AS videos,
              group_concat(CASE WHEN g.state = 'succeeded' AND g.media_id IS NOT NULL
                THEN g.provider || ':' || g.model_id END, char(10)) AS models,
              MIN(g.rowid) AS first_row
       FROM generations g JOIN runs r ON r.id = g.run_id
       GROUP BY g.run_id, g.prompt_id
       ORDER BY r.created_at DESC, r.id, first_row`,
    )
    .all() as {
    run_id: string;
    run_name: string;
    run_created_at: number;
    prompt_id: string;
    prompt: string;
    category: string;
    generations: number;
    videos: number;
    models: string | null;
  }[];
  let generations = 0;
  const entries = rows.map((row) => {
    generations += row.generations;
    return {
      runId: row.run_id,
      runName: row.run_name,
      runCreatedAt: row.run_created_at,
      promptId: row.prompt_id,
      prompt: row.prompt,
      category: row.category,
      generations: row.generations,
      videos: row.videos,
      models: row.models ? row.models.split('\n').sort() : [],
    };
  });
  return { entries, generations };
}
