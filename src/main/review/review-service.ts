/**
 * The review workspace's service: hands out blind pairs (names stay in main), records votes,
 * and computes ratings off the main thread.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { MediaRef } from '../../shared/domain';
import type {
  BlindPair,
  Pool,
  RatingsFilter,
  RatingsResult,
  Verdict,
} from '../../shared/review/review-schemas';
import { getGenerationRow, toGenerationRecord } from '../bench/bench-repository';
import type { WritableDb } from '../store/db';
import { computeAgreement } from './agreement';
import { computeRatings, computeRatingsEncoded } from './bradley-terry';
import { BlindPairRegistry, selectNextPair } from './pair-selection';
import { PairRatingsCache } from './ratings-cache';
import { computeRatingsOffThread } from './ratings-worker';
import { loadRatingVotes } from './rating-votes';
import { listLibrary, reviewChartData } from './review-charts';
import {
  countVotesByPair,
  countVotesByPairPrompt,
  getGenerationsForVotes,
  insertVotes,
  listPairCandidates,
  listVotes,
  pairPool,
  type VoteFilter,
} from './review-repository';
import { exportVotesCsv, importVotesCsv } from './votes-csv';
import { isDatabaseBusy } from '../store/busy-retry';

export interface BlindPairView extends BlindPair {
  prompt: string;
  leftMedia: MediaRef;
  rightMedia: MediaRef;
  /**
   * Each video's frame rate as ffprobe measured it (null when not analysed): the player steps
   * one real frame at a time. It tells no more than playing the two videos shows.
   */
  leftFps: number | null;
  rightFps: number | null;
}

/** A frame rate the player can step by: null when unmeasured or not a positive number. */
function measuredFps(fps: number | null | undefined): number | null {
  return typeof fps === 'number' && Number.isFinite(fps) && fps > 0 ? fps : null;
}

/** Who casts a vote: a reviewer with their own token (browser mode), else the local voter. */
export interface Caller {
  reviewer?: string;
}

/** Media ids a reviewer may fetch: those of the last pairs handed to them. */
const MEDIA_GRANTS_PER_REVIEWER = 64;
/** How many later milliseconds a live vote may move to when its instant is already taken. */
const MAX_VOTE_INSTANT_SHIFTS = 1000;

export class ReviewService {
  private readonly registry = new BlindPairRegistry();
  private readonly mediaGrants = new Map<string, string[]>();

  constructor(
    private readonly deps: {
      db: WritableDb;
      now: () => number;
      voter: string;
      offThread?: boolean;
    },
  ) {
    this.pairRatings = new PairRatingsCache(deps.db, (votes) =>
      deps.offThread === false
        ? new Promise((resolve) =>
            setImmediate(() => resolve(computeRatings(votes, { resamples: 200 }).overall)),
          )
        : computeRatingsOffThread(votes, { resamples: 200 }).then((result) => result.overall),
    );
  }

  /** Ratings for the pair choice, cached per vote count and refitted off the request path. */
  readonly pairRatings: PairRatingsCache;

  private quickRatings(filter: VoteFilter): RatingsResult['overall'] {
    return this.pairRatings.get(filter);
  }

  /**
   * The next blind pair (of one category and/or pool when given). Pairs are always drawn from
   * one pool: two videos that differ in audio or input are never shown together.
   */
  nextPair(category?: string, caller: Caller = {}, pool?: Pool): BlindPairView | null {
    // The board being refined is the pool's own when a pool is asked for: its intervals and the
    // votes already cast in it choose the pair (votes of other pools say nothing about it).
    const filter: VoteFilter = {
      ...(category === undefined ? {} : { category }),
      ...(pool === undefined ? {} : { pool }),
    };
    const selected = selectNextPair({
      ratings: this.quickRatings(filter),
      candidates: listPairCandidates(this.deps.db, filter),
      pairVotes: countVotesByPair(this.deps.db, filter),
      pairPromptVotes: countVotesByPairPrompt(this.deps.db, filter),
      random: () => randomBytes(4).readUInt32BE() / 2 ** 32,
      token: () => randomBytes(24).toString('base64url'),
    });
    if (!selected) return null;
    const left = getGenerationRow(this.deps.db, selected.blind.left);
    const right = getGenerationRow(this.deps.db, selected.blind.right);
    const leftRecord = left && toGenerationRecord(left);
    const rightRecord = right && toGenerationRecord(right);
    const leftMedia = leftRecord?.media;
    const rightMedia = rightRecord?.media;
    if (!left || !leftMedia || !rightMedia) return null;
    this.registry.remember(selected, this.deps.now(), caller.reviewer);
    if (caller.reviewer !== undefined)
      this.grantMedia(caller.reviewer, [leftMedia.id, rightMedia.id]);
    return {
      ...selected.blind,
      prompt: left.prompt,
      leftMedia,
      rightMedia,
      leftFps: measuredFps(leftRecord?.analysis?.fps),
      rightFps: measuredFps(rightRecord?.analysis?.fps),
    };
  }

  castVote(
    token: string,
    verdict: Verdict,
    comment: string | undefined,
    caller: Caller = {},
  ): { id: string; modelLeft: string; modelRight: string } {
    const pair = this.registry.take(token, this.deps.now(), caller.reviewer);
    if (!pair) {
      throw new AppError(
        'not_found',
        'This pair is no longer open for a vote (it was voted on or expired). Load the next pair.',
      );
    }
    const left = getGenerationRow(this.deps.db, pair.blind.left);
    if (!left) throw new AppError('not_found', 'The videos of this pair were deleted.');
    const id = randomUUID();
    const generations = getGenerationsForVotes(this.deps.db, [pair.blind.left, pair.blind.right]);
    const vote = {
      id,
      generationA: pair.blind.left,
      generationB: pair.blind.right,
      modelA: pair.hidden.modelLeft,
      modelB: pair.hidden.modelRight,
      promptId: pair.blind.promptId,
      category: pair.blind.category,
      pool: pairPool(
        generations.get(pair.blind.left)?.pool,
        generations.get(pair.blind.right)?.pool,
      ),
      verdict,
      voter: caller.reviewer ?? this.deps.voter,
      voterVia: caller.reviewer === undefined ? ('local' as const) : ('reviewer' as const),
      votedAt: this.deps.now(),
      ...(comment ? { comment } : {}),
    };
    try {
      // The store skips a vote with the same voter, generations and instant as a stored one
      // (so re-importing a CSV adds nothing). A live vote is a new judgement even when the same
      // person votes on the same two videos within one millisecond: it moves to the next
      // free millisecond instead of being dropped while the caller is told it was saved.
      for (let attempt = 0; ; attempt += 1) {
        if (insertVotes(this.deps.db, [vote], this.deps.now()).inserted === 1) break;
        if (attempt >= MAX_VOTE_INSTANT_SHIFTS)
          throw new AppError(
            'conflict',
            'The vote was not saved: identical votes on this pair were recorded at the same moment. Vote again.',
            { retryable: true },
          );
        vote.votedAt += 1;
      }
    } catch (error) {
      // Not saved: the pair stays open for the same person, so the vote can be cast again.
      this.registry.remember(pair, this.deps.now(), caller.reviewer);
      if (isDatabaseBusy(error))
        throw new AppError(
          'conflict',
          'The vote was not saved: the database is busy (another Aideon console or command is writing to it). Vote again in a moment; the pair is still open.',
          { retryable: true, cause: error },
        );
      throw error;
    }
    return { id, modelLeft: pair.hidden.modelLeft, modelRight: pair.hidden.modelRight };
  }

  /** The name local votes are recorded under (desktop admin name or CLI actor). */
  get localVoter(): string {
    return this.deps.voter;
  }

  /** May this reviewer fetch this media? Only the videos of pairs handed to them. */
  reviewerMayReadMedia(reviewer: string, mediaId: string): boolean {
    return this.mediaGrants.get(reviewer)?.includes(mediaId) ?? false;
  }

  private grantMedia(reviewer: string, ids: readonly string[]): void {
    const granted = (this.mediaGrants.get(reviewer) ?? []).filter((id) => !ids.includes(id));
    granted.push(...ids);
    this.mediaGrants.set(reviewer, granted.slice(-MEDIA_GRANTS_PER_REVIEWER));
  }

  /**
   * The console's own votes and the imported model-level (arena) votes. With a pool filter only
   * that pool's; without one, `overall` combines every pool and `pools` says which.
   */
  async ratings(filter: RatingsFilter = {}): Promise<RatingsResult> {
    const { encoded, own } = loadRatingVotes(this.deps.db, filter);
    const result =
      this.deps.offThread === false
        ? computeRatingsEncoded(encoded, { resamples: 200 })
        : await computeRatingsOffThread(encoded, { resamples: 200 });
    return {
      ...result,
      ...(filter.pool === undefined ? {} : { pool: filter.pool }),
      agreement: computeAgreement(own),
    };
  }

  importCsv(text: string) {
    return importVotesCsv(this.deps.db, text, { newId: randomUUID, now: this.deps.now() });
  }

  exportCsv(): string {
    return exportVotesCsv(listVotes(this.deps.db));
  }

  /** Win rates from the votes; cost, latency and outcomes from the runs they came from. */
  chartData(category?: string) {
    return reviewChartData(this.deps.db, category === undefined ? {} : { category });
  }

  /** Every prompt of every run, for the library list. */
  library() {
    return listLibrary(this.deps.db);
  }
}
