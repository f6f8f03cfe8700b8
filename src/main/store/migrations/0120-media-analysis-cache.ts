import type { Migration } from '../migrations';

/**
 * Video analysis results by content: a file's SHA-256 (its media id) and the analysis version
 * give its probe and measures (or why it is not a usable video), so identical files are never
 * analysed twice. Compliance depends on what was asked and stays on the generation row.
 * `runs.analysis` records whether a run analyses its videos (off: `bench run --no-analysis`),
 * so a resumed run keeps the choice.
 */
export const migration0120: Migration = {
  version: 120,
  name: 'media-analysis-cache',
  sql: `
CREATE TABLE media_analysis (
  media_id TEXT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  probe TEXT,
  measures TEXT,
  bad_output TEXT,
  analysis_ms INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (media_id, version),
  CHECK ((probe IS NOT NULL AND measures IS NOT NULL) OR bad_output IS NOT NULL)
);
ALTER TABLE runs ADD COLUMN analysis INTEGER NOT NULL DEFAULT 1;
`,
};
