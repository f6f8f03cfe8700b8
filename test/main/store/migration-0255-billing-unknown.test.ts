import { describe, expect, it } from 'vitest';
import { runSpend } from '../../../src/main/bench/bench-repository';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { insertSuite, migratedBelow } from '../../helpers/migration-db';
import type { WritableDb } from '../../../src/main/store/db';

describe('migration 0255 (generations.billing_unknown)', () => {
  it('keeps run spend as before, and counts at least the estimate of a job left running unconfirmed', () => {
    const db = migratedBelow(255);
    insertSuite(db);
    db.prepare(
      "INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at) VALUES ('run_1', 'r', 's', 1, '[]', 'running', 10, 1, 1)",
    ).run();
    const generation = db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
         settings, request_key, state, estimated_cost_usd, cost_usd, outcome)
       VALUES (?, 'run_1', ?, 'a prompt', 'general', 'together', 'm', '{}', ?, 'failed', 0.5, ?, ?)`,
    );
    generation.run('a', 'pa', 'ka', 0.28, 'success');
    generation.run('b', 'pb', 'kb', null, 'submit_unknown');
    migrate(db, MIGRATIONS);
    const wdb = db as unknown as WritableDb;
    // The triggers made again: what was counted before is counted the same.
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.78, 9);
    // A timeout whose job was not cancelled at the vendor: $0 billed, its estimate counted.
    generation.run('c', 'pc', 'kc', 0, 'timeout');
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.78, 9);
    db.prepare("UPDATE generations SET billing_unknown = 1 WHERE id = 'c'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(1.28, 9);
    // Its cost, when higher than the estimate, counts instead; deleted, it counts nothing.
    db.prepare("UPDATE generations SET cost_usd = 0.9 WHERE id = 'c'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(1.68, 9);
    db.prepare("DELETE FROM generations WHERE id = 'c'").run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(0.78, 9);
    // Inserted already flagged (a bundle import, say).
    db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
         settings, request_key, state, estimated_cost_usd, cost_usd, outcome, billing_unknown)
       VALUES ('d', 'run_1', 'pd', 'a prompt', 'general', 'gemini', 'm', '{}', 'kd', 'cancelled', 0.4, 0, 'cancelled', 1)`,
    ).run();
    expect(runSpend(wdb, 'run_1')).toBeCloseTo(1.18, 9);
  });
});
