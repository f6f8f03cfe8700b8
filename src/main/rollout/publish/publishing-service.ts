/**
 * The console's publishing service (Rollout → Publishing): which config store this console
 * publishes to (kept in SQLite; default a directory under the data folder), the key folder,
 * the keys this admin unlocked for the session (in memory only), and every Publisher action
 * with its "what will change" plan. A scheduler ticks rollouts so bake times advance steps, and
 * the production watch's RolloutControl (pause / rollback / current step) is built on the same
 * publisher, so a guard breach pauses or rolls back through the normal signed rollback.
 *
 * Key protection is injected: the desktop app passes the OS keychain (safeStorage) protector;
 * browser mode and tests use the passphrase protector with a passphrase the admin types. The
 * passphrase is used once to open or protect a key and is never stored, logged or returned.
 */
import { join } from 'node:path';
import { AppError, ValidationError } from '../../../shared/errors';
import { ENVIRONMENTS, type Environment } from '../../../shared/rollout/environments';
import {
  flagKeys,
  nextStepDueAt,
  withFlagOff,
  type ConfigObject,
  type RolloutState,
} from '../../../shared/rollout/flag-rollout';
import { diffJson, summarizeDiff } from '../../../shared/rollout/json-diff';
import type {
  ActionResult,
  EnvironmentOverview,
  FlagSummary,
  HistoryRow,
  PlanInput,
  PublishOverview,
  PublishPlan,
  RolloutSummary,
  SigningKey,
  PublishedConfig,
  TrustPlan,
  VersionRow,
} from '../../../shared/rollout/publish-ipc-schemas';
import type { RolloutStep } from '../../../shared/watch/watch-types';
import type { StabilityReset } from '../../watch/stability';
import { storeKeys, type TrustPayload } from '../../../consumer/bundle-format';
import { redactStoreUri } from '../../../consumer/store-reader';
import type { WritableDb } from '../../store/db';
import { busyLogGate } from '../../store/busy-retry';
import type { BakeResult } from '../../watch/bake-loop';
import type { RolloutControl } from '../../watch/guards';
import type { ConfigStore } from '../stores/config-store';
import { openConfigStore } from '../stores/open-store';
import {
  historySigner,
  listSharedHistory,
  SharedHistory,
  syncSharedHistory,
  type SharedHistoryEntry,
  type SyncResult,
} from './shared-history';
import { controllerOverview } from '../controller/controller-registry';
import { activeStep, watchedStep } from '../controller/watched-step';
import { damagedKeys, damagedMend, guardedWhileDamaged } from '../controller/damaged-state';
import type {
  ControllerEnvironment,
  ControllerOverview,
  ControllerPanel,
} from '../../../shared/rollout/controller-status';
import {
  createPassphraseProtector,
  generateKey,
  importPublicKey,
  keyProtectorId,
  listImportedKeys,
  listKeys,
  loadSigner,
  removeImportedKey,
  type KeyProtector,
  type PublicKeyInfo,
  type Signer,
} from './keys';
import { formatPublicKeyText, parsePublicKeyText } from '../../../shared/rollout/public-key-text';
import {
  Publisher,
  type ConfigProblem,
  type DamagedRollout,
  type PublishOutcome,
} from './publisher';
import { defaultStoreUri, savedStoreUri } from './console-store';
import {
  dropForgottenUnconfirmed,
  FORGOTTEN_UNCONFIRMED_MS,
  sqliteUnconfirmedCommits,
  unconfirmedGroups,
  type UnconfirmedCommits,
} from './unconfirmed-commits';

const PASSPHRASE_PROTECTOR_ID = 'passphrase-scrypt-aes256gcm';
export const DEFAULT_TICK_MS = 30_000;
/** How often an environment with a damaged rollout state and no step to guard is looked at. */
const DAMAGED_IDLE_RECHECK_MS = 60_000;

/** What the service needs from the production watch to bake a rollout step. */
export interface RolloutWatch {
  /** The environment has a Prometheus configured (otherwise there is nothing to check). */
  isWatched(environment: Environment): boolean;
  /**
   * Bakes the environment's current step. `pausedOnly`: just the next check of a paused step
   * watched for its rollback (one check; a step no longer paused answers `step_changed`).
   */
  bake(
    environment: Environment,
    signal: AbortSignal,
    options?: { pausedOnly?: boolean },
  ): Promise<BakeResult>;
}

export interface PublishingServiceDeps {
  db: WritableDb;
  dataDir: string;
  /** Default `<dataDir>/keys` (the CLI's folder, so keys made there show here). */
  keyDir?: string;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Who acts (history). */
  actor: string;
  /** The OS keychain protector (desktop app); without it keys are passphrase-protected. */
  deviceProtector?: KeyProtector;
  /** The routing checks; errors block signing. */
  validateConfig: (config: ConfigObject) => ConfigProblem[];
  /** The routing checks' warnings: shown in a plan, never blocking. */
  configWarnings?: (config: ConfigObject) => ConfigProblem[];
  /** The saved routing draft (`source: 'example'` = never saved). */
  draft: () => {
    config: unknown;
    revision: number;
    source: 'draft' | 'example';
    updatedAt: number | null;
  };
  /** `publish:state-changed`. */
  emit?: (reason: string, environment: Environment | null) => void;
  log?: (line: string) => void;
  openStore?: (uri: string) => ConfigStore;
  tickMs?: number;
}

function errorMessage(error: unknown): string {
  if (AppError.isInstance(error)) return error.message;
  return 'unexpected error (see the log)';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flagSummaries(config: ConfigObject | undefined): FlagSummary[] {
  if (!config || !isObject(config.flags)) return [];
  const flags = config.flags;
  return flagKeys(config).map((key) => {
    const flag = isObject(flags[key]) ? flags[key] : {};
    const variants = isObject(flag.variants) ? Object.keys(flag.variants) : [];
    const targeting = flag.targeting;
    let split: [string, number][] | null = null;
    let customTargeting = false;
    if (isObject(targeting) && Object.keys(targeting).length > 0) {
      const fractional = targeting.fractional;
      if (Object.keys(targeting).length === 1 && Array.isArray(fractional)) {
        split = fractional
          .filter((bucket): bucket is unknown[] => Array.isArray(bucket))
          .map((bucket) => [String(bucket[0]), Number(bucket[1] ?? 1)]);
      } else customTargeting = true;
    } else if (targeting !== undefined && targeting !== null && !isObject(targeting))
      customTargeting = true;
    return {
      key,
      state: typeof flag.state === 'string' ? flag.state : 'ENABLED',
      variants,
      defaultVariant: typeof flag.defaultVariant === 'string' ? flag.defaultVariant : null,
      split,
      customTargeting,
    };
  });
}

function outcomeOf(outcome: PublishOutcome): ActionResult['outcomes'][number] {
  if (outcome.status === 'unchanged')
    return {
      environment: outcome.environment,
      status: 'unchanged',
      version: outcome.version,
      digest: outcome.digest || null,
      keyIds: [],
      needed: 0,
      message: `${outcome.environment} already runs this content (version ${outcome.version}); nothing was signed.`,
    };
  if (outcome.status === 'pending')
    return {
      environment: outcome.environment,
      status: 'pending',
      version: outcome.version,
      digest: outcome.digest,
      keyIds: outcome.keyIds,
      needed: outcome.needed,
      message: `${outcome.environment} version ${outcome.version} waits for ${outcome.needed} more signature(s); another admin co-signs it under Publishing.`,
    };
  return {
    environment: outcome.environment,
    status: 'published',
    version: outcome.version,
    digest: outcome.digest,
    keyIds: outcome.keyIds,
    needed: 0,
    message: `${outcome.environment} is now at version ${outcome.version}.`,
  };
}

function single(outcome: PublishOutcome): ActionResult {
  const one = outcomeOf(outcome);
  return { outcomes: [one], message: one.message };
}

function historyRowOf(entry: SharedHistoryEntry): HistoryRow {
  return {
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    environment: entry.environment,
    version: entry.version,
    digest: entry.digest,
    keyIds: entry.keyIds,
    diffSummary: entry.summary,
    detail: entry.detail,
    hash: entry.hash,
    signature: entry.signature,
  };
}

export class PublishingService {
  private readonly signers = new Map<string, Signer>();
  private opened: { uri: string; store: ConfigStore } | undefined;
  private ticker: { controller: AbortController; done: Promise<void> } | undefined;
  private watch: RolloutWatch | undefined;
  private readonly bakes = new Map<Environment, AbortController>();
  /** Environments whose bake died with an error: their step is held and baked again. */
  private readonly failedBakes = new Set<Environment>();
  /**
   * Environments whose paused step is still watched for its automatic rollback (the rule the
   * controller follows, `watchedStep`), and when its next check is due: the scheduler bakes it
   * again then. Its rollouts are held meanwhile, as the controller holds them.
   */
  private readonly watchAgain = new Map<Environment, number>();
  /** `env\0flag` → why the automatic rollback of the rollout's paused step failed. */
  private readonly rollbackProblems = new Map<string, string>();
  /**
   * This console stands down: a live controller leads for the store, or the store's controller
   * state is unknown since a switch of store (refreshed every tick).
   */
  private controllerActive = false;
  /**
   * The store whose controller records the last successful read came from (undefined: none
   * read yet), and whether the configured store's state is unknown since a switch of store.
   */
  private controllerUri: string | undefined;
  private controllerUnknown = false;
  /** The store read last before the state became unknown (for the message). */
  private unknownFrom: string | undefined;
  /** controllerStatus calls made, the last one whose answer was applied, and that answer. */
  private statusCalls = 0;
  private statusApplied = 0;
  private lastStatus: ControllerOverview | undefined;
  /** `env\0flag` → why the scheduler could not publish the due step. */
  private readonly tickProblems = new Map<string, string>();
  /**
   * Environments with a rollout state that cannot be read (the scheduler's last tick): what is
   * damaged, and what the admin should do (the last check's verdict once one failed).
   */
  private readonly damagedStates = new Map<Environment, { problem: string; advice: string }>();
  /**
   * Commits whose answer was lost and could not be read back (Publisher `unconfirmed`): kept in
   * the data folder's database, so whichever process reads the environment next settles them.
   */
  private readonly unconfirmed: UnconfirmedCommits;

  constructor(private readonly deps: PublishingServiceDeps) {
    this.unconfirmed = sqliteUnconfirmedCommits(deps.db, deps.now, (line) => deps.log?.(line));
  }

  get keyDir(): string {
    return this.deps.keyDir ?? join(this.deps.dataDir, 'keys');
  }

  get defaultStoreUri(): string {
    return defaultStoreUri(this.deps.dataDir);
  }

  // ---- settings and store ------------------------------------------------------------------

  storeUri(): string {
    return savedStoreUri(this.deps.db, this.deps.dataDir);
  }

  private store(): ConfigStore {
    const uri = this.storeUri();
    if (this.opened?.uri === uri) return this.opened.store;
    const previous = this.opened;
    this.opened = { uri, store: (this.deps.openStore ?? ((u) => openConfigStore(u)))(uri) };
    void previous?.store.close();
    return this.opened.store;
  }

  /** A new handle on the configured store (the caller closes it); for the CLI. */
  openStore(): ConfigStore {
    return (this.deps.openStore ?? ((u) => openConfigStore(u)))(this.storeUri());
  }

  /**
   * The rollout controllers registered in the store. When a live one leads, this console does
   * not advance steps or bake them itself (the controller does), and shows its state instead.
   *
   * The scheduler's tick and the panel's poll both call this, and their reads can overlap: each
   * call is numbered, and an answer older than the one already applied is ignored (the newer
   * one stands), so a slow "no controller" read can never hand the work back after a newer read
   * saw the leader. A store that cannot be read is not "the controller is gone": the console
   * keeps the state it last read, reports the problem, and takes the work back only once a read
   * succeeds and shows no live leader. That state is the store's own: after the admin switches to
   * another store, a failed read of the new one reports its state as unknown (`stateUnknown`, no
   * leader claimed) and the console stands down until a read succeeds.
   */
  async controllerStatus(): Promise<ControllerOverview> {
    const call = ++this.statusCalls;
    let read: ControllerOverview;
    try {
      read = await controllerOverview(this.store(), this.deps.now());
    } catch (error) {
      read = {
        storeUri: this.storeUri(),
        active: false,
        controllers: [],
        problem: errorMessage(error),
      };
    }
    // A newer read was applied while this one was in flight: the newer one stands.
    if (call < this.statusApplied && this.lastStatus) return this.lastStatus;
    this.statusApplied = call;
    if (read.problem !== null) {
      // Never read since this console started, or read from another store: nothing known
      // about this store's controller can be kept, so its state is unknown (and the console
      // stands down rather than run a second rollout loop beside a leader it cannot see).
      if (
        this.controllerUnknown ||
        this.controllerUri === undefined ||
        this.controllerUri !== read.storeUri
      )
        return this.unknownControllerState(read.storeUri, read.problem);
      const known = this.lastStatus;
      this.lastStatus = {
        storeUri: read.storeUri,
        active: this.controllerActive,
        controllers: known?.storeUri === read.storeUri ? known.controllers : [],
        problem: `${read.problem.replace(/\.$/, '')}. Until the store answers again this console keeps the controller state it last read (${
          this.controllerActive
            ? 'a live leader, so it stays stood down'
            : 'no live leader, so it keeps its own rollout loop'
        }).`,
      };
      return this.lastStatus;
    }
    this.lastStatus = read;
    this.controllerUri = read.storeUri;
    const wasUnknown = this.controllerUnknown;
    this.controllerUnknown = false;
    const wasActive = this.controllerActive;
    this.controllerActive = read.active;
    // Whoever reads the status first (the scheduler's tick or the console's panel) hands the
    // work over, so a poll between two ticks cannot swallow the change.
    if (read.active && (!wasActive || wasUnknown)) {
      // A controller acts for this store: leave steps and bakes to it.
      for (const environment of [...this.bakes.keys()]) this.stopBake(environment);
      this.changed('controller active', null);
    } else if (!read.active && wasActive) {
      this.changed('controller gone', null);
      if (this.ticker) void this.resumeBakes();
    }
    return read;
  }

  /**
   * The configured store could not be read since this console started or since the switch from
   * another store: whether a controller leads it is unknown. Nothing of a previous store's
   * controller is carried over; the console stands down (no steps, no bakes) until a read of
   * this store succeeds.
   */
  private unknownControllerState(storeUri: string, problem: string): ControllerOverview {
    const from = this.controllerUnknown ? this.unknownFrom : this.controllerUri;
    this.unknownFrom = from;
    const entering = !this.controllerUnknown;
    this.controllerUnknown = true;
    const wasActive = this.controllerActive;
    this.controllerActive = true;
    this.lastStatus = {
      storeUri,
      active: false,
      controllers: [],
      problem: `${problem.replace(/\.$/, '')}. The controller state of this store is unknown: ${
        from
          ? `this console has not read it since the store was switched from ${from}, so it shows no controller of the previous store and`
          : 'this console has not read it since it started, so it'
      } advances no rollout step itself until this store answers.`,
      stateUnknown: true,
    };
    if (!wasActive) for (const environment of [...this.bakes.keys()]) this.stopBake(environment);
    if (entering) this.changed('controller unknown', null);
    return this.lastStatus;
  }

  /**
   * The console's controller panel: the registered controllers, the leader, whether this
   * console stood down, and per environment the step being baked, the next due step and the
   * paused rollouts (read from the store: what the controller works on). With no controller
   * registered nothing more than the status records is read.
   */
  async controllerPanel(): Promise<ControllerPanel> {
    const overview = await this.controllerStatus();
    const leader =
      overview.controllers.find((status) => status.alive && status.role === 'leader')?.id ?? null;
    const environments: ControllerEnvironment[] = [];
    if (overview.controllers.length > 0) {
      const publisher = this.publisher();
      for (const environment of ENVIRONMENTS) {
        try {
          let live: { version: number } | undefined;
          try {
            live = await publisher.live(environment, undefined, { underSignedOk: true });
          } catch (error) {
            // No trust file yet: nothing is live, nothing to do.
            if (!(AppError.isInstance(error) && error.code === 'not_found')) throw error;
          }
          const rollouts = await publisher.listRollouts(environment);
          const step = live ? activeStep(rollouts, live) : null;
          environments.push({
            environment,
            liveVersion: live?.version ?? null,
            step: step
              ? {
                  flagKey: step.flag ?? '',
                  percent: step.percent ?? 0,
                  version: step.version,
                  startedAt: step.startedAt,
                  nextStepAt: step.nextStepAt ?? null,
                }
              : null,
            rollouts: rollouts.flatMap((state) =>
              state.status === 'running' || state.status === 'paused'
                ? [
                    {
                      flagKey: state.flagKey,
                      status: state.status,
                      percent: state.stepIndex >= 0 ? (state.steps[state.stepIndex] ?? 0) : 0,
                      steps: state.steps,
                      stepIndex: state.stepIndex,
                      nextStepAt:
                        state.status === 'running' ? (nextStepDueAt(state) ?? null) : null,
                      reason: state.stoppedReason ?? null,
                    },
                  ]
                : [],
            ),
            problem: null,
          });
        } catch (error) {
          environments.push({
            environment,
            liveVersion: null,
            step: null,
            rollouts: [],
            problem: errorMessage(error),
          });
        }
      }
    }
    return {
      ...overview,
      checkedAt: this.deps.now(),
      leader,
      consoleStoodDown: overview.active || overview.stateUnknown === true,
      environments,
      damaged:
        overview.active || overview.stateUnknown === true
          ? []
          : [...this.damagedStates].map(([environment, state]) => ({ environment, ...state })),
    };
  }

  /** Chooses the config store (null: back to the default folder). */
  async setStore(uri: string | null): Promise<PublishOverview> {
    const next = uri ?? this.defaultStoreUri;
    // Opening checks the URI's form; nothing is written to the store.
    const store = (this.deps.openStore ?? ((u) => openConfigStore(u)))(next);
    await store.close();
    if (uri === null) this.deps.db.prepare('DELETE FROM publish_settings WHERE id = 1').run();
    else
      this.deps.db
        .prepare(
          `INSERT INTO publish_settings (id, store_uri, saved_at) VALUES (1, ?, ?)
           ON CONFLICT (id) DO UPDATE SET store_uri = excluded.store_uri, saved_at = excluded.saved_at`,
        )
        .run(next, this.deps.now());
    this.tickProblems.clear();
    this.changed('store changed', null);
    return this.overview();
  }

  private publisher(store: ConfigStore = this.store()): Publisher {
    return new Publisher({
      store,
      signers: [...this.signers.values()],
      validateConfig: this.deps.validateConfig,
      ...(this.deps.configWarnings ? { configWarnings: this.deps.configWarnings } : {}),
      now: this.deps.now,
      actor: this.deps.actor,
      record: (entry) => this.recordShared(entry),
      unconfirmed: this.unconfirmed,
    });
  }

  // ---- the shared history (in the config store) ----------------------------------------------

  /** The shared log of the current store; entries are signed by the first unlocked key. */
  sharedHistory(): SharedHistory {
    return new SharedHistory({
      store: this.store(),
      signer: () => historySigner(this.signers.values()),
    });
  }

  private lastSync: SyncResult | undefined;

  /** Appends an action to the shared log and copies it (and anything new) into SQLite. */
  private async recordShared(entry: Parameters<SharedHistory['append']>[0]): Promise<void> {
    try {
      await this.sharedHistory().append(entry);
    } catch (error) {
      this.deps.log?.(
        `publishing: the ${entry.action} was done but could not be written to the shared history: ${errorMessage(error)}`,
      );
      return;
    }
    try {
      await this.syncHistory('incremental');
    } catch (error) {
      // The entry is in the store's shared history, the record that counts; this console's
      // copy (SQLite, e.g. locked by another process) catches up at the next sync, which
      // copies every entry it lacks (listing the history, the next action).
      this.deps.log?.(
        `publishing: the ${entry.action} is in the shared history; this console's copy catches up at the next sync (${errorMessage(error)})`,
      );
    }
  }

  /**
   * Reads the store's shared history, checks it against this console's verified copy and copies
   * new entries (those of other admins and of the controller). The verdict names a truncated or
   * rewritten log.
   */
  async syncHistory(mode: 'full' | 'incremental' = 'full'): Promise<SyncResult> {
    let trust: TrustPayload | undefined;
    try {
      trust = (await this.publisher().readTrust('dev')).trust;
    } catch {
      trust = undefined;
    }
    this.lastSync = await syncSharedHistory(this.deps.db, this.sharedHistory(), trust, mode);
    return this.lastSync;
  }

  private changed(reason: string, environment: Environment | null): void {
    this.deps.emit?.(reason, environment);
  }

  // ---- keys --------------------------------------------------------------------------------

  get keyProtection(): 'os-keychain' | 'passphrase' {
    return this.deps.deviceProtector ? 'os-keychain' : 'passphrase';
  }

  async listKeys(trusted: ReadonlySet<string> = new Set()): Promise<SigningKey[]> {
    const out: SigningKey[] = [];
    for (const key of await listKeys(this.keyDir)) {
      const protector = await keyProtectorId(this.keyDir, key.kid);
      out.push({
        kid: key.kid,
        name: key.name,
        createdAt: key.createdAt,
        protection:
          protector === PASSPHRASE_PROTECTOR_ID
            ? 'passphrase'
            : protector === this.deps.deviceProtector?.id || protector === 'safe-storage'
              ? 'os-keychain'
              : 'unknown',
        unlocked: this.signers.has(key.kid),
        trusted: trusted.has(key.kid),
      });
    }
    return out;
  }

  private async trustedKids(): Promise<Set<string>> {
    try {
      return new Set(Object.keys((await this.publisher().readTrust('dev')).trust.keys));
    } catch {
      return new Set();
    }
  }

  /** Generates a key protected by the keychain (desktop) or the passphrase, and unlocks it. */
  async generateKey(name: string, passphrase?: string) {
    const protector = this.protectorForNewKey(passphrase);
    const key = await generateKey(name, { dir: this.keyDir, protector, now: this.deps.now });
    this.signers.set(key.kid, await loadSigner(this.keyDir, key.kid, protector));
    this.changed('key generated', null);
    return {
      unlocked: [key.kid],
      failed: [],
      keys: await this.listKeys(await this.trustedKids()),
    };
  }

  private protectorForNewKey(passphrase: string | undefined): KeyProtector {
    if (this.deps.deviceProtector) return this.deps.deviceProtector;
    if (!passphrase)
      throw new ValidationError('key', [
        {
          path: 'passphrase',
          message:
            'is needed: in browser mode signing keys are protected by a passphrase (at least 8 characters) that you type each session',
        },
      ]);
    return createPassphraseProtector(passphrase);
  }

  /**
   * Unlocks keys for this session: keychain-protected ones without a passphrase, passphrase-
   * protected ones with it. Each key that does not open is named with the reason.
   */
  async unlockKeys(input: { passphrase?: string; kids?: string[] }) {
    const available = await listKeys(this.keyDir);
    if (available.length === 0)
      throw new AppError(
        'not_found',
        'There are no signing keys in this console yet. Generate one first (Publishing → Keys).',
      );
    const wanted = input.kids ?? available.map((key) => key.kid);
    const passphraseProtector =
      input.passphrase === undefined ? undefined : createPassphraseProtector(input.passphrase);
    const unlocked: string[] = [];
    const failed: { kid: string; message: string }[] = [];
    for (const kid of wanted) {
      if (!available.some((key) => key.kid === kid)) {
        failed.push({ kid, message: `no key ${kid} in this console's key folder` });
        continue;
      }
      if (this.signers.has(kid)) {
        unlocked.push(kid);
        continue;
      }
      try {
        const id = await keyProtectorId(this.keyDir, kid);
        let protector: KeyProtector | undefined;
        if (id === PASSPHRASE_PROTECTOR_ID) protector = passphraseProtector;
        else if (this.deps.deviceProtector && id === this.deps.deviceProtector.id)
          protector = this.deps.deviceProtector;
        if (!protector) {
          failed.push({
            kid,
            message:
              id === PASSPHRASE_PROTECTOR_ID
                ? 'needs its passphrase'
                : 'is protected by another computer’s keychain and cannot be opened here',
          });
          continue;
        }
        this.signers.set(kid, await loadSigner(this.keyDir, kid, protector));
        unlocked.push(kid);
      } catch (error) {
        failed.push({
          kid,
          message:
            AppError.isInstance(error) && error.code === 'unauthorized'
              ? 'the passphrase does not open it'
              : errorMessage(error),
        });
      }
    }
    if (unlocked.length > 0) this.changed('keys unlocked', null);
    return { unlocked, failed, keys: await this.listKeys(await this.trustedKids()) };
  }

  async lockKeys(): Promise<SigningKey[]> {
    this.signers.clear();
    this.changed('keys locked', null);
    return this.listKeys(await this.trustedKids());
  }

  /** Creates the trust file (first run): the chosen keys and thresholds, signed by them. */
  async initTrust(
    kids: string[],
    thresholds: TrustPayload['thresholds'],
  ): Promise<PublishOverview> {
    const all = [...(await listKeys(this.keyDir)), ...(await listImportedKeys(this.keyDir))];
    const keys = kids.map((kid) => {
      const key = all.find((candidate) => candidate.kid === kid);
      if (!key)
        throw new ValidationError('trust', [
          {
            path: 'kids',
            message: `key ${kid} is not in this console (generate it, or add its public key)`,
          },
        ]);
      return key;
    });
    const signing = kids.filter((kid) => this.signers.has(kid)).length;
    if (signing < thresholds.trust)
      throw new AppError(
        'forbidden',
        `Creating the trust file needs ${thresholds.trust} signature(s) by the chosen keys, and ${signing} of them ${signing === 1 ? 'is' : 'are'} unlocked. Unlock the keys first (Keys → Unlock).`,
      );
    const publisher = this.publisher();
    const existing = await publisher.store.get(storeKeys.trust('dev'));
    if (existing)
      throw new AppError(
        'conflict',
        `The store ${publisher.store.uri} already has a trust file; change it with Publishing → Trust → Change trust… (a rotation signed under its keys).`,
      );
    await publisher.initTrust(keys, thresholds);
    this.changed('trust created', null);
    return this.overview();
  }

  // ---- other admins' public keys -----------------------------------------------------------

  /** One of this console's keys as a pasteable line: public parts only. */
  async exportPublicKey(kid: string): Promise<{ kid: string; name: string; text: string }> {
    const key = (await listKeys(this.keyDir)).find((candidate) => candidate.kid === kid);
    if (!key) throw new AppError('not_found', `No signing key ${kid} in this console.`);
    return {
      kid: key.kid,
      name: key.name,
      text: formatPublicKeyText({ kid: key.kid, name: key.name, publicJwk: key.publicJwk }),
    };
  }

  /** Imports another admin's public key ("Copy public key" in their console). */
  async importPublicKey(text: string): Promise<{ kid: string; name: string; trusted: boolean }> {
    const parsed = parsePublicKeyText(text);
    if (!parsed.ok)
      throw new ValidationError('public key', [{ path: 'text', message: parsed.message }]);
    const key = await importPublicKey(this.keyDir, parsed.value, this.deps.now);
    this.changed('public key imported', null);
    return { kid: key.kid, name: key.name, trusted: (await this.trustedKids()).has(key.kid) };
  }

  async removePublicKey(kid: string): Promise<{ removed: string }> {
    await removeImportedKey(this.keyDir, kid);
    this.changed('public key removed', null);
    return { removed: kid };
  }

  // ---- trust rotation ----------------------------------------------------------------------

  /** Keys a trust change may name: those in the trust file now, this console's, imported ones. */
  private async resolveTrustKeys(
    kids: readonly string[],
    current: TrustPayload | undefined,
  ): Promise<PublicKeyInfo[]> {
    const local = [...(await listKeys(this.keyDir)), ...(await listImportedKeys(this.keyDir))];
    return kids.map((kid) => {
      const inTrust = current?.keys[kid];
      if (inTrust)
        return { kid, name: inTrust.name, createdAt: '', publicJwk: { ...inTrust.publicJwk } };
      const key = local.find((candidate) => candidate.kid === kid);
      if (!key)
        throw new ValidationError('trust', [
          {
            path: 'kids',
            message: `key ${kid} is neither in the trust file nor in this console: add its public key first (Keys → Add a public key)`,
          },
        ]);
      return key;
    });
  }

  /** What a rotation to `kids`/`thresholds` changes, and whether this session can sign it. */
  async planTrust(input: {
    kids: string[];
    thresholds: TrustPayload['thresholds'];
  }): Promise<TrustPlan> {
    const publisher = this.publisher();
    const { trust: old } = await publisher.readTrust('dev');
    const keys = await this.resolveTrustKeys(input.kids, old);
    const named = (kid: string, name: string) => ({ kid, name });
    const before = {
      version: old.version,
      keys: Object.entries(old.keys).map(([kid, key]) => named(kid, key.name)),
      thresholds: old.thresholds,
    };
    const after = {
      version: old.version + 1,
      keys: keys.map((key) => named(key.kid, key.name)),
      thresholds: input.thresholds,
    };
    const afterKids = new Set(input.kids);
    const added = after.keys.filter((key) => !old.keys[key.kid]);
    const removed = before.keys.filter((key) => !afterKids.has(key.kid));
    const thresholdChanges = (['dev', 'staging', 'production', 'trust'] as const)
      .filter((name) => old.thresholds[name] !== input.thresholds[name])
      .map((name) => ({ name, before: old.thresholds[name], after: input.thresholds[name] }));
    const unlocked = [...this.signers.keys()];
    const signatures = {
      current: unlocked.filter((kid) => Boolean(old.keys[kid])).length,
      currentNeeded: old.thresholds.trust,
      next: unlocked.filter((kid) => afterKids.has(kid)).length,
      nextNeeded: input.thresholds.trust,
    };
    const effects = await publisher.trustRotationEffects(keys, input.thresholds);
    const problems: string[] = [];
    const warnings: string[] = [];
    if (added.length === 0 && removed.length === 0 && thresholdChanges.length === 0)
      problems.push('Nothing changes: choose keys to add or remove, or change a threshold.');
    const local = new Set((await listKeys(this.keyDir)).map((key) => key.kid));
    const shortfall = (have: number, needed: number, which: string, among: string[]): void => {
      if (have >= needed) return;
      const here = among.filter((kid) => local.has(kid)).length;
      problems.push(
        `Changing the trust file needs ${needed} signature(s) by keys of the ${which}; your unlocked keys give ${have}.` +
          (here < needed
            ? ` This console holds only ${here} of them: the holders of ${needed} keys must sign together, e.g. on one computer with the CLI (aideon config trust rotate --sign KID,...).`
            : ' Unlock them first (Keys → Unlock keys).'),
      );
    };
    shortfall(
      signatures.current,
      signatures.currentNeeded,
      `current trust file (version ${old.version})`,
      Object.keys(old.keys),
    );
    shortfall(
      signatures.next,
      signatures.nextNeeded,
      `new trust file (version ${old.version + 1})`,
      input.kids,
    );
    for (const effect of effects) {
      if (effect.effect === 'blocked' && effect.message) problems.push(effect.message);
      if (effect.effect === 'warning' && effect.message) warnings.push(effect.message);
    }
    if (!input.kids.some((kid) => local.has(kid)))
      warnings.push(
        'None of this console’s own keys stays in the trust file: after the change this console can no longer sign.',
      );
    const strictest = Math.max(
      input.thresholds.dev,
      input.thresholds.staging,
      input.thresholds.production,
    );
    if (input.thresholds.trust < strictest)
      warnings.push(
        `Trust changes need ${input.thresholds.trust} signature(s) but an environment needs ${strictest}: whoever can change the trust file can also change who signs that environment.`,
      );
    return {
      before,
      after,
      added,
      removed,
      thresholdChanges,
      signatures,
      environments: effects.map((effect) => ({
        environment: effect.environment,
        version: effect.version,
        kept: effect.kept,
        needed: effect.needed,
        effect: effect.effect,
        message: effect.message,
      })),
      warnings,
      problems,
    };
  }

  /** Writes the new trust version to every environment, signed under the old and new keys. */
  async rotateTrust(input: {
    kids: string[];
    thresholds: TrustPayload['thresholds'];
    expectTrustVersion: number;
  }): Promise<PublishOverview> {
    this.requireKeys();
    const publisher = this.publisher();
    const { trust: old } = await publisher.readTrust('dev');
    if (old.version !== input.expectTrustVersion)
      throw new AppError(
        'conflict',
        `The trust file moved on to version ${old.version} since you looked at the change (version ${input.expectTrustVersion}); nothing was signed. Review the change again.`,
      );
    const plan = await this.planTrust(input);
    if (plan.problems.length > 0)
      throw new AppError('forbidden', `The trust file was not changed: ${plan.problems.join(' ')}`);
    await publisher.rotateTrust(await this.resolveTrustKeys(input.kids, old), input.thresholds);
    this.changed('trust rotated', null);
    return this.overview();
  }

  /** The environment's rollbacks and kill switches in this console's copy of the shared history. */
  stabilityResets(environment: Environment): StabilityReset[] {
    return listSharedHistory(this.deps.db, this.storeUri(), { environment })
      .filter((entry) => entry.action === 'rollback' || entry.action === 'kill_switch')
      .map((entry) => ({
        at: entry.at,
        action: entry.action as StabilityReset['action'],
        actor: entry.actor,
        version: entry.version,
      }));
  }

  // ---- versions (rollback targets) ---------------------------------------------------------

  /** The stored versions of an environment, newest first, with who signed and what changed. */
  async listVersions(environment: Environment, limit = 50): Promise<VersionRow[]> {
    const publisher = this.publisher();
    const { trust } = await publisher.readTrust(environment);
    const live = await publisher.live(environment, trust, { underSignedOk: true });
    const prefix = storeKeys.versionsPrefix(environment);
    const versions = (await publisher.store.list(prefix))
      .map((key) => Number(key.slice(prefix.length)))
      .filter((value) => Number.isInteger(value) && value > 0)
      .sort((a, b) => b - a)
      .slice(0, limit);
    const builtBy = new Map<string, string>();
    for (const entry of listSharedHistory(this.deps.db, this.storeUri(), { environment }))
      if (entry.digest && entry.action !== 'cosign' && !builtBy.has(entry.digest))
        builtBy.set(entry.digest, entry.actor);
    const out: VersionRow[] = [];
    for (const version of versions) {
      const bundle = await publisher.versionBundle(environment, version);
      let previous: ConfigObject = {};
      if (version > 1)
        try {
          previous = await publisher.versionConfig(environment, version - 1);
        } catch {
          previous = {};
        }
      out.push({
        version,
        digest: bundle.digest,
        issuedAt: bundle.issuedAt,
        signedBy: bundle.keyIds.map((kid) => ({
          kid,
          name: trust.keys[kid]?.name ?? 'a key no longer trusted',
        })),
        publishedBy: builtBy.get(bundle.digest) ?? null,
        summary: summarizeDiff(diffJson(previous, bundle.config)),
        isLive: live?.version === version,
        sameAsLive: live !== undefined && diffJson(live.config, bundle.config).length === 0,
      });
    }
    return out;
  }

  // ---- overview ----------------------------------------------------------------------------

  async overview(): Promise<PublishOverview> {
    const publisher = this.publisher();
    const draft = this.deps.draft();
    const base = {
      storeUri: this.storeUri(),
      storeIsDefault: this.storeUri() === this.defaultStoreUri,
      defaultStoreUri: this.defaultStoreUri,
      keyProtection: this.keyProtection,
      actor: this.deps.actor,
      draft: { revision: draft.revision, source: draft.source, updatedAt: draft.updatedAt },
    };
    let trust: TrustPayload | undefined;
    let storeProblem: string | null = null;
    try {
      const entry = await publisher.store.get(storeKeys.trust('dev'));
      if (entry) trust = (await publisher.readTrust('dev')).trust;
    } catch (error) {
      storeProblem = `The config store ${base.storeUri} cannot be read: ${errorMessage(error)} Check that it is reachable, or choose another store.`;
    }
    const trusted = new Set(trust ? Object.keys(trust.keys) : []);
    const keys = await this.listKeys(trusted);
    const importedKeys = (await listImportedKeys(this.keyDir)).map((key) => ({
      kid: key.kid,
      name: key.name,
      importedAt: key.importedAt,
      trusted: trusted.has(key.kid),
    }));
    if (!trust)
      return {
        ...base,
        trust: null,
        storeProblem,
        environments: [],
        keys,
        importedKeys,
        unconfirmed: this.unconfirmedOverview(),
      };
    const environments: EnvironmentOverview[] = [];
    for (const environment of ENVIRONMENTS)
      environments.push(await this.environmentOverview(publisher, environment));
    return {
      ...base,
      trust: {
        version: trust.version,
        keys: Object.entries(trust.keys).map(([kid, key]) => ({ kid, name: key.name })),
        thresholds: trust.thresholds,
      },
      storeProblem,
      environments,
      keys,
      importedKeys,
      // After the environments were read: those reads settle what they can first.
      unconfirmed: this.unconfirmedOverview(),
    };
  }

  /** The changes whose outcome is unknown, kept in the data folder (unconfirmed-commits.ts). */
  unconfirmedOverview(): NonNullable<PublishOverview['unconfirmed']> {
    const current = this.storeUri();
    let groups;
    try {
      groups = unconfirmedGroups(this.deps.db);
    } catch {
      // A database that cannot be read now: the overview goes on without them.
      return [];
    }
    return groups.map((group) => ({
      ...group,
      storeUri: redactStoreUri(group.storeUri),
      currentStore: group.storeUri === current,
      dropAfterDays: FORGOTTEN_UNCONFIRMED_MS / 86_400_000,
    }));
  }

  /**
   * The config live in each environment, verified, for the editor's "compare with published"
   * and the monitor's models in use. An environment that cannot be read says why instead of
   * looking empty. `storeUri`: read another store than the console's (default: the console's).
   */
  async publishedConfigs(storeUri?: string): Promise<PublishedConfig[]> {
    // Another store than the console's (the CLI's --store): opened for this read only.
    if (storeUri !== undefined && storeUri !== this.storeUri()) {
      const store = (this.deps.openStore ?? ((u) => openConfigStore(u)))(storeUri);
      try {
        return await this.readPublished(this.publisher(store), storeUri);
      } finally {
        await store.close();
      }
    }
    return this.readPublished(this.publisher(), this.storeUri());
  }

  private async readPublished(publisher: Publisher, storeUri: string): Promise<PublishedConfig[]> {
    const out: PublishedConfig[] = [];
    let hasTrust: boolean;
    try {
      hasTrust = (await publisher.store.get(storeKeys.trust('dev'))) !== undefined;
    } catch (error) {
      const problem = `The config store ${storeUri} cannot be read: ${errorMessage(error)}`;
      return ENVIRONMENTS.map((environment) => ({ environment, live: null, problem }));
    }
    for (const environment of ENVIRONMENTS) {
      if (!hasTrust) {
        out.push({ environment, live: null, problem: null });
        continue;
      }
      try {
        const { trust } = await publisher.readTrust(environment);
        const live = await publisher.live(environment, trust, { underSignedOk: true });
        out.push({
          environment,
          live: live
            ? { version: live.version, issuedAt: live.issuedAt, config: live.config }
            : null,
          problem: null,
        });
      } catch (error) {
        out.push({ environment, live: null, problem: errorMessage(error) });
      }
    }
    return out;
  }

  /**
   * Why `version` in `environment` does not show this model routed (in `tier` when given);
   * null when it does. For the onboarding board's "placed" and "rolling out" evidence.
   */
  async configVersionProblem(input: {
    environment: Environment;
    version: number;
    provider: string;
    modelId: string;
    tier?: string;
  }): Promise<string | null> {
    let config: ConfigObject;
    try {
      config = await this.publisher().versionConfig(input.environment, input.version);
    } catch (error) {
      return `Config version ${input.version} cannot be read from ${input.environment}: ${errorMessage(error)}`;
    }
    const tiers = isObject(config.tiers) ? config.tiers : {};
    const routes = (tier: unknown): boolean =>
      isObject(tier) &&
      Array.isArray(tier.targets) &&
      tier.targets.some(
        (target) =>
          isObject(target) &&
          target.provider === input.provider &&
          typeof target.model === 'string' &&
          target.model.toLowerCase() === input.modelId.toLowerCase(),
      );
    if (input.tier !== undefined) {
      if (!Object.hasOwn(tiers, input.tier))
        return `Config version ${input.version} in ${input.environment} has no tier "${input.tier}".`;
      return routes(tiers[input.tier])
        ? null
        : `Config version ${input.version} in ${input.environment} does not route tier "${input.tier}" to ${input.provider}/${input.modelId}.`;
    }
    return Object.values(tiers).some(routes)
      ? null
      : `Config version ${input.version} in ${input.environment} routes no tier to ${input.provider}/${input.modelId}.`;
  }

  private async environmentOverview(
    publisher: Publisher,
    environment: Environment,
  ): Promise<EnvironmentOverview> {
    const out: EnvironmentOverview = {
      environment,
      threshold: 0,
      live: null,
      versions: [],
      problem: null,
      pending: [],
      rollouts: [],
      flags: [],
    };
    try {
      const { trust } = await publisher.readTrust(environment);
      out.threshold = trust.thresholds[environment];
      const live = await publisher.live(environment, trust, { underSignedOk: true });
      if (live) {
        out.live = {
          version: live.version,
          digest: live.digest,
          issuedAt: live.issuedAt,
          expiresAt: live.expiresAt,
          expired: Date.parse(live.expiresAt) <= this.deps.now(),
          keyIds: live.keyIds,
          underSigned: live.underSigned === true,
        };
        out.flags = flagSummaries(live.config);
      }
      out.versions = (await publisher.store.list(storeKeys.versionsPrefix(environment)))
        .map((key) => Number(key.slice(storeKeys.versionsPrefix(environment).length)))
        .filter((value) => Number.isInteger(value) && value > 0)
        .sort((a, b) => b - a);
      out.pending = (await publisher.listPending(environment)).map((item) => ({
        digest: item.digest,
        version: item.version,
        keyIds: item.keyIds,
        needed: item.needed,
        applicable: item.applicable,
        summary: item.summary,
        diff: item.diff,
        canSign: [...this.signers.keys()].some(
          (kid) => Boolean(trust.keys[kid]) && !item.keyIds.includes(kid),
        ),
      }));
      out.rollouts = (await publisher.listRollouts(environment)).map((state) =>
        this.rolloutSummary(state, out.live?.version ?? null),
      );
    } catch (error) {
      out.problem = errorMessage(error);
    }
    return out;
  }

  private rolloutSummary(state: RolloutState, liveVersion: number | null): RolloutSummary {
    const { etag: _etag, ...plain } = state as RolloutState & { etag?: string };
    const due = state.status === 'running' ? nextStepDueAt(state) : undefined;
    const stillLive =
      state.stepIndex >= 0 && liveVersion !== null && state.lastStepVersion === liveVersion;
    return {
      ...plain,
      nextStepAt: due ?? null,
      watching: this.bakes.has(state.environment) && state.status === 'running',
      stillLive,
      // A paused step still live, which this console's watch checks again for its rollback.
      watchedForRollback:
        state.status === 'paused' &&
        stillLive &&
        (this.watchAgain.has(state.environment) || this.bakes.has(state.environment)),
      problem:
        this.tickProblems.get(`${state.environment}\u0000${state.flagKey}`) ??
        (state.status === 'paused'
          ? this.rollbackProblems.get(`${state.environment}\u0000${state.flagKey}`)
          : undefined) ??
        null,
    };
  }

  // ---- plans ("what will change") ----------------------------------------------------------

  private async willSign(publisher: Publisher, environment: Environment): Promise<number> {
    const { trust } = await publisher.readTrust(environment);
    return [...this.signers.keys()].filter((kid) => Boolean(trust.keys[kid])).length;
  }

  private draftConfig(): { config: ConfigObject; revision: number } {
    const draft = this.deps.draft();
    if (draft.source !== 'draft')
      throw new AppError(
        'not_found',
        'There is no saved routing draft yet. Open Rollout → Config, check the config and press Save draft; then publish it.',
      );
    if (!isObject(draft.config))
      throw new AppError('validation', 'The saved routing draft is not a JSON object.');
    return { config: draft.config, revision: draft.revision };
  }

  async plan(input: PlanInput): Promise<PublishPlan> {
    const publisher = this.publisher();
    const empty = {
      problems: [] as PublishPlan['problems'],
      warnings: [] as PublishPlan['warnings'],
      source: null,
      restoresVersion: null,
      draftRevision: null,
    };
    if (input.action === 'kill-switch') {
      const changes: PublishPlan['changes'] = [];
      let hasFlag = false;
      for (const environment of [...ENVIRONMENTS].reverse()) {
        const { trust } = await publisher.readTrust(environment);
        const live = await publisher.live(environment, trust, { underSignedOk: true });
        const base = {
          environment,
          fromVersion: live?.version ?? 0,
          toVersion: live?.version ?? 0,
          threshold: trust.thresholds[environment],
          willSign: await this.willSign(publisher, environment),
          diff: [],
          summary: 'no change',
        };
        const flags = live?.config.flags;
        if (!live || !isObject(flags) || !Object.hasOwn(flags, input.flagKey)) {
          changes.push({
            ...base,
            skipped: live ? 'the flag is not in this environment' : 'nothing live',
          });
          continue;
        }
        hasFlag = true;
        const off = withFlagOff(live.config, input.flagKey, input.offVariant);
        const diff = diffJson(live.config, off);
        changes.push({
          ...base,
          toVersion: diff.length === 0 ? live.version : live.version + 1,
          diff,
          summary: summarizeDiff(diff),
          skipped: diff.length === 0 ? 'the flag is already off here' : null,
        });
      }
      if (!hasFlag)
        throw new AppError(
          'not_found',
          `No environment has a flag "${input.flagKey}" live; there is nothing to switch off.`,
        );
      return { action: 'kill-switch', changes, ...empty };
    }
    let plan;
    let extra: Partial<PublishPlan>;
    if (input.action === 'publish-draft') {
      const draft = this.draftConfig();
      plan = await publisher.plan('dev', draft.config);
      extra = { draftRevision: draft.revision };
    } else if (input.action === 'promote') {
      const promotion = await publisher.planPromotion(input.target);
      plan = promotion;
      extra = { source: { environment: promotion.source, version: promotion.sourceVersion } };
    } else {
      const rollback = await publisher.planRollback(input.environment, input.toVersion);
      plan = rollback;
      extra = { restoresVersion: rollback.restoresVersion };
    }
    const { trust } = await publisher.readTrust(plan.environment);
    return {
      action: input.action,
      changes: [
        {
          environment: plan.environment,
          fromVersion: plan.fromVersion,
          toVersion: plan.diff.length === 0 ? plan.fromVersion : plan.toVersion,
          diff: plan.diff,
          summary: plan.summary,
          skipped:
            plan.diff.length === 0 ? `${plan.environment} already runs exactly this content` : null,
          threshold: trust.thresholds[plan.environment],
          willSign: await this.willSign(publisher, plan.environment),
        },
      ],
      ...empty,
      problems: plan.problems,
      warnings: plan.warnings,
      ...extra,
    };
  }

  // ---- actions -----------------------------------------------------------------------------

  private requireKeys(): void {
    if (this.signers.size === 0)
      throw new AppError(
        'forbidden',
        'No signing key is unlocked in this session, so nothing can be signed. Press "Unlock keys" (Publishing → Keys) first.',
      );
  }

  /** The admin confirmed a plan against `expected`; refuse if the environment moved on since. */
  private async requireLiveVersion(
    publisher: Publisher,
    environment: Environment,
    expected: number,
  ): Promise<void> {
    const live = await publisher.live(environment, undefined, { underSignedOk: true });
    const version = live?.version ?? 0;
    if (version !== expected)
      throw new AppError(
        'conflict',
        `${environment} moved on to version ${version} since you looked at the change (version ${expected}); nothing was signed. Review the new "what will change" and confirm again.`,
      );
  }

  private async act(
    reason: string,
    environment: Environment | null,
    body: (publisher: Publisher) => Promise<ActionResult>,
  ): Promise<ActionResult> {
    this.requireKeys();
    const result = await body(this.publisher());
    this.changed(reason, environment);
    return result;
  }

  publishDraft(input: { draftRevision: number; expectFromVersion: number }): Promise<ActionResult> {
    return this.act('publish', 'dev', async (publisher) => {
      const draft = this.draftConfig();
      if (draft.revision !== input.draftRevision)
        throw new AppError(
          'conflict',
          `The draft was saved again (revision ${draft.revision}) since you looked at the change (revision ${input.draftRevision}); nothing was signed. Review the new change and confirm again.`,
        );
      await this.requireLiveVersion(publisher, 'dev', input.expectFromVersion);
      return single(await publisher.publish('dev', draft.config));
    });
  }

  promote(input: { target: 'staging' | 'production'; expectFromVersion: number }) {
    return this.act('promote', input.target, async (publisher) => {
      await this.requireLiveVersion(publisher, input.target, input.expectFromVersion);
      return single(await publisher.promote(input.target));
    });
  }

  rollback(input: { environment: Environment; toVersion?: number; expectFromVersion: number }) {
    return this.act('rollback', input.environment, async (publisher) => {
      await this.requireLiveVersion(publisher, input.environment, input.expectFromVersion);
      const result = single(await publisher.rollback(input.environment, input.toVersion));
      this.stopBake(input.environment);
      return result;
    });
  }

  cosign(input: { environment: Environment; digest: string }) {
    return this.act('co-sign', input.environment, async (publisher) =>
      single(await publisher.cosign(input.environment, input.digest)),
    );
  }

  killSwitch(input: { flagKey: string; offVariant?: string }) {
    return this.act('kill switch', null, async (publisher) => {
      const results = await publisher.killSwitch(input.flagKey, input.offVariant);
      const outcomes = results.map((result) =>
        result.outcome
          ? outcomeOf(result.outcome)
          : {
              environment: result.environment,
              status: result.error ? ('failed' as const) : ('skipped' as const),
              version: null,
              digest: null,
              keyIds: [],
              needed: 0,
              message: result.error ?? `${result.environment}: ${result.skipped ?? 'skipped'}`,
            },
      );
      const failed = outcomes.filter((outcome) => outcome.status === 'failed');
      const off = outcomes.filter((outcome) => outcome.status === 'published');
      return {
        outcomes,
        message:
          failed.length > 0
            ? `"${input.flagKey}" could not be switched off in ${failed.map((o) => o.environment).join(', ')}: ${failed.map((o) => o.message).join(' ')}`
            : `"${input.flagKey}" is off in ${off.map((o) => o.environment).join(', ') || 'no environment (nothing to change)'}.`,
      };
    });
  }

  startRollout(input: {
    environment: Environment;
    flagKey: string;
    onVariant: string;
    offVariant: string;
    steps: number[];
    bakeMinutes: number;
  }) {
    return this.act('rollout started', input.environment, async (publisher) => {
      const { state, outcome } = await publisher.startRollout(input);
      this.startBake(input.environment);
      const result = single(outcome);
      return {
        ...result,
        message: `Rollout of "${input.flagKey}" in ${input.environment} started at ${state.steps[state.stepIndex]}%.`,
      };
    });
  }

  rolloutAction(input: {
    environment: Environment;
    flagKey: string;
    action: 'pause' | 'resume' | 'advance';
  }): Promise<ActionResult> {
    const { environment, flagKey } = input;
    if (input.action === 'advance')
      return this.act('rollout step', environment, async (publisher) => {
        const { state, outcome } = await publisher.advanceRollout(environment, flagKey);
        this.tickProblems.delete(`${environment}\u0000${flagKey}`);
        this.startBake(environment);
        return {
          ...single(outcome),
          message: `"${flagKey}" in ${environment} is now at ${state.steps[state.stepIndex]}%${state.status === 'completed' ? ' (rollout complete)' : ''}.`,
        };
      });
    return (async () => {
      const publisher = this.publisher();
      const state =
        input.action === 'pause'
          ? await publisher.pauseRollout(environment, flagKey, `paused by ${this.deps.actor}`)
          : await publisher.resumeRollout(environment, flagKey);
      if (input.action === 'pause') {
        this.stopBake(environment);
        // Where auto-rollback is on, a paused step that is still live stays watched (as under
        // the controller): the next tick checks it, and a failed check rolls it back.
        this.watchAgain.set(environment, this.deps.now());
      } else {
        this.rollbackProblems.delete(`${environment}\u0000${flagKey}`);
        this.startBake(environment);
      }
      this.changed(`rollout ${input.action}`, environment);
      return {
        outcomes: [],
        message: `The rollout of "${flagKey}" in ${environment} is ${state.status}.`,
      };
    })();
  }

  // ---- history -----------------------------------------------------------------------------

  /** This console's verified copy of the shared history, newest first (no store read). */
  history(filter: { environment?: Environment; limit?: number }): HistoryRow[] {
    const rows = listSharedHistory(
      this.deps.db,
      this.storeUri(),
      filter.environment === undefined ? {} : { environment: filter.environment },
    );
    return rows
      .reverse()
      .slice(0, filter.limit ?? 200)
      .map((entry) => historyRowOf(entry));
  }

  /** Syncs with the store first, so entries by other admins and the controller show. */
  async syncedHistory(filter: {
    environment?: Environment;
    limit?: number;
  }): Promise<HistoryRow[]> {
    await this.syncHistory().catch((error: unknown) => {
      this.deps.log?.(`publishing: the shared history could not be read: ${errorMessage(error)}`);
    });
    return this.history(filter);
  }

  /** The verdict of the last sync (without reading the store). */
  checkChain() {
    const check = this.lastSync?.check;
    if (!check || check.ok) {
      const rows = listSharedHistory(this.deps.db, this.storeUri());
      return { ok: true as const, entries: rows.length, head: rows.at(-1)?.hash ?? '0'.repeat(64) };
    }
    return {
      ok: false as const,
      entries: check.entries,
      brokenAtSeq: check.problem.seq,
      problem: check.problem.message,
      kind: check.problem.kind,
    };
  }

  /** Re-reads and re-checks the whole shared log in the store, then answers checkChain(). */
  async verifyHistory() {
    await this.syncHistory('full');
    return this.checkChain();
  }

  async exportHistory(): Promise<{ fileName: string; mimeType: string; content: string }> {
    const chain = await this.verifyHistory();
    const day = new Date(this.deps.now()).toISOString().slice(0, 10);
    return {
      fileName: `aideon-publish-history-${day}.json`,
      mimeType: 'application/json',
      content: `${JSON.stringify(
        {
          schema: 'aideon.shared-history-export/1',
          storeUri: this.storeUri(),
          chain,
          entries: listSharedHistory(this.deps.db, this.storeUri()),
        },
        null,
        2,
      )}\n`,
    };
  }

  // ---- scheduler: rollout bake times and the production watch ------------------------------

  /** Connects the production watch (built after this service, since it needs rolloutControl). */
  attachWatch(watch: RolloutWatch): void {
    this.watch = watch;
  }

  /** Publishes every due rollout step (held while the watch still checks that environment). */
  async tick(): Promise<{ environment: Environment; flagKey: string; percent: number }[]> {
    // A live controller acts for this store: steps and bakes are its work (controllerStatus
    // stops this console's bakes when it appears and resumes them when it is gone).
    const status = await this.controllerStatus();
    if (status.active || status.stateUnknown) return [];
    // A bake that died (the store or the watch failed mid-bake) judged nothing: its step is
    // held (a running bake holds it) and baked again, never advanced on an unfinished bake.
    for (const environment of [...this.failedBakes]) {
      this.failedBakes.delete(environment);
      this.startBake(environment);
    }
    // A paused step still watched for its automatic rollback (one that failed, or never ran
    // before this console restarted) is checked again when due, and rolled back on a failed
    // check: the same rule as the controller's, so the breaching step does not stay live.
    // One check each, awaited like the controller's checks, so the tick that finds it due
    // has done the rollback.
    const now = this.deps.now();
    const rechecked = await Promise.all(
      [...this.watchAgain]
        .filter(([environment, at]) => at <= now && !this.bakes.has(environment))
        .map(async ([environment]) => ({
          environment,
          result: await this.bake(environment, { pausedOnly: true }),
        })),
    );
    // Resumed meanwhile (another admin, the CLI): baked as usual, without holding up the tick.
    for (const { environment, result } of rechecked)
      if (result?.outcome === 'step_changed' && result.step && !result.step.paused)
        this.startBake(environment);
    const publisher = this.publisher();
    const failures = new Set<string>();
    const damagedNow = new Set<Environment>();
    const done = await publisher.tickRollouts({
      // A rollout state that cannot be read: no step of the environment is advanced, and its
      // live step stays guarded (the controller's rule): a check of it is due at once, then at
      // every check interval (the bake of a damaged step checks once and says when again).
      onDamaged: (environment, damaged) => {
        damagedNow.add(environment);
        const problem = errorMessage((damaged[0] as DamagedRollout).error);
        const known = this.damagedStates.get(environment);
        if (known?.problem !== problem) {
          this.damagedStates.set(environment, {
            problem,
            advice: `No rollout step of ${environment} is advanced until it is mended; this console keeps checking the live step against the guards. ${damagedMend(damagedKeys({ damaged }))}`,
          });
          this.deps.log?.(`publishing: ${environment}: ${problem}`);
          this.changed('rollout state damaged', environment);
        }
        let watched: boolean;
        try {
          watched = this.watch?.isWatched(environment) === true;
        } catch {
          watched = false;
        }
        if (watched && !this.bakes.has(environment) && !this.watchAgain.has(environment))
          this.watchAgain.set(environment, now);
      },
      // Held while a bake runs, while a paused step is watched for its rollback, and while a
      // bake that died (also a paused step's check in this very tick) waits to run again.
      hold: (environment) =>
        this.bakes.has(environment) ||
        this.watchAgain.has(environment) ||
        this.failedBakes.has(environment),
      onError: (environment, flagKey, error) => {
        const key = `${environment}\u0000${flagKey}`;
        failures.add(key);
        const message = `The next step is due but could not be published: ${errorMessage(error)}`;
        if (this.tickProblems.get(key) !== message) {
          this.tickProblems.set(key, message);
          this.deps.log?.(`publishing: ${environment} ${flagKey}: ${message}`);
          this.changed('rollout step failed', environment);
        }
      },
    });
    for (const environment of [...this.damagedStates.keys()])
      if (!damagedNow.has(environment)) {
        this.damagedStates.delete(environment);
        this.changed('rollout state readable again', environment);
      }
    for (const step of done) {
      this.tickProblems.delete(`${step.environment}\u0000${step.flagKey}`);
      this.startBake(step.environment);
      this.changed('rollout step', step.environment);
    }
    return done;
  }

  /** Starts the scheduler (serve and the desktop app); bakes any running rollout's step. */
  start(): void {
    if (this.ticker) return;
    // Kept changes of a store this data folder no longer publishes to: nothing here will ever
    // settle them (unconfirmed-commits.ts).
    dropForgottenUnconfirmed(this.deps.db, {
      currentStoreUri: this.storeUri(),
      now: this.deps.now(),
      log: (line) => this.deps.log?.(line),
    });
    const controller = new AbortController();
    const interval = this.deps.tickMs ?? DEFAULT_TICK_MS;
    const tickLog = busyLogGate((line) => this.deps.log?.(line));
    const loop = async (): Promise<void> => {
      for (;;) {
        try {
          await this.deps.sleep(interval, controller.signal);
        } catch {
          return;
        }
        if (controller.signal.aborted) return;
        try {
          await this.tick();
          tickLog.succeeded('publishing: the rollout scheduler');
        } catch (error) {
          // A busy database (another process's lock) is tried again at the next tick.
          tickLog.failed(
            `publishing: the rollout scheduler could not run: ${errorMessage(error)}`,
            error,
          );
        }
      }
    };
    this.ticker = { controller, done: loop() };
    void this.resumeBakes();
  }

  private async resumeBakes(): Promise<void> {
    try {
      const status = await this.controllerStatus();
      if (status.active || status.stateUnknown) return;
      const publisher = this.publisher();
      // Paused ones too: where auto-rollback is on, a paused step still live is watched until
      // its rollback is done (the bake finds no step to watch otherwise).
      // An environment with a damaged rollout state is guarded from the first tick (onDamaged).
      for (const environment of ENVIRONMENTS)
        if (
          (await publisher.readRollouts(environment)).states.some(
            (r) => r.status === 'running' || r.status === 'paused',
          )
        )
          this.startBake(environment);
    } catch (error) {
      this.deps.log?.(`publishing: could not resume rollout watches: ${errorMessage(error)}`);
    }
  }

  async stop(): Promise<void> {
    const ticker = this.ticker;
    this.ticker = undefined;
    ticker?.controller.abort();
    await ticker?.done;
    for (const environment of [...this.bakes.keys()]) this.stopBake(environment);
    await this.opened?.store.close();
    this.opened = undefined;
    this.signers.clear();
  }

  /** Bakes the current step of `environment` with the production watch, when it has one. */
  startBake(environment: Environment): void {
    void this.bake(environment);
  }

  /** startBake, answering when the bake is over with its result (it never rejects). */
  private bake(
    environment: Environment,
    options: { pausedOnly?: boolean } = {},
  ): Promise<BakeResult | undefined> {
    const watch = this.watch;
    // A bake (or the controller, or nobody when the environment is not watched) takes over
    // a paused step's next check.
    this.watchAgain.delete(environment);
    if (!watch || this.controllerActive) return Promise.resolve(undefined);
    try {
      if (!watch.isWatched(environment)) return Promise.resolve(undefined);
    } catch {
      return Promise.resolve(undefined);
    }
    this.stopBake(environment);
    const controller = new AbortController();
    this.bakes.set(environment, controller);
    return watch
      .bake(environment, controller.signal, options)
      .then((result): BakeResult => {
        this.failedBakes.delete(environment);
        if (result.outcome !== 'cancelled' && this.bakes.get(environment) === controller)
          this.afterBake(environment, result);
        if (result.outcome !== 'cancelled')
          this.deps.log?.(`publishing: watch of ${environment}: ${result.outcome}`);
        return result;
      })
      .catch((error: unknown) => {
        if (this.bakes.get(environment) === controller) this.failedBakes.add(environment);
        this.deps.log?.(`publishing: watch of ${environment} failed: ${errorMessage(error)}`);
        return undefined;
      })
      .finally(() => {
        if (this.bakes.get(environment) === controller) {
          this.bakes.delete(environment);
          this.changed('watch finished', environment);
        }
      });
  }

  /** What a finished bake leaves: a paused step to check again, a failed rollback to show. */
  private afterBake(environment: Environment, result: BakeResult): void {
    if (result.watchAgainAt !== undefined) this.watchAgain.set(environment, result.watchAgainAt);
    // A damaged rollout state with no step of it live (nothing to guard, e.g. rolled back): looked
    // at again a minute later, not at every tick (each look reads the store and tells the windows).
    else if (result.outcome === 'no_step' && this.damagedStates.has(environment))
      this.watchAgain.set(environment, this.deps.now() + DAMAGED_IDLE_RECHECK_MS);
    else this.watchAgain.delete(environment);
    // A step guarded while a rollout state is damaged: the Watch view says what became of it.
    const damaged = result.step?.damaged;
    if (damaged && result.damagedAdvice)
      this.damagedStates.set(environment, {
        problem: this.damagedStates.get(environment)?.problem ?? damaged.problem,
        advice: result.damagedAdvice,
      });
    // A paused step checked again and passing keeps the earlier failure on show (the step is
    // still live); anything else says what became of it.
    if (result.outcome === 'checked') return;
    for (const key of [...this.rollbackProblems.keys()])
      if (key.startsWith(`${environment}\u0000`)) this.rollbackProblems.delete(key);
    if (result.outcome === 'rollback_failed' && result.step?.flag !== undefined)
      this.rollbackProblems.set(
        `${environment}\u0000${result.step.flag}`,
        result.rollbackFailure ?? 'Automatic rollback FAILED.',
      );
  }

  private stopBake(environment: Environment): void {
    this.bakes.get(environment)?.abort();
    this.bakes.delete(environment);
  }

  /**
   * A bake that was running when a controller took over must not act beside it: the
   * controller pauses and rolls back for the store (the next tick stops the bake).
   */
  private async refuseWhileControllerActs(environment: Environment): Promise<void> {
    const overview = await this.controllerStatus();
    if (!overview.active) return;
    const leader = overview.controllers.find((status) => status.alive && status.role === 'leader');
    throw new AppError(
      'conflict',
      `controller ${leader?.id ?? ''} on ${leader?.host ?? 'another host'} acts for this store, so this console left the pause or rollback of ${environment} to it`,
    );
  }

  /** The production watch's view of the rollout, on top of the signed publisher. */
  rolloutControl(): RolloutControl {
    // A damaged rollout state cannot be paused; the others are (as the controller does).
    const running = async (environment: Environment) =>
      (await this.publisher().readRollouts(environment)).states.filter(
        (state) => state.status === 'running',
      );
    return {
      storeUri: () => this.storeUri(),
      currentStep: async (environment, settings): Promise<RolloutStep | null> => {
        const publisher = this.publisher();
        const live = await publisher.live(environment, undefined, { underSignedOk: true });
        if (!live) return null;
        const read = await publisher.readRollouts(environment);
        // The controller's rule (one implementation): a running rollout's step, the final step
        // of a completed one while production still runs the version it published, and where
        // auto-rollback is on a paused step still live (its rollback is still to be done).
        if (read.damaged.length === 0) return watchedStep(read.states, live, settings, environment);
        // A rollout state that cannot be read: the live step stays guarded (the controller's
        // rule, damaged-state.ts), marked so the bake holds it and says what is damaged.
        const guarded = await guardedWhileDamaged(
          publisher,
          environment,
          live,
          read,
          settings,
          this.deps.now,
        );
        if (!guarded) return null;
        return {
          ...guarded.step,
          damaged: {
            keys: damagedKeys(read),
            problem: errorMessage((read.damaged[0] as DamagedRollout).error),
            fromVersion: guarded.fromVersion ?? null,
          },
        };
      },
      pause: async (environment, reason) => {
        await this.refuseWhileControllerActs(environment);
        const publisher = this.publisher();
        const states = await running(environment);
        for (const state of states)
          await publisher.pauseRollout(environment, state.flagKey, reason);
        if (states.length > 0) this.changed('rollout paused by the watch', environment);
        return states.length > 0;
      },
      rollback: async (environment, reason, step) => {
        await this.refuseWhileControllerActs(environment);
        if (this.signers.size === 0)
          throw new AppError(
            'forbidden',
            'no signing key is unlocked in the console, so the rollback could not be signed',
          );
        // The whole rollout goes back: to the content live before it started, not to the
        // previous step (a breach at 50 % would otherwise leave the flag on for 10 %).
        const publisher = this.publisher();
        const live = await publisher.live(environment, undefined, { underSignedOk: true });
        const waitsFor = (version: number, needed: number): AppError =>
          new AppError(
            'forbidden',
            `the rollback (version ${version}) waits for ${needed} more signature(s); co-sign it under Publishing`,
          );
        const rollBackTo = async (toVersion: number | undefined): Promise<void> => {
          // The watch tries again at each check while the step stays live: a rollback already
          // prepared and waiting for co-signatures is not prepared again (one more bundle to
          // sign at every check); it waits for the other admins.
          const waiting =
            toVersion === undefined
              ? undefined
              : await publisher.pendingRollbackTo(environment, toVersion);
          if (waiting) throw waitsFor(waiting.version, waiting.needed);
          // The reason (which guards breached) goes into the signed history, not only the pause.
          const outcome = await publisher.rollback(environment, toVersion, reason);
          this.changed('rolled back by the watch', environment);
          if (outcome.status === 'pending') throw waitsFor(outcome.version, outcome.needed);
        };
        // A step guarded while a rollout state is damaged: the signed bundles named the content
        // before the rollout; still that step live, else someone else moved it meanwhile.
        const damagedFrom = step?.damaged?.fromVersion;
        if (damagedFrom !== undefined) {
          if (!live || live.version !== step?.version || damagedFrom === null)
            throw new AppError(
              'conflict',
              `config version ${step?.version ?? ''} is not live in ${environment} any more (someone else rolled it back or published); nothing was rolled back`,
            );
          await rollBackTo(damagedFrom);
          return;
        }
        // The rollout the watch judged: running, or paused by this watch a moment ago, or
        // completed with its final step still live. None left means someone else (another
        // console's watch, an admin) already rolled it back or stopped it: a rollback "to the
        // version before" would then undo theirs and put the breaching content live again.
        const from = (await publisher.listRollouts(environment))
          .filter(
            (state) =>
              state.stepIndex >= 0 &&
              (state.status === 'running' ||
                state.status === 'paused' ||
                (state.status === 'completed' && state.lastStepVersion === live?.version)),
          )
          .sort((a, b) => (b.lastStepAt ?? 0) - (a.lastStepAt ?? 0))[0]?.fromVersion;
        if (!live || from === undefined)
          throw new AppError(
            'conflict',
            `no rollout step is live in ${environment} any more (someone else rolled it back or stopped it); nothing was rolled back`,
          );
        const toVersion = from >= 1 && from < live.version ? from : undefined;
        await rollBackTo(toVersion);
      },
    };
  }
}
