/**
 * When a rating means something. A Bradley–Terry fit from a handful of votes gives a number and
 * a bootstrap interval that look certain ("1529–1529 (±0)") but are not, so models below
 * MIN_VOTES_FOR_RATING decided votes are listed as "not enough votes" instead of ranked.
 */
import type { Rating } from '../../../shared/review/review-schemas';

/** Votes (wins, losses and ties; "both bad" says nothing about rank) before a model is ranked. */
export const MIN_VOTES_FOR_RATING = 10;

/** Votes that went into the fit for this model. */
export function decidedVotes(rating: Rating): number {
  return rating.wins + rating.losses + rating.ties;
}

export function hasEnoughVotes(rating: Rating): boolean {
  return decidedVotes(rating) >= MIN_VOTES_FOR_RATING;
}

/** Ranked models first (in the fit's order), then those still short of votes, most votes first. */
export function splitByConfidence(ratings: readonly Rating[]): {
  ranked: Rating[];
  unranked: Rating[];
} {
  const ranked = ratings.filter(hasEnoughVotes);
  const unranked = ratings
    .filter((rating) => !hasEnoughVotes(rating))
    .sort((a, b) => decidedVotes(b) - decidedVotes(a) || a.model.localeCompare(b.model, 'en'));
  return { ranked, unranked };
}

/** Votes behind a leaderboard: every vote names two models, so half the per-model counts. */
export function votesBehind(ratings: readonly Rating[]): number {
  return Math.round(ratings.reduce((sum, rating) => sum + rating.votes, 0) / 2);
}
