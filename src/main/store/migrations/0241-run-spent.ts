import type { Migration } from '../migrations';

/**
 * `runs.spent_usd`: the sum of the run's generations' `cost_usd`, kept by triggers on every
 * insert, cost change and delete (whoever writes), so the budget check made before each
 * submission reads one row instead of summing the whole run (quadratic over a long run).
 * Existing runs are filled from their generations.
 */
export const migration0241: Migration = {
  version: 241,
  name: 'run-spent',
  sql: `
ALTER TABLE runs ADD COLUMN spent_usd REAL NOT NULL DEFAULT 0;
UPDATE runs SET spent_usd = (
  SELECT COALESCE(SUM(cost_usd), 0) FROM generations WHERE generations.run_id = runs.id
);
CREATE TRIGGER generations_spent_insert AFTER INSERT ON generations
  WHEN NEW.cost_usd IS NOT NULL AND NEW.cost_usd != 0
BEGIN
  UPDATE runs SET spent_usd = spent_usd + NEW.cost_usd WHERE id = NEW.run_id;
END;
CREATE TRIGGER generations_spent_update AFTER UPDATE OF cost_usd, run_id ON generations
  WHEN COALESCE(OLD.cost_usd, 0) != COALESCE(NEW.cost_usd, 0) OR OLD.run_id != NEW.run_id
BEGIN
  UPDATE runs SET spent_usd = spent_usd - COALESCE(OLD.cost_usd, 0) WHERE id = OLD.run_id;
  UPDATE runs SET spent_usd = spent_usd + COALESCE(NEW.cost_usd, 0) WHERE id = NEW.run_id;
END;
CREATE TRIGGER generations_spent_delete AFTER DELETE ON generations
  WHEN OLD.cost_usd IS NOT NULL AND OLD.cost_usd != 0
BEGIN
  UPDATE runs SET spent_usd = spent_usd - OLD.cost_usd WHERE id = OLD.run_id;
END;
`,
};
