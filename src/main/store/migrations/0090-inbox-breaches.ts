import type { Migration } from '../migrations';

/**
 * The monitor's inbox (monitor_events) also holds production-watch guard breaches, so there is
 * one inbox and one unread count. A breach belongs to an environment, not to a provider's
 * model, so `provider` and `model_id` become nullable (SQLite cannot drop NOT NULL in place:
 * the table is rebuilt, rowids kept so the newest-first order of equal timestamps holds).
 */
export const migration0090: Migration = {
  version: 90,
  name: 'inbox-breaches',
  sql: `
CREATE TABLE monitor_events_new (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  provider TEXT,
  model_id TEXT,
  check_id TEXT,
  created_at INTEGER NOT NULL,
  read_at INTEGER,
  payload TEXT NOT NULL,
  CHECK (kind = 'guard_breached' OR (provider IS NOT NULL AND model_id IS NOT NULL))
);
INSERT INTO monitor_events_new (rowid, id, kind, provider, model_id, check_id, created_at, read_at, payload)
  SELECT rowid, id, kind, provider, model_id, check_id, created_at, read_at, payload FROM monitor_events;
DROP TABLE monitor_events;
ALTER TABLE monitor_events_new RENAME TO monitor_events;
CREATE INDEX monitor_events_by_time ON monitor_events (created_at DESC);
CREATE INDEX monitor_events_unread ON monitor_events (read_at) WHERE read_at IS NULL;
`,
};
