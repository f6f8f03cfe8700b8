/**
 * SQLite repository for suites, runs and generations. Every function takes the database handle
 * first; writes take a WritableDb.
 */
import type { ReadableDb, WritableDb } from '../store/db';
import type {
  GenerationOutcome,
  GenerationRecord,
  GenerationState,
  PromptCategory,
  RunState,
  RunSummary,
  SuiteDefinition,
  SuiteSummary,
} from '../../shared/domain';
import type {
  GenerationSettings,
  ModelRef,
  ProviderId,
  VideoOutput,
} from '../../shared/providers/video-provider-spec';
import { preparedOnce } from '../store/statements';

export interface StoredSuite {
  id: string;
  version: number;
  builtIn: boolean;
  definition: SuiteDefinition;
}

export function saveSuiteVersion(
  db: WritableDb,
  suite: { id: string; builtIn: boolean; definition: SuiteDefinition },
  now: number,
): StoredSuite {
  const latest = getSuite(db, suite.id);
  const text = JSON.stringify(suite.definition);
  if (latest && JSON.stringify(latest.definition) === text) return latest;
  const version = (latest?.version ?? 0) + 1;
  db.prepare(
    'INSERT INTO suites (id, version, name, description, built_in, definition, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    suite.id,
    version,
    suite.definition.name,
    suite.definition.description,
    suite.builtIn ? 1 : 0,
    text,
    now,
  );
  return { id: suite.id, version, builtIn: suite.builtIn, definition: suite.definition };
}

interface SuiteRow {
  id: string;
  version: number;
  built_in: number;
  definition: string;
}

export function getSuite(db: ReadableDb, id: string, version?: number): StoredSuite | undefined {
  const row = (
    version === undefined
      ? db
          .prepare(
            'SELECT id, version, built_in, definition FROM suites WHERE id = ? ORDER BY version DESC LIMIT 1',
          )
          .get(id)
      : db
          .prepare(
            'SELECT id, version, built_in, definition FROM suites WHERE id = ? AND version = ?',
          )
          .get(id, version)
  ) as SuiteRow | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    version: row.version,
    builtIn: row.built_in === 1,
    definition: JSON.parse(row.definition) as SuiteDefinition,
  };
}

export function listSuites(db: ReadableDb): SuiteSummary[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.version, s.built_in, s.definition FROM suites s
       JOIN (SELECT id, MAX(version) AS version FROM suites GROUP BY id) latest
         ON latest.id = s.id AND latest.version = s.version
       ORDER BY s.built_in DESC, s.name`,
    )
    .all() as SuiteRow[];
  return rows.map((row) => {
    const definition = JSON.parse(row.definition) as SuiteDefinition;
    return {
      id: row.id,
      name: definition.name,
      description: definition.description,
      version: row.version,
      promptCount: definition.prompts.length,
      builtIn: row.built_in === 1,
    };
  });
}

export interface NewGeneration {
  id: string;
  promptId: string;
  prompt: string;
  category: PromptCategory;
  imageUrl: string | undefined;
  provider: ProviderId;
  modelId: string;
  settings: GenerationSettings;
  requestKey: string;
  estimatedCostUsd: number;
  simulated: boolean;
}

export interface NewRun {
  id: string;
  name: string;
  suiteId: string;
  suiteVersion: number;
  models: ModelRef[];
  budgetUsd: number;
  estimatedCostUsd: number;
  createdAt: number;
  /** Started with the cache (runs.allow_cache): kept so a resumed run uses it too. */
  allowCache?: boolean;
}

export function insertRun(db: WritableDb, run: NewRun, generations: NewGeneration[]): void {
  const insertRunStatement = db.prepare(
    `INSERT INTO runs (id, name, suite_id, suite_version, models, state, budget_usd, estimated_cost_usd, created_at, allow_cache)
     VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
  );
  const insertGeneration = db.prepare(
    `INSERT INTO generations (id, run_id, prompt_id, prompt, category, image_url, provider, model_id, settings,
       request_key, state, estimated_cost_usd, simulated)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
  );
  db.transaction(() => {
    insertRunStatement.run(
      run.id,
      run.name,
      run.suiteId,
      run.suiteVersion,
      JSON.stringify(run.models),
      run.budgetUsd,
      run.estimatedCostUsd,
      run.createdAt,
      run.allowCache === true ? 1 : 0,
    );
    for (const generation of generations) {
      insertGeneration.run(
        generation.id,
        run.id,
        generation.promptId,
        generation.prompt,
        generation.category,
        generation.imageUrl ?? null,
        generation.provider,
        generation.modelId,
        JSON.stringify(generation.settings),
        generation.requestKey,
        generation.estimatedCostUsd,
        generation.simulated ? 1 : 0,
      );
    }
  })();
}

export interface GenerationRow {
  id: string;
  run_id: string;
  prompt_id: string;
  prompt: string;
  category: string;
  image_url: string | null;
  provider: string;
  model_id: string;
  settings: string;
  request_key: string;
  state: string;
  outcome: string | null;
  error_code: string | null;
  error_message: string | null;
  progress: number | null;
  vendor_job_id: string | null;
  submitted_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  finished_at: number | null;
  download_ms: number | null;
  estimated_cost_usd: number;
  cost_usd: number | null;
  cached: number;
  simulated: number;
  media_id: string | null;
  outputs: string | null;
  media_content_type: string | null;
  media_bytes: number | null;
  video_probe: string | null;
  video_measures: string | null;
  compliance: string | null;
  analysis_error: string | null;
  /** Why the job is waiting (a rate limit), shown while it lasts; null otherwise. */
  waiting: string | null;
  /**
   * 1: given up on while still at the vendor, with no confirmed cancel (it may be billed):
   * counts its estimate like a `submit_unknown` create (migration 0255).
   */
  billing_unknown: number;
}

const GENERATION_SELECT = `SELECT g.*, m.content_type AS media_content_type, m.bytes AS media_bytes
  FROM generations g LEFT JOIN media m ON m.id = g.media_id`;

export function getGenerationRow(db: ReadableDb, id: string): GenerationRow | undefined {
  return preparedOnce(db, `${GENERATION_SELECT} WHERE g.id = ?`).get(id) as
    GenerationRow | undefined;
}

export function listGenerationRows(db: ReadableDb, runId: string): GenerationRow[] {
  return db
    .prepare(`${GENERATION_SELECT} WHERE g.run_id = ? ORDER BY g.rowid`)
    .all(runId) as GenerationRow[];
}

/** The run's generations still waiting to be submitted, in order. */
export function listQueuedRows(db: ReadableDb, runId: string): GenerationRow[] {
  return db
    .prepare(`${GENERATION_SELECT} WHERE g.run_id = ? AND g.state = 'queued' ORDER BY g.rowid`)
    .all(runId) as GenerationRow[];
}

export function toGenerationRecord(row: GenerationRow): GenerationRecord {
  const finishedTotal =
    row.finished_at !== null && row.submitted_at !== null
      ? row.finished_at - row.submitted_at
      : null;
  return {
    id: row.id,
    runId: row.run_id,
    promptId: row.prompt_id,
    prompt: row.prompt,
    category: row.category as PromptCategory,
    provider: row.provider as ProviderId,
    modelId: row.model_id,
    state: row.state as GenerationState,
    outcome: row.outcome as GenerationOutcome | null,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    progress: row.progress,
    queueMs:
      row.started_at !== null && row.submitted_at !== null
        ? row.started_at - row.submitted_at
        : null,
    generationMs:
      row.completed_at !== null && row.started_at !== null
        ? row.completed_at - row.started_at
        : null,
    downloadMs: row.download_ms,
    totalMs: row.cached === 1 ? 0 : finishedTotal,
    estimatedCostUsd: row.estimated_cost_usd,
    costUsd: row.cost_usd,
    cached: row.cached === 1,
    simulated: row.simulated === 1,
    media:
      row.media_id && row.media_content_type !== null && row.media_bytes !== null
        ? { id: row.media_id, contentType: row.media_content_type, bytes: row.media_bytes }
        : null,
    submittedAt: row.submitted_at,
    finishedAt: row.finished_at,
    analysis: analysisOf(row),
    waiting: row.waiting ?? null,
  };
}

function parseOrNull(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function frameRateOf(value: unknown): NonNullable<GenerationRecord['analysis']>['frameRate'] {
  if (typeof value !== 'object' || value === null) return null;
  const rate = value as Record<string, unknown>;
  const { variable, minFps, maxFps, avgFps } = rate;
  if (typeof variable !== 'boolean') return null;
  if (![minFps, maxFps, avgFps].every((fps) => typeof fps === 'number' && Number.isFinite(fps)))
    return null;
  return { variable, minFps: minFps as number, maxFps: maxFps as number, avgFps: avgFps as number };
}

function analysisOf(row: GenerationRow): GenerationRecord['analysis'] {
  if (row.video_probe === null && row.analysis_error === null) return null;
  const probe = parseOrNull(row.video_probe) as Record<string, unknown> | null;
  const measures = parseOrNull(row.video_measures) as Record<string, number | null> | null;
  const findings = (parseOrNull(row.compliance) as { message?: unknown }[] | null) ?? [];
  const number = (value: unknown): number | null =>
    typeof value === 'number' && Number.isFinite(value) ? value : null;
  return {
    durationSeconds: number(probe?.durationSeconds),
    width: number(probe?.width),
    height: number(probe?.height),
    fps: number(probe?.fps),
    frameRate: frameRateOf(probe?.frameRate),
    rotation: number(probe?.rotation),
    videoCodec: typeof probe?.videoCodec === 'string' ? probe.videoCodec : null,
    hasAudio: typeof probe?.hasAudio === 'boolean' ? probe.hasAudio : null,
    measures: measures
      ? Object.fromEntries(Object.entries(measures).map(([key, value]) => [key, number(value)]))
      : {},
    findings: findings.map((finding) => String(finding.message ?? '')).filter(Boolean),
    error: row.analysis_error,
  };
}

export interface GenerationPatch {
  state?: GenerationState;
  outcome?: GenerationOutcome | null;
  error_code?: string | null;
  error_message?: string | null;
  progress?: number | null;
  vendor_job_id?: string | null;
  submitted_at?: number | null;
  started_at?: number | null;
  completed_at?: number | null;
  finished_at?: number | null;
  download_ms?: number | null;
  cost_usd?: number | null;
  cached?: number;
  media_id?: string | null;
  outputs?: string | null;
  video_probe?: string | null;
  video_measures?: string | null;
  compliance?: string | null;
  analysis_error?: string | null;
  waiting?: string | null;
  billing_unknown?: number;
}

const PATCH_COLUMNS = new Set<keyof GenerationPatch>([
  'state',
  'outcome',
  'error_code',
  'error_message',
  'progress',
  'vendor_job_id',
  'submitted_at',
  'started_at',
  'completed_at',
  'finished_at',
  'download_ms',
  'cost_usd',
  'cached',
  'media_id',
  'outputs',
  'video_probe',
  'video_measures',
  'compliance',
  'analysis_error',
  'waiting',
  'billing_unknown',
]);

/**
 * `onlyUnfinished`: change nothing when the generation already has an outcome. True when a row
 * was changed.
 */
export function updateGeneration(
  db: WritableDb,
  id: string,
  patch: GenerationPatch,
  options: { onlyUnfinished?: boolean } = {},
): boolean {
  const keys = (Object.keys(patch) as (keyof GenerationPatch)[]).filter((key) =>
    PATCH_COLUMNS.has(key),
  );
  if (keys.length === 0) return false;
  const sql = `UPDATE generations SET ${keys.map((key) => `${key} = @${key}`).join(', ')} WHERE id = @id${options.onlyUnfinished ? ' AND outcome IS NULL' : ''}`;
  return preparedOnce(db, sql).run({ ...patch, id }).changes > 0;
}

export function recordMedia(
  db: WritableDb,
  media: { id: string; contentType: string; bytes: number },
  now: number,
): void {
  preparedOnce(
    db,
    'INSERT OR IGNORE INTO media (id, content_type, bytes, created_at) VALUES (?, ?, ?, ?)',
  ).run(media.id, media.contentType, media.bytes, now);
}

/**
 * Submission → completion times (ms) of the model's latest `limit` jobs that ended with a video
 * at the vendor, newest first (cached answers, which never reached the vendor, are left out).
 */
export function recentDurations(
  db: ReadableDb,
  provider: string,
  modelId: string,
  limit: number,
): number[] {
  const rows = preparedOnce(
    db,
    `SELECT completed_at - submitted_at AS elapsed FROM generations
     WHERE provider = ? AND model_id = ? AND cached = 0 AND vendor_job_id IS NOT NULL AND outputs IS NOT NULL
       AND submitted_at IS NOT NULL AND completed_at IS NOT NULL AND completed_at >= submitted_at
     ORDER BY completed_at DESC LIMIT ?`,
  ).all(provider, modelId, limit) as Array<{ elapsed: number }>;
  return rows.map((row) => row.elapsed);
}

export function findCachedSuccess(
  db: ReadableDb,
  requestKey: string,
  excludeRunId: string,
): GenerationRow | undefined {
  return db
    .prepare(
      `${GENERATION_SELECT} WHERE g.request_key = ? AND g.outcome = 'success' AND g.media_id IS NOT NULL AND g.run_id != ? ORDER BY g.finished_at DESC LIMIT 1`,
    )
    .get(requestKey, excludeRunId) as GenerationRow | undefined;
}

interface RunRow {
  id: string;
  name: string;
  suite_id: string;
  suite_version: number;
  models: string;
  state: string;
  budget_usd: number;
  estimated_cost_usd: number;
  created_at: number;
  finished_at: number | null;
  suite_name: string;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  spent: number;
  spent_usd: number;
  unknown_outcomes: number;
  lease_owner: string | null;
  lease_pid: number | null;
  lease_host: string | null;
  lease_heartbeat: number | null;
  lease_expires: number | null;
}

/** Who is looking at a run summary: a lease held by anyone else is shown as "driven elsewhere". */
export interface RunViewer {
  ownerId: string | null;
  host: string;
  now: number;
  isProcessAlive: (pid: number) => boolean;
}

const RUN_SELECT = `SELECT r.*, s.name AS suite_name,
  l.owner_id AS lease_owner, l.pid AS lease_pid, l.host AS lease_host,
  l.heartbeat_at AS lease_heartbeat, l.expires_at AS lease_expires,
  (SELECT COUNT(*) FROM generations g WHERE g.run_id = r.id) AS total,
  (SELECT COUNT(*) FROM generations g WHERE g.run_id = r.id AND g.outcome IS NOT NULL) AS done,
  (SELECT COUNT(*) FROM generations g WHERE g.run_id = r.id AND g.outcome = 'success') AS succeeded,
  (SELECT COUNT(*) FROM generations g WHERE g.run_id = r.id AND g.outcome NOT IN ('success', 'cancelled', 'skipped_unsupported')) AS failed,
  (SELECT COALESCE(SUM(g.cost_usd), 0) FROM generations g WHERE g.run_id = r.id) AS spent,
  (SELECT COUNT(*) FROM generations g WHERE g.run_id = r.id AND (g.outcome = 'submit_unknown' OR g.billing_unknown = 1)) AS unknown_outcomes
  FROM runs r JOIN suites s ON s.id = r.suite_id AND s.version = r.suite_version
  LEFT JOIN run_leases l ON l.run_id = r.id`;

function drivenElsewhere(
  row: RunRow,
  viewer: RunViewer | undefined,
): RunSummary['drivenElsewhere'] {
  if (
    !viewer ||
    row.state !== 'running' ||
    row.lease_owner === null ||
    row.lease_owner === viewer.ownerId ||
    row.lease_pid === null ||
    row.lease_host === null ||
    row.lease_expires === null ||
    row.lease_heartbeat === null
  )
    return null;
  if (
    row.lease_expires <= viewer.now ||
    (row.lease_host === viewer.host && !viewer.isProcessAlive(row.lease_pid))
  )
    return null;
  return {
    pid: row.lease_pid,
    host: row.lease_host,
    heartbeatAt: row.lease_heartbeat,
    expiresAt: row.lease_expires,
  };
}

function toRunSummary(row: RunRow, viewer?: RunViewer): RunSummary {
  return {
    id: row.id,
    name: row.name,
    suiteId: row.suite_id,
    suiteName: row.suite_name,
    suiteVersion: row.suite_version,
    models: JSON.parse(row.models) as ModelRef[],
    state: row.state as RunState,
    budgetUsd: row.budget_usd,
    estimatedCostUsd: row.estimated_cost_usd,
    spentUsd: Math.round(row.spent * 1e6) / 1e6,
    // Never below what was billed (the trigger-kept sum can drift by a float's last digit).
    countedUsd: Math.round(Math.max(row.spent_usd, row.spent) * 1e6) / 1e6,
    unknownOutcomes: row.unknown_outcomes,
    total: row.total,
    done: row.done,
    succeeded: row.succeeded,
    failed: row.failed,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    drivenElsewhere: drivenElsewhere(row, viewer),
  };
}

/** `viewer`: who asks, so a run driven by another process says so (without it: null). */
export function getRunSummary(
  db: ReadableDb,
  runId: string,
  viewer?: RunViewer,
): RunSummary | undefined {
  const row = db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RunRow | undefined;
  return row ? toRunSummary(row, viewer) : undefined;
}

export function listRunSummaries(db: ReadableDb, viewer?: RunViewer): RunSummary[] {
  return (db.prepare(`${RUN_SELECT} ORDER BY r.created_at DESC`).all() as RunRow[]).map((row) =>
    toRunSummary(row, viewer),
  );
}

export function listRunIdsInState(db: ReadableDb, state: RunState): string[] {
  return (
    db.prepare('SELECT id FROM runs WHERE state = ? ORDER BY created_at').all(state) as {
      id: string;
    }[]
  ).map((row) => row.id);
}

export function setRunState(
  db: WritableDb,
  runId: string,
  state: RunState,
  finishedAt: number | null,
): void {
  db.prepare('UPDATE runs SET state = ?, finished_at = ? WHERE id = ?').run(
    state,
    finishedAt,
    runId,
  );
}

/**
 * What a run has spent, for its budget: the cost of every generation, and for one whose create
 * may have been billed without the console knowing (`submit_unknown`, or given up on with no
 * confirmed cancel: `billing_unknown`) at least its estimate.
 * Kept in runs.spent_usd by triggers (migrations 0241, 0255), so the check before each submission reads
 * one row. 0 for no run.
 */
export function runSpend(db: ReadableDb, runId: string): number {
  const row = preparedOnce(db, 'SELECT spent_usd FROM runs WHERE id = ?').get(runId) as
    { spent_usd: number } | undefined;
  return row?.spent_usd ?? 0;
}

/**
 * Other generations of the same request (provider, model, prompt, seed, settings) whose create
 * is in flight or unresolved (`submitting`, no job id yet), sent since `since`, in any run: while
 * one exists, a job found in the vendor's list may be theirs.
 */
export function unresolvedTwins(db: ReadableDb, row: GenerationRow, since: number): string[] {
  const rows = db
    .prepare(
      `SELECT id FROM generations
       WHERE provider = ? AND request_key = ? AND state = 'submitting'
         AND vendor_job_id IS NULL AND outcome IS NULL AND id <> ?
         AND (submitted_at IS NULL OR submitted_at >= ?)`,
    )
    .all(row.provider, row.request_key, row.id, since) as Array<{ id: string }>;
  return rows.map((twin) => twin.id);
}

export type { VideoOutput };

/** Vendor job ids already owned by generations of this provider (a reconciled job must be new). */
export function knownJobIds(db: ReadableDb, provider: string, since: number): Set<string> {
  const rows = db
    .prepare(
      'SELECT vendor_job_id FROM generations WHERE provider = ? AND vendor_job_id IS NOT NULL AND submitted_at >= ?',
    )
    .all(provider, since) as Array<{ vendor_job_id: string }>;
  return new Set(rows.map((row) => row.vendor_job_id));
}

/** A run's generation timeout, seconds (runs.timeout_seconds); null = each model's default. */
export function runTimeoutSeconds(db: ReadableDb, runId: string): number | null {
  const row = db.prepare('SELECT timeout_seconds FROM runs WHERE id = ?').get(runId) as
    { timeout_seconds: number | null } | undefined;
  return row?.timeout_seconds ?? null;
}

export function setRunTimeoutSeconds(db: WritableDb, runId: string, seconds: number): void {
  db.prepare('UPDATE runs SET timeout_seconds = ? WHERE id = ?').run(seconds, runId);
}

/** Whether a run answers identical earlier requests from the cache (runs.allow_cache). */
export function runAllowsCache(db: ReadableDb, runId: string): boolean {
  const row = db.prepare('SELECT allow_cache FROM runs WHERE id = ?').get(runId) as
    { allow_cache: number } | undefined;
  return row?.allow_cache === 1;
}
