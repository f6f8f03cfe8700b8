/**
 * The publisher: signs routing configs into bundles and moves them through dev → staging →
 * production in a config store, with co-signing, gradual flag rollouts, a kill switch and
 * rollback. Every write is compare-and-swap, retried on top of a concurrent change; every
 * action is handed to the history sink.
 *
 * Rules:
 * - Versions only go up; a rollback republishes earlier content under a new, higher version.
 * - Production takes only content that is live in staging (promote), except the operations that
 *   change one flag of what production already runs (rollout steps, kill switch) and rollbacks
 *   to content production already ran.
 * - A bundle with fewer signatures than the environment's threshold waits in `pending/` for
 *   co-signatures and becomes current when the threshold is met.
 */
import { AppError, ValidationError, type ValidationIssue } from '../../../shared/errors';
import {
  ENVIRONMENTS,
  promotionSource,
  type Environment,
} from '../../../shared/rollout/environments';
import {
  diffJson,
  jsonEqual,
  summarizeDiff,
  type JsonDiffEntry,
} from '../../../shared/rollout/json-diff';
import {
  getFlag,
  nextStepDueAt,
  parseRolloutPlan,
  parseRolloutState,
  rolloutPercentOf,
  withFlagOff,
  withRolloutPercent,
  type ConfigObject,
  type RolloutPlanInput,
  type RolloutState,
} from '../../../shared/rollout/flag-rollout';
import {
  BUNDLE_SCHEMA,
  CURRENT_SCHEMA,
  ENVELOPE_FORMAT,
  TRUST_SCHEMA,
  base64UrlEncode,
  bundlePayloadProblem,
  canonicalJson,
  currentPointerProblem,
  flagsFileText,
  operatorContentProblem,
  sha256Digest,
  storeKeys,
  trustPayloadProblem,
  type BundlePayload,
  type CurrentPointer,
  type JwsSignature,
  type PublicJwk,
  type SignedEnvelope,
  type TrustPayload,
} from '../../../consumer/bundle-format';
import {
  countSignatures,
  decodeEnvelope,
  verifyBundle,
  verifyTrustFile,
  type VerifiedTrust,
} from '../../../consumer/verify-bundle';
import {
  isConflict,
  StoreConflictError,
  type ConfigStore,
  type StoreEntry,
  type StoreWrite,
} from '../stores/config-store';
import type { HistoryAction, HistoryInput } from './history';
import type { UnconfirmedCommits } from './unconfirmed-commits';
import type { PublicKeyInfo, Signer } from './keys';

export type ConfigProblem = string | { path?: string; message: string };

/**
 * A value read back from the store as JSON; one that is not (cut short, edited by hand) is a
 * clear error naming its key, not a bare "Unexpected end of JSON input".
 */
function storedJson(key: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError(
      'validation',
      `The ${what} (${key} in the config store) is not valid JSON: it was cut short or edited by hand. Nothing is done with it until it is mended (publish or roll back from a console, or restore the value).`,
    );
  }
}

export interface PublisherDeps {
  store: ConfigStore;
  /** Keys this admin has unlocked for this session. */
  signers: readonly Signer[];
  /** The routing config checks (weights, chains, evidence, ...); an empty list = fine. */
  validateConfig: (config: ConfigObject) => ConfigProblem[];
  /**
   * The routing checks' warnings (a simulated sandbox model, thin evidence, ...): shown with a
   * plan, never blocking. Default none.
   */
  configWarnings?: (config: ConfigObject) => ConfigProblem[];
  now: () => number;
  /** Who is acting (shown in history). */
  actor: string;
  /**
   * History sink, e.g. the shared log in the store (`SharedHistory.append`). Awaited after the
   * action is committed; it should not throw (log its own failures).
   */
  record?: (entry: HistoryInput) => unknown;
  /** Bundle lifetime per environment, ms. Default 90 days. */
  expiresInMs?: Partial<Record<Environment, number>>;
  /** Attempts on conflict before giving up. Default 25. */
  maxAttempts?: number;
  /**
   * Commits whose answer was lost and whose outcome could not be read back (the store did not
   * answer), with the history entry each owes if it went in. Kept in the data folder's
   * database (unconfirmed-commits.ts), so it outlives this publisher and this process: the
   * next read of the environment's live state (`live`, before anything else is done) by any
   * process on the folder settles them, recording the entry of one that went in, once.
   * Without it such a step gets no history entry.
   */
  unconfirmed?: UnconfirmedCommits;
}

export type PublishOutcome =
  | {
      status: 'published';
      environment: Environment;
      version: number;
      digest: string;
      keyIds: string[];
      diff: JsonDiffEntry[];
      summary: string;
      /** 'operator': signed by the online operator role on top of fully signed content. */
      signedAs?: 'threshold' | 'operator';
    }
  | {
      status: 'pending';
      environment: Environment;
      version: number;
      digest: string;
      keyIds: string[];
      /** Signatures still missing. */
      needed: number;
      diff: JsonDiffEntry[];
      summary: string;
    }
  | { status: 'unchanged'; environment: Environment; version: number; digest: string };

export interface LiveState {
  environment: Environment;
  version: number;
  digest: string;
  config: ConfigObject;
  keyIds: string[];
  issuedAt: string;
  expiresAt: string;
  pointerEtag: string;
  /** 'operator': signed by the operator role; its authority is basisKeyIds' signatures. */
  signedAs?: 'threshold' | 'operator';
  /** For operator-signed bundles: the environment keys that signed the basis. */
  basisKeyIds?: string[];
}

export interface ChangePlan {
  environment: Environment;
  fromVersion: number;
  toVersion: number;
  diff: JsonDiffEntry[];
  summary: string;
  /** The routing checks' errors: the config cannot be signed. */
  problems: ValidationIssue[];
  /** The routing checks' warnings: signing is allowed, but the admin should read them first. */
  warnings: ValidationIssue[];
}

export interface PendingBundle {
  environment: Environment;
  digest: string;
  version: number;
  previousDigest: string | null;
  keyIds: string[];
  needed: number;
  /** False when current moved on since it was built; it can no longer become current. */
  applicable: boolean;
  diff: JsonDiffEntry[];
  summary: string;
  config: ConfigObject;
}

const DAY = 24 * 60 * 60 * 1000;
const DEFAULT_EXPIRY = 90 * DAY;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function toIssues(problems: ConfigProblem[]): ValidationIssue[] {
  return problems.map((problem) =>
    typeof problem === 'string'
      ? { path: '', message: problem }
      : { path: problem.path ?? '', message: problem.message },
  );
}

type Kind = Extract<
  HistoryAction,
  'publish' | 'promote' | 'rollout_step' | 'rollback' | 'kill_switch' | 'renew'
>;

/**
 * How an action may use the operator role: 'allow' = when the unlocked environment keys do not
 * meet the threshold and an operator key is unlocked; 'require' = only with the operator role.
 */
export type OperatorMode = 'allow' | 'require';

interface OperatorPlan {
  mode: OperatorMode;
  /** The version whose fully signed content the new bundle republishes (default: current). */
  basisVersion?: (current: LiveState | undefined) => number | undefined;
}

/** A fully signed bundle that operator-signed bundles may name as their basis. */
/** The operator role to write into a trust file. */
export interface OperatorRoleInput {
  keys: readonly { kid: string; name: string; publicJwk: PublicJwk }[];
  threshold: number;
}

export interface OperatorBasis {
  version: number;
  digest: string;
  envelope: SignedEnvelope;
  payload: BundlePayload;
}

/** A rollout state in the store that cannot be used, and why (`error`, naming the key). */
export interface DamagedRollout {
  key: string;
  flagKey: string;
  error: unknown;
}

export class Publisher {
  constructor(private readonly deps: PublisherDeps) {}

  get store(): ConfigStore {
    return this.deps.store;
  }

  // ---- reading -----------------------------------------------------------------------------

  async readTrust(environment: Environment): Promise<VerifiedTrust & { etag: string }> {
    const entry = await this.deps.store.get(storeKeys.trust(environment));
    if (!entry)
      throw new AppError(
        'not_found',
        `The config store ${this.deps.store.uri} has no trust file for ${environment}. Create it first: aideon config trust init --store ${this.deps.store.uri} --keys KID,...`,
      );
    const verified = await verifyTrustFile(
      storedJson(storeKeys.trust(environment), entry.value, `trust file of ${environment}`),
    );
    if (!verified.ok)
      throw new AppError(
        'validation',
        `The trust file of ${environment} is refused: ${verified.message}`,
      );
    return { trust: verified.trust, digest: verified.digest, etag: entry.etag };
  }

  /**
   * What is live in an environment (signatures checked; expiry not, so it can be replaced).
   * `underSignedOk`: also accept a live bundle that has fewer signatures than the trust file
   * asks for now (the threshold was raised after it went live), as long as at least one is by
   * a key the trust file lists: it can then be replaced by a fully signed version on top.
   */
  async live(
    environment: Environment,
    trust?: TrustPayload,
    options: { underSignedOk?: boolean } = {},
  ): Promise<(LiveState & { underSigned?: boolean }) | undefined> {
    await this.settleUnconfirmed(environment);
    const pointerEntry = await this.deps.store.get(storeKeys.current(environment));
    if (!pointerEntry) return undefined;
    const pointer = storedJson(
      storeKeys.current(environment),
      pointerEntry.value,
      'current pointer',
    ) as CurrentPointer;
    const pointerProblem = currentPointerProblem(pointer);
    if (pointerProblem)
      throw new AppError(
        'validation',
        `${environment}: the current pointer (${storeKeys.current(environment)} in the config store) is refused: ${pointerProblem}.`,
      );
    const bundleEntry = await this.deps.store.get(storeKeys.version(environment, pointer.version));
    if (!bundleEntry)
      throw new AppError(
        'not_found',
        `${environment}: the current pointer names version ${pointer.version}, which is missing from the store.`,
      );
    const trustNow = trust ?? (await this.readTrust(environment)).trust;
    const raw = storedJson(
      storeKeys.version(environment, pointer.version),
      bundleEntry.value,
      `live bundle (version ${pointer.version})`,
    );
    const verifyWith = (payloadTrust: TrustPayload) =>
      verifyBundle(raw, {
        trust: payloadTrust,
        environment,
        now: this.deps.now(),
        expectedDigest: pointer.digest,
        ignoreExpiry: true,
      });
    let verified = await verifyWith(trustNow);
    let underSigned = false;
    if (!verified.ok && verified.reason === 'threshold_not_met' && options.underSignedOk) {
      // Same checks with the environment's threshold at 1: one trusted signature still verifies.
      verified = await verifyWith({
        ...trustNow,
        thresholds: { ...trustNow.thresholds, [environment]: 1 },
      });
      underSigned = verified.ok;
    }
    if (!verified.ok)
      throw new AppError(
        'validation',
        `${environment}: the live bundle (version ${pointer.version}) is refused (${verified.reason}): ${verified.message}`,
      );
    return {
      environment,
      version: verified.version,
      digest: verified.digest,
      config: verified.config,
      keyIds: verified.keyIds,
      issuedAt: verified.issuedAt,
      expiresAt: verified.expiresAt,
      pointerEtag: pointerEntry.etag,
      signedAs: verified.signedAs,
      ...(verified.basis ? { basisKeyIds: verified.basis.keyIds } : {}),
      ...(underSigned ? { underSigned } : {}),
    };
  }

  /** The config of a stored version (integrity checked; signatures may be under older keys). */
  async versionConfig(environment: Environment, version: number): Promise<ConfigObject> {
    return (await this.versionBundle(environment, version)).config;
  }

  /**
   * A stored version: its payload (integrity checked) and the key ids in its signature headers
   * (not verified here: older versions may be signed under older trust files).
   */
  async versionBundle(
    environment: Environment,
    version: number,
  ): Promise<{
    version: number;
    digest: string;
    issuedAt: string;
    previousDigest: string | null;
    keyIds: string[];
    config: ConfigObject;
  }> {
    const entry = await this.deps.store.get(storeKeys.version(environment, version));
    if (!entry) throw new AppError('not_found', `${environment} has no version ${version}.`);
    const decoded = decodeEnvelope(JSON.parse(entry.value));
    if (!decoded.ok)
      throw new AppError(
        'validation',
        `${environment} version ${version} is refused: ${decoded.message}`,
      );
    const problem = bundlePayloadProblem(decoded.payload.value);
    if (problem) throw new AppError('validation', `${environment} version ${version}: ${problem}.`);
    const payload = decoded.payload.value as BundlePayload;
    return {
      version: payload.version,
      digest: decoded.payload.digest,
      issuedAt: payload.issuedAt,
      previousDigest: payload.previousDigest,
      keyIds: decoded.envelope.jws.signatures.map(kidOf).filter(Boolean),
      config: payload.config,
    };
  }

  // ---- "what will change" --------------------------------------------------------------------

  async plan(environment: Environment, config: ConfigObject): Promise<ChangePlan> {
    const current = await this.live(environment, undefined, { underSignedOk: true });
    const diff = diffJson(current?.config ?? {}, config);
    return {
      environment,
      fromVersion: current?.version ?? 0,
      toVersion: (current?.version ?? 0) + 1,
      diff,
      summary: summarizeDiff(diff),
      problems: toIssues(this.deps.validateConfig(config)),
      warnings: toIssues(this.deps.configWarnings?.(config) ?? []),
    };
  }

  async planPromotion(
    target: Environment,
  ): Promise<ChangePlan & { source: Environment; sourceVersion: number }> {
    const source = this.requireSource(target);
    const from = await this.live(source, undefined, { underSignedOk: true });
    if (!from)
      throw new AppError('not_found', `${source} has nothing live to promote to ${target}.`);
    return { ...(await this.plan(target, from.config)), source, sourceVersion: from.version };
  }

  async planRollback(
    environment: Environment,
    toVersion?: number,
  ): Promise<ChangePlan & { restoresVersion: number }> {
    const current = await this.live(environment, undefined, { underSignedOk: true });
    if (!current) throw new AppError('not_found', `${environment} has nothing live to roll back.`);
    const restoresVersion = await this.rollbackTarget(environment, current, toVersion);
    const config = await this.versionConfig(environment, restoresVersion);
    return { ...(await this.plan(environment, config)), restoresVersion };
  }

  // ---- publish, promote, rollback -----------------------------------------------------------

  async publish(
    environment: Environment,
    config: ConfigObject,
    options: { allowUnchanged?: boolean } = {},
  ): Promise<PublishOutcome> {
    return this.publishWith(environment, 'publish', {}, async (current) => {
      if (environment === 'production') await this.requireLiveInStaging(config);
      if (!options.allowUnchanged && current && jsonEqual(current.config, config)) return undefined;
      return config;
    });
  }

  /** Publishes the exact config live in the previous environment (dev → staging → production). */
  async promote(target: Environment): Promise<PublishOutcome> {
    const source = this.requireSource(target);
    const from = await this.live(source, undefined, { underSignedOk: true });
    if (!from)
      throw new AppError('not_found', `${source} has nothing live to promote to ${target}.`);
    return this.publishWith(
      target,
      'promote',
      { from: source, sourceVersion: from.version, sourceDigest: from.digest },
      async (current) =>
        current && jsonEqual(current.config, from.config) ? undefined : from.config,
    );
  }

  /**
   * Republishes an earlier version's content (default: the newest earlier version whose content
   * differs from what is live) under a new, higher version. Running rollouts there stop.
   * `reason` (e.g. the guards that breached) goes into the history entry.
   */
  async rollback(
    environment: Environment,
    toVersion?: number,
    reason?: string,
    options: { operator?: OperatorMode } = {},
  ): Promise<PublishOutcome> {
    let restores = 0;
    let attempts = 0;
    const outcome = await this.publishWith(
      environment,
      'rollback',
      reason === undefined ? {} : { reason },
      async (current) => {
        if (!current)
          throw new AppError('not_found', `${environment} has nothing live to roll back.`);
        attempts += 1;
        // The target is chosen once, against what was live when the rollback was asked for. A
        // retry after a conflict runs on top of someone else's version (often their rollback
        // of the same bad version): choosing again from there would roll back their rollback
        // and put the bad content live again.
        if (attempts === 1) restores = await this.rollbackTarget(environment, current, toVersion);
        const config = await this.versionConfig(environment, restores);
        // Whoever moved first already restored this content: nothing left to do.
        if (attempts > 1 && jsonEqual(current.config, config)) return undefined;
        return config;
      },
      () => ({ restoresVersion: restores }),
      { operator: { mode: options.operator ?? 'allow', basisVersion: () => restores } },
    );
    // 'unchanged' only comes from a retry on top of someone else's rollback to the same
    // content: their rollouts stop too (they may have crashed before stopping them).
    if (outcome.status === 'published' || outcome.status === 'unchanged')
      await this.stopRollouts(environment, undefined, `rollback to version ${restores}`);
    return outcome;
  }

  // ---- the operator role (the controller's online key) ----------------------------------------

  /**
   * Rollback signed by the operator role: republishes the content of `toVersion` (default: the
   * newest earlier version with other content), which must carry the full threshold (or be an
   * operator bundle whose basis does). Running rollouts there stop.
   */
  rollbackAsOperator(
    environment: Environment,
    toVersion?: number,
    reason?: string,
  ): Promise<PublishOutcome> {
    return this.rollback(environment, toVersion, reason, { operator: 'require' });
  }

  /** Kill switch in one environment, signed by the operator role; stops the flag's rollouts. */
  async killSwitchAsOperator(
    environment: Environment,
    flagKey: string,
    reason?: string,
    offVariant?: string,
  ): Promise<PublishOutcome> {
    const outcome = await this.killOne(environment, flagKey, offVariant, reason, 'require');
    return outcome;
  }

  /**
   * Freshness renewal: the content live now, republished under a new version with a new
   * issuedAt/expiresAt. Uses the operator role when the unlocked environment keys do not meet
   * the threshold (`operator: 'require'` forces it). With `ifExpiresWithinMs`, renews only when
   * the live bundle expires within that time (otherwise answers 'unchanged').
   */
  async renewFreshness(
    environment: Environment,
    options: { ifExpiresWithinMs?: number; operator?: OperatorMode; reason?: string } = {},
  ): Promise<PublishOutcome> {
    let expiring: string | undefined;
    return this.publishWith(
      environment,
      'renew',
      options.reason === undefined ? {} : { reason: options.reason },
      async (current) => {
        if (!current) throw new AppError('not_found', `${environment} has nothing live to renew.`);
        expiring = current.expiresAt;
        if (
          options.ifExpiresWithinMs !== undefined &&
          Date.parse(current.expiresAt) - this.deps.now() > options.ifExpiresWithinMs
        )
          return undefined;
        return current.config;
      },
      () => ({ previousExpiresAt: expiring }),
      { operator: { mode: options.operator ?? 'allow' } },
    );
  }

  /** The next due rollout step, signed by the operator role (the step must be pre-authorised). */
  advanceRolloutAsOperator(
    environment: Environment,
    flagKey: string,
  ): Promise<{ state: RolloutState; outcome: PublishOutcome }> {
    return this.advanceRollout(environment, flagKey, { operator: 'require' });
  }

  private async rollbackTarget(
    environment: Environment,
    current: LiveState,
    toVersion: number | undefined,
  ): Promise<number> {
    if (toVersion !== undefined) {
      if (!Number.isInteger(toVersion) || toVersion < 1 || toVersion >= current.version)
        throw new ValidationError('rollback', [
          { path: 'toVersion', message: `must be a version from 1 to ${current.version - 1}` },
        ]);
      return toVersion;
    }
    for (let version = current.version - 1; version >= 1; version -= 1) {
      const config = await this.versionConfig(environment, version);
      if (!jsonEqual(config, current.config)) return version;
    }
    throw new AppError(
      'not_found',
      `${environment} has no earlier version with other content to roll back to.`,
    );
  }

  private requireSource(target: Environment): Environment {
    const source = promotionSource(target);
    if (!source)
      throw new ValidationError('promotion', [
        { path: 'environment', message: 'dev is the first environment; publish to it instead' },
      ]);
    return source;
  }

  private async requireLiveInStaging(config: ConfigObject): Promise<void> {
    const staging = await this.live('staging', undefined, { underSignedOk: true });
    if (!staging || !jsonEqual(staging.config, config))
      throw new AppError(
        'forbidden',
        staging
          ? `Production only takes content that is live in staging, and staging (version ${staging.version}) runs other content. Publish it to staging first, then promote staging to production.`
          : 'Production only takes content that is live in staging, and staging has nothing yet. Publish to dev, promote to staging, then promote to production.',
      );
  }

  /**
   * The compare-and-swap loop: read what is live, build the next version on top, sign it, and
   * commit `versions/<n>`, `flags.json` and `current` in one write; on a conflict, start over.
   * With `operator`, the action may be signed by the operator role (see OperatorMode): the
   * bundle then carries the fully signed bundle it republishes as `basis`.
   */
  private async publishWith(
    environment: Environment,
    kind: Kind,
    detail: Record<string, unknown>,
    makeConfig: (current: LiveState | undefined) => Promise<ConfigObject | undefined>,
    lateDetail: () => Record<string, unknown> = () => ({}),
    extras: {
      operator?: OperatorPlan;
      rampSteps?: (current: LiveState | undefined) => BundlePayload['rampSteps'];
      /** Writes committed together with the new version (e.g. the rollout state, by CAS). */
      extraWrites?: (version: number) => StoreWrite[];
    } = {},
  ): Promise<PublishOutcome> {
    const attempts = this.deps.maxAttempts ?? 25;
    for (let attempt = 1; ; attempt += 1) {
      const { trust } = await this.readTrust(environment);
      const current = await this.live(environment, trust, { underSignedOk: true });
      const config = await makeConfig(current);
      if (config === undefined)
        return {
          status: 'unchanged',
          environment,
          version: current?.version ?? 0,
          digest: current?.digest ?? '',
        };
      const problems = toIssues(this.deps.validateConfig(config));
      if (problems.length > 0) throw new ValidationError('routing config', problems);
      const version = (current?.version ?? 0) + 1;
      const threshold = trust.thresholds[environment];
      const humanKeys = this.deps.signers.filter((signer) => trust.keys[signer.kid]).length;
      const operatorKeys = this.operatorSigners(trust).length;
      const mode = extras.operator?.mode;
      const useOperator =
        mode !== undefined &&
        (mode === 'require' || humanKeys < threshold) &&
        trust.operator !== undefined &&
        operatorKeys >= trust.operator.threshold;
      if (mode === 'require' && !useOperator)
        throw new AppError(
          'forbidden',
          trust.operator
            ? `The operator role of ${environment} needs ${trust.operator.threshold} operator signature(s); the unlocked operator keys give ${operatorKeys}. Nothing was published.`
            : `The trust file of ${environment} has no operator role; add one (aideon config trust set-operator) before the controller can act. Nothing was published.`,
        );
      let basis: OperatorBasis | undefined;
      if (useOperator) {
        const basisVersion =
          extras.operator?.basisVersion?.(current) ?? current?.version ?? undefined;
        if (basisVersion === undefined)
          throw new AppError(
            'not_found',
            `${environment} has nothing live for the operator to act on.`,
          );
        basis = await this.operatorBasis(environment, basisVersion, trust);
        const contentProblem = operatorContentProblem(config, basis.payload);
        if (contentProblem)
          throw new AppError(
            'forbidden',
            `The operator role may not sign this ${kind.replace('_', ' ')} in ${environment}: ${contentProblem} compared with fully signed version ${basis.payload.version}. New content needs ${threshold} signature(s) by the environment's keys. Nothing was published.`,
          );
      }
      const rampSteps = useOperator ? undefined : extras.rampSteps?.(current);
      const built = this.buildBundle(environment, version, current?.digest ?? null, config, {
        ...(basis ? { basis: basis.envelope } : {}),
        ...(rampSteps && Object.keys(rampSteps).length > 0 ? { rampSteps } : {}),
      });
      let signatures = await this.signWith(built.payloadB64, trust, []);
      if (useOperator) signatures = await this.signAsOperator(built.payloadB64, trust, signatures);
      if (signatures.length === 0)
        throw new AppError(
          'forbidden',
          `None of your unlocked keys (${this.deps.signers.map((signer) => signer.kid).join(', ') || 'none'}) is in the trust file of ${environment}; nothing was published. Use a listed key, or have the trust file rotated to include yours.`,
        );
      const envelope: SignedEnvelope = {
        format: ENVELOPE_FORMAT,
        digest: built.digest,
        jws: { payload: built.payloadB64, signatures },
      };
      const keyIds = signatures.map((signature) => kidOf(signature));
      const diff = diffJson(current?.config ?? {}, config);
      const summary = summarizeDiff(diff);
      const humanSigned = keyIds.filter((kid) => trust.keys[kid]).length;
      try {
        if (useOperator || humanSigned >= threshold) {
          const signedAs = useOperator ? ('operator' as const) : ('threshold' as const);
          const entry = (): HistoryInput =>
            this.historyEntry(kind, environment, version, built.digest, keyIds, summary, {
              ...detail,
              ...lateDetail(),
              signedAs,
              ...(basis ? { basisVersion: basis.version } : {}),
              diff: diff.slice(0, 50),
              attempts: attempt,
            });
          await this.commitVersion(
            environment,
            envelope,
            version,
            config,
            current?.pointerEtag ?? null,
            extras.extraWrites?.(version) ?? [],
            entry,
          );
          await this.deps.record?.(entry());
          return {
            status: 'published',
            environment,
            version,
            digest: built.digest,
            keyIds,
            diff,
            summary,
            signedAs,
          };
        }
        await this.deps.store.commit([
          {
            key: storeKeys.pending(environment, built.digest),
            value: `${JSON.stringify(envelope)}\n`,
            expect: null,
          },
        ]);
        await this.recordAction('pending', environment, version, built.digest, keyIds, summary, {
          ...detail,
          ...lateDetail(),
          kind,
          needed: threshold - humanSigned,
          diff: diff.slice(0, 50),
        });
        return {
          status: 'pending',
          environment,
          version,
          digest: built.digest,
          keyIds,
          needed: threshold - humanSigned,
          diff,
          summary,
        };
      } catch (error) {
        if (!isConflict(error) || attempt >= attempts) throw error;
      }
    }
  }

  /** Unlocked signers that are operator keys of this trust file. */
  private operatorSigners(trust: TrustPayload): Signer[] {
    const keys = trust.operator?.keys ?? {};
    return this.deps.signers.filter((signer) => Object.hasOwn(keys, signer.kid));
  }

  private async signAsOperator(
    payloadB64: string,
    trust: TrustPayload,
    existing: readonly JwsSignature[],
  ): Promise<JwsSignature[]> {
    const present = new Set(existing.map(kidOf));
    const out = [...existing];
    for (const signer of this.operatorSigners(trust)) {
      if (present.has(signer.kid)) continue;
      out.push(await signer.sign(payloadB64));
      present.add(signer.kid);
    }
    return out;
  }

  /**
   * The fully signed bundle behind `version`: the version itself when it meets the environment's
   * threshold under `trust`, or the basis it carries when it was operator-signed. Throws when
   * neither carries the full threshold (the operator can then not act on it).
   */
  async operatorBasis(
    environment: Environment,
    version: number,
    trust?: TrustPayload,
  ): Promise<OperatorBasis> {
    const trustNow = trust ?? (await this.readTrust(environment)).trust;
    const entry = await this.deps.store.get(storeKeys.version(environment, version));
    if (!entry) throw new AppError('not_found', `${environment} has no version ${version}.`);
    let raw = JSON.parse(entry.value) as unknown;
    const decoded = decodeEnvelope(raw);
    if (!decoded.ok)
      throw new AppError('validation', `${environment} version ${version}: ${decoded.message}`);
    const payload = decoded.payload.value as BundlePayload;
    if (payload.basis !== undefined) raw = payload.basis;
    const basisDecoded = decodeEnvelope(raw);
    if (!basisDecoded.ok)
      throw new AppError(
        'validation',
        `${environment} version ${version}: its basis is refused: ${basisDecoded.message}`,
      );
    const basisPayload = basisDecoded.payload.value as BundlePayload;
    const problem = bundlePayloadProblem(basisPayload);
    if (problem) throw new AppError('validation', `${environment} version ${version}: ${problem}.`);
    const count = await countSignatures(basisDecoded.envelope, trustNow);
    const threshold = trustNow.thresholds[environment];
    const valid = 'ok' in count ? 0 : count.invalid.length > 0 ? -1 : count.valid.length;
    if (
      basisPayload.basis !== undefined ||
      basisPayload.environment !== environment ||
      valid < threshold
    )
      throw new AppError(
        'forbidden',
        `${environment} version ${basisPayload.version} does not carry the full threshold (${threshold} signature(s) by the environment's keys under trust version ${trustNow.version}), so the operator role may not republish it. Sign it with the environment's keys instead.`,
      );
    return {
      version: basisPayload.version,
      digest: basisDecoded.payload.digest,
      envelope: basisDecoded.envelope,
      payload: basisPayload,
    };
  }

  private buildBundle(
    environment: Environment,
    version: number,
    previousDigest: string | null,
    config: ConfigObject,
    extra: Pick<BundlePayload, 'basis' | 'rampSteps'> = {},
  ): { payloadB64: string; digest: string } {
    const now = this.deps.now();
    const payload: BundlePayload = {
      schema: BUNDLE_SCHEMA,
      environment,
      version,
      issuedAt: iso(now),
      expiresAt: iso(now + (this.deps.expiresInMs?.[environment] ?? DEFAULT_EXPIRY)),
      previousDigest,
      config,
      ...extra,
    };
    const text = canonicalJson(payload);
    return { payloadB64: base64UrlEncode(text), digest: sha256Digest(text) };
  }

  /** Signatures by this session's keys that the trust file lists and that are not there yet. */
  private async signWith(
    payloadB64: string,
    trust: TrustPayload,
    existing: readonly JwsSignature[],
  ): Promise<JwsSignature[]> {
    const present = new Set(existing.map(kidOf));
    const out = [...existing];
    for (const signer of this.deps.signers) {
      if (!trust.keys[signer.kid] || present.has(signer.kid)) continue;
      out.push(await signer.sign(payloadB64));
      present.add(signer.kid);
    }
    return out;
  }

  /**
   * Commits of `environment` whose outcome was not known (see `unconfirmed`): each is looked up
   * in the store (the pointer names it, or a later version was built on it with its version
   * file ours) and its history entry recorded when it went in, else dropped; one whose lookup
   * fails again stays for the next read. Each is taken out before it is looked up, so two reads
   * at once cannot record it twice.
   */
  async settleUnconfirmed(environment: Environment): Promise<void> {
    const unconfirmed = this.deps.unconfirmed;
    if (!unconfirmed) return;
    for (const { key, entry } of unconfirmed.list(this.deps.store.uri, environment)) {
      if (entry.version === null || entry.digest === null) {
        unconfirmed.take(key);
        continue;
      }
      let wentIn: boolean;
      try {
        wentIn = await this.committedAs(environment, entry.version, entry.digest);
      } catch {
        // Still not readable: it stays for the next read.
        continue;
      }
      // Another read (of this process or another on the folder) settled it meanwhile.
      if (!unconfirmed.take(key)) continue;
      if (wentIn)
        await this.deps.record?.({
          ...entry,
          detail: { ...entry.detail, confirmedAfterLostAnswer: true },
        });
    }
  }

  /** Whether version `version` of `environment` went in with `digest` (see settleUnconfirmed). */
  private async committedAs(
    environment: Environment,
    version: number,
    digest: string,
  ): Promise<boolean> {
    const pointerEntry = await this.deps.store.get(storeKeys.current(environment));
    let pointer: Partial<CurrentPointer>;
    try {
      pointer = JSON.parse(pointerEntry?.value ?? '') as Partial<CurrentPointer>;
    } catch {
      return false;
    }
    if (pointer.version === version) return pointer.digest === digest;
    if (typeof pointer.version !== 'number' || pointer.version < version) return false;
    const versionEntry = await this.deps.store.get(storeKeys.version(environment, version));
    try {
      return (JSON.parse(versionEntry?.value ?? '') as Partial<SignedEnvelope>).digest === digest;
    } catch {
      return false;
    }
  }

  private async commitVersion(
    environment: Environment,
    envelope: SignedEnvelope,
    version: number,
    config: ConfigObject,
    pointerEtag: string | null,
    extra: StoreWrite[] = [],
    /** The history entry the commit owes (kept in `unconfirmed` when its outcome is unknown). */
    owed?: () => HistoryInput,
  ): Promise<void> {
    const versionKey = storeKeys.version(environment, version);
    // A version file not named by `current` was left by a crashed directory commit: replace it.
    const orphan = await this.deps.store.get(versionKey);
    const pointer: CurrentPointer = { schema: CURRENT_SCHEMA, version, digest: envelope.digest };
    try {
      await this.commitWrites(
        environment,
        versionKey,
        envelope,
        config,
        pointer,
        orphan?.etag,
        pointerEtag,
        extra,
      );
    } catch (error) {
      // The transaction was sent and its answer lost (a connection cut, a process stopping):
      // it may have gone in. Reading the pointer back tells; a step that went in is then
      // recorded and reported as published, instead of "not applied" with no history entry.
      if ((error as { outcomeUnknown?: unknown }).outcomeUnknown !== true) throw error;
      let now: StoreEntry | undefined;
      try {
        now = await this.deps.store.get(storeKeys.current(environment));
      } catch {
        // Settled at the next read of the environment (live), by this process or another on
        // the same data folder: recorded then if it went in.
        const kept =
          owed && this.deps.unconfirmed
            ? this.deps.unconfirmed.keep(
                JSON.stringify([this.deps.store.uri, environment, version, envelope.digest]),
                owed(),
              )
            : false;
        throw new AppError(
          'provider_unavailable',
          `${(error instanceof Error ? error.message : String(error)).replace(/\.$/, '')}. It is not known whether version ${version} of ${environment} was written: the store could not be read back. ${
            kept
              ? `This is kept in the data folder: the next Aideon process on it that reads ${environment} of ${this.deps.store.uri} (the console, the controller, or a command such as \`aideon config history --store ${this.deps.store.uri} --env ${environment}\`) checks whether it went in and, if it did, enters it in the history then, once.`
              : `Check what is live before doing anything else: \`aideon config history --store ${this.deps.store.uri} --env ${environment}\`.`
          }`,
          { retryable: true },
        );
      }
      const written = (() => {
        try {
          const value = JSON.parse(now?.value ?? '') as Partial<CurrentPointer>;
          return value.version === version && value.digest === envelope.digest;
        } catch {
          return false;
        }
      })();
      if (!written) throw error;
    }
  }

  private async commitWrites(
    environment: Environment,
    versionKey: string,
    envelope: SignedEnvelope,
    config: ConfigObject,
    pointer: CurrentPointer,
    orphanEtag: string | undefined,
    pointerEtag: string | null,
    extra: StoreWrite[],
  ): Promise<void> {
    await this.deps.store.commit([
      { key: versionKey, value: `${JSON.stringify(envelope)}\n`, expect: orphanEtag ?? null },
      {
        key: storeKeys.flags(environment),
        value: flagsFileText(config),
      },
      ...extra,
      {
        key: storeKeys.current(environment),
        value: `${JSON.stringify(pointer)}\n`,
        expect: pointerEtag,
      },
    ]);
  }

  private async recordAction(
    action: HistoryAction,
    environment: Environment | null,
    version: number | null,
    digest: string | null,
    keyIds: string[],
    diffSummary: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.record?.(
      this.historyEntry(action, environment, version, digest, keyIds, diffSummary, detail),
    );
  }

  private historyEntry(
    action: HistoryAction,
    environment: Environment | null,
    version: number | null,
    digest: string | null,
    keyIds: string[],
    diffSummary: string,
    detail: Record<string, unknown>,
  ): HistoryInput {
    return {
      at: this.deps.now(),
      actor: this.deps.actor,
      action,
      storeUri: this.deps.store.uri,
      environment,
      version,
      digest,
      keyIds,
      diffSummary,
      detail,
    };
  }

  // ---- co-signing ----------------------------------------------------------------------------

  /**
   * A pending bundle that still applies and restores version `toVersion`'s content: a rollback
   * to it prepared before and waiting for co-signatures. The console's watch and the controller
   * retry a failed rollback at every check; they wait for this one instead of preparing another.
   */
  async pendingRollbackTo(
    environment: Environment,
    toVersion: number,
  ): Promise<PendingBundle | undefined> {
    const content = await this.versionConfig(environment, toVersion);
    return (await this.listPending(environment)).find(
      (item) => item.applicable && jsonEqual(item.config, content),
    );
  }

  async listPending(environment: Environment): Promise<PendingBundle[]> {
    const { trust } = await this.readTrust(environment);
    const current = await this.live(environment, trust, { underSignedOk: true });
    const out: PendingBundle[] = [];
    for (const key of await this.deps.store.list(storeKeys.pendingPrefix(environment))) {
      const entry = await this.deps.store.get(key);
      if (!entry) continue;
      const decoded = decodeEnvelope(JSON.parse(entry.value));
      if (!decoded.ok) continue;
      const payload = decoded.payload.value as BundlePayload;
      const count = await countSignatures(decoded.envelope, trust);
      const valid = 'ok' in count ? [] : count.valid;
      const diff = diffJson(current?.config ?? {}, payload.config);
      out.push({
        environment,
        digest: decoded.payload.digest,
        version: payload.version,
        previousDigest: payload.previousDigest,
        keyIds: valid,
        needed: Math.max(0, trust.thresholds[environment] - valid.length),
        applicable:
          payload.version === (current?.version ?? 0) + 1 &&
          payload.previousDigest === (current?.digest ?? null),
        diff,
        summary: summarizeDiff(diff),
        config: payload.config,
      });
    }
    return out.sort((a, b) => a.version - b.version);
  }

  /** Adds this session's signatures to a pending bundle; publishes it when the threshold is met. */
  async cosign(environment: Environment, digest: string): Promise<PublishOutcome> {
    const key = storeKeys.pending(environment, digest);
    const entry = await this.deps.store.get(key);
    if (!entry) throw new AppError('not_found', `${environment} has no pending bundle ${digest}.`);
    const decoded = decodeEnvelope(JSON.parse(entry.value));
    if (!decoded.ok)
      throw new AppError('validation', `The pending bundle is refused: ${decoded.message}`);
    const payload = decoded.payload.value as BundlePayload;
    if (payload.environment !== environment)
      throw new AppError(
        'validation',
        `The pending bundle is for ${payload.environment}, not ${environment}.`,
      );
    const { trust } = await this.readTrust(environment);
    const before = await countSignatures(decoded.envelope, trust);
    if ('ok' in before) throw new AppError('validation', before.message);
    if (before.invalid.length > 0)
      throw new AppError(
        'validation',
        `The pending bundle carries a signature that does not verify (key ${before.invalid.join(', ')}); it was altered. Delete it and publish again.`,
      );
    // Keep only signatures by trusted keys that verified, then add ours.
    const kept = decoded.envelope.jws.signatures.filter((signature) =>
      before.valid.includes(kidOf(signature)),
    );
    const signatures = await this.signWith(decoded.envelope.jws.payload, trust, kept);
    const added = signatures.slice(kept.length).map(kidOf);
    if (added.length === 0)
      throw new AppError(
        'validation',
        `None of your unlocked keys can add a signature: it is already signed by ${before.valid.join(', ') || 'nobody'}, and your keys are ${this.deps.signers.map((s) => s.kid).join(', ') || 'none'}.`,
      );
    const envelope: SignedEnvelope = {
      ...decoded.envelope,
      jws: { ...decoded.envelope.jws, signatures },
    };
    const keyIds = signatures.map(kidOf);
    const threshold = trust.thresholds[environment];
    const current = await this.live(environment, trust, { underSignedOk: true });
    const diff = diffJson(current?.config ?? {}, payload.config);
    const summary = summarizeDiff(diff);
    if (keyIds.length < threshold) {
      await this.deps.store.commit([
        { key, value: `${JSON.stringify(envelope)}\n`, expect: entry.etag },
      ]);
      await this.recordAction('cosign', environment, payload.version, digest, added, summary, {
        signedBy: keyIds,
        needed: threshold - keyIds.length,
      });
      return {
        status: 'pending',
        environment,
        version: payload.version,
        digest,
        keyIds,
        needed: threshold - keyIds.length,
        diff,
        summary,
      };
    }
    if (
      payload.version !== (current?.version ?? 0) + 1 ||
      payload.previousDigest !== (current?.digest ?? null)
    )
      throw new AppError(
        'conflict',
        `The pending bundle was built on version ${payload.version - 1} of ${environment}, but version ${current?.version ?? 0} is live now. Publish its content again so it is built on top.`,
      );
    const owed = (): HistoryInput =>
      this.historyEntry('cosign', environment, payload.version, digest, added, summary, {
        signedBy: keyIds,
        published: true,
        diff: diff.slice(0, 50),
      });
    await this.commitVersion(
      environment,
      envelope,
      payload.version,
      payload.config,
      current?.pointerEtag ?? null,
      [{ key, value: null, expect: entry.etag }],
      owed,
    );
    await this.deps.record?.(owed());
    return {
      status: 'published',
      environment,
      version: payload.version,
      digest,
      keyIds,
      diff,
      summary,
    };
  }

  // ---- gradual rollout -----------------------------------------------------------------------

  async rolloutState(
    environment: Environment,
    flagKey: string,
  ): Promise<(RolloutState & { etag: string }) | undefined> {
    const entry = await this.deps.store.get(storeKeys.rollout(environment, flagKey));
    if (!entry) return undefined;
    const key = storeKeys.rollout(environment, flagKey);
    return { ...parseRolloutState(key, entry.value), etag: entry.etag };
  }

  async listRollouts(environment: Environment): Promise<RolloutState[]> {
    const { states, damaged } = await this.readRollouts(environment);
    if (damaged[0]) throw damaged[0].error;
    return states;
  }

  /**
   * Every rollout state of the environment, and apart from them the ones that cannot be used
   * (cut short, edited by hand: the state is not signed), each with its key, flag and why. The
   * controller keeps guarding a live step while a state is damaged; `listRollouts` refuses.
   */
  async readRollouts(environment: Environment): Promise<{
    states: RolloutState[];
    damaged: DamagedRollout[];
  }> {
    const states: RolloutState[] = [];
    const damaged: DamagedRollout[] = [];
    const prefix = storeKeys.rolloutsPrefix(environment);
    for (const key of await this.deps.store.list(prefix)) {
      const entry = await this.deps.store.get(key);
      if (!entry) continue;
      try {
        states.push(parseRolloutState(key, entry.value));
      } catch (error) {
        let flagKey: string;
        try {
          flagKey = decodeURIComponent(key.slice(prefix.length));
        } catch {
          flagKey = key.slice(prefix.length);
        }
        damaged.push({ key, flagKey, error });
      }
    }
    return { states, damaged };
  }

  /**
   * Without its rollout state: the version that was live before the rollout of `flagKey` whose
   * step is live now at `liveVersion`, read from the signed bundles only. A rollout step carries
   * (itself, or through the fully signed bundle an operator-signed step republishes) the steps
   * its rollout pre-authorised for the flag (`rampSteps`); the newest earlier version that does
   * not is the content before the rollout. undefined: the live version is no step of that flag,
   * or a bundle on the way cannot be read under the trust file now (rotated since).
   *
   * A rollout started right after an earlier rollout of the same flag completed, with nothing
   * published in between, is read as one rollout (the bundles do not tell them apart).
   */
  async rolloutFromVersion(
    environment: Environment,
    liveVersion: number,
    flagKey: string,
  ): Promise<number | undefined> {
    const { trust } = await this.readTrust(environment);
    let version = liveVersion;
    for (; version >= 1; version -= 1) {
      let origin: OperatorBasis;
      try {
        origin = await this.operatorBasis(environment, version, trust);
      } catch {
        return undefined;
      }
      if (!origin.payload.rampSteps || !Object.hasOwn(origin.payload.rampSteps, flagKey)) break;
    }
    return version < liveVersion && version >= 1 ? version : undefined;
  }

  private async saveRollout(state: RolloutState, etag: string | null): Promise<void> {
    const { etag: _ignored, ...plain } = state as RolloutState & { etag?: string };
    await this.deps.store.commit([
      {
        key: storeKeys.rollout(state.environment, state.flagKey),
        value: `${JSON.stringify(plain)}\n`,
        expect: etag,
      },
    ]);
  }

  /** Starts a rollout and publishes its first step. */
  async startRollout(
    input: RolloutPlanInput,
  ): Promise<{ state: RolloutState; outcome: PublishOutcome }> {
    const plan = parseRolloutPlan(input);
    const existing = await this.rolloutState(plan.environment, plan.flagKey);
    if (existing && (existing.status === 'running' || existing.status === 'paused'))
      throw new AppError(
        'conflict',
        `A rollout of "${plan.flagKey}" in ${plan.environment} is already ${existing.status} (step ${existing.stepIndex + 1} of ${existing.steps.length}). Resume or finish it first.`,
      );
    const current = await this.live(plan.environment, undefined, { underSignedOk: true });
    if (!current)
      throw new AppError(
        'not_found',
        `${plan.environment} has nothing live; publish a config with the flag first.`,
      );
    // Checks the flag and variants before anything is written.
    withRolloutPercent(
      current.config,
      plan.flagKey,
      plan.onVariant,
      plan.offVariant,
      plan.steps[0] ?? 1,
    );
    const state: RolloutState = {
      schema: 'aideon.rollout/1',
      environment: plan.environment,
      flagKey: plan.flagKey,
      onVariant: plan.onVariant,
      offVariant: plan.offVariant,
      steps: plan.steps,
      bakeMs: Math.round(plan.bakeMinutes * 60000),
      stepIndex: -1,
      status: 'running',
      lastStepAt: null,
      fromVersion: current.version,
      startedBy: this.deps.actor,
      updatedAt: this.deps.now(),
    };
    await this.saveRollout(state, existing ? existing.etag : null);
    return this.advanceRollout(plan.environment, plan.flagKey);
  }

  /** Publishes the next step once the current one has baked. */
  async advanceRollout(
    environment: Environment,
    flagKey: string,
    options: { operator?: OperatorMode } = {},
  ): Promise<{ state: RolloutState; outcome: PublishOutcome }> {
    const state = await this.rolloutState(environment, flagKey);
    if (!state) throw new AppError('not_found', `No rollout of "${flagKey}" in ${environment}.`);
    if (state.status !== 'running')
      throw new AppError(
        'conflict',
        `The rollout of "${flagKey}" in ${environment} is ${state.status}${state.status === 'paused' ? '; resume it first' : ''}.`,
      );
    const due = nextStepDueAt(state);
    if (due === undefined)
      throw new AppError(
        'conflict',
        `The rollout of "${flagKey}" in ${environment} has no step left.`,
      );
    const now = this.deps.now();
    if (now < due)
      throw new AppError(
        'conflict',
        `Step ${state.stepIndex + 1} (${state.steps[state.stepIndex]}%) of "${flagKey}" bakes until ${iso(due)}; the next step can go out then.`,
        { retryable: true, retryAfterMs: due - now },
      );
    if (options.operator === 'require' && state.stepIndex < 0)
      throw new AppError(
        'forbidden',
        `The first step of the rollout of "${flagKey}" in ${environment} is new content; it needs the environment's keys, not the operator role.`,
      );
    const percent = state.steps[state.stepIndex + 1] as number;
    const previousPercent = state.stepIndex >= 0 ? state.steps[state.stepIndex] : undefined;
    // The new version and the rollout state are one commit, the state compared-and-swapped:
    // two schedulers (a console and a controller, or two controllers) racing for the same step
    // apply it once; the other gets a conflict.
    const nextState = (version: number): RolloutState => {
      const { etag: _etag, ...plain } = state;
      return {
        ...plain,
        stepIndex: state.stepIndex + 1,
        lastStepAt: now,
        lastStepVersion: version,
        updatedAt: now,
        status: state.stepIndex + 2 >= state.steps.length ? 'completed' : 'running',
      };
    };
    const outcome = await this.publishWith(
      environment,
      'rollout_step',
      { flagKey, percent, step: state.stepIndex + 2, of: state.steps.length },
      async (current) => {
        if (!current) throw new AppError('not_found', `${environment} has nothing live.`);
        const fresh = await this.rolloutState(environment, flagKey);
        if (fresh?.etag !== state.etag)
          throw new AppError(
            'conflict',
            `The rollout of "${flagKey}" in ${environment} moved on while this step was being published (another console or controller applied it); nothing was published twice.`,
          );
        if (previousPercent !== undefined) {
          const live = rolloutPercentOf(getFlag(current.config, flagKey), state.onVariant);
          if (live !== previousPercent)
            throw new AppError(
              'conflict',
              `"${flagKey}" in ${environment} is at ${live ?? 'a hand-made rule'}${live === undefined ? '' : '%'}, not at step ${previousPercent}% of the rollout: someone changed it. Pause, check, and start a new rollout.`,
            );
        }
        return withRolloutPercent(
          current.config,
          flagKey,
          state.onVariant,
          state.offVariant,
          percent,
        );
      },
      () => ({}),
      {
        // The first step is new content (humans); later steps may be signed by the operator
        // when the fully signed bundle behind them pre-authorised them (rampSteps).
        ...(state.stepIndex >= 0 ? { operator: { mode: options.operator ?? 'allow' } } : {}),
        rampSteps: (current) => {
          if (!current) return undefined;
          const later = [0, ...state.steps.slice(state.stepIndex + 2)];
          return {
            [flagKey]: later.map(
              (step) =>
                getFlag(
                  withRolloutPercent(
                    current.config,
                    flagKey,
                    state.onVariant,
                    state.offVariant,
                    step,
                  ),
                  flagKey,
                ) as unknown as Record<string, unknown>,
            ),
          };
        },
        extraWrites: (version) => [
          {
            key: storeKeys.rollout(environment, flagKey),
            value: `${JSON.stringify(nextState(version))}\n`,
            expect: state.etag,
          },
        ],
      },
    );
    if (outcome.status === 'pending')
      throw new AppError(
        'forbidden',
        `Rollout step ${percent}% went to co-signing (pending ${outcome.digest}): ${environment} needs ${outcome.needed} more signature(s). Unlock enough keys to run a rollout, or co-sign and advance again.`,
      );
    return { state: nextState(outcome.version), outcome };
  }

  /**
   * Advances every running rollout whose step has baked (for a scheduler). `hold` keeps a due
   * rollout where it is (e.g. while the production watch still checks its step); `onError`
   * receives a rollout that could not advance, and the others still go on (without it, the
   * first error is thrown).
   */
  async tickRollouts(
    options: {
      hold?: (environment: Environment, flagKey: string) => boolean;
      onError?: (environment: Environment, flagKey: string, error: unknown) => void;
      /**
       * An environment with a rollout state that cannot be read: none of its steps is advanced
       * (as under the controller), the other environments go on. Without it, it throws.
       */
      onDamaged?: (environment: Environment, damaged: DamagedRollout[]) => void;
    } = {},
  ): Promise<{ environment: Environment; flagKey: string; percent: number }[]> {
    const done: { environment: Environment; flagKey: string; percent: number }[] = [];
    for (const environment of ENVIRONMENTS) {
      const read = await this.readRollouts(environment);
      if (read.damaged.length > 0) {
        if (!options.onDamaged) throw (read.damaged[0] as DamagedRollout).error;
        options.onDamaged(environment, read.damaged);
        continue;
      }
      for (const state of read.states) {
        const due = nextStepDueAt(state);
        if (state.status !== 'running' || due === undefined || this.deps.now() < due) continue;
        if (options.hold?.(environment, state.flagKey)) continue;
        try {
          const { state: next } = await this.advanceRollout(environment, state.flagKey);
          done.push({
            environment,
            flagKey: state.flagKey,
            percent: next.steps[next.stepIndex] as number,
          });
        } catch (error) {
          if (!options.onError) throw error;
          options.onError(environment, state.flagKey, error);
        }
      }
    }
    return done;
  }

  /** Pauses; `reason` (e.g. the guard that breached) goes into the history. */
  async pauseRollout(
    environment: Environment,
    flagKey: string,
    reason?: string,
  ): Promise<RolloutState> {
    return this.setRolloutStatus(
      environment,
      flagKey,
      'running',
      'paused',
      'rollout_pause',
      reason,
    );
  }

  /** Resumes; the bake time of the current step counts from the resume. */
  async resumeRollout(environment: Environment, flagKey: string): Promise<RolloutState> {
    return this.setRolloutStatus(environment, flagKey, 'paused', 'running', 'rollout_resume');
  }

  private async setRolloutStatus(
    environment: Environment,
    flagKey: string,
    from: RolloutState['status'],
    to: RolloutState['status'],
    action: HistoryAction,
    reason?: string,
  ): Promise<RolloutState> {
    const state = await this.rolloutState(environment, flagKey);
    if (!state) throw new AppError('not_found', `No rollout of "${flagKey}" in ${environment}.`);
    if (state.status !== from)
      throw new AppError(
        'conflict',
        `The rollout of "${flagKey}" in ${environment} is ${state.status}, not ${from}.`,
      );
    const now = this.deps.now();
    const next: RolloutState = {
      ...state,
      status: to,
      updatedAt: now,
      ...(to === 'running' && state.lastStepAt !== null ? { lastStepAt: now } : {}),
    };
    await this.saveRollout(next, state.etag);
    await this.recordAction(action, environment, null, null, [], `rollout of ${flagKey} ${to}`, {
      flagKey,
      stepIndex: state.stepIndex,
      ...(reason === undefined ? {} : { reason }),
    });
    const { etag: _etag, ...plain } = next as RolloutState & { etag?: string };
    return plain;
  }

  private async stopRollouts(
    environment: Environment,
    flagKey: string | undefined,
    reason: string,
  ): Promise<void> {
    // A damaged state (cut short, edited by hand) cannot be stopped: it is left for the admin
    // to mend, and the rollback or kill that got here is not undone by it (the controller
    // reports the damaged state at every tick).
    for (const state of (await this.readRollouts(environment)).states) {
      if (flagKey !== undefined && state.flagKey !== flagKey) continue;
      if (state.status !== 'running' && state.status !== 'paused') continue;
      const fresh = await this.rolloutState(environment, state.flagKey);
      if (!fresh) continue;
      await this.saveRollout(
        { ...fresh, status: 'stopped', stoppedReason: reason, updatedAt: this.deps.now() },
        fresh.etag,
      ).catch((error: unknown) => {
        if (!isConflict(error)) throw error;
      });
    }
  }

  // ---- kill switch ---------------------------------------------------------------------------

  /**
   * Turns a flag off (its off variant for everyone) in every environment that has it,
   * production first, and stops its rollouts. One outcome per environment; an environment that
   * fails does not stop the others.
   */
  async killSwitch(
    flagKey: string,
    offVariant?: string,
    options: {
      environments?: readonly Environment[];
      reason?: string;
      operator?: OperatorMode;
    } = {},
  ): Promise<
    { environment: Environment; outcome?: PublishOutcome; skipped?: string; error?: string }[]
  > {
    const results: {
      environment: Environment;
      outcome?: PublishOutcome;
      skipped?: string;
      error?: string;
    }[] = [];
    for (const environment of [...ENVIRONMENTS].reverse()) {
      if (options.environments && !options.environments.includes(environment)) continue;
      try {
        const current = await this.live(environment, undefined, { underSignedOk: true });
        const flags = current?.config.flags as Record<string, unknown> | undefined;
        if (!current || !flags || !Object.hasOwn(flags, flagKey)) {
          results.push({
            environment,
            skipped: current ? 'the flag is not in this environment' : 'nothing live',
          });
          continue;
        }
        const outcome = await this.killOne(
          environment,
          flagKey,
          offVariant,
          options.reason,
          options.operator ?? 'allow',
        );
        results.push({ environment, outcome });
      } catch (error) {
        results.push({
          environment,
          error: AppError.isInstance(error) ? error.message : 'unexpected error',
        });
      }
    }
    return results;
  }

  private async killOne(
    environment: Environment,
    flagKey: string,
    offVariant: string | undefined,
    reason: string | undefined,
    operator: OperatorMode,
  ): Promise<PublishOutcome> {
    const outcome = await this.publishWith(
      environment,
      'kill_switch',
      { flagKey, ...(reason === undefined ? {} : { reason }) },
      async (live) => {
        if (!live) throw new AppError('not_found', `${environment} has nothing live.`);
        const off = withFlagOff(live.config, flagKey, offVariant);
        return jsonEqual(off, live.config) ? undefined : off;
      },
      () => ({}),
      { operator: { mode: operator } },
    );
    await this.stopRollouts(environment, flagKey, 'kill switch');
    return outcome;
  }

  // ---- trust file ----------------------------------------------------------------------------

  private async signTrust(
    payload: TrustPayload,
    signingTrusts: TrustPayload[],
  ): Promise<SignedEnvelope> {
    const text = canonicalJson(payload);
    const payloadB64 = base64UrlEncode(text);
    let signatures: JwsSignature[] = [];
    for (const trust of signingTrusts)
      signatures = await this.signWith(payloadB64, trust, signatures);
    for (const trust of signingTrusts) {
      const have = signatures.filter((signature) => trust.keys[kidOf(signature)]).length;
      if (have < trust.thresholds.trust)
        throw new AppError(
          'forbidden',
          `Changing the trust file needs ${trust.thresholds.trust} signature(s) by keys of trust version ${trust.version}; your unlocked keys give ${have}.`,
        );
    }
    return {
      format: ENVELOPE_FORMAT,
      digest: sha256Digest(text),
      jws: { payload: payloadB64, signatures },
    };
  }

  private static trustPayload(
    version: number,
    previousDigest: string | null,
    keys: readonly PublicKeyInfo[],
    thresholds: TrustPayload['thresholds'],
    now: number,
    operator?: OperatorRoleInput,
  ): TrustPayload {
    const entries: TrustPayload['keys'] = {};
    for (const key of keys) entries[key.kid] = { name: key.name, publicJwk: { ...key.publicJwk } };
    const payload: TrustPayload = {
      schema: TRUST_SCHEMA,
      version,
      issuedAt: iso(now),
      previousDigest,
      keys: entries,
      thresholds,
    };
    if (operator && operator.keys.length > 0) {
      const operatorKeys: TrustPayload['keys'] = {};
      for (const key of operator.keys)
        operatorKeys[key.kid] = { name: key.name, publicJwk: { ...key.publicJwk } };
      payload.operator = { keys: operatorKeys, threshold: operator.threshold };
    }
    const problem = trustPayloadProblem(payload);
    if (problem) throw new AppError('validation', `The trust file would be invalid: ${problem}.`);
    return payload;
  }

  /** Creates trust version 1 in every environment, self-signed by the trust threshold. */
  async initTrust(
    keys: readonly PublicKeyInfo[],
    thresholds: TrustPayload['thresholds'],
    operator?: OperatorRoleInput,
  ): Promise<{ version: number; digest: string }> {
    const payload = Publisher.trustPayload(1, null, keys, thresholds, this.deps.now(), operator);
    const envelope = await this.signTrust(payload, [payload]);
    const verified = await verifyTrustFile(envelope);
    if (!verified.ok) throw new AppError('validation', verified.message);
    const value = `${JSON.stringify(envelope, null, 2)}\n`;
    await this.deps.store.commit(
      ENVIRONMENTS.flatMap((environment) => [
        { key: storeKeys.trustVersion(environment, 1), value, expect: null },
        { key: storeKeys.trust(environment), value, expect: null },
      ]),
    );
    await this.recordAction(
      'trust_init',
      null,
      1,
      envelope.digest,
      envelope.jws.signatures.map(kidOf),
      `${keys.length} key(s)`,
      { thresholds, keys: Object.keys(payload.keys) },
    );
    return { version: 1, digest: envelope.digest };
  }

  /**
   * What a trust rotation to `keys`/`thresholds` does to what is live: per environment, how many
   * of the live bundle's signatures the new trust accepts. `blocked` when a live bundle would
   * have no signature by a kept key (nothing could be built on top of it any more); `warning`
   * when it has fewer than the new threshold (consumers that take the new trust file refuse it
   * until a new, fully signed version replaces it).
   */
  async trustRotationEffects(
    keys: readonly PublicKeyInfo[],
    thresholds: TrustPayload['thresholds'],
  ): Promise<
    {
      environment: Environment;
      version: number | null;
      signedBy: string[];
      kept: number;
      needed: number;
      effect: 'none' | 'nothing-live' | 'warning' | 'blocked';
      message: string | null;
    }[]
  > {
    const kept = new Set(keys.map((key) => key.kid));
    const out = [];
    for (const environment of ENVIRONMENTS) {
      const live = await this.live(environment, undefined, { underSignedOk: true });
      const needed = thresholds[environment];
      if (!live) {
        out.push({
          environment,
          version: null,
          signedBy: [],
          kept: 0,
          needed,
          effect: 'nothing-live' as const,
          message: null,
        });
        continue;
      }
      // An operator-signed bundle stands on its basis: count the keys that signed that.
      const signers = live.signedAs === 'operator' ? (live.basisKeyIds ?? []) : live.keyIds;
      const keptCount = signers.filter((kid) => kept.has(kid)).length;
      const effect = keptCount === 0 ? 'blocked' : keptCount < needed ? 'warning' : 'none';
      out.push({
        environment,
        version: live.version,
        signedBy: signers,
        kept: keptCount,
        needed,
        effect: effect as 'none' | 'warning' | 'blocked',
        message:
          effect === 'blocked'
            ? `${environment} runs version ${live.version}, signed only by key(s) this change removes: it would no longer verify and nothing could be published on top of it. Publish a version signed by a key that stays first, then remove the old key.`
            : effect === 'warning'
              ? `${environment} runs version ${live.version} with ${keptCount} of the ${needed} signatures the new trust asks for: consumers that take the new trust file refuse it until a new version with ${needed} signatures replaces it.`
              : null,
      });
    }
    return out;
  }

  /**
   * Adds, replaces (or with null removes) the operator role: a trust rotation that keeps the
   * environment keys and thresholds, signed under the trust threshold as every rotation.
   */
  async setOperator(
    operator: OperatorRoleInput | null,
  ): Promise<{ version: number; digest: string }> {
    const { trust } = await this.readTrust('dev');
    const keys = Object.entries(trust.keys).map(([kid, key]) => ({
      kid,
      name: key.name,
      createdAt: '',
      publicJwk: key.publicJwk,
    }));
    return this.rotateTrust(keys, trust.thresholds, operator);
  }

  /** A new trust version, signed under the old keys' trust threshold and its own. */
  async rotateTrust(
    keys: readonly PublicKeyInfo[],
    thresholds: TrustPayload['thresholds'],
    /** The operator role of the new version; undefined keeps the current one, null drops it. */
    operator?: OperatorRoleInput | null,
  ): Promise<{ version: number; digest: string }> {
    const old = await this.readTrust('dev');
    const etags: Record<string, string> = {};
    for (const environment of ENVIRONMENTS) {
      const other = await this.readTrust(environment);
      if (other.digest !== old.digest)
        throw new AppError(
          'validation',
          `The trust files of dev and ${environment} differ; the store is inconsistent.`,
        );
      etags[environment] = other.etag;
    }
    const keptOperator: OperatorRoleInput | undefined = old.trust.operator
      ? {
          keys: Object.entries(old.trust.operator.keys).map(([kid, key]) => ({
            kid,
            name: key.name,
            publicJwk: key.publicJwk,
          })),
          threshold: old.trust.operator.threshold,
        }
      : undefined;
    const payload = Publisher.trustPayload(
      old.trust.version + 1,
      old.digest,
      keys,
      thresholds,
      this.deps.now(),
      operator === null ? undefined : (operator ?? keptOperator),
    );
    const envelope = await this.signTrust(payload, [old.trust, payload]);
    const value = `${JSON.stringify(envelope, null, 2)}\n`;
    try {
      await this.deps.store.commit(
        ENVIRONMENTS.flatMap((environment) => [
          { key: storeKeys.trustVersion(environment, payload.version), value, expect: null },
          { key: storeKeys.trust(environment), value, expect: etags[environment] ?? null },
        ]),
      );
    } catch (error) {
      if (error instanceof StoreConflictError)
        throw new AppError(
          'conflict',
          `Someone else changed the trust file at the same time; nothing was written. Read it again and retry.`,
          { retryable: true },
        );
      throw error;
    }
    const before = Object.keys(old.trust.keys);
    const after = Object.keys(payload.keys);
    await this.recordAction(
      'trust_rotate',
      null,
      payload.version,
      envelope.digest,
      envelope.jws.signatures.map(kidOf),
      `keys +${after.filter((kid) => !before.includes(kid)).length} -${before.filter((kid) => !after.includes(kid)).length}`,
      {
        thresholds,
        added: after.filter((kid) => !before.includes(kid)),
        removed: before.filter((kid) => !after.includes(kid)),
      },
    );
    return { version: payload.version, digest: envelope.digest };
  }
}

export function kidOf(signature: JwsSignature): string {
  try {
    const header = JSON.parse(Buffer.from(signature.protected, 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : '';
  } catch {
    return '';
  }
}
