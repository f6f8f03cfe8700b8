import type { Migration } from '../migrations';

/**
 * `runs.spent_usd`: what the run's generations count against its budget, kept by triggers on
 * every insert, change and delete (whoever writes), so the budget check made before each
 * submission reads one row instead of summing the whole run (quadratic over a long run).
 * A generation counts its `cost_usd`; one whose create may have been billed without the console
 * knowing (`submit_unknown`) counts at least its estimate. Existing runs are filled from their
 * generations.
 */
const charge = (row: 'NEW' | 'OLD' | 'generations'): string =>
  `(CASE WHEN ${row}.outcome = 'submit_unknown'
     THEN MAX(COALESCE(${row}.cost_usd, 0), COALESCE(${row}.estimated_cost_usd, 0))
     ELSE COALESCE(${row}.cost_usd, 0) END)`;

export const migration0241: Migration = {
  version: 241,
  name: 'run-spent',
  sql: `
ALTER TABLE runs ADD COLUMN spent_usd REAL NOT NULL DEFAULT 0;
UPDATE runs SET spent_usd = (
  SELECT COALESCE(SUM(${charge('generations')}), 0) FROM generations
  WHERE generations.run_id = runs.id
);
CREATE TRIGGER generations_spent_insert AFTER INSERT ON generations
  WHEN ${charge('NEW')} != 0
BEGIN
  UPDATE runs SET spent_usd = spent_usd + ${charge('NEW')} WHERE id = NEW.run_id;
END;
CREATE TRIGGER generations_spent_update
  AFTER UPDATE OF cost_usd, estimated_cost_usd, outcome, run_id ON generations
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
