import type { Migration } from '../migrations';

/**
 * `unconfirmed_commits`: config-store commits whose answer was lost and whose outcome could not
 * be read back (the store stopped answering), each with the history entry it owes if it went
 * in (JSON). Kept in the database, not in one process's memory, so a one-shot command
 * (`aideon config publish|promote|rollback`) that has no later read leaves it to the next
 * process that reads that environment (console, controller, another command), which settles
 * it and removes the row: one row, one history entry. `key` names the store, environment,
 * version and digest.
 */
export const migration0262: Migration = {
  version: 262,
  name: 'unconfirmed-commits',
  sql: `
CREATE TABLE unconfirmed_commits (
  key TEXT PRIMARY KEY,
  store_uri TEXT NOT NULL,
  environment TEXT NOT NULL,
  entry TEXT NOT NULL,
  kept_at INTEGER NOT NULL
);
CREATE INDEX unconfirmed_commits_by_environment ON unconfirmed_commits (store_uri, environment);
`,
};
