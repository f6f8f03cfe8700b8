import type { Migration } from '../migrations';

/**
 * `runs.allow_cache`: whether the run was started with the cache (`bench run --cache`, the
 * new-run dialog's "reuse identical earlier videos"), so a resumed run answers its queued
 * identical requests from the cache instead of paying the vendor for them again.
 *
 * Runs from before this column did not store the choice. One that has a cached generation was
 * certainly started with the cache and gets 1; every other one gets 0, what resuming them did
 * until now (nothing is answered from the cache that the admin may not have asked for).
 */
export const migration0256: Migration = {
  version: 256,
  name: 'run-allow-cache',
  sql: `
ALTER TABLE runs ADD COLUMN allow_cache INTEGER NOT NULL DEFAULT 0 CHECK (allow_cache IN (0, 1));
UPDATE runs SET allow_cache = 1
  WHERE EXISTS (SELECT 1 FROM generations WHERE generations.run_id = runs.id AND generations.cached = 1);
`,
};
