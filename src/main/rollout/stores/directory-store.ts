/**
 * Directory config store (`dir:/path`): one file per key, written atomically (temp file, fsync,
 * rename), so a flagd file watcher or a synced folder never sees half a file. Commits hold a
 * lock file (`.lock`, created exclusively); a lock older than `staleLockMs` is taken as left by
 * a crashed publisher and broken. The etag is the SHA-256 of the content.
 */
import { createHash } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { AppError } from '../../../shared/errors';
import { dirPath } from '../../../consumer/store-reader';
import {
  checkStoreKey,
  StoreConflictError,
  type ConfigStore,
  type StoreEntry,
  type StoreWrite,
} from './config-store';

export interface DirectoryStoreOptions {
  root: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How long a commit waits for the lock. Default 10 s. */
  lockTimeoutMs?: number;
  /** A lock file older than this is broken. Default 60 s. */
  staleLockMs?: number;
}

export const LOCK_FILE = '.lock';

export function etagOf(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

let tempCounter = 0;

export class DirectoryStore implements ConfigStore {
  readonly uri: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DirectoryStoreOptions) {
    this.uri = `dir:${options.root}`;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private path(key: string): string {
    checkStoreKey(key);
    return dirPath(this.options.root, key);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    try {
      const value = await readFile(this.path(key), 'utf8');
      return { value, etag: etagOf(value) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.replace(/\/+$/, '');
    const dir = base ? this.path(base) : this.options.root;
    const out: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const full = join(folder, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile()) out.push(relative(this.options.root, full).split(sep).join('/'));
      }
    };
    await walk(dir);
    return out.filter((key) => key.startsWith(prefix)).sort();
  }

  /** Takes the lock; returns its release. */
  async lock(): Promise<() => Promise<void>> {
    await mkdir(this.options.root, { recursive: true });
    const lockPath = join(this.options.root, LOCK_FILE);
    const started = this.now();
    const timeout = this.options.lockTimeoutMs ?? 10000;
    const stale = this.options.staleLockMs ?? 60000;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.writeFile(JSON.stringify({ pid: process.pid, at: this.now() }));
        await handle.close();
        return async () => {
          await unlink(lockPath).catch(() => undefined);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const info = await stat(lockPath).catch(() => undefined);
      if (info && this.now() - info.mtimeMs > stale) {
        // Break it by moving it away under a name of our own, then check that what moved is
        // the stale lock looked at: another waiter may have broken it and taken the lock in
        // between, and deleting that fresh lock would let two commits in at once.
        tempCounter += 1;
        const moved = `${lockPath}.stale-${process.pid}-${tempCounter}`;
        try {
          await rename(lockPath, moved);
        } catch {
          continue; // gone already: someone else broke it
        }
        const movedInfo = await stat(moved).catch(() => undefined);
        if (movedInfo?.ino !== info.ino || movedInfo.mtimeMs !== info.mtimeMs)
          // Their fresh lock: give it back (unless yet another lock was created meanwhile).
          await link(moved, lockPath).catch(() => undefined);
        await unlink(moved).catch(() => undefined);
        continue;
      }
      if (this.now() - started >= timeout)
        throw new AppError(
          'conflict',
          `The config store ${this.uri} is locked by another publish (${lockPath}). Try again; if no publish is running, delete that lock file.`,
          { retryable: true },
        );
      await this.sleep(15);
    }
  }

  async commit(writes: readonly StoreWrite[]): Promise<Record<string, string>> {
    for (const write of writes) checkStoreKey(write.key);
    const release = await this.lock();
    try {
      const conflicts: string[] = [];
      for (const write of writes) {
        if (write.expect === undefined) continue;
        const current = await this.get(write.key);
        if (write.expect === null ? current !== undefined : current?.etag !== write.expect)
          conflicts.push(write.key);
      }
      if (conflicts.length > 0) throw new StoreConflictError(this.uri, conflicts);
      const etags: Record<string, string> = {};
      for (const write of writes) {
        const path = this.path(write.key);
        if (write.value === null) {
          await unlink(path).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          });
          continue;
        }
        await mkdir(dirname(path), { recursive: true });
        tempCounter += 1;
        const temp = join(dirname(path), `.${process.pid}.${tempCounter}.tmp`);
        const handle = await open(temp, 'w');
        try {
          await handle.writeFile(write.value);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, path);
        etags[write.key] = etagOf(write.value);
      }
      return etags;
    } finally {
      await release();
    }
  }

  async close(): Promise<void> {}
}
