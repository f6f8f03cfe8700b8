import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { insertSuite, migratedBelow } from '../../helpers/migration-db';

describe('migration 0220 (vote pools)', () => {
  it('fills each vote’s pool from its generations and moves arena votes into counts', () => {
    const db = migratedBelow(220);
    insertSuite(db);
    db.prepare(
      "INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at) VALUES ('run_1', 'r', 's', 1, '[]', 'finished', 1, 1, 1)",
    ).run();
    const generation = db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, image_url, provider, model_id,
         settings, request_key, state, outcome, estimated_cost_usd, video_probe)
       VALUES (?, 'run_1', ?, 'a prompt', 'general', ?, 'sandbox', ?, ?, ?, 'succeeded', 'success', 0, ?)`,
    );
    // text, silent (probe says no audio although audio was asked for: the probe wins)
    generation.run('t1', 'p1', null, 'm1', '{"audio":true}', 'k1', '{"hasAudio":false}');
    generation.run('t2', 'p1', null, 'm2', '{}', 'k2', null);
    // image, with audio (one by probe, one by setting only: not analysed yet)
    generation.run('i1', 'p2', 'data:image/png;base64,AA', 'm1', '{}', 'k3', '{"hasAudio":true}');
    generation.run('i2', 'p2', 'data:image/png;base64,AA', 'm2', '{"audio":true}', 'k4', null);
    // text, audio on one side only; and a probe that is not JSON
    generation.run('x1', 'p3', null, 'm1', '{"audio":true}', 'k5', 'not json');
    generation.run('x2', 'p3', null, 'm2', '{}', 'k6', null);
    const vote = db.prepare(
      `INSERT INTO votes (id, generation_a, generation_b, model_a, model_b, prompt_id, category, verdict, voter, voted_at, created_at)
       VALUES (?, ?, ?, 'sandbox:m1', 'sandbox:m2', 'p', 'general', 'a', 'ann', 1, 1)`,
    );
    vote.run('v_text', 't1', 't2');
    vote.run('v_image_audio', 'i1', 'i2');
    vote.run('v_mixed', 'x1', 'x2');
    vote.run('v_gone', 'deleted_a', 'deleted_b');
    db.prepare(
      "INSERT INTO external_vote_files (sha256, file_name, rows, imported_at) VALUES (?, 'a.csv', 5, 1)",
    ).run('f'.repeat(64));
    const arena = db.prepare(
      `INSERT INTO external_votes (file_sha256, model_a, model_b, verdict, category) VALUES ('${'f'.repeat(64)}', ?, ?, ?, ?)`,
    );
    arena.run('x', 'y', 'a', 'T2V');
    arena.run('x', 'y', 'a', 'T2V');
    arena.run('x', 'y', 'b', 'T2V');
    arena.run('x', 'y', 'a', 'image-to-video');
    arena.run('x', 'y', 'tie', 'animals');

    expect(migrate(db, MIGRATIONS).to).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.prepare('SELECT id, pool FROM votes ORDER BY id').all()).toEqual([
      { id: 'v_gone', pool: 'unspecified' },
      { id: 'v_image_audio', pool: 'image-to-video-audio' },
      { id: 'v_mixed', pool: 'unspecified' },
      { id: 'v_text', pool: 'text-to-video' },
    ]);
    expect(
      db
        .prepare(
          'SELECT model_a, model_b, verdict, category, pool, votes FROM external_vote_counts ORDER BY category, verdict',
        )
        .all(),
    ).toEqual([
      {
        model_a: 'x',
        model_b: 'y',
        verdict: 'a',
        category: 'T2V',
        pool: 'text-to-video',
        votes: 2,
      },
      {
        model_a: 'x',
        model_b: 'y',
        verdict: 'b',
        category: 'T2V',
        pool: 'text-to-video',
        votes: 1,
      },
      {
        model_a: 'x',
        model_b: 'y',
        verdict: 'tie',
        category: 'animals',
        pool: 'unspecified',
        votes: 1,
      },
      {
        model_a: 'x',
        model_b: 'y',
        verdict: 'a',
        category: 'image-to-video',
        pool: 'image-to-video',
        votes: 1,
      },
    ]);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE name = 'external_votes'").get(),
    ).toBeUndefined();
    expect(() =>
      db.prepare("UPDATE votes SET pool = 'silent-movies' WHERE id = 'v_text'").run(),
    ).toThrow(/CHECK/);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM votes WHERE pool = 'text-to-video'")
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join('\n');
    expect(plan).toMatch(/USING (COVERING )?INDEX votes_pool/);
  });
});
