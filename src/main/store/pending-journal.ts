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
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import type { WritableDb } from './db';

/** Where the items of `what` waiting for `db` are kept: beside it (none for a memory database). */
export function pendingJournalFile(db: WritableDb, what: string): string | undefined {
  if (!db.name || db.memory) return undefined;
  return `${db.name}.${what}.json`;
}

export interface PendingJournal<T> {
  /** The file (undefined: nothing is kept on disk). */
  readonly file: string | undefined;
  /** Keeps exactly `items` (removes the file when empty). Failures are logged, never thrown. */
  save(items: readonly T[]): void;
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
      if (!file) return;
      try {
        if (items.length === 0) {
          rmSync(file, { force: true });
          return;
        }
        const temp = `${file}.${process.pid}.tmp`;
        writeFileSync(temp, JSON.stringify(items));
        renameSync(temp, file);
      } catch (error) {
        log(
          `${who}: the ${label} waiting for the database could not be kept in ${file}: ${error instanceof Error ? error.message : String(error)}`,
        );
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
