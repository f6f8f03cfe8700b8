import type { Migration } from '../migrations';

/**
 * `runs.timeout_seconds`: the generation timeout the run was started with (`bench run
 * --timeout`, the new-run dialog), so a resumed run keeps it. NULL = each model's default
 * (src/shared/bench/generation-timeout.ts).
 */
export const migration0150: Migration = {
  version: 150,
  name: 'run-timeout',
  sql: `
ALTER TABLE runs ADD COLUMN timeout_seconds INTEGER CHECK (timeout_seconds IS NULL OR timeout_seconds > 0);
`,
};
