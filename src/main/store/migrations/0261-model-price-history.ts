import type { Migration } from '../migrations';

/**
 * `model_price_history`: every entered price that was replaced or cleared, with who entered it
 * and when, and who ended it, when and how. A price is money every estimate and budget check
 * uses; the admin can see what it was before (the price form's "Earlier prices", `aideon models
 * price history`). Rows are only added, never changed.
 */
export const migration0261: Migration = {
  version: 261,
  name: 'model-price-history',
  sql: `
CREATE TABLE model_price_history (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL,
  model_id TEXT NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('second', 'clip')),
  usd REAL NOT NULL CHECK (usd > 0),
  resolution_prices TEXT NOT NULL DEFAULT '{}',
  audio_usd_per_second REAL CHECK (audio_usd_per_second IS NULL OR audio_usd_per_second > 0),
  entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  ended_by TEXT NOT NULL,
  ended_at INTEGER NOT NULL,
  ended_how TEXT NOT NULL CHECK (ended_how IN ('replaced', 'cleared'))
);
CREATE INDEX model_price_history_by_model ON model_price_history (provider, model_id, ended_at);
`,
};
