import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';

describe('migration 0110: shared history copy', () => {
  it('adds shared_history on top of 0090 (publish_history rows kept), keyed by store and seq, with an index per environment', () => {
    const before = MIGRATIONS.filter((migration) => migration.version < 110);
    const db = new Database(':memory:');
    migrate(db, before);
    db.prepare(
      `INSERT INTO publish_history (seq, at, actor, action, store_uri, environment, version, digest, key_ids, diff_summary, detail, prev_hash, hash)
       VALUES (1, 1, 'alice', 'publish', 'dir:/s', 'dev', 1, NULL, '[]', '', '{}', ?, ?)`,
    ).run('0'.repeat(64), '1'.repeat(64));
    migrate(db, MIGRATIONS);
    expect(db.prepare('SELECT COUNT(*) AS n FROM publish_history').get()).toEqual({ n: 1 });
    const insert = db.prepare(
      `INSERT INTO shared_history (store_uri, seq, hash, prev_hash, at, actor, action, environment, version, digest, key_ids, summary, detail, signed_by, signature)
       VALUES (?, ?, 'h', 'p', 1, 'controller', 'rollback', 'production', 3, NULL, '[]', '', '{}', '[]', ?)`,
    );
    insert.run('dir:/s', 1, 'operator');
    insert.run('etcd://h:1/p', 1, 'admin');
    expect(() => insert.run('dir:/s', 1, 'admin')).toThrow(/UNIQUE/);
    expect(() => insert.run('dir:/s', 2, 'forged')).toThrow(/CHECK/);
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM shared_history WHERE store_uri = 'dir:/s' AND environment = 'production' ORDER BY seq",
      )
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join(' ');
    expect(plan).toMatch(/USING INDEX shared_history_env/);
    db.close();
  });
});
