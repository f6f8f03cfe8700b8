/**
 * Wiring for `aideon controller`: reads its settings (flags, else environment variables),
 * opens the config store, the operator key, the watch settings and the local database, and
 * runs the RolloutController until SIGINT/SIGTERM. Everything it does is in
 * rollout-controller.ts; this file only builds the dependencies.
 *
 * Environment: AIDEON_STORE, AIDEON_TRUST_FILE, AIDEON_OPERATOR_KEY (key file),
 * AIDEON_OPERATOR_PASSPHRASE (never printed), AIDEON_CONTROLLER_ID, AIDEON_CONTROLLER_WEBHOOK,
 * AIDEON_CONTROLLER_TICK_MS, AIDEON_CONTROLLER_LEASE_MS, AIDEON_WATCH_SETTINGS (JSON file),
 * AIDEON_PROMETHEUS_TOKEN.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { request, type Dispatcher } from 'undici';
import { AppError, ValidationError } from '../../../shared/errors';
import { ENVIRONMENTS, type Environment } from '../../../shared/rollout/environments';
import { controllerIdSchema } from '../../../shared/rollout/controller-status';
import { zodIssues } from '../../../shared/validation';
import { watchSettingsSchema, type WatchSettings } from '../../../shared/watch/watch-settings';
import { storeKeys } from '../../../consumer/bundle-format';
import { verifyTrustFile, verifyTrustUpdate } from '../../../consumer/verify-bundle';
import { GuardBreachInbox } from '../../monitor/guard-breach-inbox';
import { parseWebhookUrl } from '../../monitor/webhook';
import { withRetry } from '../../providers/http/retry';
import { busyLogGate, busyPatienceMs, isDatabaseBusy } from '../../store/busy-retry';
import {
  pendingJournal,
  pendingJournalFile,
  takeOverJournals,
  type JournalKind,
} from '../../store/pending-journal';
import type { WritableDb } from '../../store/db';
import { watchReportSchema, type WatchReport } from '../../../shared/watch/watch-types';
import { WatchService } from '../../watch/watch-service';
import { recordCheckOnce } from '../../watch/watch-repository';
import { sqliteRollbackNotices } from '../../watch/rollback-notices';
import type { HistoryInput } from '../publish/history';
import { SharedHistory } from '../publish/shared-history';
import { sqliteUnconfirmedCommits } from '../publish/unconfirmed-commits';
import { createPassphraseProtector, loadSigner, type Signer } from '../publish/keys';
import type { ConfigStore } from '../stores/config-store';
import { openConfigStore } from '../stores/open-store';
import { leaseForStore, type LeaderLease } from './leader-lease';
import {
  RolloutController,
  type ControllerEvent,
  type FreshnessRenewer,
} from './rollout-controller';

export interface ControllerSettings {
  storeUri: string;
  id: string;
  host: string;
  tickMs: number;
  leaseMs: number;
  operatorKeyFile?: string;
  trustFile?: string;
  webhookUrl?: string;
  watchSettingsFile?: string;
  /** Renew a live bundle when it expires within this many ms. */
  renewBeforeMs: number;
}

function positiveMs(name: string, value: string | undefined, fallback: number, min: number) {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min)
    throw new ValidationError('controller', [
      { path: name, message: `must be a number of milliseconds, at least ${min}` },
    ]);
  return Math.round(parsed);
}

/** Flags win over environment variables; every value is checked here, with its name. */
export function controllerSettings(
  flags: {
    store?: string;
    id?: string;
    tickMs?: string;
    leaseMs?: string;
    operatorKey?: string;
    trust?: string;
    webhook?: string;
    watchSettings?: string;
    renewBeforeDays?: string;
  },
  env: NodeJS.ProcessEnv,
): ControllerSettings {
  const storeUri = flags.store ?? env.AIDEON_STORE;
  if (!storeUri)
    throw new ValidationError('controller', [
      {
        path: 'store',
        message: 'is required: --store etcd://host:2379/prefix or dir:/path (or AIDEON_STORE)',
      },
    ]);
  const host = hostname();
  const id =
    flags.id ?? env.AIDEON_CONTROLLER_ID ?? `${host}-${process.pid}`.replace(/[^\w.-]/g, '-');
  const idCheck = controllerIdSchema.safeParse(id);
  if (!idCheck.success)
    throw new ValidationError('controller', [
      { path: 'id', message: idCheck.error.issues[0]?.message ?? 'is not a valid id' },
    ]);
  const tickMs = positiveMs('tick-ms', flags.tickMs ?? env.AIDEON_CONTROLLER_TICK_MS, 15_000, 100);
  const leaseMs = positiveMs(
    'lease-ms',
    flags.leaseMs ?? env.AIDEON_CONTROLLER_LEASE_MS,
    Math.max(30_000, 3 * tickMs),
    2000,
  );
  if (leaseMs <= tickMs)
    throw new ValidationError('controller', [
      {
        path: 'lease-ms',
        message: `must be longer than the tick (${tickMs} ms), or the leader loses its lease between ticks`,
      },
    ]);
  const webhookUrl = flags.webhook ?? env.AIDEON_CONTROLLER_WEBHOOK;
  if (webhookUrl) parseWebhookUrl(webhookUrl);
  const operatorKeyFile = flags.operatorKey ?? env.AIDEON_OPERATOR_KEY;
  const trustFile = flags.trust ?? env.AIDEON_TRUST_FILE;
  const watchSettingsFile = flags.watchSettings ?? env.AIDEON_WATCH_SETTINGS;
  const renewDays = Number(flags.renewBeforeDays ?? env.AIDEON_CONTROLLER_RENEW_DAYS ?? 14);
  if (!Number.isFinite(renewDays) || renewDays <= 0 || renewDays > 365)
    throw new ValidationError('controller', [
      { path: 'renew-before-days', message: 'must be a number of days from 0 to 365' },
    ]);
  return {
    storeUri,
    renewBeforeMs: Math.round(renewDays * 86_400_000),
    id,
    host,
    tickMs,
    leaseMs,
    ...(operatorKeyFile ? { operatorKeyFile } : {}),
    ...(trustFile ? { trustFile } : {}),
    ...(webhookUrl ? { webhookUrl } : {}),
    ...(watchSettingsFile ? { watchSettingsFile } : {}),
  };
}

/** Reads and checks a watch settings file (JSON), naming the wrong field. */
export function readWatchSettingsFile(file: string): WatchSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('not_found', `Cannot read the watch settings file ${file}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('watch settings', [
      { path: '', message: `${file} is not JSON: ${(error as Error).message}` },
    ]);
  }
  const parsed = watchSettingsSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError('watch settings', zodIssues(parsed.error));
  return parsed.data;
}

/** Opens the operator key file (`<kid>.key.json`) with the passphrase from the environment. */
export async function loadOperatorKey(
  file: string,
  passphrase: string | undefined,
): Promise<Signer> {
  let kid: unknown;
  try {
    kid = (JSON.parse(await readFile(file, 'utf8')) as { kid?: unknown }).kid;
  } catch {
    throw new AppError('not_found', `Cannot read the operator key file ${file}.`);
  }
  if (typeof kid !== 'string' || basename(file) !== `${kid}.key.json`)
    throw new AppError(
      'validation',
      `${file} is not an operator key file: expected a file named <kid>.key.json made by \`aideon keys generate\`.`,
    );
  if (!passphrase)
    throw new AppError(
      'validation',
      'The operator key needs its passphrase in AIDEON_OPERATOR_PASSPHRASE.',
    );
  try {
    return await loadSigner(dirname(file), kid, createPassphraseProtector(passphrase));
  } catch (error) {
    if (AppError.isInstance(error) && error.code === 'unauthorized')
      throw new AppError(
        'unauthorized',
        'AIDEON_OPERATOR_PASSPHRASE does not open the operator key.',
      );
    throw error;
  }
}

/**
 * The store's trust file of every environment must descend, by signed rotations, from the
 * pinned trust file: a controller never acts on a store whose trust was swapped.
 */
export async function pinnedTrustProblem(
  store: ConfigStore,
  pinnedText: string,
): Promise<string | undefined> {
  let pinnedValue: unknown;
  try {
    pinnedValue = JSON.parse(pinnedText);
  } catch {
    return 'the pinned trust file is not JSON';
  }
  const pinned = await verifyTrustFile(pinnedValue);
  if (!pinned.ok) return `the pinned trust file is refused: ${pinned.message}`;
  for (const environment of ENVIRONMENTS) {
    const entry = await store.get(storeKeys.trust(environment));
    if (!entry) continue;
    const latest = await verifyTrustFile(JSON.parse(entry.value));
    if (!latest.ok) return `${environment}'s trust file is refused: ${latest.message}`;
    let trust = pinned;
    if (latest.trust.version < trust.trust.version)
      return `${environment}'s trust file (version ${latest.trust.version}) is older than the pinned one (version ${trust.trust.version})`;
    for (let version = trust.trust.version + 1; version <= latest.trust.version; version += 1) {
      const step = await store.get(storeKeys.trustVersion(environment, version));
      if (!step) return `${environment}: trust version ${version} is missing from the store`;
      const next = await verifyTrustUpdate(trust, JSON.parse(step.value));
      if (!next.ok) return `${environment}: ${next.message}`;
      trust = next;
    }
    if (trust.digest !== latest.digest)
      return `${environment}'s trust file does not descend from the pinned trust file`;
  }
  return undefined;
}

/** Posts controller events as JSON (retried; the URL's path is never logged). */
export function controllerWebhook(options: {
  url: string;
  dispatcher?: Dispatcher;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  log?: (line: string) => void;
}): (event: ControllerEvent) => Promise<void> {
  const url = parseWebhookUrl(options.url);
  let chain: Promise<void> = Promise.resolve();
  return (event) => {
    const body = JSON.stringify({
      type: 'aideon.controller.event',
      version: 1,
      event,
      text: `[${event.controller}] ${event.type}${event.environment ? ` ${event.environment}` : ''}: ${event.message.split('\n')[0] ?? ''}`,
    });
    const send = async (): Promise<void> => {
      const response = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'aideon-controller' },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      await response.body.dump();
      if (response.statusCode >= 300)
        throw new AppError(
          response.statusCode >= 500 || response.statusCode === 429
            ? 'provider_unavailable'
            : 'invalid_request',
          `the webhook at ${url.origin} answered HTTP ${response.statusCode}`,
          { retryable: response.statusCode >= 500 || response.statusCode === 429 },
        );
    };
    chain = chain.then(() =>
      withRetry(send, { maxRetries: 2, initialDelayMs: 500, sleep: options.sleep }).catch(
        (error: unknown) =>
          options.log?.(
            `controller: webhook post failed (${url.origin}): ${error instanceof Error ? error.message : String(error)}`,
          ),
      ),
    );
    return chain;
  };
}

export interface StartControllerDeps {
  settings: ControllerSettings;
  env: NodeJS.ProcessEnv;
  /** The controller's own database (watch settings when no file is given, checks, history copy). */
  db: WritableDb;
  dispatcher: Dispatcher;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  log: (line: string) => void;
  /** The shared history log in the config store, when available; default the local SQLite. */
  history?: (store: ConfigStore) => (entry: HistoryInput) => void | Promise<void>;
  /** Freshness renewal, when available. */
  renewer?: FreshnessRenewer;
  /** Tests: a different lease (default: etcd lease or lock file, from the store URI). */
  lease?: (store: ConfigStore) => LeaderLease;
  onEvent?: (event: ControllerEvent) => void;
}

/** Builds everything and returns the controller plus its store (the caller runs and closes). */
export async function buildController(
  deps: StartControllerDeps,
): Promise<{ controller: RolloutController; store: ConfigStore; close: () => Promise<void> }> {
  const { settings } = deps;
  const signers: Signer[] = settings.operatorKeyFile
    ? [await loadOperatorKey(settings.operatorKeyFile, deps.env.AIDEON_OPERATOR_PASSPHRASE)]
    : [];
  const fileSettings = settings.watchSettingsFile
    ? readWatchSettingsFile(settings.watchSettingsFile)
    : undefined;
  const watch = new WatchService({
    db: deps.db,
    dispatcher: deps.dispatcher,
    now: deps.now,
    sleep: deps.sleep,
    token: () => deps.env.AIDEON_PROMETHEUS_TOKEN,
  });
  const store = openConfigStore(settings.storeUri);
  const pinned = settings.trustFile ? await readFile(settings.trustFile, 'utf8') : undefined;
  if (pinned !== undefined) {
    const problem = await pinnedTrustProblem(store, pinned);
    if (problem) {
      await store.close();
      throw new AppError(
        'forbidden',
        `The controller will not act on ${settings.storeUri}: ${problem}.`,
      );
    }
  }
  const webhook = settings.webhookUrl
    ? controllerWebhook({
        url: settings.webhookUrl,
        dispatcher: deps.dispatcher,
        sleep: deps.sleep,
        log: deps.log,
      })
    : undefined;
  const lease =
    deps.lease?.(store) ??
    leaseForStore(settings.storeUri, {
      id: settings.id,
      host: settings.host,
      ttlMs: settings.leaseMs,
      now: deps.now,
    });
  const actor = `controller:${settings.id}`;
  const checks = checkRecords(deps.db, deps.log, pendingChecksFile(deps.db, settings.id));
  // Guard breaches' inbox entries a console (or `monitor watch`) kept beside the database while
  // it was busy and could not write before it was stopped or killed: the controller is often
  // the process that runs on next, so it writes them (in the background while the database is
  // still busy), as a console's start does.
  const breaches = new GuardBreachInbox({
    db: deps.db,
    now: deps.now,
    log: deps.log,
    busyPatienceMs: busyPatienceMs({ env: deps.env }),
  });
  breaches.writeKept();
  // A notice that met a busy database is written once it is free (busy patience), not only
  // kept in memory: a restarted controller must not post the same failure again.
  const notices = sqliteRollbackNotices(deps.db, actor, deps.now, deps.log, {
    now: deps.now,
    sleep: (ms, signal) => deps.sleep(ms, signal),
    patienceMs: busyPatienceMs({ env: deps.env }),
  });
  // Every action goes into the shared, signed history in the store (signed by the operator key).
  const shared = new SharedHistory({ store, signer: () => signers[0] });
  const record =
    deps.history?.(store) ??
    (async (entry: HistoryInput) => {
      await shared.append(entry);
    });
  const renewer: FreshnessRenewer = {
    async renewIfDue(publisher, environment) {
      const outcome = await publisher.renewFreshness(environment, {
        ifExpiresWithinMs: settings.renewBeforeMs,
        reason: `expires within ${Math.round(settings.renewBeforeMs / 86_400_000)} days`,
      });
      if (outcome.status !== 'published') return undefined;
      const live = await publisher.live(environment, undefined, { underSignedOk: true });
      return { version: outcome.version, expiresAt: live?.expiresAt ?? '' };
    },
  };
  const controller = new RolloutController({
    // A step whose commit answer was lost and could not be read back is kept in the data
    // folder: settled at this controller's next read, or by whichever process reads it first.
    unconfirmed: sqliteUnconfirmedCommits(deps.db, deps.now, deps.log),
    id: settings.id,
    host: settings.host,
    actor,
    store,
    lease,
    signers,
    now: deps.now,
    sleep: deps.sleep,
    tickMs: settings.tickMs,
    settings: () => fileSettings ?? watch.getSettings(),
    metricsSource: (environment: Environment, watchSettings) =>
      watch.sourceFor(environment, watchSettings),
    record,
    recordCheck: (report) => checks.record(report),
    everyTick: () => checks.flush(),
    // Failed rollbacks already posted, kept in the controller's database: a restarted
    // controller does not post the same step's same failure again.
    notices,
    onEvent: (event) => {
      deps.onEvent?.(event);
      // A rollback retry that failed again for a reason already posted for this step is only
      // logged (and shown in the controller's status): one post per step and reason.
      if (event.repeated) return;
      // Delivered in order in the background (the poster chains and retries, and logs what
      // it could not deliver): awaiting it stalled the loop for up to 3 × 10 s per event when
      // the receiver hung, long enough for the leader lease to run out mid-tick.
      void webhook?.(event);
    },
    renewer: deps.renewer ?? renewer,
    log: deps.log,
  });
  return {
    controller,
    store,
    close: async () => {
      // A last try for the check records a busy database has kept so far.
      checks.flush();
      // Inbox entries still waiting for the database stay in this process's file.
      await breaches.stop();
      await notices.stop?.();
      const left = checks.pending();
      if (left > 0)
        deps.log(
          `controller: ${left} check record(s) were not written: the database stayed busy (another Aideon process on this data folder was writing)`,
        );
      await store.close();
    },
  };
}

/** Check records kept in memory at most while the database stays busy (the oldest go first). */
const PENDING_CHECKS_LIMIT = 500;

/** The controller's check-record journals: one per controller id (see checkRecords). */
const CHECK_JOURNALS: JournalKind = { before: 'controller-', after: '.pending-checks' };

/**
 * Where a controller keeps the check records its database has not taken yet, so a kill does
 * not lose them: beside the database, one file per controller id (undefined for a database
 * in memory).
 */
export function pendingChecksFile(db: WritableDb, controllerId: string): string | undefined {
  return pendingJournalFile(db, CHECK_JOURNALS, controllerId);
}

/**
 * The controller's local copy of each guard check (watch_checks), a write of its timer (see
 * store/busy-retry.ts). While another process holds the write lock past the connection's short
 * busy wait, a check's record waits here and is written, in order, at the next tick the
 * database takes it; the log says so once per busy spell. The pause or rollback the check
 * decided never waits for its record, and the tick goes on (lease, heartbeat).
 *
 * With `journal` (pendingChecksFile), the records waiting are also kept in that file (written
 * whole and renamed into place each time the list changes), so a controller killed while the
 * database was busy writes them at its next start, not twice (recordCheckOnce); the file is
 * removed once they are in. A file that cannot be read is set aside (`.unreadable`) and said.
 * The files other controller ids left beside the same database are taken over too: without
 * AIDEON_CONTROLLER_ID a controller's id is host-pid, new at every start, so its own file would
 * otherwise never be read again (a live controller on the same folder loses nothing: it keeps
 * its records and writes its file again, and a record is never written twice).
 */
export function checkRecords(
  db: WritableDb,
  log: (line: string) => void,
  journal?: string,
): { record: (report: WatchReport) => void; flush: () => void; pending: () => number } {
  const pending: WatchReport[] = [];
  const gate = busyLogGate(log);
  let dropped = 0;
  // The list changed since the file was last written.
  let unsaved = false;
  const file = pendingJournal(journal, watchReportSchema, log, 'controller', 'check records');
  // Whether the last write of the file kept the list.
  let lastSaved = true;
  const saveJournal = (): void => {
    if (!unsaved) return;
    lastSaved = file.save(pending);
    unsaved = false;
  };
  const clearJournal = (): void => {
    unsaved = false;
    file.save([]);
  };
  const flush = (): void => {
    if (pending.length === 0) return;
    try {
      db.transaction(() => {
        for (const report of pending) recordCheckOnce(db, report);
      })();
      pending.length = 0;
      clearJournal();
      gate.succeeded('controller: check records');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      gate.failed(
        `controller: ${pending.length} check record(s) not written yet: ${message}`,
        error,
      );
      // Anything but a held lock (a full disk, a damaged file) is not tried again.
      if (!isDatabaseBusy(error)) {
        pending.length = 0;
        clearJournal();
      } else saveJournal();
    }
  };
  const kept = file.load();
  const left = takeOverJournals(
    journal,
    CHECK_JOURNALS,
    watchReportSchema,
    log,
    'controller',
    'check records',
  );
  kept.push(...left.items);
  let safe = true;
  if (kept.length > 0) {
    kept.sort((a, b) => a.checkedAt - b.checkedAt);
    pending.push(...kept.slice(-PENDING_CHECKS_LIMIT));
    // Kept in this controller's own file before the others' go (when the database is still busy).
    unsaved = left.files > 0;
    log(
      `controller: ${pending.length} check record(s) kept while the database was busy before the last stop are written now`,
    );
    flush();
    safe = pending.length === 0 || lastSaved;
  }
  // The files taken over go once their records are in the database or in this one's file.
  if (safe) left.release();
  return {
    record(report) {
      pending.push(report);
      unsaved = true;
      if (pending.length > PENDING_CHECKS_LIMIT) {
        pending.shift();
        dropped += 1;
        if (dropped === 1)
          log(
            `controller: the database stays busy; only the last ${PENDING_CHECKS_LIMIT} check records are kept for it`,
          );
      }
      flush();
    },
    flush,
    pending: () => pending.length,
  };
}
