import type { Migration } from '../migrations';

/**
 * `model_prices`: prices an admin entered for a model from the vendor's pricing page (Models
 * screen, `aideon models price set`), one row per model, with who entered it and when. Estimates,
 * budget checks and starting a run read it over the built-in table's price (which it may
 * replace; the replaced figure stays in the code and is shown beside it). Clearing deletes the
 * row. Amounts are dollars per `unit` (a second of video or a clip); `resolution_prices` is a
 * JSON object of other amounts by resolution label.
 */
export const migration0258: Migration = {
  version: 258,
  name: 'model-prices',
  sql: `
CREATE TABLE model_prices (
  provider TEXT NOT NULL,
  model_id TEXT NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('second', 'clip')),
  usd REAL NOT NULL CHECK (usd > 0),
  resolution_prices TEXT NOT NULL DEFAULT '{}',
  audio_usd_per_second REAL CHECK (audio_usd_per_second IS NULL OR audio_usd_per_second > 0),
  entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  PRIMARY KEY (provider, model_id)
) WITHOUT ROWID;
`,
};
