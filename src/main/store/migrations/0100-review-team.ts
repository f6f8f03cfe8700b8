import type { Migration } from '../migrations';

/**
 * Review as a team.
 * - `votes.voter_via`: how the voter's name was established: `local` (the desktop's admin name
 *   or the CLI's AIDEON_ACTOR), `reviewer` (a reviewer's own token in browser mode) or `import`
 *   (a votes CSV). Votes from before this migration are `local`.
 * - `reviewers`: per-person review tokens for `aideon serve`. Only the SHA-256 of a token is
 *   stored (tokens are 256 random bits, so a fast hash is enough); revoking keeps the row.
 * - `review_server`: the base URL of the last `aideon serve`, for invite URLs (one row).
 */
export const migration0100: Migration = {
  version: 100,
  name: 'review-team',
  sql: `
ALTER TABLE votes ADD COLUMN voter_via TEXT NOT NULL DEFAULT 'local'
  CHECK (voter_via IN ('local','reviewer','import'));
CREATE INDEX votes_voter ON votes (voter, generation_a, generation_b);
CREATE TABLE reviewers (
  name TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE review_server (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  base_url TEXT NOT NULL,
  started_at INTEGER NOT NULL
);
`,
};
