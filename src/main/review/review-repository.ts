/**
 * SQLite repository for review votes (table from migration 0020) and the candidate pairs
 * drawn from `generations`. Every function takes the database handle first; writes take a
 * WritableDb.
 */
import { ValidationError } from '../../shared/errors';
import {
  UNSPECIFIED_POOL,
  voteSchema,
  type Pool,
  type Verdict,
  type Vote,
} from '../../shared/review/review-schemas';
import { zodIssues } from '../../shared/validation';
import type { ReadableDb, WritableDb } from '../store/db';

/** `provider:model` from a generations row, in SQL. */
const MODEL_KEY = (alias: string): string => `(${alias}.provider || ':' || ${alias}.model_id)`;

/**
 * A generation's category pool, in SQL (see POOLS): image-to-video when its prompt has a
 * reference image; "-audio" when the video has a sound track (ffprobe's hasAudio once analysed,
 * else the audio setting asked for, else none). Same rule as migration 0220.
 */
export const GENERATION_POOL = (alias: string): string =>
  `((CASE WHEN ${alias}.image_url IS NOT NULL AND ${alias}.image_url <> '' THEN 'image-to-video' ELSE 'text-to-video' END)` +
  ` || (CASE WHEN coalesce(CASE WHEN json_valid(${alias}.video_probe) THEN json_extract(${alias}.video_probe, '$.hasAudio') END,` +
  ` CASE WHEN json_valid(${alias}.settings) THEN json_extract(${alias}.settings, '$.audio') END, 0) <> 0 THEN '-audio' ELSE '' END))`;

/** The pool of a vote on two generations: theirs when they share one, else unspecified. */
export function pairPool(a: Pool | undefined, b: Pool | undefined): Pool {
  return a !== undefined && a === b ? a : UNSPECIFIED_POOL;
}

export interface InsertVotesResult {
  inserted: number;
  /** Same voter, generations and time as a stored vote: skipped. */
  duplicates: number;
}

/** Inserts all votes in one transaction (all or nothing); each is checked against the schema. */
export function insertVotes(
  db: WritableDb,
  votes: readonly Vote[],
  now: number,
): InsertVotesResult {
  votes.forEach((vote, index) => {
    const parsed = voteSchema.safeParse(vote);
    if (!parsed.success) {
      throw new ValidationError(
        'vote',
        zodIssues(parsed.error).map((issue) => ({
          ...issue,
          path: `${index}${issue.path ? `.${issue.path}` : ''}`,
        })),
      );
    }
  });
  const insert = db.prepare(
    `INSERT INTO votes (id, generation_a, generation_b, model_a, model_b, prompt_id, category,
       verdict, comment, voter, voter_via, voted_at, created_at, pool)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (voter, generation_a, generation_b, voted_at) DO NOTHING`,
  );
  let inserted = 0;
  db.transaction(() => {
    for (const vote of votes) {
      inserted += insert.run(
        vote.id,
        vote.generationA,
        vote.generationB,
        vote.modelA,
        vote.modelB,
        vote.promptId,
        vote.category,
        vote.verdict,
        vote.comment ?? null,
        vote.voter,
        vote.voterVia ?? 'local',
        vote.votedAt,
        now,
        vote.pool ?? UNSPECIFIED_POOL,
      ).changes;
    }
  })();
  return { inserted, duplicates: votes.length - inserted };
}

interface VoteRow {
  id: string;
  generation_a: string;
  generation_b: string;
  model_a: string;
  model_b: string;
  prompt_id: string;
  category: string;
  verdict: string;
  comment: string | null;
  voter: string;
  voter_via: 'local' | 'reviewer' | 'import';
  voted_at: number;
  pool: Pool;
}

function toVote(row: VoteRow): Vote {
  const vote: Vote = {
    id: row.id,
    generationA: row.generation_a,
    generationB: row.generation_b,
    modelA: row.model_a,
    modelB: row.model_b,
    promptId: row.prompt_id,
    category: row.category,
    verdict: row.verdict as Verdict,
    voter: row.voter,
    voterVia: row.voter_via,
    votedAt: row.voted_at,
    pool: row.pool,
  };
  if (row.comment !== null) vote.comment = row.comment;
  return vote;
}

export interface VoteFilter {
  category?: string;
  pool?: Pool;
}

export function voteWhere(filter: VoteFilter): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (filter.category !== undefined) {
    parts.push('category = ?');
    params.push(filter.category);
  }
  if (filter.pool !== undefined) {
    parts.push('pool = ?');
    params.push(filter.pool);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function listVotes(db: ReadableDb, filter: VoteFilter = {}): Vote[] {
  const where = voteWhere(filter);
  const rows = db
    .prepare(`SELECT * FROM votes ${where.sql} ORDER BY voted_at, rowid`)
    .all(...where.params) as VoteRow[];
  return rows.map(toVote);
}

export interface PairCount {
  /** modelA < modelB (string order). */
  modelA: string;
  modelB: string;
  votes: number;
}

export function countVotesByPair(db: ReadableDb, filter: VoteFilter = {}): PairCount[] {
  const where = voteWhere(filter);
  const rows = db
    .prepare(
      `SELECT min(model_a, model_b) AS a, max(model_a, model_b) AS b, COUNT(*) AS n
     FROM votes ${where.sql} GROUP BY a, b ORDER BY a, b`,
    )
    .all(...where.params) as { a: string; b: string; n: number }[];
  return rows.map((row) => ({ modelA: row.a, modelB: row.b, votes: row.n }));
}

export interface PairPromptCount extends PairCount {
  promptId: string;
}

export function countVotesByPairPrompt(db: ReadableDb, filter: VoteFilter = {}): PairPromptCount[] {
  const where = voteWhere(filter);
  const rows = db
    .prepare(
      `SELECT min(model_a, model_b) AS a, max(model_a, model_b) AS b, prompt_id, COUNT(*) AS n
     FROM votes ${where.sql} GROUP BY a, b, prompt_id`,
    )
    .all(...where.params) as { a: string; b: string; prompt_id: string; n: number }[];
  return rows.map((row) => ({
    modelA: row.a,
    modelB: row.b,
    promptId: row.prompt_id,
    votes: row.n,
  }));
}

/** Two successful generations of the same prompt by two different models. */
export interface PairCandidate {
  /** modelA < modelB (string order); generationA is modelA's. */
  modelA: string;
  modelB: string;
  promptId: string;
  category: string;
  generationA: string;
  generationB: string;
  /** The pool both generations are in (always set by listPairCandidates). */
  pool?: Pool;
}

/**
 * Every (model pair, prompt) where both models have a successful generation in the same pool.
 * "Same prompt" means the same prompt id AND the same prompt text, so two suites that both call
 * a prompt "p01" are not mixed up. Two videos that differ in audio fit no pool: not a candidate.
 */
export function listPairCandidates(
  db: ReadableDb,
  filter: { category?: string; pool?: Pool } = {},
): PairCandidate[] {
  const params: string[] = [];
  if (filter.category !== undefined) params.push(filter.category);
  if (filter.pool !== undefined) params.push(filter.pool);
  const statement = db.prepare(
    `SELECT * FROM (
       SELECT ${MODEL_KEY('g1')} AS model_a, ${MODEL_KEY('g2')} AS model_b, g1.prompt_id,
              g1.category, g1.id AS generation_a, g2.id AS generation_b,
              ${GENERATION_POOL('g1')} AS pool, ${GENERATION_POOL('g2')} AS pool_b
       FROM generations g1
       JOIN generations g2 ON g2.prompt_id = g1.prompt_id AND g2.prompt = g1.prompt
       WHERE g1.outcome = 'success' AND g2.outcome = 'success'
         AND ${MODEL_KEY('g1')} < ${MODEL_KEY('g2')}${filter.category === undefined ? '' : ' AND g1.category = ?'}
     ) WHERE pool = pool_b${filter.pool === undefined ? '' : ' AND pool = ?'}
     ORDER BY model_a, model_b, prompt_id, generation_a, generation_b`,
  );
  const rows = statement.all(...params) as {
    model_a: string;
    model_b: string;
    prompt_id: string;
    category: string;
    generation_a: string;
    generation_b: string;
    pool: Pool;
  }[];
  return rows.map((row) => ({
    modelA: row.model_a,
    modelB: row.model_b,
    promptId: row.prompt_id,
    category: row.category,
    generationA: row.generation_a,
    generationB: row.generation_b,
    pool: row.pool,
  }));
}

/** What a vote needs to know about a generation. */
export interface GenerationForVote {
  id: string;
  model: string;
  promptId: string;
  prompt: string;
  category: string;
  outcome: string | null;
  /** The generation's own pool (a vote's pool: pairPool of its two). */
  pool: Pool;
}

export function getGenerationsForVotes(
  db: ReadableDb,
  ids: readonly string[],
): Map<string, GenerationForVote> {
  const statement = db.prepare(
    `SELECT id, ${MODEL_KEY('g')} AS model, prompt_id, prompt, category, outcome,
       ${GENERATION_POOL('g')} AS pool
     FROM generations g WHERE id = ?`,
  );
  const out = new Map<string, GenerationForVote>();
  for (const id of new Set(ids)) {
    const row = statement.get(id) as
      | {
          id: string;
          model: string;
          prompt_id: string;
          prompt: string;
          category: string;
          outcome: string | null;
          pool: Pool;
        }
      | undefined;
    if (row) {
      out.set(id, {
        id: row.id,
        model: row.model,
        promptId: row.prompt_id,
        prompt: row.prompt,
        category: row.category,
        outcome: row.outcome,
        pool: row.pool,
      });
    }
  }
  return out;
}
