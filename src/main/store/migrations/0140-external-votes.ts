import type { Migration } from '../migrations';

/**
 * Model-level votes from outside (arena CSV: model_a,model_b,winner[,category]), e.g. from a
 * human-evaluation vendor. They name models, not generations, so they live apart from `votes`.
 * A file is recorded by the SHA-256 of its text: importing the same file again adds nothing.
 */
export const migration0140: Migration = {
  version: 140,
  name: 'external-votes',
  sql: `
CREATE TABLE external_vote_files (
  sha256 TEXT PRIMARY KEY,
  file_name TEXT NOT NULL,
  rows INTEGER NOT NULL,
  imported_at INTEGER NOT NULL
);
CREATE TABLE external_votes (
  id INTEGER PRIMARY KEY,
  file_sha256 TEXT NOT NULL REFERENCES external_vote_files (sha256),
  model_a TEXT NOT NULL,
  model_b TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('a','b','tie','both_bad')),
  category TEXT NOT NULL,
  CHECK (model_a <> model_b)
);
`,
};
