import type { Migration } from '../migrations';

/**
 * Publishing settings of this console: which config store it publishes to (a directory under
 * the data folder unless the admin chose another). One row; keys and passphrases are never here.
 */
export const migration0080: Migration = {
  version: 80,
  name: 'publish-settings',
  sql: `
CREATE TABLE publish_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  store_uri TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);
`,
};
