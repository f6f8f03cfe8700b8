/**
 * Statements prepared once per connection and SQL text. `db.prepare()` compiles the SQL every
 * time it is called; the benchmark runner writes several times per generation (its claim, job
 * id, status, video, outcome), and 1,000 generations spent a visible share of the main thread
 * compiling the same few statements again (issue 15).
 */
import type Database from 'better-sqlite3';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The prepared statement for `sql` on `db`, compiled at its first use. */
export function preparedOnce(db: Database.Database, sql: string): Database.Statement {
  let statements = cache.get(db);
  if (!statements) {
    statements = new Map();
    cache.set(db, statements);
  }
  let prepared = statements.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    statements.set(sql, prepared);
  }
  return prepared;
}
