/**
 * Arena-format votes: `model_a,model_b,winner[,category]` (header required, any column order).
 *
 * winner (case-insensitive): `model_a` or `a` (A preferred), `model_b` or `b`, `tie`,
 * `tie (bothbad)` or `both_bad` (a tie where both were bad). category: optional; votes without
 * one go to the pool "uncategorised". Model names are taken as they are (1–200 characters);
 * use the console's `provider:model` keys to rate them together with its own votes.
 *
 * How they enter the fit: see bradley-terry.ts. A win is a win; a tie is half a win each way;
 * `both_bad` is a tie too by default (option `bothBad: 'exclude'` leaves it out of the fit).
 *
 * Bad rows: all or nothing; one ValidationError names every bad line and field.
 */
import { createHash } from 'node:crypto';
import { ValidationError, type ValidationIssue } from '../../shared/errors';
import type { Verdict } from '../../shared/review/review-schemas';
import type { ReadableDb, WritableDb } from '../store/db';
import type { VoteForRating } from './bradley-terry';
import { parseCsv } from './votes-csv';

const WINNERS: Record<string, Verdict> = {
  model_a: 'a',
  a: 'a',
  model_b: 'b',
  b: 'b',
  tie: 'tie',
  'tie (bothbad)': 'both_bad',
  both_bad: 'both_bad',
};
export const UNCATEGORISED = 'uncategorised';

export type ArenaVote = VoteForRating;

export function parseArenaCsv(text: string): ArenaVote[] {
  const { records, issues } = parseCsv(text);
  const [header, ...rows] = records;
  if (!header) {
    throw new ValidationError('arena votes CSV', [
      ...issues,
      {
        path: 'line 1',
        message: 'the file is empty; the header is model_a,model_b,winner[,category]',
      },
    ]);
  }
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const at = (column: string): number => names.indexOf(column);
  const headerIssues: ValidationIssue[] = [];
  for (const column of ['model_a', 'model_b', 'winner']) {
    if (at(column) < 0)
      headerIssues.push({ path: `line ${header.line}.${column}`, message: 'missing column' });
  }
  names.forEach((name, k) => {
    if (!['model_a', 'model_b', 'winner', 'category'].includes(name)) {
      headerIssues.push({
        path: `line ${header.line}.${name || `column ${k + 1}`}`,
        message: 'unknown column',
      });
    } else if (names.indexOf(name) !== k) {
      headerIssues.push({ path: `line ${header.line}.${name}`, message: 'column appears twice' });
    }
  });
  if (headerIssues.length > 0) {
    throw new ValidationError('arena votes CSV', [
      ...issues,
      ...headerIssues,
      {
        path: `line ${header.line}`,
        message: 'the header must be model_a,model_b,winner[,category]',
      },
    ]);
  }
  const a = at('model_a');
  const b = at('model_b');
  const w = at('winner');
  const c = at('category');
  const votes: ArenaVote[] = [];
  for (const row of rows) {
    if (row.fields.length !== names.length) {
      issues.push({
        path: `line ${row.line}`,
        message: `has ${row.fields.length} fields; the header has ${names.length}`,
      });
      continue;
    }
    const before = issues.length;
    const modelA = row.fields[a]!.trim();
    const modelB = row.fields[b]!.trim();
    for (const [column, value] of [
      ['model_a', modelA],
      ['model_b', modelB],
    ] as const) {
      if (!value) issues.push({ path: `line ${row.line}.${column}`, message: 'is empty' });
      else if (value.length > 200)
        issues.push({
          path: `line ${row.line}.${column}`,
          message: 'is longer than 200 characters',
        });
    }
    if (modelA && modelA === modelB) {
      issues.push({
        path: `line ${row.line}.model_b`,
        message: `same model on both sides (${modelA})`,
      });
    }
    const winnerText = row.fields[w]!.trim();
    const verdict = WINNERS[winnerText.toLowerCase()];
    if (!verdict) {
      issues.push({
        path: `line ${row.line}.winner`,
        message: `"${winnerText}" is not one of model_a, model_b, tie, tie (bothbad) (or a, b, tie, both_bad)`,
      });
    }
    const category = c >= 0 ? row.fields[c]!.trim() || UNCATEGORISED : UNCATEGORISED;
    if (category.length > 64)
      issues.push({ path: `line ${row.line}.category`, message: 'is longer than 64 characters' });
    if (issues.length > before || !verdict) continue;
    votes.push({ modelA, modelB, verdict, category });
  }
  if (issues.length > 0) throw new ValidationError('arena votes CSV', issues);
  return votes;
}

export interface ImportArenaResult {
  rows: number;
  imported: number;
  /** The same file (same text) was imported before: nothing added. */
  alreadyImported: boolean;
}

/** Validates the whole file, then stores every vote in one transaction; a file only once. */
export function importArenaVotes(
  db: WritableDb,
  text: string,
  fileName: string,
  now: number,
): ImportArenaResult {
  const votes = parseArenaCsv(text);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  let imported = 0;
  let alreadyImported = false;
  db.transaction(() => {
    const inserted = db
      .prepare(
        'INSERT OR IGNORE INTO external_vote_files (sha256, file_name, rows, imported_at) VALUES (?, ?, ?, ?)',
      )
      .run(sha256, fileName, votes.length, now).changes;
    if (inserted === 0) {
      alreadyImported = true;
      return;
    }
    const insert = db.prepare(
      'INSERT INTO external_votes (file_sha256, model_a, model_b, verdict, category) VALUES (?, ?, ?, ?, ?)',
    );
    for (const vote of votes) {
      insert.run(sha256, vote.modelA, vote.modelB, vote.verdict, vote.category);
      imported += 1;
    }
  })();
  return { rows: votes.length, imported, alreadyImported };
}

export function listExternalVotes(db: ReadableDb): ArenaVote[] {
  return (
    db
      .prepare('SELECT model_a, model_b, verdict, category FROM external_votes ORDER BY id')
      .all() as {
      model_a: string;
      model_b: string;
      verdict: Verdict;
      category: string;
    }[]
  ).map((row) => ({
    modelA: row.model_a,
    modelB: row.model_b,
    verdict: row.verdict,
    category: row.category,
  }));
}
