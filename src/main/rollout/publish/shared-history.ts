/**
 * One publishing history for everyone: a signed, hash-chained log kept in the config store itself
 * (`history/head` and `history/entries/<seq>`), so every console and the controller append to,
 * and read, the same story.
 *
 * - Each entry is an `aideon.signed/1` envelope of `aideon.history-entry/1` (seq, prevHash, at,
 *   actor, action, environment, version, digest, keyIds, summary, detail), signed by the key of
 *   whoever acted (an admin key, or the controller's operator key); its hash is the envelope's
 *   digest, and `prevHash` is the hash of the entry before it (64 zeros for entry 1).
 * - Appends are compare-and-swap on `history/head` plus "must not exist" on the new entry key,
 *   in one commit (both stores support it), retried on top of a concurrent append: two writers
 *   never both get the same seq, and no entry is lost.
 * - Every console keeps a verified copy in SQLite (`shared_history`). Syncing checks the whole
 *   chain in the store and compares it with that copy, so a truncated log (entries removed from
 *   the end, head moved back) or a rewritten one (an entry with other content, a broken link, a
 *   bad signature) is found and named: which entry, what is wrong. A broken log is never copied.
 */
import type { ReadableDb, WritableDb } from '../../store/db';
import { AppError } from '../../../shared/errors';
import {
  ENVELOPE_FORMAT,
  base64UrlEncode,
  canonicalJson,
  sha256Digest,
  storeKeys,
  type SignedEnvelope,
  type TrustPayload,
} from '../../../consumer/bundle-format';
import { countSignatures, decodeEnvelope } from '../../../consumer/verify-bundle';
import { isConflict, type ConfigStore } from '../stores/config-store';
import type { HistoryInput } from './history';
import type { KeyRole, Signer } from './keys';

export const HISTORY_ENTRY_SCHEMA = 'aideon.history-entry/1';
export const HISTORY_HEAD_SCHEMA = 'aideon.history-head/1';
export const GENESIS = '0'.repeat(64);

export interface SharedHistoryPayload {
  schema: typeof HISTORY_ENTRY_SCHEMA;
  seq: number;
  /** Hex SHA-256 of the previous entry's canonical payload (64 zeros for entry 1). */
  prevHash: string;
  /** ms since the epoch. */
  at: number;
  actor: string;
  action: string;
  environment: string | null;
  version: number | null;
  digest: string | null;
  keyIds: string[];
  summary: string;
  detail: Record<string, unknown>;
}

export interface HistoryHead {
  schema: typeof HISTORY_HEAD_SCHEMA;
  seq: number;
  hash: string;
}

/** How an entry's signature checks out against the trust file (not part of the chain check). */
export type EntrySignature = 'admin' | 'operator' | 'unsigned' | 'unknown_key' | 'bad_signature';

export interface SharedHistoryEntry extends SharedHistoryPayload {
  /** Hex SHA-256 of the canonical payload: what the next entry's prevHash names. */
  hash: string;
  /** Kids whose signatures are on the entry. */
  signedBy: string[];
  signature: EntrySignature;
}

export type LogProblemKind =
  | 'missing'
  | 'altered'
  | 'relinked'
  | 'bad_signature'
  | 'truncated'
  | 'rewritten'
  | 'head_mismatch'
  | 'malformed';

export interface LogProblem {
  /** The first entry that is wrong. */
  seq: number;
  kind: LogProblemKind;
  message: string;
}

export type LogCheck =
  { ok: true; entries: number; head: string } | { ok: false; entries: number; problem: LogProblem };

const hex = (digest: string) => digest.replace(/^sha256:/, '');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function payloadProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.schema !== HISTORY_ENTRY_SCHEMA) return `schema is not ${HISTORY_ENTRY_SCHEMA}`;
  if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 1) return 'seq is not from 1';
  if (typeof value.prevHash !== 'string' || !/^[0-9a-f]{64}$/.test(value.prevHash))
    return 'prevHash is not 64 hex digits';
  if (typeof value.at !== 'number') return 'at is not a time';
  if (typeof value.actor !== 'string' || typeof value.action !== 'string')
    return 'actor or action is missing';
  if (!Array.isArray(value.keyIds) || !isObject(value.detail)) return 'keyIds or detail is wrong';
  return undefined;
}

/**
 * The key that signs a writer's history entries: an admin key when one is at hand, so an
 * admin's action reads as an admin's even when her console also holds the operator key (as
 * `aideon keys generate --role operator` leaves it), else the first key (the controller's
 * operator key).
 */
export function historySigner(signers: Iterable<Signer & { role?: KeyRole }>): Signer | undefined {
  let first: Signer | undefined;
  for (const signer of signers) {
    if (signer.role !== 'operator') return signer;
    first ??= signer;
  }
  return first;
}

export interface SharedHistoryOptions {
  store: ConfigStore;
  /** The key that signs this writer's entries (an admin key, or the operator key); none: unsigned. */
  signer?: () => Signer | undefined;
  /** Attempts on conflict. Default 100. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The log in one store. */
export class SharedHistory {
  constructor(private readonly options: SharedHistoryOptions) {}

  get store(): ConfigStore {
    return this.options.store;
  }

  private async readHead(): Promise<{ head: HistoryHead | undefined; etag: string | null }> {
    const entry = await this.options.store.get(storeKeys.historyHead());
    if (!entry) return { head: undefined, etag: null };
    let head: unknown;
    try {
      head = JSON.parse(entry.value);
    } catch {
      head = undefined;
    }
    if (
      !isObject(head) ||
      head.schema !== HISTORY_HEAD_SCHEMA ||
      !Number.isSafeInteger(head.seq) ||
      typeof head.hash !== 'string'
    )
      throw new AppError(
        'validation',
        `The shared history head (${storeKeys.historyHead()}) in ${this.options.store.uri} is malformed; nothing was appended.`,
      );
    return { head: head as unknown as HistoryHead, etag: entry.etag };
  }

  /**
   * Appends one entry: head and entry in one compare-and-swap commit, retried on top of a
   * concurrent append. Returns the entry as written.
   */
  async append(input: HistoryInput): Promise<SharedHistoryEntry> {
    const attempts = this.options.maxAttempts ?? 100;
    const sleep =
      this.options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; ; attempt += 1) {
      const { head, etag } = await this.readHead();
      const payload: SharedHistoryPayload = {
        schema: HISTORY_ENTRY_SCHEMA,
        seq: (head?.seq ?? 0) + 1,
        prevHash: head?.hash ?? GENESIS,
        at: input.at,
        actor: input.actor,
        action: input.action,
        environment: input.environment,
        version: input.version,
        digest: input.digest,
        keyIds: input.keyIds,
        summary: input.diffSummary,
        detail: JSON.parse(JSON.stringify(input.detail)) as Record<string, unknown>,
      };
      const text = canonicalJson(payload);
      const payloadB64 = base64UrlEncode(text);
      const signer = this.options.signer?.();
      const envelope: SignedEnvelope = {
        format: ENVELOPE_FORMAT,
        digest: sha256Digest(text),
        jws: { payload: payloadB64, signatures: signer ? [await signer.sign(payloadB64)] : [] },
      };
      const hash = hex(envelope.digest);
      const nextHead: HistoryHead = { schema: HISTORY_HEAD_SCHEMA, seq: payload.seq, hash };
      try {
        await this.options.store.commit([
          {
            key: storeKeys.historyEntry(payload.seq),
            value: `${JSON.stringify(envelope)}\n`,
            expect: null,
          },
          {
            key: storeKeys.historyHead(),
            value: `${JSON.stringify(nextHead)}\n`,
            expect: etag,
          },
        ]);
        return {
          ...payload,
          hash,
          signedBy: signer ? [signer.kid] : [],
          signature: 'unsigned',
        };
      } catch (error) {
        if (!isConflict(error) || attempt >= attempts) throw error;
        await sleep(Math.floor(Math.random() * Math.min(50, attempt * 5)));
      }
    }
  }

  /**
   * Reads and checks the whole log: every entry from 1 to the head present, unaltered, linked
   * to the one before, the head naming the last one, nothing after the head. Signatures are
   * checked against `trust` (admin and operator keys); a signature that does not verify is a
   * rewrite. Stops at the first problem and names it.
   */
  async read(
    trust?: TrustPayload,
    /** Check from entry `from` on, trusting `previousHash` as the hash of entry from-1. */
    start: { from: number; previousHash: string } = { from: 1, previousHash: GENESIS },
  ): Promise<{ entries: SharedHistoryEntry[]; check: LogCheck }> {
    const entries: SharedHistoryEntry[] = [];
    const fail = (seq: number, kind: LogProblemKind, message: string) => ({
      entries,
      check: { ok: false as const, entries: entries.length, problem: { seq, kind, message } },
    });
    let headRead;
    try {
      headRead = await this.readHead();
    } catch (error) {
      return fail(0, 'malformed', (error as Error).message);
    }
    const head = headRead.head;
    const keys = await this.options.store.list(storeKeys.historyEntriesPrefix());
    const count = head?.seq ?? 0;
    const beyond = keys
      .map((key) => Number(key.slice(storeKeys.historyEntriesPrefix().length)))
      .filter((seq) => seq > count)
      .sort((a, b) => a - b);
    let previous = start.previousHash;
    for (let seq = start.from; seq <= count; seq += 1) {
      const stored = await this.options.store.get(storeKeys.historyEntry(seq));
      if (!stored)
        return fail(
          seq,
          'missing',
          `Entry ${seq} is missing from the shared history (the head names ${count} entries): it was deleted.`,
        );
      let raw: unknown;
      try {
        raw = JSON.parse(stored.value);
      } catch {
        raw = undefined;
      }
      const decoded = decodeEnvelope(raw);
      if (!decoded.ok)
        return fail(
          seq,
          decoded.reason === 'digest_mismatch' ? 'altered' : 'malformed',
          `Entry ${seq} of the shared history ${decoded.reason === 'digest_mismatch' ? 'was changed after it was written' : 'is malformed'}: ${decoded.message}`,
        );
      const problem = payloadProblem(decoded.payload.value);
      if (problem) return fail(seq, 'malformed', `Entry ${seq} is malformed: ${problem}.`);
      const payload = decoded.payload.value as SharedHistoryPayload;
      if (payload.seq !== seq)
        return fail(seq, 'relinked', `Entry ${seq} says it is entry ${payload.seq}: it was moved.`);
      if (payload.prevHash !== previous)
        return fail(
          seq,
          'relinked',
          `Entry ${seq} does not link to entry ${seq - 1} (its prevHash is ${payload.prevHash.slice(0, 12)}…, entry ${seq - 1} hashes to ${previous.slice(0, 12)}…): an entry before it was rewritten or removed.`,
        );
      const signedBy = decoded.envelope.jws.signatures
        .map((signature) => {
          try {
            return String(
              (
                JSON.parse(Buffer.from(signature.protected, 'base64url').toString('utf8')) as {
                  kid?: unknown;
                }
              ).kid ?? '',
            );
          } catch {
            return '';
          }
        })
        .filter(Boolean);
      let signature: EntrySignature = signedBy.length === 0 ? 'unsigned' : 'unknown_key';
      if (trust && signedBy.length > 0) {
        const admin = await countSignatures(decoded.envelope, trust);
        const operator = trust.operator
          ? await countSignatures(decoded.envelope, { ...trust, keys: trust.operator.keys })
          : undefined;
        const invalid = [
          ...('ok' in admin ? [] : admin.invalid),
          ...(operator && !('ok' in operator) ? operator.invalid : []),
        ];
        if (invalid.length > 0)
          return fail(
            seq,
            'bad_signature',
            `Entry ${seq} carries a signature by ${invalid.join(', ')} that does not verify: it was rewritten after it was signed.`,
          );
        if (!('ok' in admin) && admin.valid.length > 0) signature = 'admin';
        else if (operator && !('ok' in operator) && operator.valid.length > 0)
          signature = 'operator';
      }
      const hash = hex(decoded.payload.digest);
      entries.push({ ...payload, hash, signedBy, signature });
      previous = hash;
    }
    if (head && count >= start.from && head.hash !== previous)
      return fail(
        count,
        'head_mismatch',
        `The shared history head names entry ${count} with hash ${head.hash.slice(0, 12)}…, but entry ${count} hashes to ${previous.slice(0, 12)}…: the head was rewritten.`,
      );
    if (beyond.length > 0)
      return fail(
        beyond[0] as number,
        'truncated',
        `The shared history head was moved back to entry ${count}, but entry ${beyond[0]} exists after it: the log was truncated.`,
      );
    return { entries, check: { ok: true, entries: count, head: head?.hash ?? GENESIS } };
  }
}

// ---- the verified copy in SQLite ---------------------------------------------------------------

interface CopyRow {
  seq: number;
  hash: string;
  prev_hash: string;
  at: number;
  actor: string;
  action: string;
  environment: string | null;
  version: number | null;
  digest: string | null;
  key_ids: string;
  summary: string;
  detail: string;
  signed_by: string;
  signature: EntrySignature;
}

function fromCopyRow(row: CopyRow): SharedHistoryEntry {
  return {
    schema: HISTORY_ENTRY_SCHEMA,
    seq: row.seq,
    prevHash: row.prev_hash,
    hash: row.hash,
    at: row.at,
    actor: row.actor,
    action: row.action,
    environment: row.environment,
    version: row.version,
    digest: row.digest,
    keyIds: JSON.parse(row.key_ids) as string[],
    summary: row.summary,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    signedBy: JSON.parse(row.signed_by) as string[],
    signature: row.signature,
  };
}

/** The verified copy of one store's log, oldest first. */
export function listSharedHistory(
  db: ReadableDb,
  storeUri: string,
  filter: { environment?: string } = {},
): SharedHistoryEntry[] {
  const rows = (
    filter.environment === undefined
      ? db.prepare('SELECT * FROM shared_history WHERE store_uri = ? ORDER BY seq').all(storeUri)
      : db
          .prepare(
            'SELECT * FROM shared_history WHERE store_uri = ? AND environment = ? ORDER BY seq',
          )
          .all(storeUri, filter.environment)
  ) as CopyRow[];
  return rows.map(fromCopyRow);
}

export interface SyncResult {
  storeUri: string;
  check: LogCheck;
  /** Entries copied by this sync. */
  added: number;
  /** Entries in this console's verified copy. */
  entries: number;
}

/**
 * Reads and checks the store's log, compares it with this console's verified copy and copies
 * the new entries. A log that is broken in the store, shorter than the copy (truncated) or
 * different from it (rewritten) is reported and nothing is copied.
 */
export async function syncSharedHistory(
  db: WritableDb,
  history: SharedHistory,
  trust?: TrustPayload,
  /**
   * 'full' re-checks every entry in the store; 'incremental' (after this console's own append)
   * re-reads the last entry this console verified and checks only what follows it.
   */
  mode: 'full' | 'incremental' = 'full',
): Promise<SyncResult> {
  const storeUri = history.store.uri;
  const local = listSharedHistory(db, storeUri);
  const from = mode === 'full' || local.length === 0 ? 1 : local.length;
  const { entries, check } = await history.read(trust, {
    from,
    previousHash: local[from - 2]?.hash ?? GENESIS,
  });
  const result = (verdict: LogCheck, added = 0): SyncResult => ({
    storeUri,
    check: verdict,
    added,
    entries: local.length + added,
  });
  if (!check.ok) return result(check);
  for (const mine of local) {
    if (mine.seq < from) continue;
    const theirs = entries[mine.seq - from];
    if (!theirs)
      return result({
        ok: false,
        entries: check.entries,
        problem: {
          seq: check.entries + 1,
          kind: 'truncated',
          message: `The shared history in ${storeUri} ends at entry ${check.entries}, but this console verified entries up to ${local.length} (entry ${check.entries + 1}, ${local[check.entries]?.action ?? mine.action} by ${local[check.entries]?.actor ?? mine.actor}, is gone): the log was truncated.`,
        },
      });
    if (theirs.hash !== mine.hash)
      return result({
        ok: false,
        entries: check.entries,
        problem: {
          seq: mine.seq,
          kind: 'rewritten',
          message: `Entry ${mine.seq} of the shared history in ${storeUri} differs from the one this console verified (${mine.action} by ${mine.actor}; hash ${mine.hash.slice(0, 12)}…, now ${theirs.hash.slice(0, 12)}…): the log was rewritten.`,
        },
      });
  }
  const fresh = entries.filter((entry) => entry.seq > local.length);
  // What a signature proves can change with the trust file (a key added later): refresh it.
  const resign = db.prepare(
    'UPDATE shared_history SET signature = ? WHERE store_uri = ? AND seq = ?',
  );
  const resigned = local.flatMap((mine) => {
    const theirs = entries[mine.seq - from];
    return theirs && trust && theirs.signature !== mine.signature
      ? [{ seq: mine.seq, signature: theirs.signature }]
      : [];
  });
  // Nothing new: no write lock is taken (another process may hold it; see store/busy-retry.ts).
  if (fresh.length === 0 && resigned.length === 0) return result(check);
  const insert = db.prepare(
    `INSERT INTO shared_history (store_uri, seq, hash, prev_hash, at, actor, action, environment, version, digest, key_ids, summary, detail, signed_by, signature)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // One transaction: a busy database leaves the copy as it was, caught up at the next sync.
  db.transaction(() => {
    for (const { seq, signature } of resigned) resign.run(signature, storeUri, seq);
    for (const entry of fresh)
      insert.run(
        storeUri,
        entry.seq,
        entry.hash,
        entry.prevHash,
        entry.at,
        entry.actor,
        entry.action,
        entry.environment,
        entry.version,
        entry.digest,
        JSON.stringify(entry.keyIds),
        entry.summary,
        JSON.stringify(entry.detail),
        JSON.stringify(entry.signedBy),
        entry.signature,
      );
  }).immediate();
  return result(check, fresh.length);
}
