import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cohensKappa, computeAgreement } from '../../../src/main/review/agreement';
import { reviewRatings } from '../../../src/main/review/review-cli';
import { listVotes } from '../../../src/main/review/review-repository';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import type { Verdict, Vote } from '../../../src/shared/review/review-schemas';
import { testServices } from '../../helpers/services';
import { seedGenerations } from './seed-review';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function services(env: NodeJS.ProcessEnv = {}) {
  const created = testServices({ env, analyseVideos: false });
  cleanups.push(created.cleanup);
  return created;
}

describe('who cast a vote', () => {
  it('records the local admin (AIDEON_ACTOR) and a reviewer by name, each with how it is known', () => {
    const app = services({ AIDEON_ACTOR: 'ann' });
    seedGenerations(app.db, { models: ['sandbox:m1', 'sandbox:m2'], prompts: 3 });
    const mine = app.review.nextPair();
    expect(mine).not.toBeNull();
    app.review.castVote(mine!.token, 'a', undefined);
    const theirs = app.review.nextPair(undefined, { reviewer: 'bob' });
    app.review.castVote(theirs!.token, 'b', undefined, { reviewer: 'bob' });
    const votes = listVotes(app.db);
    expect(votes.map((vote) => [vote.voter, vote.voterVia])).toEqual([
      ['ann', 'local'],
      ['bob', 'reviewer'],
    ]);
  });

  it("refuses a vote on a pair handed to someone else, and keeps each reviewer's media to their pairs", () => {
    const app = services();
    seedGenerations(app.db, { models: ['sandbox:m1', 'sandbox:m2'], prompts: 3 });
    const bobs = app.review.nextPair(undefined, { reviewer: 'bob' })!;
    expect(() => app.review.castVote(bobs.token, 'a', undefined, { reviewer: 'eve' })).toThrow(
      /no longer open/,
    );
    expect(() => app.review.castVote(bobs.token, 'a', undefined)).toThrow(/no longer open/);
    expect(app.review.reviewerMayReadMedia('bob', bobs.leftMedia.id)).toBe(true);
    expect(app.review.reviewerMayReadMedia('bob', bobs.rightMedia.id)).toBe(true);
    expect(app.review.reviewerMayReadMedia('eve', bobs.leftMedia.id)).toBe(false);
    // Bob's pair is still open for Bob.
    expect(app.review.castVote(bobs.token, 'a', undefined, { reviewer: 'bob' }).id).toBeTruthy();
  });
});

describe('migration 0100', () => {
  it('keeps earlier votes and marks them local', () => {
    const db = new Database(':memory:');
    const before = MIGRATIONS.filter((migration) => migration.version < 100);
    migrate(db, before);
    db.prepare(
      `INSERT INTO votes (id, generation_a, generation_b, model_a, model_b, prompt_id, category, verdict, voter, voted_at, created_at)
       VALUES ('v1', 'g1', 'g2', 'a:1', 'a:2', 'p1', 'people', 'a', 'osuser', 1, 1)`,
    ).run();
    migrate(db, MIGRATIONS);
    expect(db.prepare('SELECT voter, voter_via FROM votes').get()).toEqual({
      voter: 'osuser',
      voter_via: 'local',
    });
    expect(() =>
      db.prepare("UPDATE votes SET voter_via = 'someone' WHERE id = 'v1'").run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});

/** Votes by `voter` on the items `g{k}a` vs `g{k}b`, k = 0.., with the given verdicts. */
function votesOf(voter: string, verdicts: Verdict[], start = 0): Vote[] {
  return verdicts.map((verdict, k) => ({
    id: `${voter}-${k}`,
    generationA: `g${k + start}a`,
    generationB: `g${k + start}b`,
    modelA: 'sandbox:m1',
    modelB: 'sandbox:m2',
    promptId: `p${k}`,
    category: 'people',
    verdict,
    voter,
    votedAt: 1000 + k,
  }));
}

describe('inter-reviewer agreement', () => {
  it("computes Cohen's kappa as in a worked example", () => {
    // 10 items: 7 equal. Rater 1: 5×0, 5×1; rater 2: 4×0, 6×1 → pe = .5·.4 + .5·.6 = .5,
    // κ = (.7 − .5)/(1 − .5) = .4.
    const first = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const second = [0, 0, 0, 1, 1, 1, 1, 1, 1, 0];
    const { agreement, kappa } = cohensKappa(first, second);
    expect(agreement).toBeCloseTo(0.7, 12);
    expect(kappa).toBeCloseTo(0.4, 12);
    expect(cohensKappa([1, 1], [1, 1]).kappa).toBeNull();
    expect(cohensKappa([], []).agreement).toBeNull();
  });

  it('flags the one reviewer who disagrees with two reviewers who agree with each other', () => {
    const base: Verdict[] = ['a', 'b', 'a', 'a', 'b', 'tie', 'a', 'b', 'b', 'a'];
    const flip = (verdict: Verdict): Verdict =>
      verdict === 'a' ? 'b' : verdict === 'b' ? 'a' : 'both_bad';
    const votes = [
      ...votesOf('ann', base),
      ...votesOf(
        'bob',
        base.map((verdict, k) => (k === 0 ? 'tie' : verdict)),
      ),
      ...votesOf('cyd', base.map(flip)),
    ];
    const result = computeAgreement(votes);
    const byName = Object.fromEntries(result.reviewers.map((entry) => [entry.reviewer, entry]));
    expect(byName.cyd!.flagged).toBe(true);
    expect(byName.cyd!.flagReason).toContain('ann, bob');
    expect(byName.ann!.flagged).toBe(false);
    expect(byName.bob!.flagged).toBe(false);
    expect(byName.ann!.votes).toBe(10);
    const annBob = result.pairs.find(
      (pair) => pair.reviewerA === 'ann' && pair.reviewerB === 'bob',
    );
    expect(annBob).toMatchObject({ shared: 10, agreement: 0.9 });
    expect(annBob!.kappa!).toBeGreaterThan(0.8);
    const annCyd = result.pairs.find(
      (pair) => pair.reviewerB === 'cyd' && pair.reviewerA === 'ann',
    );
    expect(annCyd!.agreement).toBe(0);
  });

  it('treats a vote with the sides swapped as the same item, and counts only the latest vote', () => {
    const ann = votesOf('ann', ['a', 'a', 'b', 'b', 'a']);
    const bob = votesOf('bob', ['b', 'b', 'a', 'a', 'b']).map((vote) => ({
      ...vote,
      generationA: vote.generationB,
      generationB: vote.generationA,
    }));
    // Ann changes her mind on item 0, later.
    const changed = { ...ann[0]!, id: 'ann-late', verdict: 'b' as const, votedAt: 5000 };
    const result = computeAgreement([...ann, ...bob, changed]);
    expect(result.pairs[0]).toMatchObject({ shared: 5, agreement: 0.8 });
    expect(result.reviewers.find((entry) => entry.reviewer === 'ann')!.votes).toBe(6);
  });

  it('flags no one when there is no consensus to be outside of', () => {
    const result = computeAgreement([
      ...votesOf('ann', ['a', 'a', 'b', 'b', 'a', 'b']),
      ...votesOf('bob', ['a', 'b', 'a', 'b', 'b', 'a']),
      ...votesOf('cyd', ['b', 'a', 'a', 'a', 'b', 'b']),
    ]);
    expect(result.reviewers.some((entry) => entry.flagged)).toBe(false);
  });
});

describe('aideon review ratings --by-reviewer', () => {
  it("prints each reviewer's board and the agreement, with the dissenter flagged", () => {
    const app = services();
    const base: Verdict[] = ['a', 'b', 'a', 'a', 'b', 'a', 'a', 'b'];
    const ids = seedGenerations(app.db, { models: ['sandbox:m1', 'sandbox:m2'], prompts: 8 });
    const insert = app.db.prepare(
      `INSERT INTO votes (id, generation_a, generation_b, model_a, model_b, prompt_id, category, verdict, voter, voter_via, voted_at, created_at)
       VALUES (?, ?, ?, 'sandbox:m1', 'sandbox:m2', ?, 'people', ?, ?, 'reviewer', ?, 0)`,
    );
    for (const [voter, verdicts] of [
      ['ann', base],
      ['bob', base],
      ['cyd', base.map((verdict) => (verdict === 'a' ? 'b' : 'a'))],
    ] as const) {
      verdicts.forEach((verdict, k) =>
        insert.run(`${voter}${k}`, ids[k], ids[k + 8], `p${k + 1}`, verdict, voter, k),
      );
    }
    const { text } = reviewRatings(app.db, { byReviewer: true, resamples: 200 });
    expect(text).toContain('All reviewers (24 votes)');
    for (const name of ['ann', 'bob', 'cyd']) expect(text).toMatch(new RegExp(`^${name}$`, 'm'));
    expect(text).toMatch(/cyd: 8 votes, 8 shared pairs, agreement 0%.*FLAGGED/);
    expect(text).not.toMatch(/ann:.*FLAGGED/);
    const json = JSON.parse(
      reviewRatings(app.db, { byReviewer: true, json: true, resamples: 200 }).text,
    ) as { byReviewer: Record<string, { model: string }[]> };
    // Ann prefers m1 (5 of 8), Cyd the opposite.
    expect(json.byReviewer.ann![0]!.model).toBe('sandbox:m1');
    expect(json.byReviewer.cyd![0]!.model).toBe('sandbox:m2');
  });
});
