import type { Migration } from '../migrations';

/**
 * This console's verified copy of the shared publishing history that lives in each config store
 * (rollout/publish/shared-history.ts): one row per entry and store, copied only after the whole
 * chain in the store checked out and matched the rows already here.
 */
export const migration0110: Migration = {
  version: 110,
  name: 'shared-history',
  sql: `
CREATE TABLE shared_history (
  store_uri TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  environment TEXT,
  version INTEGER,
  digest TEXT,
  key_ids TEXT NOT NULL,
  summary TEXT NOT NULL,
  detail TEXT NOT NULL,
  signed_by TEXT NOT NULL,
  signature TEXT NOT NULL CHECK (signature IN ('admin','operator','unsigned','unknown_key','bad_signature')),
  PRIMARY KEY (store_uri, seq)
);
CREATE INDEX shared_history_env ON shared_history (store_uri, environment, seq);
`,
};
