/**
 * Directory config store (`dir:/path`): one file per key, written atomically (temp file, fsync,
 * rename), so a flagd file watcher or a synced folder never sees half a file. Commits hold a
 * lock file (`.lock`, created exclusively); a lock older than `staleLockMs` is taken as left by
 * a crashed publisher and broken. The etag is the SHA-256 of the content.
 *
 * A commit of several keys is all-or-nothing, also when the publisher dies half-way (SIGKILL,
 * power loss): under the lock it checks the expected etags, then writes the whole commit to
 * the commit journal `.commit-journal.json` (temp file `.commit-journal.<pid>.<n>.tmp`, fsync,
 * rename, fsync of the folder: the commit point), then writes each key's file, fsyncs their
 * folders and removes the journal. Readers (get, list, and consumers through
 * `openStoreReader`) take a key from the journal while it names it, so they see each key
 * either before or after the commit, never a mix of both. Format and reading rules:
 * `readDirJournal` in src/consumer/store-reader.ts.
 *
 * Recovery rolls forward, never back: the next commit (under the lock, after breaking a dead
 * publisher's stale lock) finds the journal and finishes writing it before it checks its own
 * etags. Back would be wrong: from the rename on, readers have seen the new values (a consumer
 * may have verified and recorded the new version, and would refuse the old one as a rollback),
 * and the publisher decided the commit under the lock with its compare-and-swap passed. A
 * publisher that died while writing the journal left only a temp file, which is ignored by
 * readers and deleted by the next commit: that commit never happened.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { AppError } from '../../../shared/errors';
import {
  dirEtag,
  dirJournalText,
  dirPath,
  DirJournalDamagedError,
  readDirJournal,
  readDirKey,
  DIR_JOURNAL_FILE,
  DIR_JOURNAL_SCHEMA,
  type DirJournal,
} from '../../../consumer/store-reader';
import {
  checkStoreKey,
  StoreConflictError,
  type ConfigStore,
  type StoreEntry,
  type StoreWrite,
} from './config-store';

/**
 * Where a commit is (for crash tests, which kill the process there): `journal-written` (the
 * journal's temp file is complete and synced, not yet renamed), `journal-committed` (renamed:
 * the commit point), `applied:<key>` (that key's file is written), `all-applied` (every file
 * written and synced, the journal not yet removed), `journal-removed`.
 */
export type CommitPoint =
  'journal-written' | 'journal-committed' | `applied:${string}` | 'all-applied' | 'journal-removed';

export interface DirectoryStoreOptions {
  root: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How long a commit waits for the lock. Default 10 s. */
  lockTimeoutMs?: number;
  /** A lock file older than this is broken. Default 60 s. */
  staleLockMs?: number;
  /** Called at each point of a commit (and of finishing another's); crash tests only. */
  onCommitPoint?: (point: CommitPoint) => void | Promise<void>;
}

export const LOCK_FILE = '.lock';
export const JOURNAL_FILE = DIR_JOURNAL_FILE;
const JOURNAL_TEMP = /^\.commit-journal\..*\.tmp$/;

export function etagOf(value: string): string {
  return dirEtag(value);
}

/**
 * Makes a folder's entries (renames, deletions) durable. Windows cannot open or sync a folder
 * (NTFS journals renames itself), and some network file systems refuse it: there, best effort.
 */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!['EISDIR', 'EINVAL', 'EPERM', 'ENOTSUP', 'EBADF'].includes(code)) throw error;
  } finally {
    await handle?.close();
  }
}

function storageError(message: string, cause?: unknown): AppError {
  return new AppError('storage_failed', message, { cause });
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

  private get journalPath(): string {
    return join(this.options.root, JOURNAL_FILE);
  }

  private async journal(): Promise<DirJournal | undefined> {
    try {
      return await readDirJournal(this.options.root);
    } catch (error) {
      if (error instanceof DirJournalDamagedError)
        throw storageError((error as Error).message, error);
      throw error;
    }
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    checkStoreKey(key);
    let value: string | undefined;
    try {
      value = await readDirKey(this.options.root, key);
    } catch (error) {
      if (error instanceof DirJournalDamagedError)
        throw storageError((error as Error).message, error);
      throw error;
    }
    return value === undefined ? undefined : { value, etag: etagOf(value) };
  }

  /** A key's file as it is on disk, ignoring any journal (under the lock, after recovery). */
  private async fileEntry(key: string): Promise<StoreEntry | undefined> {
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
    const journal = await this.journal();
    const out = new Set<string>();
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
        else if (entry.isFile()) out.add(relative(this.options.root, full).split(sep).join('/'));
      }
    };
    await walk(dir);
    // A commit in flight: its keys are as the journal says, whichever files are written yet.
    for (const write of journal?.writes ?? [])
      if (write.value === null) out.delete(write.key);
      else out.add(write.key);
    return [...out].filter((key) => key.startsWith(prefix)).sort();
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
      await this.recover();
      const conflicts: string[] = [];
      const before = new Map<string, string | null>();
      for (const write of writes) {
        const current = await this.fileEntry(write.key);
        if (!before.has(write.key)) before.set(write.key, current?.etag ?? null);
        if (write.expect === undefined) continue;
        if (write.expect === null ? current !== undefined : current?.etag !== write.expect)
          conflicts.push(write.key);
      }
      if (conflicts.length > 0) throw new StoreConflictError(this.uri, conflicts);
      const etags: Record<string, string> = {};
      for (const write of writes) if (write.value !== null) etags[write.key] = etagOf(write.value);
      if (writes.length === 0) return etags;
      tempCounter += 1;
      const journal: DirJournal = {
        schema: DIR_JOURNAL_SCHEMA,
        id: `${process.pid}-${tempCounter}-${randomUUID()}`,
        writes: writes.map((write) => ({
          key: write.key,
          value: write.value,
          before: before.get(write.key) ?? null,
        })),
      };
      await this.writeJournal(journal);
      try {
        await this.apply(journal, true);
      } catch (error) {
        throw storageError(
          `The change to ${this.uri} is committed (readers see it through the commit journal ${this.journalPath}), but writing its files failed: ${(error as Error).message}. The next publish to this store finishes writing them.`,
          error,
        );
      }
      return etags;
    } finally {
      await release();
    }
  }

  private async point(point: CommitPoint): Promise<void> {
    await this.options.onCommitPoint?.(point);
  }

  /** Writes the journal durably; its rename into place is the commit point. */
  private async writeJournal(journal: DirJournal): Promise<void> {
    tempCounter += 1;
    const temp = join(this.options.root, `.commit-journal.${process.pid}.${tempCounter}.tmp`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(dirJournalText(journal));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.point('journal-written');
      await rename(temp, this.journalPath);
    } catch (error) {
      // Not committed (disk full, …): nothing of it may stay behind.
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncFolder(this.options.root);
    await this.point('journal-committed');
  }

  /** Whether the journal on disk is still the one with this id. */
  private async journalIs(id: string): Promise<boolean> {
    return (await this.journal())?.id === id;
  }

  /**
   * Writes the journal's files, syncs them, then removes the journal. `own`: this process wrote
   * it under its lock; if that lock was broken as stale meanwhile (a pause longer than
   * staleLockMs) and the journal is gone, the breaker finished this commit: stop writing.
   */
  private async apply(journal: DirJournal, own: boolean): Promise<void> {
    const folders = new Set<string>();
    for (const write of journal.writes) {
      if (own && !(await this.journalIs(journal.id))) return;
      const path = this.path(write.key);
      folders.add(dirname(path));
      if (write.value === null) {
        await unlink(path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      } else {
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
      }
      await this.point(`applied:${write.key}`);
    }
    // The renames must be on disk before the journal that stands for them goes.
    for (const folder of folders)
      await syncFolder(folder).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    await this.point('all-applied');
    if (own && !(await this.journalIs(journal.id))) return;
    await unlink(this.journalPath);
    await syncFolder(this.options.root);
    await this.point('journal-removed');
  }

  /**
   * Under the lock: deletes journal temp files of publishers that died while writing one (those
   * commits never happened), and finishes a committed journal a dead publisher left. Each key
   * must still hold its text from before the commit or the journal's new text; anything else
   * means a writer that ignores the journal (an older Aideon) changed it since, and the store
   * needs a person to decide: nothing is written then.
   */
  async recover(): Promise<void> {
    for (const name of await readdir(this.options.root).catch(() => [] as string[]))
      if (JOURNAL_TEMP.test(name))
        await unlink(join(this.options.root, name)).catch(() => undefined);
    const journal = await this.journal();
    if (!journal) return;
    const allowed = new Map<string, Set<string | null>>();
    for (const write of journal.writes) {
      const set = allowed.get(write.key) ?? new Set<string | null>([write.before]);
      set.add(write.value === null ? null : etagOf(write.value));
      allowed.set(write.key, set);
    }
    const changed: string[] = [];
    for (const [key, etags] of allowed)
      if (!etags.has((await this.fileEntry(key))?.etag ?? null)) changed.push(key);
    if (changed.length > 0)
      throw storageError(
        `The config store ${this.uri} has an unfinished commit (journal ${this.journalPath}), but ${changed.join(', ')} changed since it was decided, by a writer that ignores the journal (an older Aideon version?). Nothing was written. Decide which content is right: delete the journal to keep the files, or restore the files it names.`,
      );
    await this.apply(journal, false);
  }

  async close(): Promise<void> {}
}
