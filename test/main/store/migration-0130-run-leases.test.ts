import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { insertSuite, migratedBelow } from '../../helpers/migration-db';

describe('migration 0130 (run leases)', () => {
  it('adds run_leases to a database with runs, one lease per run, looked up by owner with its index', () => {
    const db = migratedBelow(100);
    insertSuite(db);
    db.prepare(
      "INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at) VALUES ('run_1', 'r', 's', 1, '[]', 'running', 1, 1, 1)",
    ).run();
    expect(migrate(db, MIGRATIONS).to).toBe(MIGRATIONS.at(-1)?.version);
    const insert = db.prepare(
      "INSERT INTO run_leases (run_id, owner_id, pid, host, acquired_at, heartbeat_at, expires_at) VALUES (?, 'owner_a', 42, 'box', 1, 1, 30001)",
    );
    insert.run('run_1');
    expect(() => insert.run('run_1')).toThrow(/UNIQUE/);
    expect(() => insert.run('run_missing')).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT state FROM runs').get()).toEqual({ state: 'running' });
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT run_id FROM run_leases WHERE owner_id = 'owner_a'")
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join('\n');
    expect(plan).toMatch(/USING (COVERING )?INDEX run_leases_by_owner/);
  });
});
