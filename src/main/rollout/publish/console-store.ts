/**
 * Which config store a data folder's console publishes to: the one saved under Publishing →
 * Store (`aideon config store set`), else the folder's own `config-store` directory. The console,
 * the `config` and `rollout` commands and `controller status` all resolve it here, so a store
 * set once is the one every command uses unless `--store` names another.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WritableDb } from '../../store/db';

/** The store a data folder publishes to when none was set. */
export function defaultStoreUri(dataDir: string): string {
  return `dir:${join(dataDir, 'config-store')}`;
}

/** The store saved for this data folder's console, else the default. */
export function savedStoreUri(db: Pick<WritableDb, 'prepare'>, dataDir: string): string {
  const row = db.prepare('SELECT store_uri FROM publish_settings WHERE id = 1').get() as
    { store_uri: string } | undefined;
  return row?.store_uri ?? defaultStoreUri(dataDir);
}

/**
 * The same, read from the data folder without creating its database (for commands that need
 * none: `controller status`, `config verify` on a consumer's machine).
 */
export async function dataFolderStoreUri(dataDir: string): Promise<string> {
  const file = join(dataDir, 'aideon.sqlite');
  if (!existsSync(file)) return defaultStoreUri(dataDir);
  const { openDatabase } = await import('../../store/db');
  const db = openDatabase({ file });
  try {
    return savedStoreUri(db, dataDir);
  } finally {
    db.close();
  }
}
