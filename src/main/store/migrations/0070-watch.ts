import type { Migration } from '../migrations';

/**
 * Production watch: settings (every save is a new row, the latest wins), every guard check
 * (its report as JSON, for the history and the inbox), and stability snapshots (the day count
 * and what reset it, each time it is computed).
 */
export const migration0070: Migration = {
  version: 70,
  name: 'watch',
  sql: `
CREATE TABLE watch_settings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  settings TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);
CREATE TABLE watch_checks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  env TEXT NOT NULL CHECK (env IN ('dev','staging','production')),
  checked_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pass','breach','no_data','error')),
  step_version INTEGER,
  report TEXT NOT NULL
);
CREATE INDEX watch_checks_env_time ON watch_checks (env, checked_at);
CREATE TABLE watch_stability (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tier TEXT NOT NULL,
  computed_at INTEGER NOT NULL,
  day_count INTEGER NOT NULL,
  stable INTEGER NOT NULL CHECK (stable IN (0,1)),
  reset_day TEXT,
  reset_reason TEXT
);
CREATE INDEX watch_stability_tier_time ON watch_stability (tier, computed_at);
`,
};
