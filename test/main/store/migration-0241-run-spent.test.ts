import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSpend } from '../../../src/main/bench/bench-repository';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { insertSuite, migratedBelow } from '../../helpers/migration-db';
import type { WritableDb } from '../../../src/main/store/db';

function sum(db: Database.Database, runId: string): number {
  return (
    db
      .prepare('SELECT COALESCE(SUM(cost_usd), 0) AS spent FROM generations WHERE run_id = ?')
      .get(runId) as { spent: number }
  ).spent;
}

describe('migration 0241 (run spend kept by triggers)', () => {
  it("fills existing runs, then follows every insert, cost change and delete of a run's generations", () => {
    const db = migratedBelow(241);
    insertSuite(db);
    const run = db.prepare(
      "INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at) VALUES (?, 'r', 's', 1, '[]', 'running', 10, 1, 1)",
    );
    run.run('run_1');
    run.run('run_2');
    const generation = db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
         settings, request_key, state, estimated_cost_usd, cost_usd)
       VALUES (?, ?, ?, 'a prompt', 'general', 'together', 'm', '{}', ?, 'queued', 0.5, ?)`,
    );
    generation.run('a', 'run_1', 'pa', 'ka', 0.28);
    generation.run('b', 'run_1', 'pb', 'kb', null);
    generation.run('c', 'run_2', 'pc', 'kc', 1.5);
    migrate(db, MIGRATIONS);
    const wdb = db as unknown as WritableDb;
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.28, 9);
    expect(runSpend(wdb, 'run_2')).toBeCloseTo(1.5, 9);
    generation.run('d', 'run_1', 'pd', 'kd', 0.49);
    db.prepare("UPDATE generations SET cost_usd = 0.3 WHERE id = 'b'").run();
    db.prepare("UPDATE generations SET cost_usd = 0 WHERE id = 'a'").run();
    db.prepare("UPDATE generations SET state = 'failed' WHERE id = 'd'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(sum(db, 'run_1'), 9);
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.79, 9);
    db.prepare("DELETE FROM generations WHERE id = 'd'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.3, 9);
    db.prepare("UPDATE generations SET run_id = 'run_2' WHERE id = 'b'").run();
    expect([runSpend(wdb, 'run_1'), runSpend(wdb, 'run_2')]).toEqual([
      expect.closeTo(0, 9),
      expect.closeTo(1.8, 9),
    ]);
    // A create that may have been billed unseen (submit_unknown) counts at least its estimate
    // (0.5), or its cost when that is higher, and stops counting it when resolved otherwise.
    generation.run('e', 'run_1', 'pe', 'ke', null);
    db.prepare("UPDATE generations SET outcome = 'submit_unknown' WHERE id = 'e'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.5, 9);
    db.prepare("UPDATE generations SET cost_usd = 0.7 WHERE id = 'e'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.7, 9);
    db.prepare(
      "UPDATE generations SET cost_usd = NULL, estimated_cost_usd = 0.6 WHERE id = 'e'",
    ).run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.6, 9);
    db.prepare("UPDATE generations SET outcome = 'failed' WHERE id = 'e'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0, 9);
    db.prepare("UPDATE generations SET outcome = 'submit_unknown' WHERE id = 'e'").run();
    db.prepare("DELETE FROM generations WHERE id = 'e'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0, 9);
    // A run deleted with its generations (cascade) leaves nothing behind.
    db.prepare("DELETE FROM runs WHERE id = 'run_2'").run();
    expect(runSpend(wdb, 'run_2')).toBe(0);
  });
});
