import type { Migration } from '../migrations';

/**
 * One process drives a run at a time. The driver holds the run's lease: who it is (a random
 * owner id, plus pid and host for people), when it last renewed it, and when it lapses. A
 * lapsed lease (or one whose process is gone from this host) can be taken over by `resume`.
 */
export const migration0130: Migration = {
  version: 130,
  name: 'run-leases',
  sql: `
CREATE TABLE run_leases (
  run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  owner_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX run_leases_by_owner ON run_leases (owner_id);
`,
};
