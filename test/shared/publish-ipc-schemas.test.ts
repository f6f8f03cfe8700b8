import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { createAppDispatcher } from '../../src/main/ipc/index';
import type { Dispatcher } from '../../src/main/ipc/dispatcher';
import {
  PUBLISH_EVENT_CHANNEL_NAMES,
  PUBLISH_INVOKE_CHANNEL_NAMES,
  publishEventChannels,
  publishInvokeChannels,
} from '../../src/shared/rollout/publish-ipc-schemas';
import { EVENT_CHANNEL_NAMES, INVOKE_CHANNEL_NAMES } from '../../src/shared/ipc/channel-names';
import { testServices } from '../helpers/services';

const KID = 'A'.repeat(43);
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('publish IPC schemas', () => {
  it('every publish channel is in the contract names, and the lists match the schemas', () => {
    expect([...PUBLISH_INVOKE_CHANNEL_NAMES].sort()).toEqual(
      Object.keys(publishInvokeChannels).sort(),
    );
    expect([...PUBLISH_EVENT_CHANNEL_NAMES]).toEqual(Object.keys(publishEventChannels));
    for (const name of PUBLISH_INVOKE_CHANNEL_NAMES) expect(INVOKE_CHANNEL_NAMES).toContain(name);
    expect(EVENT_CHANNEL_NAMES).toContain('publish:state-changed');
  });

  const bad: [keyof typeof publishInvokeChannels, unknown, RegExp][] = [
    ['publish:get-overview', { extra: 1 }, /extra|Unrecognized/i],
    ['publish:set-store', { storeUri: 'ftp://x' }, /storeUri: must look like dir:/],
    ['publish:set-store', {}, /storeUri/],
    ['publish:plan', { action: 'deploy' }, /action/],
    ['publish:plan', { action: 'promote', target: 'dev' }, /target: must be staging or production/],
    [
      'publish:plan',
      { action: 'rollback', environment: 'qa' },
      /environment: must be one of dev, staging, production/,
    ],
    ['publish:plan', { action: 'rollback', environment: 'dev', toVersion: 0 }, /toVersion/],
    ['publish:plan', { action: 'kill-switch', flagKey: '' }, /flagKey: must name a flag/],
    ['publish:publish-draft', { draftRevision: 1 }, /expectFromVersion/],
    [
      'publish:publish-draft',
      { draftRevision: 1.5, expectFromVersion: 0 },
      /draftRevision: must be a whole version number/,
    ],
    ['publish:promote', { target: 'production', expectFromVersion: -1 }, /expectFromVersion/],
    ['publish:cosign', { environment: 'dev', digest: 'abc' }, /digest: must be a bundle digest/],
    ['publish:kill-switch', { flagKey: 'x'.repeat(201) }, /flagKey: must be at most 200/],
    [
      'publish:start-rollout',
      {
        environment: 'dev',
        flagKey: 'f',
        onVariant: 'on',
        offVariant: 'off',
        steps: [50, 10],
        bakeMinutes: 5,
      },
      /steps\.1: steps must go up/,
    ],
    [
      'publish:start-rollout',
      {
        environment: 'dev',
        flagKey: 'f',
        onVariant: 'on',
        offVariant: 'on',
        steps: [10],
        bakeMinutes: 5,
      },
      /offVariant: must differ from onVariant/,
    ],
    [
      'publish:start-rollout',
      {
        environment: 'dev',
        flagKey: 'f',
        onVariant: 'on',
        offVariant: 'off',
        steps: [0.5],
        bakeMinutes: -1,
      },
      /steps\.0: must be whole percentages.*bakeMinutes: must be 0 or more|bakeMinutes: must be 0 or more.*steps\.0/,
    ],
    [
      'publish:rollout-action',
      { environment: 'dev', flagKey: 'f', action: 'stop' },
      /action: must be pause, resume or advance/,
    ],
    ['publish:list-history', { limit: 0 }, /limit/],
    ['publish:generate-key', { name: 'bad/name' }, /name: must be 1-64 letters/],
    [
      'publish:generate-key',
      { name: 'alice', passphrase: 'short' },
      /passphrase: must be at least 8 characters/,
    ],
    ['publish:unlock-keys', { kids: ['nope'] }, /kids\.0: must be a key id/],
    [
      'publish:init-trust',
      { kids: [KID], thresholds: { dev: 1, staging: 1, production: 2, trust: 1 } },
      /thresholds\.production: needs 2 signatures but only 1 key/,
    ],
    [
      'publish:init-trust',
      { kids: [KID, KID], thresholds: { dev: 1, staging: 1, production: 1, trust: 1 } },
      /kids: lists a key twice/,
    ],
    [
      'publish:init-trust',
      { kids: [], thresholds: { dev: 1, staging: 1, production: 1, trust: 1 } },
      /kids: choose at least one key/,
    ],
    [
      'publish:plan-trust',
      { kids: [KID], thresholds: { dev: 1, staging: 1, production: 1, trust: 2 } },
      /thresholds\.trust: needs 2 signatures but only 1 key/,
    ],
    ['publish:plan-trust', { kids: ['x'], thresholds: {} }, /kids\.0: must be a key id/],
    [
      'publish:rotate-trust',
      { kids: [KID], thresholds: { dev: 1, staging: 1, production: 1, trust: 1 } },
      /expectTrustVersion/,
    ],
    [
      'publish:rotate-trust',
      {
        kids: [KID, KID],
        thresholds: { dev: 1, staging: 1, production: 1, trust: 1 },
        expectTrustVersion: 1,
      },
      /kids: lists a key twice/,
    ],
    [
      'publish:rotate-trust',
      {
        kids: [KID],
        thresholds: { dev: 0, staging: 1, production: 1, trust: 1 },
        expectTrustVersion: 1,
      },
      /thresholds\.dev: must be at least 1/,
    ],
    ['publish:export-public-key', { kid: 'short' }, /kid: must be a key id/],
    ['publish:export-public-key', {}, /kid/],
    ['publish:import-public-key', { text: '' }, /text: paste the public key text/],
    ['publish:import-public-key', { text: 'not json' }, /text: is not a public key text/],
    [
      'publish:import-public-key',
      { text: JSON.stringify({ schema: 'other', kid: KID }) },
      /text: is not an Aideon public key/,
    ],
    [
      'publish:import-public-key',
      {
        text: JSON.stringify({
          schema: 'aideon.public-key/1',
          kid: KID,
          name: 'bob',
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: KID, d: KID },
        }),
      },
      /text: contains a private key part/,
    ],
    [
      'publish:import-public-key',
      {
        text: JSON.stringify({
          schema: 'aideon.public-key/1',
          kid: KID,
          name: 'bob/../x',
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: KID },
        }),
      },
      /text: has no valid name/,
    ],
    [
      'publish:import-public-key',
      {
        text: JSON.stringify({
          schema: 'aideon.public-key/1',
          kid: KID,
          name: 'bob',
          publicJwk: { kty: 'RSA', n: 'x' },
        }),
      },
      /text: has no Ed25519 public key/,
    ],
    ['publish:import-public-key', { text: 'x'.repeat(4001) }, /text: is too long/],
    ['publish:remove-public-key', { kid: 1 }, /kid/],
    ['publish:list-versions', { environment: 'qa' }, /environment: must be one of/],
    ['publish:list-versions', { environment: 'dev', limit: 500 }, /limit/],
  ];

  it.each(bad)('%s refuses %j naming the field', (channel, input, message) => {
    const parsed = publishInvokeChannels[channel].input.safeParse(input);
    expect(parsed.success).toBe(false);
    const text = parsed.success
      ? ''
      : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    expect(text).toMatch(message);
  });

  it('accepts good input', () => {
    expect(
      publishInvokeChannels['publish:cosign'].input.safeParse({
        environment: 'production',
        digest: DIGEST,
      }).success,
    ).toBe(true);
    expect(
      publishInvokeChannels['publish:start-rollout'].input.safeParse({
        environment: 'production',
        flagKey: 'new-video-model',
        onVariant: 'on',
        offVariant: 'off',
        steps: [1, 5, 25, 50, 100],
        bakeMinutes: 60,
      }).success,
    ).toBe(true);
  });
});

describe('publish channels through the dispatcher', () => {
  let services: ReturnType<typeof testServices>;
  let dispatcher: Dispatcher;
  beforeAll(() => {
    services = testServices();
    dispatcher = createAppDispatcher(services, { checkOutputs: true });
  });
  afterAll(async () => {
    await services.cleanup();
  });

  it('answers a clear validation error and never echoes the passphrase', async () => {
    const secret = 'hunter2!';
    const result = await dispatcher.dispatch('publish:generate-key', {
      name: '../x',
      passphrase: secret,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(result)).toMatch(/name: must be 1-64 letters/);
  });

  it('the first-run overview and key generation answer in the contract shape, with no private key', async () => {
    const overview = await dispatcher.dispatch('publish:get-overview', {});
    expect(overview).toMatchObject({
      ok: true,
      value: { trust: null, keys: [], keyProtection: 'passphrase' },
    });
    const passphrase = 'a long passphrase';
    const generated = await dispatcher.dispatch('publish:generate-key', {
      name: 'alice',
      passphrase,
    });
    expect(generated.ok).toBe(true);
    const text = JSON.stringify(generated);
    expect(text).not.toContain(passphrase);
    expect(text).not.toMatch(/protectedPrivateKey|"d":/);
    const plan = await dispatcher.dispatch('publish:plan', { action: 'publish-draft' });
    expect(plan).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // The new channels: the exported public key, the import, versions, trust plan and rotation
    // never carry the passphrase or the protected private key.
    const kid = (generated as { ok: true; value: { unlocked: string[] } }).value.unlocked[0] ?? '';
    const exported = await dispatcher.dispatch('publish:export-public-key', { kid });
    expect(exported).toMatchObject({ ok: true, value: { kid, name: 'alice' } });
    const answers: unknown[] = [exported];
    const initialised = await dispatcher.dispatch('publish:init-trust', {
      kids: [kid],
      thresholds: { dev: 1, staging: 1, production: 1, trust: 1 },
    });
    expect(initialised.ok).toBe(true);
    answers.push(initialised);
    answers.push(
      await dispatcher.dispatch('publish:plan-trust', {
        kids: [kid],
        thresholds: { dev: 1, staging: 1, production: 1, trust: 1 },
      }),
    );
    answers.push(await dispatcher.dispatch('publish:list-versions', { environment: 'dev' }));
    answers.push(
      await dispatcher.dispatch('publish:rotate-trust', {
        kids: [kid],
        thresholds: { dev: 1, staging: 1, production: 1, trust: 1 },
        expectTrustVersion: 1,
      }),
    );
    const own = exported.ok ? (exported.value as { text: string }).text : '';
    const importedOwn = await dispatcher.dispatch('publish:import-public-key', { text: own });
    expect(importedOwn).toMatchObject({ ok: false, error: { code: 'conflict' } });
    answers.push(importedOwn);
    const withPrivate = JSON.parse(own) as { publicJwk: Record<string, string> };
    withPrivate.publicJwk.d = 'PRIVATE-PART-SHOULD-NOT-ECHO';
    const refused = await dispatcher.dispatch('publish:import-public-key', {
      text: JSON.stringify(withPrivate),
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'validation' } });
    answers.push(refused);
    for (const answer of answers) {
      const json = JSON.stringify(answer);
      expect(json).not.toContain(passphrase);
      expect(json).not.toMatch(/protectedPrivateKey|"d":|PRIVATE-PART-SHOULD-NOT-ECHO/);
    }
  });
});
