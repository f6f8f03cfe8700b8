/**
 * Hash-chained publishing history in SQLite. Each row's hash is the SHA-256 of the RFC 8785
 * canonical JSON of its fields plus the previous row's hash (64 zeros for the first), so any
 * edited, inserted or deleted row is found by verifyHistoryChain. Repository style: the db
 * handle comes first.
 */
import { createHash } from 'node:crypto';
import type { ReadableDb, WritableDb } from '../../store/db';
import { canonicalJson } from '../../../consumer/bundle-format';

export type HistoryAction =
  | 'publish'
  | 'promote'
  | 'rollout_step'
  | 'cosign'
  | 'pending'
  | 'rollback'
  | 'kill_switch'
  | 'trust_init'
  | 'trust_rotate'
  | 'rollout_pause'
  | 'rollout_resume'
  | 'renew';

export interface HistoryInput {
  at: number;
  actor: string;
  action: HistoryAction;
  storeUri: string;
  environment: string | null;
  version: number | null;
  digest: string | null;
  keyIds: string[];
  diffSummary: string;
  detail: Record<string, unknown>;
}

export interface HistoryEntry extends HistoryInput {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

export function historyHash(entry: Omit<HistoryEntry, 'hash'>): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        storeUri: entry.storeUri,
        environment: entry.environment,
        version: entry.version,
        digest: entry.digest,
        keyIds: entry.keyIds,
        diffSummary: entry.diffSummary,
        detail: entry.detail,
        prevHash: entry.prevHash,
      }),
    )
    .digest('hex');
}

interface HistoryRow {
  seq: number;
  at: number;
  actor: string;
  action: HistoryAction;
  store_uri: string;
  environment: string | null;
  version: number | null;
  digest: string | null;
  key_ids: string;
  diff_summary: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

function fromRow(row: HistoryRow): HistoryEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    storeUri: row.store_uri,
    environment: row.environment,
    version: row.version,
    digest: row.digest,
    keyIds: JSON.parse(row.key_ids) as string[],
    diffSummary: row.diff_summary,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function appendHistory(db: WritableDb, input: HistoryInput): HistoryEntry {
  const append = db.transaction((): HistoryEntry => {
    const last = db
      .prepare('SELECT seq, hash FROM publish_history ORDER BY seq DESC LIMIT 1')
      .get() as { seq: number; hash: string } | undefined;
    const base = { ...input, seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? GENESIS_HASH };
    const entry: HistoryEntry = { ...base, hash: historyHash(base) };
    db.prepare(
      `INSERT INTO publish_history (seq, at, actor, action, store_uri, environment, version, digest, key_ids, diff_summary, detail, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      entry.seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.storeUri,
      entry.environment,
      entry.version,
      entry.digest,
      JSON.stringify(entry.keyIds),
      entry.diffSummary,
      JSON.stringify(entry.detail),
      entry.prevHash,
      entry.hash,
    );
    return entry;
  });
  return append.immediate();
}

export function listHistory(
  db: ReadableDb,
  filter: { environment?: string; limit?: number } = {},
): HistoryEntry[] {
  const rows = (
    filter.environment === undefined
      ? db.prepare('SELECT * FROM publish_history ORDER BY seq LIMIT ?').all(filter.limit ?? -1)
      : db
          .prepare('SELECT * FROM publish_history WHERE environment = ? ORDER BY seq LIMIT ?')
          .all(filter.environment, filter.limit ?? -1)
  ) as HistoryRow[];
  return rows.map(fromRow);
}

export type ChainCheck =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; brokenAtSeq: number; problem: string };

/** Recomputes every hash and link from the first row. */
export function verifyHistoryChain(db: ReadableDb): ChainCheck {
  const rows = db.prepare('SELECT * FROM publish_history ORDER BY seq').all() as HistoryRow[];
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  for (const row of rows) {
    const entry = fromRow(row);
    if (entry.seq !== expectedSeq)
      return {
        ok: false,
        entries: rows.length,
        brokenAtSeq: entry.seq,
        problem: `row ${expectedSeq} is missing`,
      };
    if (entry.prevHash !== previous)
      return {
        ok: false,
        entries: rows.length,
        brokenAtSeq: entry.seq,
        problem: 'does not link to the row before it',
      };
    const { hash, ...rest } = entry;
    if (historyHash(rest) !== hash)
      return {
        ok: false,
        entries: rows.length,
        brokenAtSeq: entry.seq,
        problem: 'its content does not match its hash (edited after it was written)',
      };
    previous = hash;
    expectedSeq += 1;
  }
  return { ok: true, entries: rows.length, head: previous };
}

/** The whole history with its chain check, as pretty JSON. */
export function exportHistory(db: ReadableDb): string {
  return `${JSON.stringify(
    { schema: 'aideon.publish-history/1', chain: verifyHistoryChain(db), entries: listHistory(db) },
    null,
    2,
  )}\n`;
}
