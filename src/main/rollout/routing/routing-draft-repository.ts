/**
 * SQLite repository for routing config drafts (table routing_drafts, migration 0050). Every
 * function takes the database handle first; writes take a WritableDb.
 */
import { AppError } from '../../../shared/errors';
import type { ReadableDb, WritableDb } from '../../store/db';

export interface StoredDraft {
  id: string;
  config: unknown;
  revision: number;
  updatedAt: number;
}

interface DraftRow {
  id: string;
  config: string;
  revision: number;
  updated_at: number;
}

export function getDraft(db: ReadableDb, id: string): StoredDraft | undefined {
  const row = db
    .prepare('SELECT id, config, revision, updated_at FROM routing_drafts WHERE id = ?')
    .get(id) as DraftRow | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    config: JSON.parse(row.config) as unknown,
    revision: row.revision,
    updatedAt: row.updated_at,
  };
}

/**
 * Saves the draft if its stored revision is still `expectedRevision` (0 = none stored yet);
 * otherwise throws `conflict`, so a second window never silently overwrites the first.
 */
export function saveDraft(
  db: WritableDb,
  id: string,
  config: unknown,
  expectedRevision: number,
  now: number,
): StoredDraft {
  const text = JSON.stringify(config ?? null);
  if (text.length > 2_000_000) {
    throw new AppError(
      'validation',
      'The draft is larger than 2 MB; a routing config should be far smaller.',
    );
  }
  return db.transaction((): StoredDraft => {
    const current = getDraft(db, id);
    const currentRevision = current?.revision ?? 0;
    if (currentRevision !== expectedRevision) {
      throw new AppError(
        'conflict',
        `The draft was saved elsewhere in the meantime (revision ${currentRevision}, you edited ${expectedRevision}). Reload it and apply your change again.`,
      );
    }
    const revision = currentRevision + 1;
    db.prepare(
      `INSERT INTO routing_drafts (id, config, revision, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET config = excluded.config, revision = excluded.revision, updated_at = excluded.updated_at`,
    ).run(id, text, revision, now);
    return { id, config: JSON.parse(text) as unknown, revision, updatedAt: now };
  })();
}
