import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  base64UrlEncode,
  canonicalJson,
  sha256Digest,
  storeKeys,
  verifyBundle,
  verifyFromStore,
  verifyTrustUpdate,
  type BundlePayload,
  type SignedEnvelope,
  type TrustPayload,
  type VerifyReason,
} from '../../../src/consumer/verify-bundle';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import type { Signer } from '../../../src/main/rollout/publish/keys';
import { tempDir } from '../../helpers/temp-dir';
import { clock, makePublisher, memorySigner, sampleConfig, T0 } from './fixtures';

const THRESHOLDS = { dev: 1, staging: 1, production: 2, trust: 2 };

async function envelopeOf(
  payload: BundlePayload | TrustPayload,
  signers: Signer[],
): Promise<SignedEnvelope> {
  const text = canonicalJson(payload);
  const b64 = base64UrlEncode(text);
  const signatures = [];
  for (const signer of signers) signatures.push(await signer.sign(b64));
  return {
    format: 'aideon.signed/1',
    digest: sha256Digest(text),
    jws: { payload: b64, signatures },
  };
}

function payload(overrides: Partial<BundlePayload> = {}): BundlePayload {
  return {
    schema: 'aideon.config-bundle/1',
    environment: 'dev',
    version: 1,
    issuedAt: new Date(T0).toISOString(),
    expiresAt: new Date(T0 + 86_400_000).toISOString(),
    previousDigest: null,
    config: sampleConfig(),
    ...overrides,
  };
}

describe('consumer verification', () => {
  let dir: string;
  let cleanup: () => void;
  let store: DirectoryStore;
  let alice: Awaited<ReturnType<typeof memorySigner>>;
  let bob: Awaited<ReturnType<typeof memorySigner>>;
  let mallory: Awaited<ReturnType<typeof memorySigner>>;
  let trust: TrustPayload;
  let trustFile: string;
  let stateFile: string;
  const time = clock();

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('aideon-verify-'));
    store = new DirectoryStore({ root: join(dir, 'store') });
    alice = await memorySigner('alice');
    bob = await memorySigner('bob');
    mallory = await memorySigner('mallory');
    time.set(T0);
    const publisher = makePublisher(store, [alice, bob], { now: time.now });
    await publisher.initTrust([alice.info, bob.info], THRESHOLDS);
    const trustText = (await store.get(storeKeys.trust('dev')))!.value;
    trustFile = join(dir, 'trust.json');
    writeFileSync(trustFile, trustText);
    trust = JSON.parse(
      Buffer.from((JSON.parse(trustText) as SignedEnvelope).jws.payload, 'base64url').toString(),
    ) as TrustPayload;
    stateFile = join(dir, 'state.json');
  });
  afterEach(() => cleanup());

  const verify = (raw: unknown, options: Partial<Parameters<typeof verifyBundle>[1]> = {}) =>
    verifyBundle(raw, { trust, environment: 'dev', now: T0 + 1000, ...options });

  it('accepts a well-signed bundle and reports its keys', async () => {
    const result = await verify(await envelopeOf(payload(), [alice]));
    expect(result).toMatchObject({ ok: true, version: 1, keyIds: [alice.kid] });
  });

  it('refuses each kind of bad bundle with its own reason', async () => {
    const reasons: VerifyReason[] = [];
    const expectReason = async (
      promise: Promise<{ ok: boolean; reason?: VerifyReason }>,
      reason: VerifyReason,
    ) => {
      const result = await promise;
      expect(result.ok).toBe(false);
      expect(result.reason).toBe(reason);
      reasons.push(reason);
    };
    const good = await envelopeOf(payload(), [alice]);

    // Tampered payload: the config changed after signing, the stored digest kept.
    const changed = canonicalJson({ ...payload(), config: sampleConfig('runway:gen-4') });
    await expectReason(
      verify({ ...good, jws: { ...good.jws, payload: base64UrlEncode(changed) } }),
      'digest_mismatch',
    );

    // Tampered signature: one byte of the signature flipped.
    const signature = good.jws.signatures[0]!;
    const bytes = Buffer.from(signature.signature, 'base64url');
    bytes[5] = (bytes[5] ?? 0) ^ 0x01;
    await expectReason(
      verify({
        ...good,
        jws: {
          ...good.jws,
          signatures: [{ ...signature, signature: bytes.toString('base64url') }],
        },
      }),
      'bad_signature',
    );

    // Signed only by a key the trust file does not list.
    await expectReason(verify(await envelopeOf(payload(), [mallory])), 'unknown_key');

    // Production needs two signatures; one is not enough.
    await expectReason(
      verify(await envelopeOf(payload({ environment: 'production' }), [alice]), {
        environment: 'production',
      }),
      'threshold_not_met',
    );

    // A dev bundle offered to staging.
    await expectReason(verify(good, { environment: 'staging' }), 'wrong_environment');

    // Past expiresAt.
    await expectReason(verify(good, { now: T0 + 86_400_000 }), 'expired');

    // Version 1 replayed after version 2 was seen.
    await expectReason(
      verify(good, { seen: { version: 2, digest: sha256Digest('v2') } }),
      'version_rollback',
    );

    // Version 2 whose previousDigest is not the digest of the version 1 seen.
    const forged = await envelopeOf(
      payload({ version: 2, previousDigest: sha256Digest('something else') }),
      [alice],
    );
    await expectReason(
      verify(forged, { seen: { version: 1, digest: good.digest } }),
      'chain_broken',
    );

    expect(new Set(reasons).size).toBe(8);
  });

  it('refuses a payload whose digest was recomputed after tampering (signature no longer matches)', async () => {
    const good = await envelopeOf(payload(), [alice]);
    const changed = canonicalJson({ ...payload(), config: sampleConfig('runway:gen-4') });
    const result = await verify({
      ...good,
      digest: sha256Digest(changed),
      jws: { ...good.jws, payload: base64UrlEncode(changed) },
    });
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a payload that is not canonical JSON', async () => {
    const text = JSON.stringify(payload(), null, 1);
    const result = await verify({
      format: 'aideon.signed/1',
      digest: sha256Digest(text),
      jws: {
        payload: base64UrlEncode(text),
        signatures: [await alice.sign(base64UrlEncode(text))],
      },
    });
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('verifyFromStore keeps state: accepts new versions through the chain and refuses a replay', async () => {
    const publisher = makePublisher(store, [alice], { now: time.now });
    await publisher.publish('dev', sampleConfig('a:1'));
    const first = await verifyFromStore(store.uri, 'dev', trustFile, stateFile, { now: T0 + 1 });
    expect(first).toMatchObject({ ok: true, version: 1 });
    const v1 = (await store.get(storeKeys.version('dev', 1)))!;
    const pointer1 = (await store.get(storeKeys.current('dev')))!;

    await publisher.publish('dev', sampleConfig('a:2'));
    await publisher.publish('dev', sampleConfig('a:3'));
    // Skips version 2: the consumer fetches it and checks the links.
    const third = await verifyFromStore(store.uri, 'dev', trustFile, stateFile, { now: T0 + 2 });
    expect(third).toMatchObject({ ok: true, version: 3 });
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).environments.dev.version).toBe(3);

    // An attacker points current back at version 1 (validly signed, but older).
    await store.commit([{ key: storeKeys.current('dev'), value: pointer1.value }]);
    expect(v1.value).toContain('aideon.signed/1');
    const replay = await verifyFromStore(store.uri, 'dev', trustFile, stateFile, { now: T0 + 3 });
    expect(replay).toMatchObject({ ok: false, reason: 'version_rollback' });
  });

  it('verifyFromStore finds a broken link among skipped versions', async () => {
    const publisher = makePublisher(store, [alice], { now: time.now });
    await publisher.publish('dev', sampleConfig('a:1'));
    expect((await verifyFromStore(store.uri, 'dev', trustFile, stateFile, { now: T0 })).ok).toBe(
      true,
    );
    await publisher.publish('dev', sampleConfig('a:2'));
    await publisher.publish('dev', sampleConfig('a:3'));
    // Replace version 2 with another, validly signed version 2 that links to version 1.
    const v1digest = JSON.parse((await store.get(storeKeys.current('dev')))!.value)
      .digest as string;
    expect(v1digest).toMatch(/^sha256:/);
    const first = JSON.parse(
      (await store.get(storeKeys.version('dev', 1)))!.value,
    ) as SignedEnvelope;
    const other = await envelopeOf(
      payload({ version: 2, previousDigest: first.digest, config: sampleConfig('evil:1') }),
      [alice],
    );
    await store.commit([{ key: storeKeys.version('dev', 2), value: JSON.stringify(other) }]);
    const result = await verifyFromStore(store.uri, 'dev', trustFile, stateFile, { now: T0 });
    expect(result).toMatchObject({ ok: false, reason: 'chain_broken' });
  });

  it('follows a trust rotation signed under the old keys, and refuses one that is not', async () => {
    const carol = await memorySigner('carol');
    const publisher = makePublisher(store, [alice, bob, carol], { now: time.now });
    await publisher.rotateTrust([bob.info, carol.info], {
      dev: 1,
      staging: 1,
      production: 2,
      trust: 2,
    });
    await makePublisher(store, [carol], { now: time.now }).publish('dev', sampleConfig('c:1'));
    const result = await verifyFromStore(store.uri, 'dev', trustFile, stateFile, { now: T0 });
    expect(result).toMatchObject({ ok: true, keyIds: [carol.kid] });

    // A "rotation" signed only by new keys is refused against the old trust file.
    const oldTrust = {
      trust,
      digest: (JSON.parse(readFileSync(trustFile, 'utf8')) as SignedEnvelope).digest,
    };
    const forgedPayload: TrustPayload = {
      ...trust,
      version: 2,
      previousDigest: oldTrust.digest,
      keys: { [mallory.kid]: { name: 'mallory', publicJwk: mallory.publicJwk } },
      thresholds: { dev: 1, staging: 1, production: 1, trust: 1 },
    };
    const forged = await verifyTrustUpdate(oldTrust, await envelopeOf(forgedPayload, [mallory]));
    expect(forged).toMatchObject({ ok: false, reason: 'trust_rotation_invalid' });
  });

  it('says not_found for an empty environment and store_unavailable for a dead etcd', async () => {
    expect(await verifyFromStore(store.uri, 'staging', trustFile, stateFile)).toMatchObject({
      ok: false,
      reason: 'not_found',
    });
    const dead = await verifyFromStore('etcd://127.0.0.1:1/x', 'dev', trustFile, stateFile);
    expect(dead).toMatchObject({ ok: false, reason: 'store_unavailable' });
  });
});
