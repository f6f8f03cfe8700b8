import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PairRatingsCache, type Ratings } from '../../../src/main/review/ratings-cache';
import { computeRatings } from '../../../src/main/review/bradley-terry';
import { insertVotes, listVotes } from '../../../src/main/review/review-repository';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import type { WritableDb } from '../../../src/main/store/db';
import type { Vote } from '../../../src/shared/review/review-schemas';
import { sampleVote } from './seed-review';

let counter = 0;
function vote(overrides: Partial<Vote> = {}): Vote {
  counter += 1;
  return sampleVote(`v${counter}`, 1_700_000_000_000 + counter, overrides);
}

function setup() {
  const db = new Database(':memory:') as unknown as WritableDb;
  migrate(db, MIGRATIONS);
  const pending: { votes: number; resolve: () => void }[] = [];
  const cache = new PairRatingsCache(
    db,
    (votes) =>
      new Promise<Ratings>((resolve) =>
        pending.push({
          votes: votes.length,
          resolve: () => resolve(computeRatings(votes, { resamples: 200 }).overall),
        }),
      ),
  );
  return { db, cache, pending };
}

describe('PairRatingsCache', () => {
  it('fits once per vote count; new votes are refitted in the background, not on the request', async () => {
    const { db, cache, pending } = setup();
    insertVotes(db, [vote(), vote(), vote({ verdict: 'b' })], 1);
    const first = cache.get();
    expect(cache.fits).toBe(1);
    expect(first.map((rating) => rating.model).sort()).toEqual(['sandbox:m1', 'sandbox:m2']);
    // No new votes: the same ratings, nothing refitted.
    expect(cache.get()).toBe(first);
    expect(cache.fits).toBe(1);
    expect(pending).toHaveLength(0);

    // New votes: the request is answered at once from the earlier ratings, one refit starts.
    insertVotes(db, [vote({ modelB: 'sandbox:m3', generationB: 'g3' })], 2);
    expect(cache.get()).toBe(first);
    expect(cache.get()).toBe(first);
    expect(pending.map((fit) => fit.votes)).toEqual([4]);
    pending[0]!.resolve();
    await cache.settled();
    const second = cache.get();
    expect(cache.fits).toBe(2);
    expect(second.map((rating) => rating.model).sort()).toEqual([
      'sandbox:m1',
      'sandbox:m2',
      'sandbox:m3',
    ]);
    expect(pending).toHaveLength(1);
  });

  it('keeps each category apart', () => {
    const { db, cache } = setup();
    insertVotes(db, [vote(), vote({ category: 'nature', modelB: 'sandbox:m3' })], 1);
    expect(
      cache
        .get({ category: 'people' })
        .map((rating) => rating.model)
        .sort(),
    ).toEqual(['sandbox:m1', 'sandbox:m2']);
    expect(
      cache
        .get({ category: 'nature' })
        .map((rating) => rating.model)
        .sort(),
    ).toEqual(['sandbox:m1', 'sandbox:m3']);
    expect(cache.get({ category: 'none' })).toEqual([]);
    expect(listVotes(db)).toHaveLength(2);
  });

  it('keeps each pool apart', () => {
    const { db, cache } = setup();
    insertVotes(
      db,
      [vote({ pool: 'text-to-video' }), vote({ pool: 'image-to-video', modelB: 'sandbox:m3' })],
      1,
    );
    const models = (pool: 'text-to-video' | 'image-to-video') =>
      cache
        .get({ pool })
        .map((rating) => rating.model)
        .sort();
    expect(models('text-to-video')).toEqual(['sandbox:m1', 'sandbox:m2']);
    expect(models('image-to-video')).toEqual(['sandbox:m1', 'sandbox:m3']);
  });
});
