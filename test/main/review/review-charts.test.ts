import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { listLibrary, reviewChartData } from '../../../src/main/review/review-charts';
import { insertVotes } from '../../../src/main/review/review-repository';
import type { WritableDb } from '../../../src/main/store/db';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { reviewChartDataSchema } from '../../../src/shared/review/review-chart-schemas';

const open: Database.Database[] = [];
afterEach(() => open.splice(0).forEach((db) => db.close()));

function freshDb(): WritableDb {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  open.push(db);
  migrate(db, MIGRATIONS);
  return db as WritableDb;
}

interface SeedGeneration {
  id: string;
  run: string;
  model: string;
  prompt: string;
  outcome: string | null;
  /** Total latency in ms (finished − submitted). */
  totalMs?: number;
  costUsd?: number;
  seconds?: number;
  cached?: boolean;
}

function seed(db: WritableDb, runs: string[], generations: SeedGeneration[]): void {
  db.prepare(
    "INSERT INTO suites (id, version, name, definition, created_at) VALUES ('s', 1, 'S', '{}', 0)",
  ).run();
  runs.forEach((run, index) =>
    db
      .prepare(
        `INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at)
         VALUES (?, ?, 's', 1, '[]', 'finished', 1, 0, ?)`,
      )
      .run(run, `Run ${run}`, 1000 * (index + 1)),
  );
  db.prepare(
    "INSERT INTO media (id, content_type, bytes, created_at) VALUES ('m', 'video/mp4', 1, 0)",
  ).run();
  const insert = db.prepare(
    `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id, settings,
       request_key, state, outcome, submitted_at, started_at, completed_at, finished_at,
       estimated_cost_usd, cost_usd, cached, media_id)
     VALUES (?, ?, ?, ?, 'people', ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, 0, ?, ?, ?)`,
  );
  for (const g of generations) {
    const [provider, modelId] = g.model.split(':') as [string, string];
    const done = g.outcome !== null;
    insert.run(
      g.id,
      g.run,
      g.prompt,
      `text of ${g.prompt}`,
      provider,
      modelId,
      JSON.stringify({ durationSeconds: g.seconds ?? 5 }),
      g.id,
      g.outcome === 'success' ? 'succeeded' : done ? 'failed' : 'queued',
      g.outcome,
      done ? (g.totalMs ?? 1000) : null,
      done ? (g.totalMs ?? 1000) : null,
      g.costUsd ?? 0,
      g.cached ? 1 : 0,
      g.outcome === 'success' ? 'm' : null,
    );
  }
}

describe('review chart data', () => {
  it('joins win rates from votes with outcomes, cost and latency from the rated runs', () => {
    const db = freshDb();
    seed(
      db,
      ['r1', 'r2', 'unrated'],
      [
        {
          id: 'a1',
          run: 'r1',
          model: 'x:a',
          prompt: 'p1',
          outcome: 'success',
          totalMs: 1000,
          costUsd: 0.5,
        },
        {
          id: 'a2',
          run: 'r1',
          model: 'x:a',
          prompt: 'p2',
          outcome: 'success',
          totalMs: 3000,
          costUsd: 0.5,
        },
        { id: 'a3', run: 'r1', model: 'x:a', prompt: 'p3', outcome: 'timeout', totalMs: 9000 },
        {
          id: 'a4',
          run: 'r1',
          model: 'x:a',
          prompt: 'p4',
          outcome: 'success',
          totalMs: 2000,
          cached: true,
        },
        {
          id: 'b1',
          run: 'r1',
          model: 'x:b',
          prompt: 'p1',
          outcome: 'success',
          totalMs: 5000,
          costUsd: 1,
        },
        { id: 'b2', run: 'r1', model: 'x:b', prompt: 'p2', outcome: 'policy_refusal' },
        {
          id: 'c1',
          run: 'r2',
          model: 'x:c',
          prompt: 'p1',
          outcome: 'success',
          totalMs: 700,
          costUsd: 2,
        },
        {
          id: 'a9',
          run: 'r2',
          model: 'x:a',
          prompt: 'p1',
          outcome: 'success',
          totalMs: 4000,
          costUsd: 0.5,
        },
        { id: 'u1', run: 'unrated', model: 'x:d', prompt: 'p1', outcome: 'success' },
      ],
    );
    const vote = (
      id: string,
      a: string,
      b: string,
      ma: string,
      mb: string,
      verdict: 'a' | 'b' | 'tie',
      category = 'people',
    ) => ({
      id,
      generationA: a,
      generationB: b,
      modelA: ma,
      modelB: mb,
      promptId: 'p1',
      category,
      verdict,
      voter: 'v',
      votedAt: Number(id.slice(1)),
    });
    insertVotes(
      db,
      [
        vote('v1', 'a1', 'b1', 'x:a', 'x:b', 'a'),
        vote('v2', 'a1', 'b1', 'x:a', 'x:b', 'tie'),
        vote('v3', 'c1', 'a9', 'x:c', 'x:a', 'b'),
      ],
      0,
    );
    const data = reviewChartDataSchema.parse(reviewChartData(db));
    expect(data.runIds).toEqual(['r1', 'r2']);
    expect(data.votes).toBe(3);
    expect(data.models.map((m) => m.model)).toEqual(['x:a', 'x:b', 'x:c']); // x:d's run is unrated
    const a = data.models[0]!;
    expect(a.generations).toBe(5);
    expect(a.outcomes).toEqual({
      success: 4,
      policy_refusal: 0,
      failure: 0,
      timeout: 1,
      bad_output: 0,
    });
    // Latency over successful, uncached: 1000, 3000, 4000 (the cached 2000 is left out).
    expect(a.latencyMs).toEqual({
      n: 3,
      min: 1000,
      p25: 1000,
      p50: 3000,
      p75: 4000,
      p95: 4000,
      max: 4000,
    });
    // $1.50 over 4 successful 5-second clips (the cached one cost nothing).
    expect(a.costPerSecondUsd).toBeCloseTo(1.5 / 20, 9);
    expect(data.models[1]!.outcomes.policy_refusal).toBe(1);
    expect(data.models[1]!.costPerSecondUsd).toBeCloseTo(1 / 5, 9);
    expect(data.winRates).toEqual([
      { model: 'x:a', opponent: 'x:b', wins: 1.5, games: 2, rate: 0.75 },
      { model: 'x:a', opponent: 'x:c', wins: 1, games: 1, rate: 1 },
      { model: 'x:b', opponent: 'x:a', wins: 0.5, games: 2, rate: 0.25 },
      { model: 'x:c', opponent: 'x:a', wins: 0, games: 1, rate: 0 },
    ]);

    // A category's charts count only that category's votes.
    insertVotes(db, [vote('v4', 'c1', 'a9', 'x:c', 'x:a', 'a', 'animals')], 0);
    expect(reviewChartData(db).votes).toBe(4);
    const animals = reviewChartData(db, { category: 'animals' });
    expect(animals.votes).toBe(1);
    expect(animals.winRates).toEqual([
      { model: 'x:a', opponent: 'x:c', wins: 0, games: 1, rate: 0 },
      { model: 'x:c', opponent: 'x:a', wins: 1, games: 1, rate: 1 },
    ]);
    expect(reviewChartData(db, { category: 'people' }).votes).toBe(3);
  });

  it('is empty without votes', () => {
    const db = freshDb();
    expect(reviewChartData(db)).toEqual({ winRates: [], models: [], runIds: [], votes: 0 });
  });
});

describe('library list', () => {
  it('lists each prompt of each run, newest run first, with the models that have a video', () => {
    const db = freshDb();
    seed(
      db,
      ['old', 'new'],
      [
        { id: 'o1', run: 'old', model: 'x:a', prompt: 'p1', outcome: 'success' },
        { id: 'n2', run: 'new', model: 'x:b', prompt: 'p2', outcome: 'success' },
        { id: 'n1', run: 'new', model: 'x:b', prompt: 'p1', outcome: 'success' },
        { id: 'n3', run: 'new', model: 'x:a', prompt: 'p1', outcome: 'failure' },
        { id: 'n4', run: 'new', model: 'x:c', prompt: 'p1', outcome: 'success' },
        { id: 'n5', run: 'new', model: 'x:d', prompt: 'p1', outcome: null },
      ],
    );
    const library = listLibrary(db);
    expect(library.generations).toBe(6);
    expect(library.entries.map((e) => `${e.runId}/${e.promptId}`)).toEqual([
      'new/p2',
      'new/p1',
      'old/p1',
    ]);
    expect(library.entries[1]).toMatchObject({
      runName: 'Run new',
      prompt: 'text of p1',
      generations: 4,
      videos: 2,
      models: ['x:b', 'x:c'],
    });
  });
});
