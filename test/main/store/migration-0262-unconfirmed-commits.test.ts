import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { migratedBelow } from '../../helpers/migration-db';

describe('migration 0262 (unconfirmed_commits)', () => {
  it('adds the table, one row per commit key, found by store and environment through its index', () => {
    const db = migratedBelow(262);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE name = 'unconfirmed_commits'").get(),
    ).toBeUndefined();
    migrate(db, MIGRATIONS);
    const insert = db.prepare(
      "INSERT INTO unconfirmed_commits (key, store_uri, environment, entry, kept_at) VALUES (?, 'dir:/s', 'dev', '{}', 1)",
    );
    insert.run('k1');
    expect(() => insert.run('k1')).toThrow(/UNIQUE constraint failed/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO unconfirmed_commits (key, store_uri, environment, entry, kept_at) VALUES ('k2', 'dir:/s', 'dev', NULL, 1)",
        )
        .run(),
    ).toThrow(/NOT NULL constraint failed/);
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT key, entry FROM unconfirmed_commits WHERE store_uri = 'dir:/s' AND environment = 'dev' ORDER BY kept_at",
      )
      .all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join('\n')).toMatch(
      /USING INDEX unconfirmed_commits_by_environment/,
    );
  });
});
