/**
 * What `aideon review …` runs; the CLI registers these (see the report for the wiring):
 *   aideon review import-votes FILE            → importVotesFile + formatImportResult
 *   aideon review ratings [--category C] --json → reviewRatings
 * Both take the database handle; they print nothing themselves.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import { formatCoefficient, formatPercent } from '../../shared/format';
import {
  poolLabel,
  poolSchema,
  type ImportVotesResult,
  type Pool,
  type Rating,
  type RatingsOptions,
  type RatingsResult,
  type ReviewerAgreement,
} from '../../shared/review/review-schemas';
import { alignColumns } from '../cli/columns';
import type { ReadableDb, WritableDb } from '../store/db';
import { computeAgreement } from './agreement';
import { importArenaVotes, parseArenaCsvEncoded } from './arena-csv';
import { computeRatings, computeRatingsEncoded, selectPool } from './bradley-terry';
import { loadRatingVotes } from './rating-votes';
import { importVotesCsv } from './votes-csv';

export function importVotesFile(
  db: WritableDb,
  file: string,
  options: { now?: number; newId?: () => string } = {},
): ImportVotesResult {
  return importVotesCsv(db, readText(file, 'votes file'), {
    now: options.now ?? Date.now(),
    newId: options.newId ?? randomUUID,
  });
}

export function formatImportResult(result: ImportVotesResult): string {
  const skipped = result.duplicates > 0 ? `; ${result.duplicates} already stored, skipped` : '';
  return `Imported ${result.imported} of ${result.rows} votes${skipped}.\n`;
}

/** Ratings for all votes (the category filter picks which board is printed). */
export function reviewRatings(
  db: ReadableDb,
  options: {
    category?: string;
    json?: boolean;
    byReviewer?: boolean;
    pool?: string;
  } & RatingsOptions = {},
): { result: RatingsResult; text: string } {
  const { category, json, byReviewer, pool: poolText, ...ratingsOptions } = options;
  const pool = parsePool(poolText);
  const { encoded, own: votes } = loadRatingVotes(db, pool === undefined ? {} : { pool });
  const result: RatingsResult = {
    ...computeRatingsEncoded(encoded, ratingsOptions),
    ...(pool === undefined ? {} : { pool }),
  };
  if (byReviewer) {
    const agreement = computeAgreement(votes);
    const voters = agreement.reviewers.map((entry) => entry.reviewer);
    const boards: Record<string, Rating[]> = {};
    for (const voter of voters) {
      const own = computeRatings(
        votes.filter((vote) => vote.voter === voter),
        ratingsOptions,
      );
      boards[voter] = category === undefined ? own.overall : (own.byCategory[category] ?? []);
    }
    const overall = category === undefined ? result.overall : (result.byCategory[category] ?? []);
    if (json) {
      return {
        result: { ...result, agreement },
        text: `${JSON.stringify({ ...(category === undefined ? {} : { category }), overall, byReviewer: boards, agreement, resamples: result.resamples, seed: result.seed }, null, 2)}\n`,
      };
    }
    const parts = [`All reviewers (${votes.length} votes)\n${formatBoard(overall)}`];
    for (const voter of voters) {
      parts.push(`${voter}\n${formatBoard(boards[voter]!)}`);
    }
    parts.push(formatAgreement(agreement));
    return { result: { ...result, agreement }, text: parts.join('\n') };
  }
  if (category !== undefined && !(category in result.byCategory)) {
    const known = Object.keys(result.byCategory);
    throw new AppError(
      'not_found',
      `No votes in category "${category}". ${known.length ? `Categories with votes: ${known.join(', ')}.` : 'There are no votes yet.'}`,
    );
  }
  const board = category === undefined ? result.overall : result.byCategory[category]!;
  if (json) {
    const payload =
      category === undefined
        ? result
        : { category, ratings: board, resamples: result.resamples, seed: result.seed };
    return { result, text: `${JSON.stringify(payload, null, 2)}\n` };
  }
  return {
    result,
    text: `${category === undefined ? poolsNote(result) : ''}${formatBoard(board, category === undefined ? result : undefined)}`,
  };
}

/** `--pool NAME`: one of POOLS, or a clear usage error. */
export function parsePool(text: string | undefined): Pool | undefined {
  if (text === undefined) return undefined;
  const parsed = poolSchema.safeParse(text);
  if (!parsed.success) {
    throw new AppError(
      'validation',
      `--pool must be one of ${poolSchema.options.join(', ')} (got "${text}").`,
    );
  }
  return parsed.data;
}

/** One line saying which pools a board combines (or the one pool it is). */
export function poolsNote(result: RatingsResult): string {
  if (result.pool !== undefined) return `Pool: ${poolLabel(result.pool)}.\n`;
  if (result.pools.length === 0) return '';
  const list = result.pools.map((entry) => `${poolLabel(entry.pool)} (${entry.votes})`).join(', ');
  return result.pools.length === 1
    ? `Pool: ${list}.\n`
    : `Combines ${result.pools.length} pools: ${list}. Pass --pool NAME to rate one pool alone.\n`;
}

/** An empty board, and where votes come from. */
const NO_VOTES =
  'No votes yet. Vote blind in the console (Review → Blind vote; reviewers join through aideon reviewers add), or import votes with aideon review import-votes FILE or aideon review import-arena FILE.\n';

export function formatBoard(board: readonly Rating[], result?: RatingsResult): string {
  if (board.length === 0) return NO_VOTES;
  const rows = board.map((rating, k) => [
    String(k + 1),
    rating.model,
    rating.rating.toFixed(0),
    `${rating.low.toFixed(0)}–${rating.high.toFixed(0)}`,
    String(rating.votes),
    `${rating.wins}/${rating.losses}/${rating.ties}/${rating.bothBad}`,
  ]);
  // Laid out as every other CLI table (cli/columns.ts): header, rule, rows.
  const out = alignColumns(['#', 'model', 'rating', '95% CI', 'votes', 'W/L/T/bad'], rows);
  if (result && result.votesStillNeeded.length > 0) {
    out.push('', 'Votes still needed to separate neighbours:');
    for (const need of result.votesStillNeeded) {
      out.push(
        `  ${need.modelA} vs ${need.modelB}: ${need.votes === 0 ? 'separated' : need.votes}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export function formatAgreement(agreement: ReviewerAgreement): string {
  if (agreement.reviewers.length === 0) return NO_VOTES;
  const out = ['Agreement with the other reviewers (their majority verdict on shared pairs):'];
  for (const entry of agreement.reviewers) {
    out.push(
      `  ${entry.reviewer}: ${entry.votes} votes, ${entry.sharedPairs} shared pairs, agreement ${formatPercent(entry.agreementWithOthers)}, kappa ${formatCoefficient(entry.kappaWithOthers)}${entry.flagged ? `  FLAGGED: ${entry.flagReason}` : ''}`,
    );
  }
  if (agreement.pairs.length > 0) {
    out.push("Pairwise (shared pairs, agreement, Cohen's kappa):");
    for (const pair of agreement.pairs) {
      out.push(
        `  ${pair.reviewerA} · ${pair.reviewerB}: ${pair.shared}, ${formatPercent(pair.agreement)}, ${formatCoefficient(pair.kappa)}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** A file's text, or an error that says which file and why it could not be read. */
function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (code ?? 'unknown error');
    throw new AppError('not_found', `Cannot read the ${what} ${file}: ${why}.`, { cause: error });
  }
}

/** `aideon review import-arena FILE`: stores model-level votes (a file only once). */
export function importArenaFile(db: WritableDb, file: string, now = Date.now()): string {
  const result = importArenaVotes(db, readText(file, 'arena votes file'), file, now);
  if (result.alreadyImported)
    return `This file was imported before (${result.rows} votes); nothing added.\n`;
  const pools = Object.entries(result.pools)
    .map(([pool, count]) => `${poolLabel(pool as Pool)}: ${count}`)
    .join(', ');
  const unspecified = result.pools.unspecified
    ? ' Votes whose category names no pool are kept in the unspecified pool, rated apart.'
    : '';
  return `Imported ${result.imported} arena votes (${pools}).${unspecified}\n`;
}

/** `aideon review ratings --votes FILE`: fits the file alone, storing nothing. */
export function fileRatings(
  file: string,
  options: { category?: string; json?: boolean; pool?: string } & RatingsOptions = {},
): string {
  const { category, json, pool: poolText, ...ratingsOptions } = options;
  const pool = parsePool(poolText);
  const parsed = parseArenaCsvEncoded(readText(file, 'arena votes file'));
  const encoded = pool === undefined ? parsed : selectPool(parsed, pool);
  const result: RatingsResult = {
    ...computeRatingsEncoded(encoded, ratingsOptions),
    ...(pool === undefined ? {} : { pool }),
  };
  if (category !== undefined && !(category in result.byCategory)) {
    throw new AppError(
      'not_found',
      `No votes in category "${category}" in ${file}. Categories: ${Object.keys(result.byCategory).join(', ')}.`,
    );
  }
  const board = category === undefined ? result.overall : result.byCategory[category]!;
  if (json)
    return `${JSON.stringify(category === undefined ? result : { category, ratings: board }, null, 2)}\n`;
  const note = category === undefined ? poolsNote(result) : '';
  return `${note}${formatBoard(board, category === undefined ? result : undefined)}`;
}
