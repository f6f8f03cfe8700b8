/**
 * Ratings for picking the next blind pair, kept per vote count so a pair request never refits.
 *
 * Bradley–Terry with 200 bootstrap resamples takes about half a second at 100k votes. Each
 * filter (overall, one category, one pool) keeps its latest ratings with the vote count and last vote
 * they were computed from. A request with no new votes uses them as they are; after new votes it
 * still answers at once from the slightly older ratings (one vote more or less does not change
 * which pair is most informative) and starts one refit in the background (a worker thread in
 * the app). Only the very first request of a filter computes synchronously.
 */
import type { RatingsResult } from '../../shared/review/review-schemas';
import type { ReadableDb } from '../store/db';
import { computeRatings } from './bradley-terry';
import { listVotes, voteWhere, type VoteFilter } from './review-repository';

export type Ratings = RatingsResult['overall'];

/** Fits off the request path: resolves with the overall ratings of the votes given. */
export type BackgroundFit = (votes: ReturnType<typeof listVotes>) => Promise<Ratings>;

interface Entry {
  version: string;
  ratings: Ratings;
  refreshing: Promise<void> | null;
}

export class PairRatingsCache {
  private readonly entries = new Map<string, Entry>();
  /** Refits computed so far (for tests and benchmarks). */
  fits = 0;

  constructor(
    private readonly db: ReadableDb,
    private readonly backgroundFit: BackgroundFit,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Votes matching the filter, as a cheap version stamp: count and the newest rowid. */
  private version(filter: VoteFilter): string {
    const where = voteWhere(filter);
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n, MAX(rowid) AS m FROM votes ${where.sql}`)
      .get(...where.params) as { n: number; m: number | null };
    return `${row.n}:${row.m ?? 0}`;
  }

  /**
   * Ratings for the pair choice (overall, one category and/or one pool); never refits on the
   * request path once a filter has ratings.
   */
  get(filter: VoteFilter = {}): Ratings {
    const key = `${filter.category ?? '\u0000all'}\u0000${filter.pool ?? ''}`;
    const version = this.version(filter);
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.version !== version && !entry.refreshing) this.refresh(entry, filter, version);
      return entry.ratings;
    }
    const votes = listVotes(this.db, filter);
    const ratings = votes.length === 0 ? [] : computeRatings(votes, { resamples: 200 }).overall;
    this.fits += 1;
    this.entries.set(key, { version, ratings, refreshing: null });
    return ratings;
  }

  /** Resolves when no refit is running (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.refreshing));
  }

  private refresh(entry: Entry, filter: VoteFilter, version: string): void {
    const votes = listVotes(this.db, filter);
    entry.refreshing = (votes.length === 0 ? Promise.resolve([]) : this.backgroundFit(votes))
      .then((ratings) => {
        this.fits += 1;
        entry.ratings = ratings;
        entry.version = version;
      })
      .catch((error: unknown) => {
        this.log(`ratings refit failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        entry.refreshing = null;
      });
  }
}
