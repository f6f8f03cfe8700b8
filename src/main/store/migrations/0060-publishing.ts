import type { Migration } from '../migrations';

/**
 * Publishing history: every publish, promotion, rollout step, co-signature, kill switch and
 * rollback, hash-chained (hash = SHA-256 of the canonical row including prev_hash), so an edited
 * or deleted row breaks the chain and `verifyHistoryChain` says where.
 */
export const migration0060: Migration = {
  version: 60,
  name: 'publishing',
  sql: `
CREATE TABLE publish_history (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('publish','promote','rollout_step','cosign','pending','rollback','kill_switch','trust_init','trust_rotate','rollout_pause','rollout_resume')),
  store_uri TEXT NOT NULL,
  environment TEXT,
  version INTEGER,
  digest TEXT,
  key_ids TEXT NOT NULL,
  diff_summary TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX publish_history_env ON publish_history (environment, seq);
`,
};
