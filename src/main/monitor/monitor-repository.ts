/**
 * SQLite repository for the monitor (migration 0040). Every function takes the database handle
 * first; writes take a WritableDb.
 */
import type { ReadableDb, WritableDb } from '../store/db';
import {
  DEFAULT_MONITOR_SETTINGS,
  monitorSettingsSchema,
  type BoardCard,
  type BoardStage,
  type CatalogueEntry,
  type CheckTrigger,
  type FailureKind,
  type GuardBreachInboxEvent,
  type InboxEvent,
  type MonitorEvent,
  type MonitorSettings,
  type StageEvidence,
} from '../../shared/monitor/monitor-schemas';
import type { ProviderId } from '../../shared/providers/video-provider-spec';

// ---- snapshots ----

export interface SnapshotRecord {
  id: string;
  provider: ProviderId;
  checkedAt: number;
  trigger: CheckTrigger;
  status: 'ok' | 'failed';
  failureKind: FailureKind | null;
  error: string | null;
  modelCount: number;
  /** Present for good snapshots. */
  entries: CatalogueEntry[] | null;
}

interface SnapshotRow {
  id: string;
  provider: string;
  checked_at: number;
  trigger: string;
  status: string;
  failure_kind: string | null;
  error: string | null;
  model_count: number;
  entries: string | null;
}

function toSnapshot(row: SnapshotRow): SnapshotRecord {
  return {
    id: row.id,
    provider: row.provider as ProviderId,
    checkedAt: row.checked_at,
    trigger: row.trigger as CheckTrigger,
    status: row.status as 'ok' | 'failed',
    failureKind: row.failure_kind as FailureKind | null,
    error: row.error,
    modelCount: row.model_count,
    entries: row.entries === null ? null : (JSON.parse(row.entries) as CatalogueEntry[]),
  };
}

export function insertSnapshot(db: WritableDb, snapshot: SnapshotRecord): void {
  db.prepare(
    `INSERT INTO monitor_snapshots (id, provider, checked_at, trigger, status, failure_kind, error, model_count, entries)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    snapshot.id,
    snapshot.provider,
    snapshot.checkedAt,
    snapshot.trigger,
    snapshot.status,
    snapshot.failureKind,
    snapshot.error,
    snapshot.modelCount,
    snapshot.entries === null ? null : JSON.stringify(snapshot.entries),
  );
}

export function latestSnapshot(
  db: ReadableDb,
  provider: ProviderId,
  options: { goodOnly?: boolean } = {},
): SnapshotRecord | undefined {
  const row = db
    .prepare(
      `SELECT * FROM monitor_snapshots WHERE provider = ? ${options.goodOnly ? "AND status = 'ok'" : ''}
       ORDER BY checked_at DESC, rowid DESC LIMIT 1`,
    )
    .get(provider) as SnapshotRow | undefined;
  return row ? toSnapshot(row) : undefined;
}

/** Failed checks since the last good one. */
export function consecutiveFailures(db: ReadableDb, provider: ProviderId): number {
  const row = db
    .prepare(
      `SELECT COUNT(*) AS n FROM monitor_snapshots WHERE provider = ? AND status = 'failed'
       AND rowid > COALESCE((SELECT MAX(rowid) FROM monitor_snapshots WHERE provider = ? AND status = 'ok'), 0)`,
    )
    .get(provider, provider) as { n: number };
  return row.n;
}

export function listSnapshots(db: ReadableDb, provider: ProviderId, limit = 50): SnapshotRecord[] {
  return (
    db
      .prepare(
        'SELECT * FROM monitor_snapshots WHERE provider = ? ORDER BY checked_at DESC, rowid DESC LIMIT ?',
      )
      .all(provider, limit) as SnapshotRow[]
  ).map(toSnapshot);
}

/** Keeps the newest `keep` snapshots of a provider and always its last good one. */
export function pruneSnapshots(db: WritableDb, provider: ProviderId, keep: number): void {
  db.prepare(
    `DELETE FROM monitor_snapshots WHERE provider = ? AND id NOT IN (
       SELECT id FROM monitor_snapshots WHERE provider = ? ORDER BY checked_at DESC, rowid DESC LIMIT ?)
     AND id IS NOT (SELECT id FROM monitor_snapshots WHERE provider = ? AND status = 'ok'
       ORDER BY checked_at DESC, rowid DESC LIMIT 1)`,
  ).run(provider, provider, keep, provider);
}

// ---- per-model state ----

export interface ModelState {
  provider: ProviderId;
  modelKey: string;
  entry: CatalogueEntry;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Listed in the last good check (or missing only once). */
  present: boolean;
  /** Consecutive good checks it was missing from. */
  missingCount: number;
  notifiedAdded: boolean;
  notifiedRemoved: boolean;
}

interface ModelRow {
  provider: string;
  model_key: string;
  entry: string;
  first_seen_at: number;
  last_seen_at: number;
  present: number;
  missing_count: number;
  notified_added: number;
  notified_removed: number;
}

export function listModelStates(db: ReadableDb, provider?: ProviderId): ModelState[] {
  const rows = (
    provider === undefined
      ? db.prepare('SELECT * FROM monitor_models').all()
      : db.prepare('SELECT * FROM monitor_models WHERE provider = ?').all(provider)
  ) as ModelRow[];
  return rows.map((row) => ({
    provider: row.provider as ProviderId,
    modelKey: row.model_key,
    entry: JSON.parse(row.entry) as CatalogueEntry,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    present: row.present === 1,
    missingCount: row.missing_count,
    notifiedAdded: row.notified_added === 1,
    notifiedRemoved: row.notified_removed === 1,
  }));
}

export function saveModelState(db: WritableDb, state: ModelState): void {
  db.prepare(
    `INSERT INTO monitor_models (provider, model_key, entry, first_seen_at, last_seen_at, present, missing_count, notified_added, notified_removed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (provider, model_key) DO UPDATE SET entry = excluded.entry, last_seen_at = excluded.last_seen_at,
       present = excluded.present, missing_count = excluded.missing_count,
       notified_added = excluded.notified_added, notified_removed = excluded.notified_removed`,
  ).run(
    state.provider,
    state.modelKey,
    JSON.stringify(state.entry),
    state.firstSeenAt,
    state.lastSeenAt,
    state.present ? 1 : 0,
    state.missingCount,
    state.notifiedAdded ? 1 : 0,
    state.notifiedRemoved ? 1 : 0,
  );
}

// ---- events (the inbox) ----

interface EventRow {
  payload: string;
  read_at: number | null;
}

export function insertEvent(db: WritableDb, event: MonitorEvent): void {
  db.prepare(
    `INSERT INTO monitor_events (id, kind, provider, model_id, check_id, created_at, read_at, payload)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
  ).run(
    event.id,
    event.kind,
    event.provider,
    event.modelId,
    event.checkId,
    event.at,
    JSON.stringify({ ...event, read: false }),
  );
}

/** A guard breach into the same inbox (migration 0080 lets provider and model_id be NULL). */
export function insertGuardBreach(db: WritableDb, event: GuardBreachInboxEvent): void {
  db.prepare(
    `INSERT INTO monitor_events (id, kind, provider, model_id, check_id, created_at, read_at, payload)
     VALUES (?, 'guard_breached', NULL, NULL, NULL, ?, NULL, ?)`,
  ).run(event.id, event.at, JSON.stringify({ ...event, read: false }));
}

/** Whether the inbox holds an event with this id (a kept entry written before the stop). */
export function inboxEventExists(db: ReadableDb, id: string): boolean {
  return db.prepare('SELECT 1 FROM monitor_events WHERE id = ?').get(id) !== undefined;
}

/** The newest unread breach of an environment, to avoid repeating one nobody has read yet. */
export function latestUnreadBreach(
  db: ReadableDb,
  env: GuardBreachInboxEvent['env'],
): GuardBreachInboxEvent | undefined {
  const rows = db
    .prepare(
      `SELECT payload FROM monitor_events WHERE kind = 'guard_breached' AND read_at IS NULL
       ORDER BY created_at DESC, rowid DESC LIMIT 20`,
    )
    .all() as { payload: string }[];
  return rows
    .map((row) => JSON.parse(row.payload) as GuardBreachInboxEvent)
    .find((event) => event.env === env);
}

export function listEvents(
  db: ReadableDb,
  options: { unreadOnly?: boolean; limit?: number; checkId?: string } = {},
): InboxEvent[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.unreadOnly) where.push('read_at IS NULL');
  if (options.checkId !== undefined) {
    where.push('check_id = ?');
    params.push(options.checkId);
  }
  const sql = `SELECT payload, read_at FROM monitor_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, rowid DESC LIMIT ?`;
  params.push(options.limit ?? 100);
  return (db.prepare(sql).all(...params) as EventRow[]).map((row) => ({
    ...(JSON.parse(row.payload) as InboxEvent),
    read: row.read_at !== null,
  }));
}

export function countUnread(db: ReadableDb): number {
  return (
    db.prepare('SELECT COUNT(*) AS n FROM monitor_events WHERE read_at IS NULL').get() as {
      n: number;
    }
  ).n;
}

/** Marks the given events read (all when `ids` is undefined); returns how many changed. */
export function markEventsRead(db: WritableDb, ids: string[] | undefined, now: number): number {
  if (ids === undefined)
    return db.prepare('UPDATE monitor_events SET read_at = ? WHERE read_at IS NULL').run(now)
      .changes;
  const statement = db.prepare(
    'UPDATE monitor_events SET read_at = ? WHERE id = ? AND read_at IS NULL',
  );
  let changed = 0;
  db.transaction(() => {
    for (const id of ids) changed += statement.run(now, id).changes;
  })();
  return changed;
}

// ---- models in use by a routing config ----

export interface InUseRow {
  provider: ProviderId;
  modelKey: string;
  modelId: string;
  /** The lifecycle (or "removed") already announced for it. */
  notifiedLifecycle: string | null;
}

export function replaceModelsInUse(
  db: WritableDb,
  refs: Array<{ provider: ProviderId; modelId: string; modelKey: string }>,
): void {
  db.transaction(() => {
    const keep = new Set(refs.map((ref) => `${ref.provider}\u0000${ref.modelKey}`));
    for (const row of listModelsInUse(db))
      if (!keep.has(`${row.provider}\u0000${row.modelKey}`))
        db.prepare('DELETE FROM monitor_in_use WHERE provider = ? AND model_key = ?').run(
          row.provider,
          row.modelKey,
        );
    const insert = db.prepare(
      'INSERT INTO monitor_in_use (provider, model_key, model_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    for (const ref of refs) insert.run(ref.provider, ref.modelKey, ref.modelId);
  })();
}

export function listModelsInUse(db: ReadableDb): InUseRow[] {
  return (
    db
      .prepare('SELECT provider, model_key, model_id, notified_lifecycle FROM monitor_in_use')
      .all() as Array<{
      provider: string;
      model_key: string;
      model_id: string;
      notified_lifecycle: string | null;
    }>
  ).map((row) => ({
    provider: row.provider as ProviderId,
    modelKey: row.model_key,
    modelId: row.model_id,
    notifiedLifecycle: row.notified_lifecycle,
  }));
}

export function setInUseNotified(
  db: WritableDb,
  provider: ProviderId,
  modelKey: string,
  lifecycle: string,
): void {
  db.prepare(
    'UPDATE monitor_in_use SET notified_lifecycle = ? WHERE provider = ? AND model_key = ?',
  ).run(lifecycle, provider, modelKey);
}

// ---- settings ----

export function getMonitorSettings(db: ReadableDb): MonitorSettings {
  const row = db.prepare('SELECT settings FROM monitor_settings WHERE id = 1').get() as
    { settings: string } | undefined;
  if (!row) return { ...DEFAULT_MONITOR_SETTINGS };
  const parsed = monitorSettingsSchema.safeParse({
    ...DEFAULT_MONITOR_SETTINGS,
    ...(JSON.parse(row.settings) as object),
  });
  return parsed.success ? parsed.data : { ...DEFAULT_MONITOR_SETTINGS };
}

export function saveMonitorSettings(db: WritableDb, settings: MonitorSettings): void {
  db.prepare(
    'INSERT INTO monitor_settings (id, settings) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET settings = excluded.settings',
  ).run(JSON.stringify(settings));
}

// ---- onboarding board ----

interface CardRow {
  id: string;
  provider: string;
  model_id: string;
  display_name: string;
  stage: string;
  created_at: number;
  updated_at: number;
}

function loadHistory(db: ReadableDb, cardId: string): BoardCard['history'] {
  return (
    db
      .prepare('SELECT stage, at, evidence FROM monitor_card_stages WHERE card_id = ? ORDER BY seq')
      .all(cardId) as Array<{ stage: string; at: number; evidence: string }>
  ).map((row) => ({
    stage: row.stage as BoardStage,
    at: row.at,
    evidence: JSON.parse(row.evidence) as StageEvidence,
  }));
}

function toCard(db: ReadableDb, row: CardRow): BoardCard {
  return {
    id: row.id,
    provider: row.provider as ProviderId,
    modelId: row.model_id,
    displayName: row.display_name,
    stage: row.stage as BoardStage,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: loadHistory(db, row.id),
  };
}

export function getCard(db: ReadableDb, id: string): BoardCard | undefined {
  const row = db.prepare('SELECT * FROM monitor_cards WHERE id = ?').get(id) as CardRow | undefined;
  return row ? toCard(db, row) : undefined;
}

export function findCard(
  db: ReadableDb,
  provider: ProviderId,
  modelKey: string,
): BoardCard | undefined {
  const row = db
    .prepare('SELECT * FROM monitor_cards WHERE provider = ? AND model_key = ?')
    .get(provider, modelKey) as CardRow | undefined;
  return row ? toCard(db, row) : undefined;
}

export function listCards(db: ReadableDb): BoardCard[] {
  return (
    db
      .prepare('SELECT * FROM monitor_cards ORDER BY updated_at DESC, rowid DESC')
      .all() as CardRow[]
  ).map((row) => toCard(db, row));
}

export function insertCard(
  db: WritableDb,
  card: {
    id: string;
    provider: ProviderId;
    modelKey: string;
    modelId: string;
    displayName: string;
  },
  evidence: StageEvidence,
  now: number,
): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO monitor_cards (id, provider, model_key, model_id, display_name, stage, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      card.id,
      card.provider,
      card.modelKey,
      card.modelId,
      card.displayName,
      evidence.stage,
      now,
      now,
    );
    db.prepare(
      'INSERT INTO monitor_card_stages (card_id, seq, stage, at, evidence) VALUES (?, 1, ?, ?, ?)',
    ).run(card.id, evidence.stage, now, JSON.stringify(evidence));
  })();
}

/** Appends a stage; `expectedStage` guards against two admins advancing the same card at once. */
export function appendCardStage(
  db: WritableDb,
  cardId: string,
  expectedStage: BoardStage,
  evidence: StageEvidence,
  now: number,
): boolean {
  return db.transaction(() => {
    const changed = db
      .prepare('UPDATE monitor_cards SET stage = ?, updated_at = ? WHERE id = ? AND stage = ?')
      .run(evidence.stage, now, cardId, expectedStage).changes;
    if (changed === 0) return false;
    const { seq } = db
      .prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM monitor_card_stages WHERE card_id = ?')
      .get(cardId) as { seq: number };
    db.prepare(
      'INSERT INTO monitor_card_stages (card_id, seq, stage, at, evidence) VALUES (?, ?, ?, ?, ?)',
    ).run(cardId, seq, evidence.stage, now, JSON.stringify(evidence));
    return true;
  })();
}

/** Replaces the evidence of the card's current (latest) stage, e.g. to attach a smoke run id. */
export function updateLatestEvidence(
  db: WritableDb,
  cardId: string,
  evidence: StageEvidence,
  now: number,
): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE monitor_card_stages SET evidence = ? WHERE card_id = ? AND seq =
         (SELECT MAX(seq) FROM monitor_card_stages WHERE card_id = ?)`,
    ).run(JSON.stringify(evidence), cardId, cardId);
    db.prepare('UPDATE monitor_cards SET updated_at = ? WHERE id = ?').run(now, cardId);
  })();
}
