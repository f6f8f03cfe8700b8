import { afterEach, describe, expect, it } from 'vitest';
import { importArenaVotes, parseArenaCsv } from '../../../src/main/review/arena-csv';
import { reviewRatings } from '../../../src/main/review/review-cli';
import {
  countVotesByPair,
  insertVotes,
  listVotes,
} from '../../../src/main/review/review-repository';
import { poolOfCategory, type Pool } from '../../../src/shared/review/review-schemas';
import { ValidationError } from '../../../src/shared/errors';
import { testServices } from '../../helpers/services';
import { seedGenerations } from './seed-review';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function app() {
  const created = testServices({ env: { AIDEON_ACTOR: 'ann' }, analyseVideos: false });
  cleanups.push(created.cleanup);
  return created;
}

const MODELS = ['sandbox:m1', 'sandbox:m2', 'sandbox:m3'];

/** Text prompts without audio, image prompts without audio, text prompts with audio. */
function seedPools(services: ReturnType<typeof app>): void {
  seedGenerations(services.db, { models: MODELS, prompts: 4, runId: 'run-text' });
  seedGenerations(services.db, {
    models: MODELS,
    prompts: 4,
    runId: 'run-image',
    promptPrefix: 'img',
    imageUrl: 'data:image/png;base64,AA',
  });
  seedGenerations(services.db, {
    models: MODELS,
    prompts: 4,
    runId: 'run-audio',
    promptPrefix: 'snd',
    settings: '{"audio":true}',
    probe: '{"hasAudio":true}',
  });
}

/** Casts `count` votes in one pool: the better-numbered model wins, else a tie. */
function vote(services: ReturnType<typeof app>, pool: Pool, count: number, rule: 'low' | 'high') {
  for (let k = 0; k < count; k += 1) {
    const pair = services.review.nextPair(undefined, {}, pool);
    expect(pair, `a ${pool} pair`).not.toBeNull();
    const left = services.db
      .prepare("SELECT provider || ':' || model_id AS model FROM generations WHERE id = ?")
      .get(pair!.left) as { model: string };
    const right = services.db
      .prepare("SELECT provider || ':' || model_id AS model FROM generations WHERE id = ?")
      .get(pair!.right) as { model: string };
    const leftWins = rule === 'low' ? left.model < right.model : left.model > right.model;
    services.review.castVote(pair!.token, k % 5 === 4 ? 'tie' : leftWins ? 'a' : 'b', undefined);
  }
}

describe('category pools', () => {
  it('derives a pool from the prompt inputs and the audio, and hands out pairs of one pool only', () => {
    const services = app();
    seedPools(services);
    vote(services, 'text-to-video', 3, 'low');
    vote(services, 'image-to-video', 3, 'low');
    vote(services, 'text-to-video-audio', 3, 'low');
    const votes = listVotes(services.db);
    expect(votes.map((entry) => entry.pool)).toEqual([
      'text-to-video',
      'text-to-video',
      'text-to-video',
      'image-to-video',
      'image-to-video',
      'image-to-video',
      'text-to-video-audio',
      'text-to-video-audio',
      'text-to-video-audio',
    ]);
    // Each vote's prompt is of its pool.
    for (const entry of votes) {
      const prefix = {
        'text-to-video': 'p',
        'image-to-video': 'img',
        'text-to-video-audio': 'snd',
      }[entry.pool as 'text-to-video'];
      expect(entry.promptId).toMatch(new RegExp(`^${prefix}\\d$`));
    }
    expect(services.review.nextPair(undefined, {}, 'image-to-video-audio')).toBeNull();
  });

  it('in a pool, the pair choice follows that pool’s own board and votes, not the other pools’', () => {
    const services = app();
    seedPools(services);
    // 20 text votes, all m1 over m2: on the combined board m1 and m2 are well apart and often
    // compared, m3 unrated. The image pool has no votes: its first three pairs are the three
    // model pairs, once each, whatever the text pool says.
    insertVotes(
      services.db,
      Array.from({ length: 20 }, (_, k) => ({
        id: `text-${k}`,
        generationA: 'run-text-g1',
        generationB: 'run-text-g2',
        modelA: 'sandbox:m1',
        modelB: 'sandbox:m2',
        promptId: 'p1',
        category: 'people',
        verdict: 'a' as const,
        voter: 'ann',
        votedAt: 1_700_000_000_000 + k,
        pool: 'text-to-video' as const,
      })),
      1_700_000_000_000,
    );
    vote(services, 'image-to-video', 3, 'high');
    expect(countVotesByPair(services.db, { pool: 'image-to-video' })).toEqual([
      { modelA: 'sandbox:m1', modelB: 'sandbox:m2', votes: 1 },
      { modelA: 'sandbox:m1', modelB: 'sandbox:m3', votes: 1 },
      { modelA: 'sandbox:m2', modelB: 'sandbox:m3', votes: 1 },
    ]);
  });

  it('a vote in one pool never moves another pool’s rating; the overall board says which pools it combines', async () => {
    const services = app();
    seedPools(services);
    vote(services, 'text-to-video', 30, 'low');
    const before = await services.review.ratings();
    expect(before.pools).toEqual([{ pool: 'text-to-video', votes: 30 }]);
    const textBefore = before.byPool['text-to-video']!;
    expect(textBefore.length).toBe(3);

    // Many votes the other way round, in two other pools, plus arena votes in a third.
    vote(services, 'image-to-video', 40, 'high');
    vote(services, 'text-to-video-audio', 40, 'high');
    importArenaVotes(
      services.db,
      `model_a,model_b,winner,category\n${Array.from({ length: 50 }, () => 'sandbox:m3,sandbox:m1,model_a,i2v (with audio)').join('\n')}\n`,
      'vendor.csv',
      1,
    );
    const after = await services.review.ratings();
    expect(after.byPool['text-to-video']).toEqual(textBefore);
    expect(after.pools).toEqual([
      { pool: 'text-to-video', votes: 30 },
      { pool: 'text-to-video-audio', votes: 40 },
      { pool: 'image-to-video', votes: 40 },
      { pool: 'image-to-video-audio', votes: 50 },
    ]);
    expect(after.totalVotes).toBe(160);
    // The other pools did move: they rank the models the other way round (each pool's pairs are
    // chosen by that pool's own board, so every model pair meets in it).
    expect(textBefore.map((rating) => rating.model)).toEqual(MODELS);
    expect(after.byPool['image-to-video']!.map((rating) => rating.model)).toEqual(
      [...MODELS].reverse(),
    );

    // A pool filter gives that pool alone, says so, and matches the pool's own board.
    const textOnly = await services.review.ratings({ pool: 'text-to-video' });
    expect(textOnly.pool).toBe('text-to-video');
    expect(textOnly.pools).toEqual([{ pool: 'text-to-video', votes: 30 }]);
    expect(textOnly.overall).toEqual(textBefore);
    expect(textOnly.totalVotes).toBe(30);

    // The CLI says what the combined board mixes, and rates one pool with --pool.
    const text = reviewRatings(services.db, {}).text;
    expect(text).toMatch(
      /^Combines 4 pools: text-to-video \(30\), text-to-video with audio \(40\), image-to-video \(40\), image-to-video with audio \(50\)\./,
    );
    expect(reviewRatings(services.db, { pool: 'text-to-video' }).text).toMatch(
      /^Pool: text-to-video\./,
    );
    expect(() => reviewRatings(services.db, { pool: 'silent' })).toThrow(/--pool must be one of/);
  });

  it('imported arena votes carry their category into the pool, or are kept apart as unspecified', async () => {
    const services = app();
    seedPools(services);
    vote(services, 'text-to-video', 20, 'low');
    const before = (await services.review.ratings()).byPool['text-to-video']!;
    const result = importArenaVotes(
      services.db,
      'model_a,model_b,winner,category\nsandbox:m3,sandbox:m1,a,animals\nsandbox:m3,sandbox:m2,a,\nsandbox:m3,sandbox:m1,a,T2V\n',
      'vendor.csv',
      1,
    );
    expect(result.pools).toEqual({ unspecified: 2, 'text-to-video': 1 });
    const after = await services.review.ratings();
    // The one T2V vote joins the text-to-video pool; the other two are in their own pool.
    expect(after.byPool['text-to-video']).not.toEqual(before);
    expect(after.byPool.unspecified!.map((rating) => rating.votes).sort()).toEqual([1, 1, 2]);
    expect(after.pools).toEqual([
      { pool: 'text-to-video', votes: 21 },
      { pool: 'unspecified', votes: 2 },
    ]);
    const unspecifiedOnly = await services.review.ratings({ pool: 'unspecified' });
    expect(unspecifiedOnly.totalVotes).toBe(2);
    expect(unspecifiedOnly.overall.map((rating) => rating.model).sort()).toEqual(
      MODELS.slice().reverse().sort(),
    );
  });

  it('maps arena categories to pools', () => {
    expect(
      [
        'text-to-video',
        'T2V',
        'Text to Video',
        'text2video (no audio)',
        'i2v',
        'Image-to-Video with audio',
        't2v_audio',
        'image to video, sound',
        'uncategorised',
        'people',
        't2v extra',
      ].map(poolOfCategory),
    ).toEqual([
      'text-to-video',
      'text-to-video',
      'text-to-video',
      'text-to-video',
      'image-to-video',
      'image-to-video-audio',
      'text-to-video-audio',
      'image-to-video-audio',
      'unspecified',
      'unspecified',
      'unspecified',
    ]);
  });
});

describe('arena CSV parsing (RFC 4180)', () => {
  it('reads quoted fields, commas, quotes and line breaks inside them, and CRLF', () => {
    const votes = parseArenaCsv(
      '\uFEFFmodel_a,model_b,winner,category\r\n"acme:v1, large","acme:""v2""",model_a,t2v\r\n"multi\nline",b,"tie (bothbad)",\r\nx,y,b,"i2v"\r\n',
    );
    expect(votes).toEqual([
      {
        modelA: 'acme:v1, large',
        modelB: 'acme:"v2"',
        verdict: 'a',
        category: 't2v',
        pool: 'text-to-video',
      },
      {
        modelA: 'multi\nline',
        modelB: 'b',
        verdict: 'both_bad',
        category: 'uncategorised',
        pool: 'unspecified',
      },
      { modelA: 'x', modelB: 'y', verdict: 'b', category: 'i2v', pool: 'image-to-video' },
    ]);
  });

  it('names the line and field of each error, counting lines inside quoted fields', () => {
    let error: ValidationError | undefined;
    try {
      parseArenaCsv(
        'model_a,model_b,winner\n"two\nlines",y,a\nx,y,sideways\nx,"y"z,a\nx,y,a,extra\n"x,y,a\n',
      );
    } catch (caught) {
      error = caught as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = error!.issues.map((issue) => `${issue.path}: ${issue.message}`);
    expect(paths).toEqual([
      'line 4.winner: "sideways" is not one of model_a, model_b, tie, tie (bothbad) (or a, b, tie, both_bad)',
      'line 5: a quote may only wrap a whole field; write a quote inside one as ""',
      'line 6: has 4 fields; the header has 3',
      'line 7: a quoted field is never closed',
    ]);
  });
});
