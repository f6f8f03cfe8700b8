/**
 * SQLite repository for review votes (table from migration 0020) and the candidate pairs
 * drawn from `generations`. Every function takes the database handle first; writes take a
 * WritableDb.
 */
import { ValidationError } from '../../shared/errors';
import { voteSchema, type Verdict, type Vote } from '../../shared/review/review-schemas';
import { zodIssues } from '../../shared/validation';
import type { ReadableDb, WritableDb } from '../store/db';

/** `provider:model` from a generations row, in SQL. */
const MODEL_KEY = (alias: string): string => `(${alias}.provider || ':' || ${alias}.model_id)`;

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
       verdict, comment, voter, voter_via, voted_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
  };
  if (row.comment !== null) vote.comment = row.comment;
  return vote;
}

export function listVotes(db: ReadableDb, filter: { category?: string } = {}): Vote[] {
  const rows = (
    filter.category === undefined
      ? db.prepare('SELECT * FROM votes ORDER BY voted_at, rowid').all()
      : db
          .prepare('SELECT * FROM votes WHERE category = ? ORDER BY voted_at, rowid')
          .all(filter.category)
  ) as VoteRow[];
  return rows.map(toVote);
}

export interface PairCount {
  /** modelA < modelB (string order). */
  modelA: string;
  modelB: string;
  votes: number;
}

export function countVotesByPair(db: ReadableDb, filter: { category?: string } = {}): PairCount[] {
  const where = filter.category === undefined ? '' : 'WHERE category = ?';
  const statement = db.prepare(
    `SELECT min(model_a, model_b) AS a, max(model_a, model_b) AS b, COUNT(*) AS n
     FROM votes ${where} GROUP BY a, b ORDER BY a, b`,
  );
  const rows = (
    filter.category === undefined ? statement.all() : statement.all(filter.category)
  ) as { a: string; b: string; n: number }[];
  return rows.map((row) => ({ modelA: row.a, modelB: row.b, votes: row.n }));
}

export interface PairPromptCount extends PairCount {
  promptId: string;
}

export function countVotesByPairPrompt(
  db: ReadableDb,
  filter: { category?: string } = {},
): PairPromptCount[] {
  const where = filter.category === undefined ? '' : 'WHERE category = ?';
  const statement = db.prepare(
    `SELECT min(model_a, model_b) AS a, max(model_a, model_b) AS b, prompt_id, COUNT(*) AS n
     FROM votes ${where} GROUP BY a, b, prompt_id`,
  );
  const rows = (
    filter.category === undefined ? statement.all() : statement.all(filter.category)
  ) as { a: string; b: string; prompt_id: string; n: number }[];
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
}

/**
 * Every (model pair, prompt) where both models have a successful generation. "Same prompt"
 * means the same prompt id AND the same prompt text, so two suites that both call a prompt
 * "p01" are not mixed up.
 */
export function listPairCandidates(
  db: ReadableDb,
  filter: { category?: string } = {},
): PairCandidate[] {
  const where = filter.category === undefined ? '' : 'AND g1.category = ?';
  const statement = db.prepare(
    `SELECT ${MODEL_KEY('g1')} AS model_a, ${MODEL_KEY('g2')} AS model_b, g1.prompt_id,
            g1.category, g1.id AS generation_a, g2.id AS generation_b
     FROM generations g1
     JOIN generations g2 ON g2.prompt_id = g1.prompt_id AND g2.prompt = g1.prompt
     WHERE g1.outcome = 'success' AND g2.outcome = 'success'
       AND ${MODEL_KEY('g1')} < ${MODEL_KEY('g2')} ${where}
     ORDER BY model_a, model_b, g1.prompt_id, g1.id, g2.id`,
  );
  const rows = (
    filter.category === undefined ? statement.all() : statement.all(filter.category)
  ) as {
    model_a: string;
    model_b: string;
    prompt_id: string;
    category: string;
    generation_a: string;
    generation_b: string;
  }[];
  return rows.map((row) => ({
    modelA: row.model_a,
    modelB: row.model_b,
    promptId: row.prompt_id,
    category: row.category,
    generationA: row.generation_a,
    generationB: row.generation_b,
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
}

export function getGenerationsForVotes(
  db: ReadableDb,
  ids: readonly string[],
): Map<string, GenerationForVote> {
  const statement = db.prepare(
    `SELECT id, ${MODEL_KEY('g')} AS model, prompt_id, prompt, category, outcome
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
      });
    }
  }
  return out;
}
