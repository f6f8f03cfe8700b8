/**
 * Wire formats of signed config bundles and trust files, shared by the console (which writes them)
 * and production services (which verify them). Dependency-light: node:crypto, `jose` and
 * `canonicalize` only, no other project imports, so this folder can be copied into a service.
 *
 * The exact algorithm is in ./README.md.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const BUNDLE_SCHEMA = 'aideon.config-bundle/1';
export const TRUST_SCHEMA = 'aideon.trust/1';
export const ENVELOPE_FORMAT = 'aideon.signed/1';
export const CURRENT_SCHEMA = 'aideon.current/1';

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** One JWS signature of the General JSON serialization. */
export interface JwsSignature {
  /** base64url of the protected header `{"alg":"EdDSA","kid":"..."}`. */
  protected: string;
  /** base64url of the Ed25519 signature over `protected + "." + payload`. */
  signature: string;
}

/** JWS General JSON serialization (RFC 7515 §7.2.1). */
export interface GeneralJws {
  /** base64url of the RFC 8785 canonical JSON bytes of the signed document. */
  payload: string;
  signatures: JwsSignature[];
}

/** What is stored: the JWS plus the digest of its payload bytes. */
export interface SignedEnvelope {
  format: typeof ENVELOPE_FORMAT;
  /** `sha256:` + lowercase hex SHA-256 of the canonical payload bytes. */
  digest: string;
  jws: GeneralJws;
}

export interface BundlePayload {
  schema: typeof BUNDLE_SCHEMA;
  environment: EnvironmentName;
  /** 1, 2, 3, ... per environment; never reused, never lowered. */
  version: number;
  /** ISO 8601 UTC, e.g. 2026-03-01T12:00:00.000Z. */
  issuedAt: string;
  expiresAt: string;
  /** Digest of the bundle this one replaces (version - 1), or null for version 1. */
  previousDigest: string | null;
  config: Record<string, unknown>;
  /**
   * Only in bundles signed by the online operator role: the signed envelope of an earlier bundle
   * of the same environment that carries the full (human) threshold. The operator may only
   * republish that content, with flags switched off or set to a state the basis pre-authorised
   * (`rampSteps`). See README "Operator-signed bundles".
   */
  basis?: SignedEnvelope;
  /**
   * Only meaningful in human-signed bundles: flag states the operator may later set on top of
   * this content (the remaining steps of a gradual rollout), flag key → flagd flag objects.
   */
  rampSteps?: Record<string, Record<string, unknown>[]>;
  /**
   * SHA-256 of the exact bytes of `<env>/flags.json` written with this version; consumers that
   * read the flags file check it against the verified config (see README).
   */
  flagsDigest?: string;
}

/** The online operator role of a trust file: keys the controller holds, with their own threshold. */
export interface OperatorRole {
  /** kid → key, as in `keys`; a kid is never in both. */
  keys: Record<string, TrustedKey>;
  /** Operator signatures an operator-signed bundle needs (any environment). */
  threshold: number;
}

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export interface TrustedKey {
  /** Who holds the key (a label, not checked). */
  name: string;
  publicJwk: PublicJwk;
}

export interface TrustPayload {
  schema: typeof TRUST_SCHEMA;
  /** 1, 2, 3, ...: each rotation is a new version, signed under the previous one. */
  version: number;
  issuedAt: string;
  previousDigest: string | null;
  /** kid (RFC 7638 JWK thumbprint, SHA-256, base64url) → key. */
  keys: Record<string, TrustedKey>;
  /** Signatures needed per environment, and `trust` for changing the trust file itself. */
  thresholds: Record<EnvironmentName | 'trust', number>;
  /**
   * Optional online operator role. Its keys never count towards `thresholds`; they may sign
   * only rollbacks to fully signed content, kill switches and freshness renewals. Consumers
   * that do not know this field ignore it and so refuse operator-signed bundles (fail closed).
   */
  operator?: OperatorRole;
}

/** The `current` pointer of an environment. */
export interface CurrentPointer {
  schema: typeof CURRENT_SCHEMA;
  version: number;
  digest: string;
}

/** Keys of one environment inside a store (directory paths or etcd keys under the prefix). */
export const storeKeys = {
  current: (env: string) => `${env}/current`,
  version: (env: string, version: number) => `${env}/versions/${version}`,
  versionsPrefix: (env: string) => `${env}/versions/`,
  pending: (env: string, digest: string) => `${env}/pending/${digestFileName(digest)}`,
  pendingPrefix: (env: string) => `${env}/pending/`,
  trust: (env: string) => `${env}/trust.json`,
  trustVersion: (env: string, version: number) => `${env}/trust/${version}`,
  flags: (env: string) => `${env}/flags.json`,
  rollout: (env: string, flagKey: string) => `${env}/rollouts/${encodeURIComponent(flagKey)}`,
  rolloutsPrefix: (env: string) => `${env}/rollouts/`,
  /** The shared, signed, hash-chained history: `history/head` and `history/entries/<seq>`. */
  historyHead: () => 'history/head',
  historyEntry: (seq: number) => `history/entries/${String(seq).padStart(10, '0')}`,
  historyEntriesPrefix: () => 'history/entries/',
};

/** `sha256:abc…` → `sha256-abc…` (no colon in file names). */
export function digestFileName(digest: string): string {
  return digest.replace(':', '-');
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('The value cannot be written as canonical JSON.');
  return text;
}

export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function base64UrlEncode(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString(
    'base64url',
  );
}

export function base64UrlDecode(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  return Buffer.from(text, 'base64url');
}

export function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export function parseIsoUtc(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/** Shape check of a stored envelope; returns a problem or undefined. */
export function envelopeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the envelope is not a JSON object';
  if (value.format !== ENVELOPE_FORMAT) return `format is not "${ENVELOPE_FORMAT}"`;
  if (!isDigest(value.digest)) return 'digest is not "sha256:" followed by 64 hex digits';
  const jws = value.jws;
  if (!isObject(jws)) return 'jws is not an object';
  if (typeof jws.payload !== 'string' || !/^[A-Za-z0-9_-]+$/.test(jws.payload))
    return 'jws.payload is not base64url text';
  if (!Array.isArray(jws.signatures)) return 'jws.signatures is not a list';
  for (const [index, signature] of jws.signatures.entries()) {
    if (
      !isObject(signature) ||
      typeof signature.protected !== 'string' ||
      typeof signature.signature !== 'string'
    )
      return `jws.signatures.${index} needs "protected" and "signature" strings`;
  }
  return undefined;
}

export function bundlePayloadProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the payload is not a JSON object';
  if (value.schema !== BUNDLE_SCHEMA) return `schema is not "${BUNDLE_SCHEMA}"`;
  if (!isEnvironmentName(value.environment))
    return 'environment is not one of dev, staging, production';
  if (!isPositiveInt(value.version)) return 'version is not a whole number from 1';
  if (parseIsoUtc(value.issuedAt) === undefined) return 'issuedAt is not an ISO 8601 UTC time';
  if (parseIsoUtc(value.expiresAt) === undefined) return 'expiresAt is not an ISO 8601 UTC time';
  if (value.previousDigest !== null && !isDigest(value.previousDigest))
    return 'previousDigest is neither null nor a sha256 digest';
  if (value.version === 1 && value.previousDigest !== null)
    return 'version 1 must have previousDigest null';
  if (value.version !== 1 && value.previousDigest === null)
    return 'previousDigest is null but the version is not 1';
  if (!isObject(value.config)) return 'config is not a JSON object';
  if (value.basis !== undefined) {
    const basisProblem = envelopeProblem(value.basis);
    if (basisProblem) return `basis: ${basisProblem}`;
  }
  if (value.rampSteps !== undefined) {
    if (!isObject(value.rampSteps)) return 'rampSteps is not an object';
    for (const [flagKey, steps] of Object.entries(value.rampSteps))
      if (!Array.isArray(steps) || steps.some((step) => !isObject(step)))
        return `rampSteps.${flagKey} is not a list of flag objects`;
  }
  if (value.flagsDigest !== undefined && !isDigest(value.flagsDigest))
    return 'flagsDigest is not a sha256 digest';
  return undefined;
}

/** The flags file (`<env>/flags.json`) written with a config: its flags and $evaluators. */
export function flagsFileValue(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { flags: isObject(config.flags) ? config.flags : {} };
  if (isObject(config.$evaluators)) out.$evaluators = config.$evaluators;
  return out;
}

/** The exact bytes the publisher writes as `<env>/flags.json`. */
export function flagsFileText(config: Record<string, unknown>): string {
  return `${JSON.stringify(flagsFileValue(config), null, 2)}\n`;
}

const withoutTargeting = (flag: Record<string, unknown>): Record<string, unknown> => {
  const { targeting: _targeting, ...rest } = flag;
  return rest;
};

/**
 * Why an operator-signed `config` is not derived from the fully signed `basis` content, or
 * undefined when it is. Allowed: everything outside `flags` identical; the same flag keys; each
 * flag either identical to the basis flag, one of the basis's `rampSteps` for that flag, or
 * switched off (targeting removed, state ENABLED, defaultVariant a variant whose value is false).
 */
export function operatorContentProblem(
  config: Record<string, unknown>,
  basis: Pick<BundlePayload, 'config' | 'rampSteps'>,
): string | undefined {
  const rest = (value: Record<string, unknown>) => canonicalJson({ ...value, flags: null });
  if (rest(config) !== rest(basis.config))
    return 'it changes routing outside the flags (tiers, chains, limits or other fields)';
  const flags = isObject(config.flags) ? config.flags : {};
  const basisFlags = isObject(basis.config.flags) ? basis.config.flags : {};
  const keys = Object.keys(flags).sort();
  const basisKeys = Object.keys(basisFlags).sort();
  if (canonicalJson(keys) !== canonicalJson(basisKeys)) return 'it adds or removes flags';
  for (const key of keys) {
    const flag = flags[key];
    const basisFlag = basisFlags[key];
    const text = canonicalJson(flag);
    if (text === canonicalJson(basisFlag)) continue;
    const steps = basis.rampSteps?.[key] ?? [];
    if (steps.some((step) => canonicalJson(step) === text)) continue;
    if (isObject(flag) && isObject(basisFlag) && isObject(basisFlag.variants)) {
      const variant = flag.defaultVariant;
      if (
        typeof variant === 'string' &&
        Object.hasOwn(basisFlag.variants, variant) &&
        basisFlag.variants[variant] === false &&
        text ===
          canonicalJson({
            ...withoutTargeting(basisFlag),
            state: 'ENABLED',
            defaultVariant: variant,
          })
      )
        continue;
    }
    return `flag "${key}" is neither the signed state, a pre-authorised rollout step, nor switched off`;
  }
  return undefined;
}

export function trustPayloadProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the trust payload is not a JSON object';
  if (value.schema !== TRUST_SCHEMA) return `schema is not "${TRUST_SCHEMA}"`;
  if (!isPositiveInt(value.version)) return 'version is not a whole number from 1';
  if (parseIsoUtc(value.issuedAt) === undefined) return 'issuedAt is not an ISO 8601 UTC time';
  if (value.previousDigest !== null && !isDigest(value.previousDigest))
    return 'previousDigest is neither null nor a sha256 digest';
  if (!isObject(value.keys) || Object.keys(value.keys).length === 0) return 'keys is empty';
  for (const [kid, key] of Object.entries(value.keys)) {
    if (!isObject(key) || typeof key.name !== 'string' || !isObject(key.publicJwk))
      return `keys.${kid} needs a name and a publicJwk`;
    const jwk = key.publicJwk;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
      return `keys.${kid}.publicJwk is not an Ed25519 public key`;
    if (Object.keys(jwk).some((name) => !['kty', 'crv', 'x'].includes(name)))
      return `keys.${kid}.publicJwk may hold only kty, crv and x (never a private part)`;
  }
  if (!isObject(value.thresholds)) return 'thresholds is not an object';
  if (value.operator !== undefined) {
    const operator = value.operator;
    if (!isObject(operator) || !isObject(operator.keys) || Object.keys(operator.keys).length === 0)
      return 'operator needs at least one key';
    for (const [kid, key] of Object.entries(operator.keys)) {
      if (Object.hasOwn(value.keys, kid))
        return `operator key ${kid} is also a signing key: the operator role needs keys of its own`;
      if (!isObject(key) || typeof key.name !== 'string' || !isObject(key.publicJwk))
        return `operator.keys.${kid} needs a name and a publicJwk`;
      const jwk = key.publicJwk;
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
        return `operator.keys.${kid}.publicJwk is not an Ed25519 public key`;
      if (Object.keys(jwk).some((name) => !['kty', 'crv', 'x'].includes(name)))
        return `operator.keys.${kid}.publicJwk may hold only kty, crv and x`;
    }
    if (!isPositiveInt(operator.threshold))
      return 'operator.threshold is not a whole number from 1';
    if (operator.threshold > Object.keys(operator.keys).length)
      return `operator.threshold is ${operator.threshold} but the operator has only ${Object.keys(operator.keys).length} key(s)`;
  }
  const keyCount = Object.keys(value.keys).length;
  for (const name of [...ENVIRONMENT_NAMES, 'trust'] as const) {
    const threshold = value.thresholds[name];
    if (!isPositiveInt(threshold)) return `thresholds.${name} is not a whole number from 1`;
    if (threshold > keyCount)
      return `thresholds.${name} is ${threshold} but the trust file has only ${keyCount} key(s)`;
  }
  return undefined;
}

export function currentPointerProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the current pointer is not a JSON object';
  if (value.schema !== CURRENT_SCHEMA) return `schema is not "${CURRENT_SCHEMA}"`;
  if (!isPositiveInt(value.version)) return 'version is not a whole number from 1';
  if (!isDigest(value.digest)) return 'digest is not a sha256 digest';
  return undefined;
}
