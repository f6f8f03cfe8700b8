import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/store/migrations';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';

describe('migration 0120: media analysis cache', () => {
  it('adds runs.analysis (on by default) and the cache keyed by media id and version', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((migration) => migration.version < 100),
    );
    db.prepare(
      "INSERT INTO media (id, content_type, bytes, created_at) VALUES (?, 'video/mp4', 10, 1)",
    ).run('a'.repeat(64));
    migrate(db, MIGRATIONS);
    expect(
      db.prepare("SELECT dflt_value FROM pragma_table_info('runs') WHERE name = 'analysis'").get(),
    ).toEqual({
      dflt_value: '1',
    });
    db.prepare(
      'INSERT INTO media_analysis (media_id, version, probe, measures, bad_output, analysis_ms, created_at) VALUES (?, 1, ?, ?, NULL, 5, 1)',
    ).run('a'.repeat(64), '{}', '{}');
    // Neither a result nor a verdict: refused.
    expect(() =>
      db
        .prepare(
          'INSERT INTO media_analysis (media_id, version, probe, measures, bad_output, analysis_ms, created_at) VALUES (?, 2, NULL, NULL, NULL, 0, 1)',
        )
        .run('a'.repeat(64)),
    ).toThrow(/CHECK/);
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT probe FROM media_analysis WHERE media_id = ? AND version = ?',
      )
      .all('a'.repeat(64), 1)
      .map((row) => (row as { detail: string }).detail)
      .join('\n');
    expect(plan).toMatch(/USING INDEX sqlite_autoindex_media_analysis_1/);
    db.close();
  });
});
