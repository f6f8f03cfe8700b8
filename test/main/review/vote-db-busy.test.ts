/**
 * A vote cast while another console process holds the database: not saved, and the pair stays
 * open so the same vote can be cast again once the database is free (it used to be consumed
 * first, so the reviewer's vote was lost and the pair gone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReviewService } from '../../../src/main/review/review-service';
import { listVotes } from '../../../src/main/review/review-repository';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { AppError } from '../../../src/shared/errors';
import { seedGenerations } from './seed-review';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function folder(): { file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aideon-vote-busy-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { file: join(dir, 'console.db') };
}

function opened(file: string): WritableDb {
  const db = openDatabase({ file });
  cleanups.push(() => db.close());
  return db;
}

describe('a vote while the database is held by another console', () => {
  it('is refused with a clear, retryable error and can be cast again on the same pair', () => {
    const { file } = folder();
    const db = opened(file);
    db.pragma('busy_timeout = 20');
    seedGenerations(db, { models: ['sandbox:m1', 'sandbox:m2'], prompts: 2 });
    const review = new ReviewService({ db, now: () => 1_000, voter: 'ann', offThread: false });
    const pair = review.nextPair(undefined, {});
    expect(pair).not.toBeNull();
    const other = opened(file);
    other.exec('BEGIN IMMEDIATE');
    let refused: unknown;
    try {
      review.castVote(pair!.token, 'a', undefined);
    } catch (error) {
      refused = error;
    }
    other.exec('COMMIT');
    expect(AppError.isInstance(refused)).toBe(true);
    expect((refused as AppError).retryable).toBe(true);
    expect((refused as AppError).message).toMatch(/not saved.*busy.*again/i);
    expect(listVotes(db)).toHaveLength(0);
    const saved = review.castVote(pair!.token, 'a', undefined);
    expect(listVotes(db).map((vote) => vote.id)).toEqual([saved.id]);
    // Still once only.
    expect(() => review.castVote(pair!.token, 'a', undefined)).toThrowError(/no longer open/);
  });
});
