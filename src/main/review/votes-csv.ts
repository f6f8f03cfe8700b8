/**
 * Votes as CSV (RFC 4180): export, and an all-or-nothing import validated row by row.
 *
 * Header (any column order on import, exactly these names):
 *   generation_a,generation_b,verdict,voter,voted_at,comment
 * verdict: exactly one of a, b, tie, both_bad (lower case; "A", "left", "right" are refused:
 *   a = generation_a preferred, b = generation_b preferred).
 * voted_at: ISO 8601 date-time with a zone (2025-03-01T12:00:00Z, …+02:00) or epoch
 *   milliseconds (13 digits today); epoch seconds are refused.
 * comment: optional (empty = none).
 *
 * No CSV package is installed in this project, so this module carries a small RFC 4180 reader:
 * comma separator, CRLF or LF line ends, double-quoted fields that may contain commas, quotes
 * ("" escapes) and line breaks; a UTF-8 BOM is ignored. Export quotes a field only when needed
 * and ends lines with CRLF.
 */
import { ValidationError, type ValidationIssue } from '../../shared/errors';
import {
  VERDICTS,
  type ImportVotesResult,
  type Verdict,
  type Vote,
} from '../../shared/review/review-schemas';
import type { WritableDb } from '../store/db';
import {
  getGenerationsForVotes,
  insertVotes,
  pairPool,
  type GenerationForVote,
} from './review-repository';

export const VOTES_CSV_COLUMNS = [
  'generation_a',
  'generation_b',
  'verdict',
  'voter',
  'voted_at',
  'comment',
] as const;
type Column = (typeof VOTES_CSV_COLUMNS)[number];

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

/**
 * Calls `visit` for every record of RFC 4180 text, in order; syntax errors are returned with
 * their line numbers (a record with one is not visited; an unclosed quote ends the scan).
 *
 * Fast path: a line without any double quote is one record, split at its commas (RFC 4180: a
 * record can only span lines inside a quoted field). Lines with a quote go through the full
 * field reader. Each character is looked at once on the fast path.
 */
export function forEachCsvRecord(
  text: string,
  visit: (fields: string[], line: number) => void,
): ValidationIssue[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const length = input.length;
  const issues: ValidationIssue[] = [];
  let line = 1;
  let position = 0;
  while (position < length) {
    // Fast path: find the line end with one character loop, stopping at a quote.
    let end = position;
    let quoted = false;
    for (; end < length; end += 1) {
      const char = input.charCodeAt(end);
      if (char === 10) break;
      if (char === 34) {
        quoted = true;
        break;
      }
    }
    if (!quoted) {
      const stop =
        end < length && end > position && input.charCodeAt(end - 1) === 13 ? end - 1 : end;
      const startLine = line;
      const start = position;
      position = end + 1;
      line += 1;
      if (stop > start) visit(input.slice(start, stop).split(','), startLine);
      continue;
    }
    // A record with a quote: read field by field (it may span lines).
    const startLine = line;
    const fields: string[] = [];
    let bad = false;
    for (;;) {
      let value = '';
      if (input.charCodeAt(position) === 34) {
        position += 1;
        let closed = false;
        while (position < length) {
          const close = input.indexOf('"', position);
          if (close === -1) break;
          const piece = input.slice(position, close);
          for (let k = piece.indexOf('\n'); k !== -1; k = piece.indexOf('\n', k + 1)) line += 1;
          value += piece;
          if (input.charCodeAt(close + 1) === 34) {
            value += '"';
            position = close + 2;
            continue;
          }
          position = close + 1;
          closed = true;
          break;
        }
        if (!closed) {
          issues.push({ path: `line ${startLine}`, message: 'a quoted field is never closed' });
          return issues;
        }
        const next = input[position];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') bad = true;
        while (
          position < length &&
          input[position] !== ',' &&
          input[position] !== '\n' &&
          !(input[position] === '\r' && input[position + 1] === '\n')
        ) {
          position += 1;
        }
      } else {
        const start = position;
        while (position < length) {
          const char = input.charCodeAt(position);
          if (
            char === 44 ||
            char === 10 ||
            (char === 13 && input.charCodeAt(position + 1) === 10)
          ) {
            break;
          }
          if (char === 34) bad = true;
          position += 1;
        }
        value = input.slice(start, position);
      }
      fields.push(value);
      if (input[position] === ',') {
        position += 1;
        continue;
      }
      if (input[position] === '\r') position += 1;
      if (input[position] === '\n') {
        position += 1;
        line += 1;
      }
      break;
    }
    if (bad) {
      issues.push({
        path: `line ${startLine}`,
        message: 'a quote may only wrap a whole field; write a quote inside one as ""',
      });
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    visit(fields, startLine);
  }
  return issues;
}

/** Parses RFC 4180 text into records; syntax errors are collected with their line numbers. */
export function parseCsv(text: string): { records: CsvRecord[]; issues: ValidationIssue[] } {
  const records: CsvRecord[] = [];
  const issues = forEachCsvRecord(text, (fields, line) => records.push({ line, fields }));
  return { records, issues };
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim()
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}

export function exportVotesCsv(votes: readonly Vote[]): string {
  const lines = [VOTES_CSV_COLUMNS.join(',')];
  for (const vote of votes) {
    lines.push(
      [
        vote.generationA,
        vote.generationB,
        vote.verdict,
        vote.voter,
        new Date(vote.votedAt).toISOString(),
        vote.comment ?? '',
      ]
        .map(quote)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms from ISO 8601 (with zone) or epoch milliseconds; a message when it is neither. */
export function parseTimestamp(text: string): number | string {
  const value = text.trim();
  if (/^\d+$/.test(value)) {
    const ms = Number(value);
    if (ms < 1e11) {
      return `"${value}" looks like epoch seconds; give epoch milliseconds or ISO 8601`;
    }
    if (ms > 1e14) return `"${value}" is too far in the future`;
    return ms;
  }
  const match = ISO_DATE_TIME.exec(value);
  if (!match) {
    return `"${value}" is not ISO 8601 with a zone (e.g. 2025-03-01T12:00:00Z) or epoch milliseconds`;
  }
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (
    month! < 1 ||
    month! > 12 ||
    day! < 1 ||
    day! > daysInMonth ||
    hour! > 23 ||
    minute! > 59 ||
    (second ?? 0) > 59
  ) {
    return `"${value}" is not a real date and time`;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? `"${value}" is not a valid date` : ms;
}

export interface ValidateVotesOptions {
  /** Generations by id (only the ids named in the file need be present). */
  lookup: (ids: readonly string[]) => Map<string, GenerationForVote>;
  newId: () => string;
}

/** Turns CSV text into votes, or throws one ValidationError naming every bad line and field. */
export function validateVotesCsv(text: string, options: ValidateVotesOptions): Vote[] {
  const { records, issues } = parseCsv(text);
  const [header, ...rows] = records;
  if (!header) {
    throw new ValidationError('votes CSV', [
      ...issues,
      {
        path: 'line 1',
        message: `the file is empty; the header is ${VOTES_CSV_COLUMNS.join(',')}`,
      },
    ]);
  }
  const names = header.fields.map((name) => name.trim());
  const index = new Map<string, number>();
  names.forEach((name, k) => {
    if (!(VOTES_CSV_COLUMNS as readonly string[]).includes(name)) {
      issues.push({
        path: `line ${header.line}`,
        message: name ? `unknown column "${name}"` : `column ${k + 1} has no name`,
      });
    } else if (index.has(name)) {
      issues.push({ path: `line ${header.line}`, message: `column "${name}" appears twice` });
    } else index.set(name, k);
  });
  if (index.size === 0) {
    // Not one known column: not a votes file, or its header is missing. One line says so
    // instead of an unknown and a missing column per name.
    const shown = names.join(',');
    throw new ValidationError('votes CSV', [
      ...issues.filter((issue) => !issue.path.startsWith(`line ${header.line}`)),
      {
        path: `line ${header.line}`,
        message: `this is not a votes header ("${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}"); the first line must be ${VOTES_CSV_COLUMNS.join(',')}`,
      },
    ]);
  }
  for (const column of VOTES_CSV_COLUMNS) {
    if (!index.has(column)) {
      issues.push({ path: `line ${header.line}`, message: `no column "${column}"` });
    }
  }
  if (issues.some((issue) => issue.path.startsWith(`line ${header.line}`))) {
    issues.push({
      path: `line ${header.line}`,
      message: `the header must be ${VOTES_CSV_COLUMNS.join(',')}`,
    });
    throw new ValidationError('votes CSV', issues);
  }
  const field = (record: CsvRecord, column: Column): string =>
    record.fields[index.get(column)!] ?? '';
  const generations = options.lookup(
    rows.flatMap((row) => [field(row, 'generation_a').trim(), field(row, 'generation_b').trim()]),
  );

  const votes: Vote[] = [];
  for (const row of rows) {
    const at = (column: Column | 'row', message: string): void => {
      issues.push({
        path: column === 'row' ? `line ${row.line}` : `line ${row.line}.${column}`,
        message,
      });
    };
    if (row.fields.length !== names.length) {
      at('row', `has ${row.fields.length} fields; the header has ${names.length}`);
      continue;
    }
    const before = issues.length;
    const ids = {
      generation_a: field(row, 'generation_a').trim(),
      generation_b: field(row, 'generation_b').trim(),
    };
    const found: Partial<Record<'generation_a' | 'generation_b', GenerationForVote>> = {};
    for (const column of ['generation_a', 'generation_b'] as const) {
      const id = ids[column];
      const generation = id ? generations.get(id) : undefined;
      if (!id) at(column, 'is empty');
      else if (!generation) at(column, `unknown generation id "${id}"`);
      else if (generation.outcome !== 'success') {
        at(
          column,
          `generation "${id}" did not succeed (outcome ${generation.outcome ?? 'pending'})`,
        );
      } else found[column] = generation;
    }
    const a = found.generation_a;
    const b = found.generation_b;
    if (a && b) {
      if (a.promptId !== b.promptId || a.prompt !== b.prompt) {
        at(
          'generation_b',
          `is for prompt "${b.promptId}" but generation_a is for prompt "${a.promptId}"; both must show the same prompt`,
        );
      } else if (a.model === b.model) {
        at('generation_b', `same model on both sides (${a.model})`);
      }
    }
    const verdict = field(row, 'verdict');
    if (!(VERDICTS as readonly string[]).includes(verdict)) {
      at('verdict', `"${verdict}" is not allowed; use one of ${VERDICTS.join(', ')} (lower case)`);
    }
    const voter = field(row, 'voter').trim();
    if (!voter) at('voter', 'is empty');
    else if (voter.length > 200) at('voter', 'is longer than 200 characters');
    const votedAt = parseTimestamp(field(row, 'voted_at'));
    if (typeof votedAt === 'string') at('voted_at', votedAt);
    const comment = field(row, 'comment');
    if (comment.length > 4000) at('comment', 'is longer than 4000 characters');
    if (issues.length > before || !a || !b || typeof votedAt === 'string') continue;
    const vote: Vote = {
      id: options.newId(),
      generationA: a.id,
      generationB: b.id,
      modelA: a.model,
      modelB: b.model,
      promptId: a.promptId,
      category: a.category,
      pool: pairPool(a.pool, b.pool),
      verdict: verdict as Verdict,
      voter,
      voterVia: 'import',
      votedAt,
    };
    if (comment !== '') vote.comment = comment;
    votes.push(vote);
  }
  if (issues.length > 0) throw new ValidationError('votes CSV', issues);
  return votes;
}

/** Validates the whole file, then inserts every vote in one transaction; nothing on any error. */
export function importVotesCsv(
  db: WritableDb,
  text: string,
  options: { newId: () => string; now: number },
): ImportVotesResult {
  const votes = validateVotesCsv(text, {
    lookup: (ids) => getGenerationsForVotes(db, ids),
    newId: options.newId,
  });
  const { inserted, duplicates } = insertVotes(db, votes, options.now);
  return { rows: votes.length, imported: inserted, duplicates };
}
