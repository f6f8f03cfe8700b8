import type { Migration } from '../migrations';

/**
 * Routing config drafts: one row per draft (the editor uses the draft named "default"). The
 * config is stored as JSON text exactly as the editor saved it (it may not pass the checks yet);
 * `revision` goes up on every save and guards against two windows overwriting each other.
 */
export const migration0050: Migration = {
  version: 50,
  name: 'routing',
  sql: `
CREATE TABLE routing_drafts (
  id TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision > 0),
  updated_at INTEGER NOT NULL
);
`,
};
