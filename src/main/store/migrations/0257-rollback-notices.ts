import type { Migration } from '../migrations';

/**
 * `rollback_notices`: the failed automatic rollbacks an admin was already told about, one row
 * per (who told: the console or a controller, environment, rollout step, failure reason). The
 * watch retries a failed rollback at every check interval, also after a restart; a retry that
 * fails the same way as one already told is recorded as repeated instead of notifying again.
 * Only the current step's rows are kept per environment (a new step deletes the older ones).
 */
export const migration0257: Migration = {
  version: 257,
  name: 'rollback-notices',
  sql: `
CREATE TABLE rollback_notices (
  scope TEXT NOT NULL,
  env TEXT NOT NULL,
  step_key TEXT NOT NULL,
  reason TEXT NOT NULL,
  notified_at INTEGER NOT NULL,
  PRIMARY KEY (scope, env, step_key, reason)
) WITHOUT ROWID;
`,
};
