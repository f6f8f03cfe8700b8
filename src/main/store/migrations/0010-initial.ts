import type { Migration } from '../migrations';

export const migration0010: Migration = {
  version: 10,
  name: 'initial',
  sql: `
CREATE TABLE suites (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  built_in INTEGER NOT NULL DEFAULT 0,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (id, version)
);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  suite_id TEXT NOT NULL,
  suite_version INTEGER NOT NULL,
  models TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running','finished','cancelled','interrupted')),
  budget_usd REAL NOT NULL,
  estimated_cost_usd REAL NOT NULL,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  FOREIGN KEY (suite_id, suite_version) REFERENCES suites (id, version)
);

CREATE TABLE media (
  id TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE generations (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  prompt_id TEXT NOT NULL,
  prompt TEXT NOT NULL,
  category TEXT NOT NULL,
  image_url TEXT,
  provider TEXT NOT NULL,
  model_id TEXT NOT NULL,
  settings TEXT NOT NULL,
  request_key TEXT NOT NULL,
  state TEXT NOT NULL,
  outcome TEXT,
  error_code TEXT,
  error_message TEXT,
  progress REAL,
  vendor_job_id TEXT,
  submitted_at INTEGER,
  started_at INTEGER,
  completed_at INTEGER,
  finished_at INTEGER,
  download_ms INTEGER,
  estimated_cost_usd REAL NOT NULL,
  cost_usd REAL,
  cached INTEGER NOT NULL DEFAULT 0,
  simulated INTEGER NOT NULL DEFAULT 0,
  media_id TEXT REFERENCES media (id),
  outputs TEXT,
  UNIQUE (run_id, prompt_id, provider, model_id)
);
CREATE INDEX generations_run ON generations (run_id);
CREATE INDEX generations_state ON generations (state);
CREATE INDEX generations_request_key ON generations (request_key) WHERE outcome = 'success';
`,
};
