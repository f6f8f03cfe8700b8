import type { Migration } from '../migrations';

/**
 * `generations.waiting`: why a job at the vendor is waiting rather than being looked at (e.g.
 * "Rate limited by the provider, waiting 30 s"), shown to the user while it lasts. NULL = not
 * waiting on anything but the job itself.
 */
export const migration0240: Migration = {
  version: 240,
  name: 'generation-waiting',
  sql: `
ALTER TABLE generations ADD COLUMN waiting TEXT CHECK (waiting IS NULL OR length(waiting) <= 500);
`,
};
