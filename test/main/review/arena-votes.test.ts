import { afterEach, describe, expect, it } from 'vitest';
import { importArenaVotes, parseArenaCsv } from '../../../src/main/review/arena-csv';
import { computeRatings } from '../../../src/main/review/bradley-terry';
import { ValidationError } from '../../../src/shared/errors';
import { testServices } from '../../helpers/services';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A small deterministic generator, written here (not the one in src). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An arena CSV of `count` votes among `models` models with known strengths. */
function arenaCsv(count: number, models: number, seed: number): string {
  const random = mulberry32(seed);
  const strength = Array.from({ length: models }, (_, i) => (3 * i) / (models - 1) - 1.5);
  const winners = ['model_a', 'model_b', 'tie', 'tie (bothbad)', 'a', 'b', 'both_bad'];
  const lines = ['model_a,model_b,winner,category'];
  for (let k = 0; k < count; k += 1) {
    const i = Math.floor(random() * models);
    let j = Math.floor(random() * (models - 1));
    if (j >= i) j += 1;
    const p = 1 / (1 + Math.exp(strength[j]! - strength[i]!));
    const u = random();
    const kind = u < 0.08 ? 2 : u < 0.11 ? 3 : random() < p ? 0 : 1;
    // Both spellings of each winner.
    const winner = random() < 0.5 ? winners[kind]! : (winners[kind + 4] ?? winners[kind]!);
    lines.push(`m${i},m${j},${winner},${k % 3 === 0 ? 'image-to-video' : 'text-to-video'}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Independent Bradley–Terry fit by Hunter's MM iterations (2004), ties (and both-bad) as half
 * a win each way: γi ← Wi / Σj nij/(γi+γj), then normalised to geometric mean 1.
 * Reads the CSV itself, so nothing is shared with src.
 */
function referenceFit(csv: string): Map<string, number> {
  const rows = csv.trim().split('\n').slice(1);
  const index = new Map<string, number>();
  const id = (name: string): number => {
    if (!index.has(name)) index.set(name, index.size);
    return index.get(name)!;
  };
  const games = new Map<string, number>();
  const wins: number[] = [];
  const add = (i: number, amount: number): void => {
    wins[i] = (wins[i] ?? 0) + amount;
  };
  for (const row of rows) {
    const [a, b, winner] = row.split(',') as [string, string, string];
    const i = id(a);
    const j = id(b);
    const key = i < j ? `${i},${j}` : `${j},${i}`;
    games.set(key, (games.get(key) ?? 0) + 1);
    if (winner === 'model_a' || winner === 'a') add(i, 1);
    else if (winner === 'model_b' || winner === 'b') add(j, 1);
    else {
      add(i, 0.5);
      add(j, 0.5);
    }
  }
  const n = index.size;
  let gamma = new Array<number>(n).fill(1);
  for (let iteration = 0; iteration < 100_000; iteration += 1) {
    const denominator = new Array<number>(n).fill(0);
    for (const [key, count] of games) {
      const [i, j] = key.split(',').map(Number) as [number, number];
      const share = count / (gamma[i]! + gamma[j]!);
      denominator[i]! += share;
      denominator[j]! += share;
    }
    const next = gamma.map((_, i) => (wins[i] ?? 0) / denominator[i]!);
    const logMean = next.reduce((sum, value) => sum + Math.log(value), 0) / n;
    const scaled = next.map((value) => value / Math.exp(logMean));
    const change = Math.max(...scaled.map((value, i) => Math.abs(Math.log(value / gamma[i]!))));
    gamma = scaled;
    if (change < 1e-13) break;
  }
  return new Map([...index].map(([name, i]) => [name, Math.log(gamma[i]!)]));
}

describe('arena votes', () => {
  it('reads every winner spelling and names each bad row (all or nothing)', () => {
    expect(
      parseArenaCsv(
        'model_a,model_b,winner\nx,y,model_a\nx,y,B\nx,y,tie\nx,y,tie (bothbad)\nx,y,both_bad\n',
      ).map((vote) => vote.verdict),
    ).toEqual(['a', 'b', 'tie', 'both_bad', 'both_bad']);
    let error: ValidationError | undefined;
    try {
      parseArenaCsv('model_a,model_b,winner\nx,y,a\nx,x,a\nx,y,left\n,y,b\nx,y\n');
    } catch (caught) {
      error = caught as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const text = JSON.stringify(error!.toJSON());
    expect(text).toContain('line 3.model_b');
    expect(text).toContain('line 4.winner');
    expect(text).toContain('line 5.model_a');
    expect(text).toContain('line 6');
    expect(text).not.toContain('line 2');
    expect(() => parseArenaCsv('a,b,c\n')).toThrow(ValidationError);
  });

  it('stores a file once, all or nothing, and its votes count in the ratings', async () => {
    const services = testServices({ analyseVideos: false });
    cleanups.push(services.cleanup);
    const csv = arenaCsv(400, 4, 3);
    expect(importArenaVotes(services.db, csv, 'a.csv', 1)).toEqual({
      rows: 400,
      imported: 400,
      alreadyImported: false,
      pools: { 'image-to-video': 134, 'text-to-video': 266 },
    });
    expect(importArenaVotes(services.db, csv, 'again.csv', 2)).toMatchObject({
      imported: 0,
      alreadyImported: true,
    });
    expect(() => importArenaVotes(services.db, `${csv}x,y,nobody\n`, 'bad.csv', 3)).toThrow(
      /arena votes CSV/,
    );
    expect(services.db.prepare('SELECT SUM(votes) AS n FROM external_vote_counts').get()).toEqual({
      n: 400,
    });
    const ratings = await services.review.ratings();
    expect(ratings.totalVotes).toBe(400);
    expect(ratings.overall.map((rating) => rating.model).sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
    // Pools stay apart: each category is its own board.
    expect(Object.keys(ratings.byCategory)).toEqual(['image-to-video', 'text-to-video']);
  });

  it('100k votes for 50 models: the fit matches an independent Bradley–Terry fit to 1e-6 in log-strength', () => {
    const csv = arenaCsv(100_000, 50, 2026);
    const votes = parseArenaCsv(csv);
    expect(votes.length).toBe(100_000);
    const result = computeRatings(votes, { resamples: 200, priorWeight: 0 });
    const reference = referenceFit(csv);
    expect(result.overall.length).toBe(50);
    let largest = 0;
    for (const rating of result.overall) {
      const theta = ((rating.rating - 1000) * Math.LN10) / 400;
      largest = Math.max(largest, Math.abs(theta - reference.get(rating.model)!));
    }
    expect(largest).toBeLessThan(1e-6);
    // Strongest and weakest come out where they were made.
    expect(result.overall[0]!.model).toBe('m49');
    expect(result.overall.at(-1)!.model).toBe('m0');
  });
});
