/**
 * One interface for config stores, with compare-and-swap writes: every write names the etag it
 * expects (or that the key must not exist yet), and a commit applies all its writes or none.
 * Two admins publishing at once can therefore never silently overwrite each other: one wins,
 * the other gets a StoreConflictError (code `conflict`) and retries on top.
 */
import { AppError } from '../../../shared/errors';

export interface StoreEntry {
  value: string;
  /** Opaque version tag of the stored value (content hash for directories, mod_revision for etcd). */
  etag: string;
}

export interface StoreWrite {
  key: string;
  /** New text, or null to delete the key. */
  value: string | null;
  /**
   * The etag the key must have now; null = the key must not exist; undefined = unconditional.
   */
  expect?: string | null;
}

export interface ConfigStore {
  /** `dir:/path` or `etcd://host:port/prefix`. */
  readonly uri: string;
  get(key: string): Promise<StoreEntry | undefined>;
  /** Keys under a prefix such as `dev/versions/`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Applies every write or none; returns the new etag of each written key. */
  commit(writes: readonly StoreWrite[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export class StoreConflictError extends AppError {
  readonly keys: string[];
  constructor(uri: string, keys: string[]) {
    super(
      'conflict',
      `Someone else changed ${keys.join(', ')} in the config store ${uri} after it was read. Nothing was written; read the store again and retry on top of their change.`,
      { retryable: true },
    );
    this.name = 'StoreConflictError';
    this.keys = keys;
  }
}

export function isConflict(error: unknown): boolean {
  return AppError.isInstance(error) && error.code === 'conflict';
}

/** Store keys are slash-separated names of letters, digits and `._-%`, never `..` or hidden. */
export function checkStoreKey(key: string): void {
  if (
    !/^[A-Za-z0-9%_-][A-Za-z0-9._%-]*(\/[A-Za-z0-9%_-][A-Za-z0-9._%-]*)*$/.test(key) ||
    key.split('/').includes('..')
  )
    throw new AppError('validation', `Store key "${key}" is not a valid key.`);
}
