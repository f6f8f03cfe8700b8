/**
 * Writes that met a busy database (another Aideon process holding the write lock) and wait in
 * memory for it are also kept in a small file beside the database, so a process killed or
 * stopped meanwhile (SIGTERM, a crash) writes them at its next start instead of losing them.
 * Used by the controller's check records (controller-cli.ts checkRecords) and the console's
 * guard-breach inbox entries (monitor-service.ts). Each user writes its items so that writing
 * one twice is harmless (by id), since a process can die after the database took an item and
 * before the file forgot it.
 *
 * The file holds the whole list, written to a temporary file and renamed into place each time
 * the list changes, and is removed when the list is empty. A file that cannot be read is set
 * aside (`.unreadable`) and said, never silently dropped or overwritten.
 *
 * Several processes can share one database (two consoles, a console and a controller), so each
 * keeps its own file (one owner: a process, or a controller id), and the next start takes over
 * the files the others left (takeOverJournals): one shared file would be overwritten by whoever
 * wrote last, and a kill then lost the other's items. A file taken over from a process that is
 * still alive loses nothing either: that process keeps its items in memory and writes its file
 * again when its list changes, and writing an item twice is harmless.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import type { WritableDb } from './db';

/**
 * One kind of journal: its files are named `<database>.<before><owner><after>.json`, e.g.
 * `aideon.sqlite.controller-<id>.pending-checks.json`.
 */
export interface JournalKind {
  before: string;
  after: string;
  /**
   * The single file an earlier version kept for every process (`<database>.<legacy>.json`),
   * taken over like the others so an upgrade loses nothing.
   */
  legacy?: string;
}

/** Where `owner`'s items of `kind` waiting for `db` are kept: beside it (none in memory). */
export function pendingJournalFile(
  db: WritableDb,
  kind: JournalKind,
  owner: string,
): string | undefined {
  if (!db.name || db.memory) return undefined;
  return `${db.name}.${kind.before}${owner}${kind.after}.json`;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The files of `kind` beside the database of `own` (`own`'s file), other than `own` itself. */
function journalsBeside(own: string, kind: JournalKind): string[] {
  const name = basename(own);
  const middle = `.${kind.before}`;
  const at = name.indexOf(middle);
  if (at < 0) return [];
  const database = name.slice(0, at);
  const pattern = new RegExp(
    `^${escape(database)}\\.(?:${escape(kind.before)}.+${escape(kind.after)}${
      kind.legacy ? `|${escape(kind.legacy)}` : ''
    })\\.json$`,
  );
  try {
    return readdirSync(dirname(own))
      .filter((entry) => entry !== name && pattern.test(entry))
      .map((entry) => join(dirname(own), entry));
  } catch {
    return [];
  }
}

let claims = 0;

/**
 * The items other owners of `kind` left beside the database of `own` (a process killed while
 * the database was busy; a controller restarted under a new id). Each file is first renamed to
 * a name of this owner's (still of `kind`, so a kill before `release` leaves it for the next
 * start): a live owner that rewrites its file meanwhile puts a new file in place, kept for the
 * next start, instead of having it deleted here. The caller writes the items or keeps them in
 * its own file, then calls `release` to remove the files taken over.
 */
export function takeOverJournals<T>(
  own: string | undefined,
  kind: JournalKind,
  schema: z.ZodType<T>,
  log: (line: string) => void,
  who: string,
  label: string,
): { items: T[]; files: number; release: () => void } {
  if (!own) return { items: [], files: 0, release: () => undefined };
  const stem = own.slice(0, -`${kind.after}.json`.length);
  const taken: string[] = [];
  const items: T[] = [];
  for (const other of journalsBeside(own, kind)) {
    claims += 1;
    const claimed = `${stem}-took-${process.pid}-${claims}${kind.after}.json`;
    try {
      renameSync(other, claimed);
    } catch {
      // Taken over by another start meanwhile, or removed by its owner: nothing to do.
      continue;
    }
    taken.push(claimed);
    items.push(...pendingJournal(claimed, schema, log, who, label).load());
  }
  return {
    items,
    files: taken.length,
    release: () => {
      for (const file of taken) rmSync(file, { force: true });
    },
  };
}

export interface PendingJournal<T> {
  /** The file (undefined: nothing is kept on disk). */
  readonly file: string | undefined;
  /**
   * Keeps exactly `items` (removes the file when empty). Failures are logged, never thrown;
   * false when the items could not be kept.
   */
  save(items: readonly T[]): boolean;
  /** The items kept by an earlier process; [] when none or the file cannot be read (set aside). */
  load(): T[];
}

/**
 * `who`: the log's prefix (`controller`, `monitor`); `label`: what the items are, in the plural
 * (`check records`).
 */
export function pendingJournal<T>(
  file: string | undefined,
  schema: z.ZodType<T>,
  log: (line: string) => void,
  who: string,
  label: string,
): PendingJournal<T> {
  return {
    file,
    save(items) {
      if (!file) return items.length === 0;
      try {
        if (items.length === 0) {
          rmSync(file, { force: true });
          return true;
        }
        const temp = `${file}.${process.pid}.tmp`;
        writeFileSync(temp, JSON.stringify(items));
        renameSync(temp, file);
        return true;
      } catch (error) {
        log(
          `${who}: the ${label} waiting for the database could not be kept in ${file}: ${error instanceof Error ? error.message : String(error)}`,
        );
        return false;
      }
    },
    load() {
      if (!file || !existsSync(file)) return [];
      let problem: string;
      try {
        const parsed = (schema.array() as z.ZodType<T[]>).safeParse(
          JSON.parse(readFileSync(file, 'utf8')),
        );
        if (parsed.success) return parsed.data;
        const issue = parsed.error.issues[0];
        problem = `${issue?.path.join('.') || 'the file'}: ${issue?.message ?? `not a list of ${label}`}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      try {
        renameSync(file, `${file}.unreadable`);
      } catch {
        // said below; the next start tries again
      }
      log(
        `${who}: the ${label} kept in ${file} could not be read (${problem}); set aside as ${basename(file)}.unreadable`,
      );
      return [];
    },
  };
}
