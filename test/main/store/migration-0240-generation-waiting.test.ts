import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { insertSuite, migratedBelow } from '../../helpers/migration-db';

describe('migration 0240 (generation waiting note)', () => {
  it('adds an empty `waiting` to existing generations and bounds its length', () => {
    const db = migratedBelow(240);
    insertSuite(db);
    db.prepare(
      "INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at) VALUES ('run_1', 'r', 's', 1, '[]', 'running', 1, 1, 1)",
    ).run();
    db.prepare(
      `INSERT INTO generations (id, run_id, prompt_id, prompt, category, provider, model_id,
         settings, request_key, state, estimated_cost_usd, vendor_job_id)
       VALUES ('g1', 'run_1', 'p1', 'a prompt', 'general', 'together', 'm', '{}', 'k1', 'submitted', 0, 'job_1')`,
    ).run();
    migrate(db, MIGRATIONS);
    expect(db.prepare('SELECT waiting, vendor_job_id FROM generations').get()).toEqual({
      waiting: null,
      vendor_job_id: 'job_1',
    });
    db.prepare(
      "UPDATE generations SET waiting = 'Rate limited by Together AI, waiting 30 s'",
    ).run();
    expect(() => db.prepare('UPDATE generations SET waiting = ?').run('x'.repeat(501))).toThrow(
      /CHECK constraint/,
    );
  });
});
