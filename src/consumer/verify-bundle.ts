/**
 * Verification of signed config bundles, for production services and `aideon config verify`.
 * Dependency-light: node built-ins, `jose` and `canonicalize` only. Every refusal carries one
 * reason code (see VerifyReason and ./README.md, which states the algorithm step by step).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { calculateJwkThumbprint, flattenedVerify, importJWK } from 'jose';
import {
  base64UrlDecode,
  bundlePayloadProblem,
  canonicalJson,
  currentPointerProblem,
  envelopeProblem,
  flagsFileValue,
  operatorContentProblem,
  isEnvironmentName,
  parseIsoUtc,
  sha256Digest,
  storeKeys,
  trustPayloadProblem,
  type BundlePayload,
  type CurrentPointer,
  type EnvironmentName,
  type SignedEnvelope,
  type TrustPayload,
} from './bundle-format';
import { openStoreReader, type StoreReader } from './store-reader';

export * from './bundle-format';
export { parseStoreUri, openStoreReader } from './store-reader';

export type VerifyReason =
  /** Not JSON, wrong shape, or a payload that is not RFC 8785 canonical. */
  | 'malformed'
  /** The payload bytes do not hash to the digest the envelope (or the current pointer) names. */
  | 'digest_mismatch'
  /** A signature by a trusted key does not verify over the payload. */
  | 'bad_signature'
  /** No signature is by a key in the trust file. */
  | 'unknown_key'
  /** Fewer valid signatures by trusted keys than the environment's threshold. */
  | 'threshold_not_met'
  /** The bundle is for another environment. */
  | 'wrong_environment'
  /** The reference time is at or after expiresAt. */
  | 'expired'
  /** The version is lower than one already seen. */
  | 'version_rollback'
  /** previousDigest does not link to the bundle seen before (or the same version changed). */
  | 'chain_broken'
  /** The pinned trust file is not signed by its own keys' trust threshold. */
  | 'trust_invalid'
  /** A newer trust file in the store is not signed under the previous trust file. */
  | 'trust_rotation_invalid'
  /** The store has no current bundle for the environment. */
  | 'not_found'
  /** The store could not be read. */
  | 'store_unavailable'
  /**
   * Signed by the operator role (not the full threshold) but its content is not derived from
   * an earlier fully signed bundle: new content needs the human threshold.
   */
  | 'operator_new_content'
  /** `<env>/flags.json` does not hold the flags of the verified bundle. */
  | 'flags_mismatch';

export const VERIFY_REASONS: readonly VerifyReason[] = [
  'malformed',
  'digest_mismatch',
  'bad_signature',
  'unknown_key',
  'threshold_not_met',
  'wrong_environment',
  'expired',
  'version_rollback',
  'chain_broken',
  'trust_invalid',
  'trust_rotation_invalid',
  'not_found',
  'store_unavailable',
  'operator_new_content',
  'flags_mismatch',
];

export interface Refusal {
  ok: false;
  reason: VerifyReason;
  message: string;
}

export interface VerifiedBundle {
  ok: true;
  environment: EnvironmentName;
  version: number;
  digest: string;
  previousDigest: string | null;
  issuedAt: string;
  expiresAt: string;
  /** Trusted keys whose signatures verified (operator keys when signedAs is 'operator'). */
  keyIds: string[];
  /** 'threshold': the environment's (human) threshold; 'operator': the operator role. */
  signedAs: 'threshold' | 'operator';
  /** For operator-signed bundles: the fully signed bundle whose content this republishes. */
  basis?: { version: number; digest: string; keyIds: string[] };
  config: Record<string, unknown>;
}

export type VerifyResult = VerifiedBundle | Refusal;

function refuse(reason: VerifyReason, message: string): Refusal {
  return { ok: false, reason, message };
}

interface DecodedPayload {
  text: string;
  value: unknown;
  digest: string;
}

/** Decodes the payload, checks it is canonical JSON and that it hashes to the declared digest. */
export function decodeEnvelope(
  raw: unknown,
): { ok: true; envelope: SignedEnvelope; payload: DecodedPayload } | Refusal {
  const problem = envelopeProblem(raw);
  if (problem) return refuse('malformed', `The signed file is malformed: ${problem}.`);
  const envelope = raw as SignedEnvelope;
  let bytes: Buffer;
  let text: string;
  let value: unknown;
  try {
    bytes = base64UrlDecode(envelope.jws.payload);
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    return refuse('malformed', 'The signed payload is not base64url-encoded UTF-8 JSON.');
  }
  const digest = sha256Digest(bytes);
  if (digest !== envelope.digest)
    return refuse(
      'digest_mismatch',
      `The payload hashes to ${digest}, not to the digest ${envelope.digest} it was stored with: it was changed after signing.`,
    );
  if (canonicalJson(value) !== text)
    return refuse('malformed', 'The signed payload is not RFC 8785 canonical JSON.');
  return { ok: true, envelope, payload: { text, value, digest } };
}

export interface SignatureCount {
  valid: string[];
  unknown: string[];
  invalid: string[];
}

const keyCache = new WeakMap<object, Map<string, CryptoKey | Uint8Array>>();

async function trustedKey(
  trust: TrustPayload,
  kid: string,
): Promise<CryptoKey | Uint8Array | undefined> {
  const entry = trust.keys[kid];
  if (!entry) return undefined;
  let cache = keyCache.get(trust);
  if (!cache) {
    cache = new Map();
    keyCache.set(trust, cache);
  }
  const cached = cache.get(kid);
  if (cached) return cached;
  const key = await importJWK({ ...entry.publicJwk }, 'EdDSA');
  cache.set(kid, key);
  return key;
}

/** Verifies every signature independently; a kid is counted once. */
export async function countSignatures(
  envelope: SignedEnvelope,
  trust: TrustPayload,
): Promise<SignatureCount | Refusal> {
  const valid = new Set<string>();
  const unknown = new Set<string>();
  const invalid = new Set<string>();
  for (const signature of envelope.jws.signatures) {
    let header: unknown;
    try {
      header = JSON.parse(base64UrlDecode(signature.protected).toString('utf8'));
    } catch {
      return refuse('malformed', 'A signature has a protected header that is not JSON.');
    }
    if (
      typeof header !== 'object' ||
      header === null ||
      (header as { alg?: unknown }).alg !== 'EdDSA' ||
      typeof (header as { kid?: unknown }).kid !== 'string' ||
      'crit' in header ||
      'b64' in header
    )
      return refuse(
        'malformed',
        'A signature header must be {"alg":"EdDSA","kid":"..."} without crit or b64.',
      );
    const kid = (header as { kid: string }).kid;
    const key = await trustedKey(trust, kid);
    if (!key) {
      unknown.add(kid);
      continue;
    }
    try {
      await flattenedVerify(
        {
          payload: envelope.jws.payload,
          protected: signature.protected,
          signature: signature.signature,
        },
        key,
        { algorithms: ['EdDSA'] },
      );
      valid.add(kid);
    } catch {
      invalid.add(kid);
    }
  }
  return { valid: [...valid], unknown: [...unknown], invalid: [...invalid] };
}

/** Applies a threshold: invalid trusted signatures refuse outright. */
function thresholdRefusal(
  count: SignatureCount,
  threshold: number,
  what: string,
  reasonForShortfall: VerifyReason = 'threshold_not_met',
): Refusal | undefined {
  if (count.invalid.length > 0)
    return refuse(
      reasonForShortfall === 'threshold_not_met' ? 'bad_signature' : reasonForShortfall,
      `The signature by key ${count.invalid.join(', ')} on ${what} does not verify: the signature or the payload was altered.`,
    );
  if (count.valid.length >= threshold) return undefined;
  if (count.valid.length === 0 && count.unknown.length > 0)
    return refuse(
      reasonForShortfall === 'threshold_not_met' ? 'unknown_key' : reasonForShortfall,
      `${what} is signed only by key(s) ${count.unknown.join(', ')}, which the trust file does not list.`,
    );
  return refuse(
    reasonForShortfall,
    `${what} has ${count.valid.length} valid signature(s) by trusted keys; ${threshold} are needed.`,
  );
}

/** Checks that every kid is the RFC 7638 thumbprint of its key. */
async function trustKeysProblem(trust: TrustPayload): Promise<string | undefined> {
  for (const [kid, key] of [
    ...Object.entries(trust.keys),
    ...Object.entries(trust.operator?.keys ?? {}),
  ]) {
    const thumbprint = await calculateJwkThumbprint({ ...key.publicJwk }, 'sha256');
    if (thumbprint !== kid) return `key id ${kid} is not the SHA-256 thumbprint of its key`;
  }
  return undefined;
}

export interface VerifiedTrust {
  trust: TrustPayload;
  digest: string;
}

/**
 * A trust file on its own (the pinned one): well-formed and signed by `thresholds.trust` of its
 * own keys.
 */
export async function verifyTrustFile(
  raw: unknown,
): Promise<({ ok: true } & VerifiedTrust) | Refusal> {
  const decoded = decodeEnvelope(raw);
  if (!decoded.ok)
    return { ...decoded, reason: 'trust_invalid', message: `Trust file: ${decoded.message}` };
  const problem = trustPayloadProblem(decoded.payload.value);
  if (problem) return refuse('trust_invalid', `Trust file: ${problem}.`);
  const trust = decoded.payload.value as TrustPayload;
  const keysProblem = await trustKeysProblem(trust);
  if (keysProblem) return refuse('trust_invalid', `Trust file: ${keysProblem}.`);
  const count = await countSignatures(decoded.envelope, trust);
  if ('ok' in count) return { ...count, reason: 'trust_invalid' };
  const refusal = thresholdRefusal(
    count,
    trust.thresholds.trust,
    'The trust file',
    'trust_invalid',
  );
  if (refusal) return refusal;
  return { ok: true, trust, digest: decoded.payload.digest };
}

/**
 * A rotation: `next` must be version previous+1, link to the previous digest, and be signed by
 * the previous file's trust threshold of the previous keys AND its own threshold of its own keys.
 */
export async function verifyTrustUpdate(
  previous: VerifiedTrust,
  raw: unknown,
): Promise<({ ok: true } & VerifiedTrust) | Refusal> {
  const own = await verifyTrustFile(raw);
  if (!own.ok) return { ...own, reason: 'trust_rotation_invalid' };
  if (own.trust.version !== previous.trust.version + 1)
    return refuse(
      'trust_rotation_invalid',
      `Trust version ${own.trust.version} does not follow version ${previous.trust.version}.`,
    );
  if (own.trust.previousDigest !== previous.digest)
    return refuse(
      'trust_rotation_invalid',
      `Trust version ${own.trust.version} does not link to the digest of version ${previous.trust.version}.`,
    );
  const count = await countSignatures(raw as SignedEnvelope, previous.trust);
  if ('ok' in count) return { ...count, reason: 'trust_rotation_invalid' };
  const refusal = thresholdRefusal(
    count,
    previous.trust.thresholds.trust,
    `Trust version ${own.trust.version} (under the keys of version ${previous.trust.version})`,
    'trust_rotation_invalid',
  );
  if (refusal) return refusal;
  return own;
}

export interface SeenBundle {
  version: number;
  digest: string;
}

export interface VerifyBundleOptions {
  trust: TrustPayload;
  environment: EnvironmentName;
  /** Reference time, ms since the epoch; fixed once per verification. */
  now: number;
  /** The last bundle accepted for this environment (from the state file). */
  seen?: SeenBundle | undefined;
  /**
   * Envelopes of versions seen.version+1 … version-1, in order, when the bundle skips versions;
   * each is hash-linked into the chain (their signatures are covered by the newest bundle's).
   */
  links?: unknown[];
  /** The digest the current pointer names, when read through one. */
  expectedDigest?: string;
  /** Skip the expiry check (the console reading what is live, to build the next version). */
  ignoreExpiry?: boolean;
}

export async function verifyBundle(
  raw: unknown,
  options: VerifyBundleOptions,
): Promise<VerifyResult> {
  const decoded = decodeEnvelope(raw);
  if (!decoded.ok) return decoded;
  const { envelope, payload: decodedPayload } = decoded;
  if (options.expectedDigest !== undefined && options.expectedDigest !== decodedPayload.digest)
    return refuse(
      'digest_mismatch',
      `The current pointer names ${options.expectedDigest} but the bundle's payload hashes to ${decodedPayload.digest}.`,
    );
  const problem = bundlePayloadProblem(decodedPayload.value);
  if (problem) return refuse('malformed', `The bundle is malformed: ${problem}.`);
  const payload = decodedPayload.value as BundlePayload;
  if (payload.environment !== options.environment)
    return refuse(
      'wrong_environment',
      `The bundle is for ${payload.environment}, not for ${options.environment}.`,
    );
  const count = await countSignatures(envelope, options.trust);
  if ('ok' in count) return count;
  const threshold = options.trust.thresholds[options.environment];
  let signedAs: VerifiedBundle['signedAs'] = 'threshold';
  let keyIds = count.valid;
  let basisInfo: VerifiedBundle['basis'];
  if (count.invalid.length === 0 && count.valid.length < threshold && options.trust.operator) {
    const operatorTrust = operatorTrustOf(options.trust);
    const operatorCount = await countSignatures(envelope, operatorTrust);
    if ('ok' in operatorCount) return operatorCount;
    const operatorRefusal = thresholdRefusal(
      operatorCount,
      options.trust.operator.threshold,
      `Bundle version ${payload.version} (operator role)`,
    );
    if (operatorCount.valid.length > 0 || operatorCount.invalid.length > 0) {
      if (operatorRefusal) return operatorRefusal;
      const basis = await operatorBasisCheck(payload, options);
      if (!basis.ok) return basis;
      signedAs = 'operator';
      keyIds = operatorCount.valid;
      basisInfo = basis.basis;
    }
  }
  if (signedAs === 'threshold') {
    const refusal = thresholdRefusal(count, threshold, `Bundle version ${payload.version}`);
    if (refusal) return refusal;
  }
  const expiresAt = parseIsoUtc(payload.expiresAt) ?? 0;
  if (!options.ignoreExpiry && options.now >= expiresAt)
    return refuse(
      'expired',
      `Bundle version ${payload.version} expired at ${payload.expiresAt}; publish (or re-sign) a new version.`,
    );
  const seen = options.seen;
  if (seen) {
    if (payload.version < seen.version)
      return refuse(
        'version_rollback',
        `Bundle version ${payload.version} is older than version ${seen.version}, already seen: refusing a replayed or rolled-back bundle.`,
      );
    if (payload.version === seen.version) {
      if (decodedPayload.digest !== seen.digest)
        return refuse(
          'chain_broken',
          `Bundle version ${payload.version} differs from the version ${seen.version} seen before (same number, other content).`,
        );
    } else {
      const links = options.links ?? [];
      if (links.length !== payload.version - seen.version - 1)
        return refuse(
          'chain_broken',
          `Bundle version ${payload.version} skips versions after ${seen.version} and the versions between were not supplied.`,
        );
      let previous = seen;
      for (const link of links) {
        const linkDecoded = decodeEnvelope(link);
        if (!linkDecoded.ok)
          return refuse(
            'chain_broken',
            `A version between ${seen.version} and ${payload.version}: ${linkDecoded.message}`,
          );
        const linkProblem = bundlePayloadProblem(linkDecoded.payload.value);
        const linkPayload = linkDecoded.payload.value as BundlePayload;
        if (
          linkProblem ||
          linkPayload.environment !== options.environment ||
          linkPayload.version !== previous.version + 1 ||
          linkPayload.previousDigest !== previous.digest
        )
          return refuse(
            'chain_broken',
            `Version ${previous.version + 1} does not link to version ${previous.version}.`,
          );
        previous = { version: linkPayload.version, digest: linkDecoded.payload.digest };
      }
      if (payload.previousDigest !== previous.digest)
        return refuse(
          'chain_broken',
          `Bundle version ${payload.version} names previous digest ${String(payload.previousDigest)}, but version ${previous.version} has digest ${previous.digest}.`,
        );
    }
  }
  return {
    ok: true,
    environment: payload.environment,
    version: payload.version,
    digest: decodedPayload.digest,
    previousDigest: payload.previousDigest,
    issuedAt: payload.issuedAt,
    expiresAt: payload.expiresAt,
    keyIds: keyIds.sort(),
    signedAs,
    ...(basisInfo ? { basis: basisInfo } : {}),
    config: payload.config,
  };
}

/** The operator role as a trust payload of its own, so countSignatures can count its keys. */
function operatorTrustOf(trust: TrustPayload): TrustPayload {
  const cached = operatorTrusts.get(trust);
  if (cached) return cached;
  const operator = trust.operator as NonNullable<TrustPayload['operator']>;
  const view: TrustPayload = {
    ...trust,
    keys: operator.keys,
    thresholds: {
      dev: operator.threshold,
      staging: operator.threshold,
      production: operator.threshold,
      trust: Number.MAX_SAFE_INTEGER,
    },
  };
  operatorTrusts.set(trust, view);
  return view;
}

const operatorTrusts = new WeakMap<TrustPayload, TrustPayload>();

/**
 * An operator-signed bundle must carry, as `basis`, an earlier bundle of the same environment
 * that meets the environment's full threshold under the trust file in use, that is not itself
 * operator-signed, and whose content this bundle only republishes (see operatorContentProblem).
 */
async function operatorBasisCheck(
  payload: BundlePayload,
  options: VerifyBundleOptions,
): Promise<{ ok: true; basis: NonNullable<VerifiedBundle['basis']> } | Refusal> {
  const what = `Bundle version ${payload.version} is signed only by the operator role`;
  if (payload.basis === undefined)
    return refuse(
      'operator_new_content',
      `${what} and names no fully signed bundle whose content it restores: new content needs ${options.trust.thresholds[options.environment]} signature(s) by the environment's keys.`,
    );
  const decoded = decodeEnvelope(payload.basis);
  if (!decoded.ok)
    return refuse('operator_new_content', `${what}, and its basis is refused: ${decoded.message}`);
  const problem = bundlePayloadProblem(decoded.payload.value);
  if (problem)
    return refuse('operator_new_content', `${what}, and its basis is malformed: ${problem}.`);
  const basis = decoded.payload.value as BundlePayload;
  if (basis.environment !== options.environment)
    return refuse(
      'operator_new_content',
      `${what}, and its basis is a bundle of ${basis.environment}, not of ${options.environment}.`,
    );
  if (basis.basis !== undefined)
    return refuse(
      'operator_new_content',
      `${what}, and its basis (version ${basis.version}) is itself operator-signed; the basis must carry the full threshold.`,
    );
  const count = await countSignatures(decoded.envelope, options.trust);
  if ('ok' in count) return { ...count, reason: 'operator_new_content' };
  const threshold = options.trust.thresholds[options.environment];
  if (count.invalid.length > 0 || count.valid.length < threshold)
    return refuse(
      'operator_new_content',
      `${what}, and its basis (version ${basis.version}) has ${count.valid.length} valid signature(s) by the environment's keys${count.invalid.length > 0 ? ` and a signature that does not verify (${count.invalid.join(', ')})` : ''}; ${threshold} are needed. The operator may only republish content signed with the full threshold.`,
    );
  if (basis.version >= payload.version)
    return refuse(
      'operator_new_content',
      `${what}, and its basis (version ${basis.version}) is not an earlier version.`,
    );
  const contentProblem = operatorContentProblem(payload.config, basis);
  if (contentProblem)
    return refuse(
      'operator_new_content',
      `${what}, but its content is not the content of fully signed version ${basis.version}: ${contentProblem}. New content needs ${threshold} signature(s) by the environment's keys.`,
    );
  return {
    ok: true,
    basis: { version: basis.version, digest: decoded.payload.digest, keyIds: count.valid.sort() },
  };
}

// ---- state file --------------------------------------------------------------------------

export const STATE_SCHEMA = 'aideon.verify-state/1';

export interface VerifyState {
  schema: typeof STATE_SCHEMA;
  environments: Partial<Record<EnvironmentName, SeenBundle & { trustVersion?: number }>>;
}

export async function readState(file: string): Promise<VerifyState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { schema: STATE_SCHEMA, environments: {} };
    throw error;
  }
  const value = JSON.parse(text) as VerifyState;
  if (value?.schema !== STATE_SCHEMA || typeof value.environments !== 'object')
    throw new Error(`State file ${file} is not an ${STATE_SCHEMA} file.`);
  return value;
}

export async function writeState(file: string, state: VerifyState): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, file);
}

// ---- whole check against a store -----------------------------------------------------------

export interface VerifyFromStoreOptions {
  /** Reference time in ms; default: the time the call starts. */
  now?: number;
  /** Alternative reader (tests, custom transports). */
  reader?: StoreReader;
  /** Do not write the state file (dry check). */
  readOnly?: boolean;
  /**
   * Check `<env>/flags.json` against the verified config (default true): a flags file that is
   * missing or holds other flags refuses with `flags_mismatch`, so no deployment that syncs
   * flags from that file reads flags nobody signed.
   */
  checkFlags?: boolean;
}

/**
 * Why the text of a flags file does not hold exactly the flags (and $evaluators) of `config`,
 * or undefined when it does. Compared as canonical JSON, so formatting does not matter.
 */
export function flagsFileProblem(
  text: string | undefined,
  config: Record<string, unknown>,
): string | undefined {
  if (text === undefined)
    return 'The flags file is missing from the store, but the verified bundle has flags.';
  const value = parseJson(text);
  if (value === undefined) return 'The flags file is not JSON.';
  if (canonicalJson(value) !== canonicalJson(flagsFileValue(config)))
    return 'The flags file does not hold the flags of the verified bundle: it was changed after publishing. Use config.flags from the verified bundle, and republish to repair the file.';
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Fetches the environment's current bundle from the store and verifies it against the pinned
 * trust file (following signed rotations found in the store) and the state file; on success the
 * state file records the version and digest, so an older or forked bundle is refused next time.
 */
export async function verifyFromStore(
  storeUri: string,
  environment: string,
  trustFile: string,
  stateFile: string,
  options: VerifyFromStoreOptions = {},
): Promise<VerifyResult> {
  const now = options.now ?? Date.now();
  if (!isEnvironmentName(environment))
    return refuse(
      'malformed',
      `Environment "${environment}" is not one of dev, staging, production.`,
    );
  let reader: StoreReader;
  try {
    reader = options.reader ?? openStoreReader(storeUri);
  } catch (error) {
    return refuse('malformed', (error as Error).message);
  }
  let pinnedText: string;
  try {
    pinnedText = await readFile(trustFile, 'utf8');
  } catch {
    return refuse('trust_invalid', `Cannot read the trust file ${trustFile}.`);
  }
  let trust = await verifyTrustFile(parseJson(pinnedText));
  if (!trust.ok) return trust;
  const state = await readState(stateFile);
  const seen = state.environments[environment];
  const read = async (key: string): Promise<{ text?: string } | Refusal> => {
    try {
      const text = await reader.read(key);
      return text === undefined ? {} : { text };
    } catch (error) {
      return refuse(
        'store_unavailable',
        `Cannot read ${key} from ${storeUri}: ${(error as Error).message}`,
      );
    }
  };
  // Follow rotations: trust/<pinned+1> … up to the store's trust.json version.
  const storeTrust = await read(storeKeys.trust(environment));
  if ('ok' in storeTrust) return storeTrust;
  if (storeTrust.text !== undefined) {
    const latest = parseJson(storeTrust.text) as SignedEnvelope | undefined;
    const latestDecoded = decodeEnvelope(latest);
    const latestVersion =
      latestDecoded.ok && typeof (latestDecoded.payload.value as TrustPayload).version === 'number'
        ? (latestDecoded.payload.value as TrustPayload).version
        : 0;
    for (let version = trust.trust.version + 1; version <= latestVersion; version += 1) {
      const step = await read(storeKeys.trustVersion(environment, version));
      if ('ok' in step) return step;
      if (step.text === undefined)
        return refuse(
          'trust_rotation_invalid',
          `Trust version ${version} is missing from the store.`,
        );
      const next = await verifyTrustUpdate(trust, parseJson(step.text));
      if (!next.ok) return next;
      trust = next;
    }
  }
  const pointerRead = await read(storeKeys.current(environment));
  if ('ok' in pointerRead) return pointerRead;
  if (pointerRead.text === undefined)
    return refuse('not_found', `The store has no current bundle for ${environment}.`);
  const pointer = parseJson(pointerRead.text);
  const pointerProblem = currentPointerProblem(pointer);
  if (pointerProblem)
    return refuse('malformed', `The current pointer is malformed: ${pointerProblem}.`);
  const { version, digest } = pointer as CurrentPointer;
  const bundleRead = await read(storeKeys.version(environment, version));
  if ('ok' in bundleRead) return bundleRead;
  if (bundleRead.text === undefined)
    return refuse('not_found', `The current pointer names version ${version}, which is missing.`);
  const links: unknown[] = [];
  if (seen && version > seen.version + 1) {
    for (let between = seen.version + 1; between < version; between += 1) {
      const link = await read(storeKeys.version(environment, between));
      if ('ok' in link) return link;
      links.push(link.text === undefined ? undefined : parseJson(link.text));
    }
  }
  const result = await verifyBundle(parseJson(bundleRead.text), {
    trust: trust.trust,
    environment,
    now,
    seen: seen ? { version: seen.version, digest: seen.digest } : undefined,
    links,
    expectedDigest: digest,
  });
  if (result.ok && options.checkFlags !== false) {
    const flagsRead = await read(storeKeys.flags(environment));
    if ('ok' in flagsRead) return flagsRead;
    const flagsProblem = flagsFileProblem(flagsRead.text, result.config);
    if (flagsProblem) return refuse('flags_mismatch', flagsProblem);
  }
  if (result.ok && !options.readOnly) {
    state.environments[environment] = {
      version: result.version,
      digest: result.digest,
      trustVersion: trust.trust.version,
    };
    await writeState(stateFile, state);
  }
  return result;
}
