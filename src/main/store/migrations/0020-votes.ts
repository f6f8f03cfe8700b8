import type { Migration } from '../migrations';

/**
 * Blind review votes. A vote copies its models, prompt and category from the generations at
 * vote time and has no foreign key to them, so human judgements outlive a deleted run.
 * One vote per (voter, generation pair, time): re-importing the same CSV adds nothing.
 */
export const migration0020: Migration = {
  version: 20,
  name: 'votes',
  sql: `
CREATE TABLE votes (
  id TEXT PRIMARY KEY,
  generation_a TEXT NOT NULL,
  generation_b TEXT NOT NULL,
  model_a TEXT NOT NULL,
  model_b TEXT NOT NULL,
  prompt_id TEXT NOT NULL,
  category TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('a','b','tie','both_bad')),
  comment TEXT,
  voter TEXT NOT NULL,
  voted_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  CHECK (generation_a <> generation_b),
  CHECK (model_a <> model_b),
  UNIQUE (voter, generation_a, generation_b, voted_at)
);
CREATE INDEX votes_models ON votes (model_a, model_b);
CREATE INDEX votes_category ON votes (category);
CREATE INDEX generations_prompt_success ON generations (prompt_id) WHERE outcome = 'success';
`,
};
