import type { Migration } from '../migrations';

/**
 * The model-release monitor: one snapshot per check (good or failed), the per-model state the
 * diff keeps (present, consecutive misses, what was already announced), the inbox of events,
 * models a routing config uses, the admin's settings, and the onboarding board.
 */
export const migration0040: Migration = {
  version: 40,
  name: 'monitor',
  sql: `
CREATE TABLE monitor_snapshots (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  checked_at INTEGER NOT NULL,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  failure_kind TEXT,
  error TEXT,
  model_count INTEGER NOT NULL DEFAULT 0,
  entries TEXT
);
CREATE INDEX monitor_snapshots_by_provider ON monitor_snapshots (provider, checked_at DESC);

CREATE TABLE monitor_models (
  provider TEXT NOT NULL,
  model_key TEXT NOT NULL,
  entry TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  present INTEGER NOT NULL DEFAULT 1,
  missing_count INTEGER NOT NULL DEFAULT 0,
  notified_added INTEGER NOT NULL DEFAULT 0,
  notified_removed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (provider, model_key)
);

CREATE TABLE monitor_events (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  provider TEXT NOT NULL,
  model_id TEXT NOT NULL,
  check_id TEXT,
  created_at INTEGER NOT NULL,
  read_at INTEGER,
  payload TEXT NOT NULL
);
CREATE INDEX monitor_events_by_time ON monitor_events (created_at DESC);
CREATE INDEX monitor_events_unread ON monitor_events (read_at) WHERE read_at IS NULL;

CREATE TABLE monitor_in_use (
  provider TEXT NOT NULL,
  model_key TEXT NOT NULL,
  model_id TEXT NOT NULL,
  notified_lifecycle TEXT,
  PRIMARY KEY (provider, model_key)
);

CREATE TABLE monitor_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  settings TEXT NOT NULL
);

CREATE TABLE monitor_cards (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  model_key TEXT NOT NULL,
  model_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  stage TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (provider, model_key)
);

CREATE TABLE monitor_card_stages (
  card_id TEXT NOT NULL REFERENCES monitor_cards (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  stage TEXT NOT NULL,
  at INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  PRIMARY KEY (card_id, seq)
);
`,
};
