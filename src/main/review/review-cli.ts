/**
 * What `aideon review …` runs; the CLI registers these (see the report for the wiring):
 *   aideon review import-votes FILE            → importVotesFile + formatImportResult
 *   aideon review ratings [--category C] --json → reviewRatings
 * Both take the database handle; they print nothing themselves.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import type {
  ImportVotesResult,
  Rating,
  RatingsOptions,
  RatingsResult,
  ReviewerAgreement,
} from '../../shared/review/review-schemas';
import type { ReadableDb, WritableDb } from '../store/db';
import { computeAgreement } from './agreement';
import { importArenaVotes, listExternalVotes, parseArenaCsv } from './arena-csv';
import { computeRatings } from './bradley-terry';
import { listVotes } from './review-repository';
import { importVotesCsv } from './votes-csv';

export function importVotesFile(
  db: WritableDb,
  file: string,
  options: { now?: number; newId?: () => string } = {},
): ImportVotesResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('not_found', `Cannot read the votes file ${file}.`, { cause: error });
  }
  return importVotesCsv(db, text, {
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
  options: { category?: string; json?: boolean; byReviewer?: boolean } & RatingsOptions = {},
): { result: RatingsResult; text: string } {
  const { category, json, byReviewer, ...ratingsOptions } = options;
  const votes = listVotes(db);
  const result = computeRatings([...votes, ...listExternalVotes(db)], ratingsOptions);
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
  return { result, text: formatBoard(board, category === undefined ? result : undefined) };
}

export function formatBoard(board: readonly Rating[], result?: RatingsResult): string {
  if (board.length === 0) return 'No votes yet.\n';
  const rows = board.map((rating, k) => [
    String(k + 1),
    rating.model,
    rating.rating.toFixed(0),
    `${rating.low.toFixed(0)}–${rating.high.toFixed(0)}`,
    String(rating.votes),
    `${rating.wins}/${rating.losses}/${rating.ties}/${rating.bothBad}`,
  ]);
  const header = ['#', 'model', 'rating', '95% CI', 'votes', 'W/L/T/bad'];
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
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

const percent = (value: number | null): string =>
  value === null ? '–' : `${(value * 100).toFixed(0)}%`;
const kappaText = (value: number | null): string => (value === null ? '–' : value.toFixed(2));

export function formatAgreement(agreement: ReviewerAgreement): string {
  if (agreement.reviewers.length === 0) return 'No votes yet.\n';
  const out = ['Agreement with the other reviewers (their majority verdict on shared pairs):'];
  for (const entry of agreement.reviewers) {
    out.push(
      `  ${entry.reviewer}: ${entry.votes} votes, ${entry.sharedPairs} shared pairs, agreement ${percent(entry.agreementWithOthers)}, kappa ${kappaText(entry.kappaWithOthers)}${entry.flagged ? `  FLAGGED: ${entry.flagReason}` : ''}`,
    );
  }
  if (agreement.pairs.length > 0) {
    out.push("Pairwise (shared pairs, agreement, Cohen's kappa):");
    for (const pair of agreement.pairs) {
      out.push(
        `  ${pair.reviewerA} · ${pair.reviewerB}: ${pair.shared}, ${percent(pair.agreement)}, ${kappaText(pair.kappa)}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('not_found', `Cannot read the ${what} ${file}.`, { cause: error });
  }
}

/** `aideon review import-arena FILE`: stores model-level votes (a file only once). */
export function importArenaFile(db: WritableDb, file: string, now = Date.now()): string {
  const result = importArenaVotes(db, readText(file, 'arena votes file'), file, now);
  return result.alreadyImported
    ? `This file was imported before (${result.rows} votes); nothing added.\n`
    : `Imported ${result.imported} arena votes.\n`;
}

/** `aideon review ratings --votes FILE`: fits the file alone, storing nothing. */
export function fileRatings(
  file: string,
  options: { category?: string; json?: boolean } & RatingsOptions = {},
): string {
  const { category, json, ...ratingsOptions } = options;
  const result = computeRatings(parseArenaCsv(readText(file, 'arena votes file')), ratingsOptions);
  if (category !== undefined && !(category in result.byCategory)) {
    throw new AppError(
      'not_found',
      `No votes in category "${category}" in ${file}. Categories: ${Object.keys(result.byCategory).join(', ')}.`,
    );
  }
  const board = category === undefined ? result.overall : result.byCategory[category]!;
  if (json)
    return `${JSON.stringify(category === undefined ? result : { category, ratings: board }, null, 2)}\n`;
  const pools = Object.keys(result.byCategory);
  const note =
    category === undefined && pools.length > 1
      ? `All categories together (${pools.join(', ')}); pass --category to rate one pool alone.\n`
      : '';
  return `${note}${formatBoard(board, category === undefined ? result : undefined)}`;
}
