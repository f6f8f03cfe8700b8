import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  base64UrlEncode,
  canonicalJson,
  CURRENT_SCHEMA,
  decodeEnvelope,
  sha256Digest,
  storeKeys,
  verifyFromStore,
  type BundlePayload,
  type SignedEnvelope,
} from '../../../src/consumer/verify-bundle';
import { DirectoryStore } from '../../../src/main/rollout/stores/directory-store';
import { configVerifyCommand } from '../../../src/main/rollout/publish/config-cli';
import type { Publisher } from '../../../src/main/rollout/publish/publisher';
import { tempDir } from '../../helpers/temp-dir';
import { clock, makePublisher, memorySigner, sampleConfig } from './fixtures';

const DAY = 86_400_000;
const THRESHOLDS = { dev: 1, staging: 1, production: 2, trust: 2 };

/** A config whose "new-video-model" flag is on for everyone (so the kill switch changes it). */
function onConfig(tier: string): Record<string, unknown> {
  const config = sampleConfig(tier);
  (config.flags as Record<string, Record<string, unknown>>)['new-video-model']!.defaultVariant =
    'on';
  return config;
}

describe('the operator role (online controller key)', () => {
  let dir: string;
  let cleanup: () => void;
  let store: DirectoryStore;
  let alice: Awaited<ReturnType<typeof memorySigner>>;
  let bob: Awaited<ReturnType<typeof memorySigner>>;
  let operator: Awaited<ReturnType<typeof memorySigner>>;
  let time: ReturnType<typeof clock>;
  let humans: Publisher;
  let controller: Publisher;
  let trustFile: string;
  let stateFile: string;

  /** Publishes through dev → staging → production with both human keys. */
  async function shipToProduction(config: Record<string, unknown>): Promise<void> {
    await humans.publish('dev', config);
    await humans.promote('staging');
    const outcome = await humans.promote('production');
    expect(outcome.status).toBe('published');
  }

  /** A stolen operator key writing a bundle by hand (bypassing the publisher). */
  const forge = async (extra: Partial<BundlePayload>) => {
    const current = (await store.get(storeKeys.current('production')))!;
    const pointer = JSON.parse(current.value) as { version: number; digest: string };
    const payload: BundlePayload = {
      schema: 'aideon.config-bundle/1',
      environment: 'production',
      version: pointer.version + 1,
      issuedAt: new Date(time.now()).toISOString(),
      expiresAt: new Date(time.now() + 90 * DAY).toISOString(),
      previousDigest: pointer.digest,
      config: onConfig('evil:model'),
      ...extra,
    };
    const text = canonicalJson(payload);
    const b64 = base64UrlEncode(text);
    const envelope: SignedEnvelope = {
      format: 'aideon.signed/1',
      digest: sha256Digest(text),
      jws: { payload: b64, signatures: [await operator.sign(b64)] },
    };
    await store.commit([
      { key: storeKeys.version('production', payload.version), value: JSON.stringify(envelope) },
      {
        key: storeKeys.flags('production'),
        value: `${JSON.stringify({ flags: payload.config.flags }, null, 2)}\n`,
      },
      {
        key: storeKeys.current('production'),
        value: JSON.stringify({
          schema: CURRENT_SCHEMA,
          version: payload.version,
          digest: envelope.digest,
        }),
        expect: current.etag,
      },
    ]);
  };

  const verify = (now = time.now()) =>
    verifyFromStore(store.uri, 'production', trustFile, stateFile, { now });

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    store = new DirectoryStore({ root: join(dir, 'store') });
    alice = await memorySigner('alice');
    bob = await memorySigner('bob');
    operator = await memorySigner('controller');
    time = clock();
    humans = makePublisher(store, [alice, bob], { now: time.now });
    controller = makePublisher(store, [operator], { now: time.now, actor: 'controller' });
    await humans.initTrust([alice.info, bob.info], THRESHOLDS, {
      keys: [operator.info],
      threshold: 1,
    });
    trustFile = join(dir, 'trust.json');
    writeFileSync(trustFile, readFileSync(join(dir, 'store', 'production', 'trust.json')));
    stateFile = join(dir, 'state.json');
    await shipToProduction(onConfig('together:wan-2.1'));
    time.advance(1000);
    await shipToProduction(onConfig('runway:gen4'));
    expect((await verify()).ok).toBe(true);
  });
  afterEach(() => cleanup());

  it('signs a rollback to fully signed content; the consumer accepts it as operator-signed', async () => {
    time.advance(1000);
    const outcome = await controller.rollbackAsOperator('production', undefined, 'guard breach');
    expect(outcome).toMatchObject({ status: 'published', version: 3, signedAs: 'operator' });
    const result = await verify();
    expect(result).toMatchObject({
      ok: true,
      version: 3,
      signedAs: 'operator',
      keyIds: [operator.kid],
      basis: { version: 1 },
    });
    if (result.ok) expect(result.config).toEqual(onConfig('together:wan-2.1'));
    // A trust change judges the operator-signed live bundle by the keys that signed its basis.
    const effects = await humans.trustRotationEffects([alice.info, bob.info], THRESHOLDS);
    expect(effects.find((effect) => effect.environment === 'production')).toMatchObject({
      effect: 'none',
      kept: 2,
    });
    // Rolling back again restores version 2's content (fully signed) on top.
    const again = await controller.rollbackAsOperator('production', 2);
    expect(again).toMatchObject({ status: 'published', version: 4, signedAs: 'operator' });
    expect(await verify()).toMatchObject({ ok: true, version: 4, basis: { version: 2 } });
  });

  it('a rollback to an operator-signed version names that version’s fully signed basis', async () => {
    await controller.rollbackAsOperator('production', 1);
    await controller.rollbackAsOperator('production', 2);
    const outcome = await controller.rollbackAsOperator('production', 3);
    expect(outcome.status).toBe('published');
    expect(await verify()).toMatchObject({ ok: true, version: 5, basis: { version: 1 } });
  });

  it('refuses operator-signed new content in the verifier and in `config verify`', async () => {
    // The controller cannot publish new content through the publisher at all.
    await expect(controller.publish('dev', onConfig('luma:ray-2'))).rejects.toThrow(
      /None of your unlocked keys/,
    );
    // A stolen operator key forging a bundle by hand: new tiers, basis = the live version.
    const live = JSON.parse((await store.get(storeKeys.version('production', 2)))!.value);
    await forge({ basis: live as SignedEnvelope });
    const refused = await verify();
    expect(refused).toMatchObject({ ok: false, reason: 'operator_new_content' });
    if (!refused.ok) expect(refused.message).toMatch(/changes routing outside the flags/);
    const cli = await configVerifyCommand({
      store: store.uri,
      env: 'production',
      trust: trustFile,
      state: stateFile,
      now: time.now(),
    });
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout).toMatch(/^refused \(operator_new_content\): /);

    // Without any basis: refused with the same reason.
    await forge({});
    const noBasis = await verify();
    expect(noBasis).toMatchObject({ ok: false, reason: 'operator_new_content' });
    if (!noBasis.ok) expect(noBasis.message).toMatch(/names no fully signed bundle/);

    // Turning a flag ON (not a kill switch, not pre-authorised) is new content too.
    const flagOn = onConfig('runway:gen4');
    (flagOn.flags as Record<string, Record<string, unknown>>)['video-provider']!.defaultVariant =
      'runway';
    await forge({ basis: live as SignedEnvelope, config: flagOn });
    const json = await configVerifyCommand({
      store: store.uri,
      env: 'production',
      trust: trustFile,
      state: stateFile,
      now: time.now(),
      json: true,
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, reason: 'operator_new_content' });
    expect(JSON.parse(json.stdout).message).toMatch(/flag "video-provider"/);
  });

  it('a basis that is not fully signed is refused (operator cannot launder under-signed content)', async () => {
    // Production needs 2 signatures: a promotion signed by alice alone waits in pending.
    const lonely = makePublisher(store, [alice, operator], { now: time.now });
    await lonely.publish('dev', onConfig('fal:kling'));
    await lonely.promote('staging');
    const pending = await lonely.promote('production');
    expect(pending.status).toBe('pending');
    // The operator key never turns new content (a promotion) into a publish.
    expect(await verify()).toMatchObject({ ok: true, version: 2 });
    const [key] = await store.list(storeKeys.pendingPrefix('production'));
    const underSigned = JSON.parse((await store.get(key!))!.value) as SignedEnvelope;
    const payload = decodeEnvelope(underSigned);
    await forge({
      basis: underSigned,
      config: payload.ok ? (payload.payload.value as BundlePayload).config : {},
    });
    const refused = await verify();
    expect(refused).toMatchObject({ ok: false, reason: 'operator_new_content' });
    if (!refused.ok) expect(refused.message).toMatch(/has 1 valid signature\(s\).*2 are needed/);
  });

  it('kill switch signed by the operator; the consumer accepts the flag switched off', async () => {
    const outcome = await controller.killSwitchAsOperator(
      'production',
      'new-video-model',
      'error rate',
    );
    expect(outcome).toMatchObject({ status: 'published', version: 3, signedAs: 'operator' });
    const result = await verify();
    expect(result).toMatchObject({ ok: true, signedAs: 'operator', basis: { version: 2 } });
    if (result.ok)
      expect(
        (result.config.flags as Record<string, { defaultVariant: string }>)['new-video-model'],
      ).toMatchObject({ defaultVariant: 'off' });
    // A second kill on top keeps the same fully signed basis.
    const second = await controller.killSwitchAsOperator('production', 'new-video-model');
    expect(second.status).toBe('unchanged');
  });

  it('the console: with one admin key and the operator key, emergencies do not wait for co-signers', async () => {
    const console = makePublisher(store, [alice, operator], { now: time.now });
    const rollback = await console.rollback('production');
    expect(rollback).toMatchObject({ status: 'published', signedAs: 'operator' });
    expect(rollback.status === 'published' && rollback.keyIds.sort()).toEqual(
      [alice.kid, operator.kid].sort(),
    );
    const kill = await console.killSwitch('new-video-model');
    const production = kill.find((entry) => entry.environment === 'production');
    expect(production?.outcome).toMatchObject({ status: 'published', signedAs: 'operator' });
    expect((await verify()).ok).toBe(true);
    // Without the operator key the same console only gets a pending rollback.
    const without = makePublisher(store, [alice], { now: time.now });
    expect((await without.rollback('production')).status).toBe('pending');
  });

  it('renews freshness before expiry; an expired bundle is refused without renewal', async () => {
    time.advance(85 * DAY);
    expect(
      (await controller.renewFreshness('production', { ifExpiresWithinMs: 2 * DAY })).status,
    ).toBe('unchanged');
    time.advance(4 * DAY);
    expect(await verify(time.now() + 2 * DAY)).toMatchObject({ ok: false, reason: 'expired' });
    const renewed = await controller.renewFreshness('production', {
      ifExpiresWithinMs: 2 * DAY,
      operator: 'require',
    });
    expect(renewed).toMatchObject({ status: 'published', version: 3, signedAs: 'operator' });
    const later = time.now() + 5 * DAY;
    const result = await verify(later);
    expect(result).toMatchObject({ ok: true, version: 3, basis: { version: 2 } });
    if (result.ok) expect(Date.parse(result.expiresAt)).toBe(time.now() + 90 * DAY);
    // Renewing the renewal keeps the fully signed basis.
    time.advance(89 * DAY);
    await controller.renewFreshness('production');
    expect(await verify(time.now() + DAY)).toMatchObject({ ok: true, basis: { version: 2 } });
  });

  it('advances a ramp step the fully signed first step pre-authorised', async () => {
    await humans.startRollout({
      environment: 'production',
      flagKey: 'video-provider',
      onVariant: 'runway',
      offVariant: 'together',
      steps: [10, 50, 100],
      bakeMinutes: 0,
    });
    const first = decodeEnvelope(
      JSON.parse((await store.get(storeKeys.version('production', 3)))!.value),
    );
    expect(
      first.ok && (first.payload.value as BundlePayload).rampSteps?.['video-provider'],
    ).toHaveLength(3);
    const { outcome } = await controller.advanceRolloutAsOperator('production', 'video-provider');
    expect(outcome).toMatchObject({ status: 'published', version: 4, signedAs: 'operator' });
    expect(await verify()).toMatchObject({ ok: true, version: 4, basis: { version: 3 } });
    const last = await controller.advanceRolloutAsOperator('production', 'video-provider');
    expect(last.state.status).toBe('completed');
    expect(await verify()).toMatchObject({ ok: true, version: 5, basis: { version: 3 } });
  });

  it('a tampered flags.json is refused with flags_mismatch', async () => {
    await store.commit([
      {
        key: storeKeys.flags('production'),
        value: JSON.stringify({ flags: { injected: { state: 'ENABLED' } } }),
      },
    ]);
    expect(await verify()).toMatchObject({ ok: false, reason: 'flags_mismatch' });
  });

  it('the trust file refuses an operator key that is also an environment key', async () => {
    await expect(humans.setOperator({ keys: [alice.info], threshold: 1 })).rejects.toThrow(
      /operator key .* is also a signing key/,
    );
    // Removing the operator role: the controller can no longer act.
    await humans.setOperator(null);
    await expect(controller.rollbackAsOperator('production')).rejects.toThrow(
      /has no operator role/,
    );
  });
});
