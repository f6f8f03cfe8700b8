/**
 * The votes a ratings board is fitted on: the console's own blind votes and the imported
 * model-level (arena) votes, each with its category pool, optionally limited to one pool.
 */
import type { Pool, Vote } from '../../shared/review/review-schemas';
import type { ReadableDb } from '../store/db';
import { addExternalVotes } from './arena-csv';
import { VoteEncoder, type EncodedVotes } from './bradley-terry';
import { listVotes } from './review-repository';

export interface RatingVotes {
  encoded: EncodedVotes;
  /** The console's own votes (for agreement and per-reviewer boards). */
  own: Vote[];
}

export function loadRatingVotes(db: ReadableDb, filter: { pool?: Pool } = {}): RatingVotes {
  const own = listVotes(db, filter.pool === undefined ? {} : { pool: filter.pool });
  const encoder = new VoteEncoder(own.length + 1024);
  for (const vote of own) encoder.addVote(vote);
  addExternalVotes(db, encoder, filter.pool);
  return { encoded: encoder.finish(), own };
}
