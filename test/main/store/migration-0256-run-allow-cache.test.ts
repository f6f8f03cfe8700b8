import { describe, expect, it } from 'vitest';
import { runAllowsCache } from '../../../src/main/bench/bench-repository';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { insertSuite, migratedBelow } from '../../helpers/migration-db';
import type { WritableDb } from '../../../src/main/store/db';

describe('migration 0256 (runs.allow_cache)', () => {
  it('marks earlier runs that used the cache, leaves the others off, and refuses other values', () => {
    const db = migratedBelow(256);
    insertSuite(db);
    const run = db.prepare(
      "INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at) VALUES (?, 'r', 's', 1, '[]', 'running', 10, 1, 1)",
    );
    const generation = db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
         settings, request_key, state, estimated_cost_usd, cached)
       VALUES (?, ?, ?, 'a prompt', 'general', 'together', 'm', '{}', ?, ?, 0.5, ?)`,
    );
    run.run('run_cached');
    generation.run('a', 'run_cached', 'pa', 'ka', 'succeeded', 1);
    generation.run('b', 'run_cached', 'pb', 'kb', 'queued', 0);
    run.run('run_paid');
    generation.run('c', 'run_paid', 'pc', 'kc', 'succeeded', 0);
    generation.run('d', 'run_paid', 'pd', 'kd', 'queued', 0);
    run.run('run_empty');
    migrate(db, MIGRATIONS);
    const wdb = db as unknown as WritableDb;
    // A run with a cached generation was started with the cache; its resume keeps it.
    expect(runAllowsCache(wdb, 'run_cached')).toBe(true);
    // No sign of the cache: off, as resuming it was before.
    expect(runAllowsCache(wdb, 'run_paid')).toBe(false);
    expect(runAllowsCache(wdb, 'run_empty')).toBe(false);
    expect(runAllowsCache(wdb, 'no_such_run')).toBe(false);
    expect(() => db.prepare("UPDATE runs SET allow_cache = 2 WHERE id = 'run_paid'").run()).toThrow(
      /CHECK constraint failed/,
    );
    // New runs get 0 unless they say otherwise.
    run.run('run_new');
    expect(runAllowsCache(wdb, 'run_new')).toBe(false);
  });
});
