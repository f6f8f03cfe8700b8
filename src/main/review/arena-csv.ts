/**
 * Arena-format votes: `model_a,model_b,winner[,category]` (header required, any column order).
 *
 * winner (case-insensitive): `model_a` or `a` (A preferred), `model_b` or `b`, `tie`,
 * `tie (bothbad)` or `both_bad` (a tie where both were bad). category: optional; votes without
 * one get the category "uncategorised". Each vote's category pool comes from its category
 * (poolOfCategory: text-to-video, t2v, i2v with audio, …); a category that names no pool puts
 * the vote in the `unspecified` pool, which is rated apart and named wherever it is combined.
 * Model names are taken as they are (1–200 characters); use the console's `provider:model` keys
 * to rate them together with its own votes.
 *
 * Speed: the file is scanned once (forEachCsvRecord: quote-free lines are split directly) into
 * typed arrays (VoteEncoder), and stored as counts per (models, verdict, category).
 *
 * How they enter the fit: see bradley-terry.ts. A win is a win; a tie is half a win each way;
 * `both_bad` is a tie too by default (option `bothBad: 'exclude'` leaves it out of the fit).
 *
 * Bad rows: all or nothing; one ValidationError names every bad line and field.
 */
import { createHash } from 'node:crypto';
import { ValidationError, type ValidationIssue } from '../../shared/errors';
import { poolOfCategory, type Pool, type Verdict } from '../../shared/review/review-schemas';
import type { ReadableDb, WritableDb } from '../store/db';
import { VERDICT_CODE, VoteEncoder, type EncodedVotes, type VoteForRating } from './bradley-terry';
import { forEachCsvRecord } from './votes-csv';

const WINNERS: Record<string, Verdict> = {
  model_a: 'a',
  a: 'a',
  model_b: 'b',
  b: 'b',
  tie: 'tie',
  'tie (bothbad)': 'both_bad',
  both_bad: 'both_bad',
};
const WINNER_CODES = new Map(
  Object.entries(WINNERS).map(([text, verdict]) => [text, VERDICT_CODE[verdict]]),
);
const VERDICT_NAMES: Verdict[] = ['a', 'b', 'tie', 'both_bad'];
export const UNCATEGORISED = 'uncategorised';

export type ArenaVote = VoteForRating & { pool: Pool };

/**
 * Parses and validates the whole file into encoded votes (names interned, no per-vote objects),
 * or throws one ValidationError naming every bad line and field. Each vote's pool comes from
 * its category (poolOfCategory); no category, or one that names no pool, is `unspecified`.
 */
export function parseArenaCsvEncoded(text: string): EncodedVotes {
  const issues: ValidationIssue[] = [];
  let header: { line: number; names: string[] } | undefined;
  let headerIssues: ValidationIssue[] = [];
  let a = -1;
  let b = -1;
  let w = -1;
  let c = -1;
  // About 40 bytes a row: one growth step at most for typical files.
  const encoder = new VoteEncoder(Math.ceil(text.length / 40));
  const poolByCategory = new Map<string, Pool>();
  const syntax = forEachCsvRecord(text, (fields, line) => {
    if (!header) {
      const names = fields.map((name) => name.trim().toLowerCase());
      header = { line, names };
      const at = (column: string): number => names.indexOf(column);
      for (const column of ['model_a', 'model_b', 'winner']) {
        if (at(column) < 0)
          headerIssues.push({ path: `line ${line}`, message: `no column "${column}"` });
      }
      names.forEach((name, k) => {
        if (!['model_a', 'model_b', 'winner', 'category'].includes(name)) {
          headerIssues.push({
            path: `line ${line}`,
            message: name ? `unknown column "${name}"` : `column ${k + 1} has no name`,
          });
        } else if (names.indexOf(name) !== k) {
          headerIssues.push({ path: `line ${line}`, message: `column "${name}" appears twice` });
        }
      });
      a = at('model_a');
      b = at('model_b');
      w = at('winner');
      c = at('category');
      return;
    }
    if (headerIssues.length > 0) return;
    if (fields.length !== header.names.length) {
      issues.push({
        path: `line ${line}`,
        message: `has ${fields.length} fields; the header has ${header.names.length}`,
      });
      return;
    }
    const before = issues.length;
    const modelA = fields[a]!.trim();
    const modelB = fields[b]!.trim();
    if (!modelA) issues.push({ path: `line ${line}.model_a`, message: 'is empty' });
    else if (modelA.length > 200)
      issues.push({ path: `line ${line}.model_a`, message: 'is longer than 200 characters' });
    if (!modelB) issues.push({ path: `line ${line}.model_b`, message: 'is empty' });
    else if (modelB.length > 200)
      issues.push({ path: `line ${line}.model_b`, message: 'is longer than 200 characters' });
    if (modelA && modelA === modelB) {
      issues.push({
        path: `line ${line}.model_b`,
        message: `same model on both sides (${modelA})`,
      });
    }
    const winnerText = fields[w]!;
    const code = WINNER_CODES.get(winnerText) ?? WINNER_CODES.get(winnerText.trim().toLowerCase());
    if (code === undefined) {
      issues.push({
        path: `line ${line}.winner`,
        message: `"${winnerText.trim()}" is not one of model_a, model_b, tie, tie (bothbad) (or a, b, tie, both_bad)`,
      });
    }
    const category = c >= 0 ? fields[c]!.trim() || UNCATEGORISED : UNCATEGORISED;
    if (category.length > 64)
      issues.push({ path: `line ${line}.category`, message: 'is longer than 64 characters' });
    if (issues.length > before || code === undefined) return;
    let pool = poolByCategory.get(category);
    if (pool === undefined) {
      pool = poolOfCategory(category);
      poolByCategory.set(category, pool);
    }
    encoder.add(modelA, modelB, code, category, pool);
  });
  if (!header) {
    throw new ValidationError('arena votes CSV', [
      ...syntax,
      {
        path: 'line 1',
        message: 'the file is empty; the header is model_a,model_b,winner[,category]',
      },
    ]);
  }
  if (headerIssues.length > 0) {
    const { line } = header as { line: number };
    headerIssues = [
      ...syntax,
      ...headerIssues,
      { path: `line ${line}`, message: 'the header must be model_a,model_b,winner[,category]' },
    ];
    throw new ValidationError('arena votes CSV', headerIssues);
  }
  const all = [...syntax, ...issues].sort((x, y) => lineOf(x.path) - lineOf(y.path));
  if (all.length > 0) throw new ValidationError('arena votes CSV', all);
  return encoder.finish();
}

function lineOf(path: string): number {
  return Number(/^line (\d+)/.exec(path)?.[1] ?? 0);
}

/** The encoded votes as objects (small files and tests). */
export function decodeVotes(encoded: EncodedVotes): ArenaVote[] {
  const votes: ArenaVote[] = [];
  for (let k = 0; k < encoded.verdict.length; k += 1) {
    votes.push({
      modelA: encoded.models[encoded.modelA[k]!]!,
      modelB: encoded.models[encoded.modelB[k]!]!,
      verdict: VERDICT_NAMES[encoded.verdict[k]!]!,
      category: encoded.categories[encoded.category[k]!]!,
      pool: encoded.pools[encoded.pool[k]!]!,
    });
  }
  return votes;
}

export function parseArenaCsv(text: string): ArenaVote[] {
  return decodeVotes(parseArenaCsvEncoded(text));
}

export interface ImportArenaResult {
  rows: number;
  imported: number;
  /** The same file (same text) was imported before: nothing added. */
  alreadyImported: boolean;
  /** Votes per pool (from the category column); `unspecified` ones are not mixed silently. */
  pools: Partial<Record<Pool, number>>;
}

/** Rows per multi-row INSERT: 7 parameters each, under SQLite's 32766 parameter limit. */
const BATCH = 500;

/**
 * Validates the whole file, then stores it in one transaction as counts per (model_a, model_b,
 * verdict, category) with prepared multi-row INSERTs (see migration 0220); a file (same text)
 * only once.
 */
export function importArenaVotes(
  db: WritableDb,
  text: string,
  fileName: string,
  now: number,
): ImportArenaResult {
  const encoded = parseArenaCsvEncoded(text);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const total = encoded.verdict.length;
  const pools: Partial<Record<Pool, number>> = {};
  // Aggregate: key = ((a·M + b)·4 + verdict)·C + category (a category fixes its pool).
  const modelCount = encoded.models.length;
  const categoryCount = encoded.categories.length;
  const counts = new Map<number, number>();
  for (let k = 0; k < total; k += 1) {
    const pool = encoded.pools[encoded.pool[k]!]!;
    pools[pool] = (pools[pool] ?? 0) + 1;
    const key =
      ((encoded.modelA[k]! * modelCount + encoded.modelB[k]!) * 4 + encoded.verdict[k]!) *
        categoryCount +
      encoded.category[k]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const poolOfCategory = new Map<number, Pool>();
  for (let k = 0; k < total; k += 1)
    poolOfCategory.set(encoded.category[k]!, encoded.pools[encoded.pool[k]!]!);
  let imported = 0;
  let alreadyImported = false;
  const statement = (rows: number) =>
    db.prepare(
      `INSERT INTO external_vote_counts (file_sha256, model_a, model_b, verdict, category, pool, votes) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    );
  db.transaction(() => {
    const inserted = db
      .prepare(
        'INSERT OR IGNORE INTO external_vote_files (sha256, file_name, rows, imported_at) VALUES (?, ?, ?, ?)',
      )
      .run(sha256, fileName, total, now).changes;
    if (inserted === 0) {
      alreadyImported = true;
      return;
    }
    const entries = [...counts];
    const full = entries.length >= BATCH ? statement(BATCH) : undefined;
    const values: (string | number)[] = [];
    for (let start = 0; start < entries.length; start += BATCH) {
      const rows = Math.min(BATCH, entries.length - start);
      values.length = 0;
      for (let r = start; r < start + rows; r += 1) {
        const [key, votes] = entries[r]!;
        const category = key % categoryCount;
        let rest = (key - category) / categoryCount;
        const verdict = rest % 4;
        rest = (rest - verdict) / 4;
        const modelB = rest % modelCount;
        const modelA = (rest - modelB) / modelCount;
        values.push(
          sha256,
          encoded.models[modelA]!,
          encoded.models[modelB]!,
          VERDICT_NAMES[verdict]!,
          encoded.categories[category]!,
          poolOfCategory.get(category)!,
          votes,
        );
        imported += votes;
      }
      (rows === BATCH && full ? full : statement(rows)).run(values);
    }
  })();
  return { rows: total, imported, alreadyImported, pools };
}

/**
 * Adds the stored arena votes to an encoder (each count as that many votes): resampling the
 * counts is resampling the votes. `pool` limits to one pool.
 */
export function addExternalVotes(db: ReadableDb, encoder: VoteEncoder, pool?: Pool): void {
  const where = pool === undefined ? '' : 'WHERE pool = ?';
  const statement = db
    .prepare(
      `SELECT model_a, model_b, verdict, category, pool, SUM(votes) AS n FROM external_vote_counts ${where}
       GROUP BY model_a, model_b, verdict, category, pool ORDER BY model_a, model_b, verdict, category, pool`,
    )
    .raw();
  const rows = (pool === undefined ? statement.all() : statement.all(pool)) as [
    string,
    string,
    Verdict,
    string,
    Pool,
    number,
  ][];
  for (const [modelA, modelB, verdict, category, rowPool, count] of rows) {
    encoder.add(modelA, modelB, VERDICT_CODE[verdict], category, rowPool, count);
  }
}

/** Every stored arena vote (one object a vote: for small sets and tests). */
export function listExternalVotes(db: ReadableDb): ArenaVote[] {
  const encoder = new VoteEncoder();
  addExternalVotes(db, encoder);
  return decodeVotes(encoder.finish());
}
