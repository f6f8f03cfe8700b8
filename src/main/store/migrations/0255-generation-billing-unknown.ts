import type { Migration } from '../migrations';

/**
 * `generations.billing_unknown`: 1 when the console gave up on a job that was still at the vendor
 * (its timeout, a cancel) without the vendor confirming a cancel: Together and Gemini have no
 * cancel call, or the cancel failed. The job runs on there and is billed when it ends, so, like a
 * `submit_unknown` create, it counts at least its estimate in runs.spent_usd (the triggers of
 * migration 0241, remade here with that condition) and is shown among the unknown outcomes.
 */
const charge = (row: 'NEW' | 'OLD'): string =>
  `(CASE WHEN ${row}.outcome = 'submit_unknown' OR ${row}.billing_unknown = 1
     THEN MAX(COALESCE(${row}.cost_usd, 0), COALESCE(${row}.estimated_cost_usd, 0))
     ELSE COALESCE(${row}.cost_usd, 0) END)`;

export const migration0255: Migration = {
  version: 255,
  name: 'generation-billing-unknown',
  sql: `
ALTER TABLE generations ADD COLUMN billing_unknown INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER generations_spent_insert;
DROP TRIGGER generations_spent_update;
DROP TRIGGER generations_spent_delete;
CREATE TRIGGER generations_spent_insert AFTER INSERT ON generations
  WHEN ${charge('NEW')} != 0
BEGIN
  UPDATE runs SET spent_usd = spent_usd + ${charge('NEW')} WHERE id = NEW.run_id;
END;
CREATE TRIGGER generations_spent_update
  AFTER UPDATE OF cost_usd, estimated_cost_usd, outcome, run_id, billing_unknown ON generations
  WHEN ${charge('OLD')} != ${charge('NEW')} OR OLD.run_id != NEW.run_id
BEGIN
  UPDATE runs SET spent_usd = spent_usd - ${charge('OLD')} WHERE id = OLD.run_id;
  UPDATE runs SET spent_usd = spent_usd + ${charge('NEW')} WHERE id = NEW.run_id;
END;
CREATE TRIGGER generations_spent_delete AFTER DELETE ON generations
  WHEN ${charge('OLD')} != 0
BEGIN
  UPDATE runs SET spent_usd = spent_usd - ${charge('OLD')} WHERE id = OLD.run_id;
END;
`,
};
