/**
 * Votes on the same two videos by the same person within one millisecond are each a judgement:
 * every one is stored and counted. The store's duplicate rule (same voter, generations and
 * instant) is for re-imported CSV files; it used to drop a live vote silently while castVote
 * answered with an id, so the onboarding board counted 9 of 10 votes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReviewService } from '../../../src/main/review/review-service';
import { listVotes } from '../../../src/main/review/review-repository';
import { openDatabase } from '../../../src/main/store/db';
import { seedGenerations } from './seed-review';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe('votes cast at the same instant', () => {
  it('are all stored, each at its own millisecond, and a CSV re-import still adds nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aideon-vote-instant-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = openDatabase({ file: join(dir, 'console.db') });
    cleanups.push(() => db.close());
    // One prompt: every pair handed out is the same two generations.
    seedGenerations(db, { models: ['sandbox:m1', 'sandbox:m2'], prompts: 1 });
    const review = new ReviewService({ db, now: () => 5_000, voter: 'ann', offThread: false });
    const ids: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      const pair = review.nextPair();
      if (!pair) throw new Error('no pair');
      ids.push(review.castVote(pair.token, index % 2 === 0 ? 'a' : 'b', undefined).id);
    }
    const stored = listVotes(db);
    expect(stored.map((vote) => vote.id).sort()).toEqual([...ids].sort());
    expect(new Set(stored.map((vote) => `${vote.generationA}|${vote.generationB}`)).size).toBe(2);
    for (const vote of stored) expect(vote.votedAt).toBeGreaterThanOrEqual(5_000);
    // Re-importing the export adds nothing: the duplicate rule still holds for files.
    const result = review.importCsv(review.exportCsv());
    expect(listVotes(db)).toHaveLength(12);
    expect(result).toMatchObject({ imported: 0, rows: 12 });
  });
});
