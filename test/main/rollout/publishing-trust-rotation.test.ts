/**
 * Two consoles (own data folder, SQLite and keys each) on one directory config store: public
 * key exchange, co-signing, trust rotation from the console, and choosing a rollback target.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyFromStore } from '../../../src/consumer/verify-bundle';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { PublishingService } from '../../../src/main/rollout/publish/publishing-service';
import { tempDir } from '../../helpers/temp-dir';
import { clock, sampleConfig, T0 } from './fixtures';

const ALICE_PASS = 'alice passphrase';
const BOB_PASS = 'bob passphrase!';

interface Console {
  service: PublishingService;
  db: WritableDb;
  dataDir: string;
  draft: {
    config: unknown;
    revision: number;
    source: 'draft' | 'example';
    updatedAt: number | null;
  };
}

describe('two consoles on one store: public keys, co-signing, trust rotation, rollback targets', () => {
  let root: string;
  let cleanup: () => void;
  let time: ReturnType<typeof clock>;
  let storeUri: string;
  const consoles: Console[] = [];

  async function open(actor: string): Promise<Console> {
    const dataDir = join(root, actor);
    mkdirSync(dataDir);
    const db = openDatabase({ file: join(dataDir, 'aideon.sqlite') });
    const item: Console = {
      db,
      dataDir,
      draft: { config: {}, revision: 0, source: 'example', updatedAt: null },
      service: undefined as unknown as PublishingService,
    };
    item.service = new PublishingService({
      db,
      dataDir,
      now: time.now,
      sleep: () => new Promise(() => undefined),
      actor,
      validateConfig: (config) =>
        typeof config.tiers === 'object' ? [] : [{ path: 'tiers', message: 'required' }],
      draft: () => item.draft,
    });
    await item.service.setStore(storeUri);
    consoles.push(item);
    return item;
  }

  beforeEach(() => {
    ({ dir: root, cleanup } = tempDir('aideon-two-consoles-'));
    time = clock();
    storeUri = `dir:${join(root, 'shared-store')}`;
  });
  afterEach(async () => {
    for (const item of consoles.splice(0)) {
      await item.service.stop();
      item.db.close();
    }
    cleanup();
  });

  const saveDraft = (item: Console, config: Record<string, unknown>) => {
    item.draft = {
      config,
      revision: item.draft.revision + 1,
      source: 'draft',
      updatedAt: time.now(),
    };
  };

  it('Bob exports his public key (public parts only); Alice imports it; bad texts are refused', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const aliceKid = (await alice.service.generateKey('alice laptop', ALICE_PASS))
      .unlocked[0] as string;
    const bobKid = (await bob.service.generateKey('bob laptop', BOB_PASS)).unlocked[0] as string;

    const exported = await bob.service.exportPublicKey(bobKid);
    expect(exported).toMatchObject({ kid: bobKid, name: 'bob laptop' });
    expect(exported.text).not.toMatch(/protectedPrivateKey|"d"|AIDP1/);
    expect(exported.text).not.toContain(BOB_PASS);
    const keyFile = readFileSync(join(bob.dataDir, 'keys', `${bobKid}.key.json`), 'utf8');
    const protectedPart = (JSON.parse(keyFile) as { protectedPrivateKey: string })
      .protectedPrivateKey;
    expect(exported.text).not.toContain(protectedPart);
    await expect(bob.service.exportPublicKey('A'.repeat(43))).rejects.toThrow(/No signing key/);

    // Refusals: not JSON, a private part, a kid that is not the key's thumbprint, one's own key.
    await expect(alice.service.importPublicKey('hello')).rejects.toThrow(
      /text: is not a public key text/,
    );
    const withPrivate = JSON.parse(exported.text) as { publicJwk: Record<string, string> };
    withPrivate.publicJwk.d = 'c2VjcmV0';
    await expect(alice.service.importPublicKey(JSON.stringify(withPrivate))).rejects.toThrow(
      /private key part/,
    );
    const swapped = JSON.parse(exported.text) as { kid: string };
    swapped.kid = aliceKid;
    await expect(alice.service.importPublicKey(JSON.stringify(swapped))).rejects.toThrow(
      /thumbprint is/,
    );
    const own = await alice.service.exportPublicKey(aliceKid);
    await expect(alice.service.importPublicKey(own.text)).rejects.toThrow(/own signing keys/);

    expect(await alice.service.importPublicKey(exported.text)).toEqual({
      kid: bobKid,
      name: 'bob laptop',
      trusted: false,
    });
    const overview = await alice.service.overview();
    expect(overview.importedKeys).toEqual([
      expect.objectContaining({ kid: bobKid, name: 'bob laptop', trusted: false }),
    ]);
    // Bob's key is not one of Alice's signing keys: it cannot be unlocked there.
    expect(overview.keys.map((key) => key.kid)).toEqual([aliceKid]);
    // Nothing private crossed over: Alice's key folder holds Bob's public key only.
    const imported = readFileSync(join(alice.dataDir, 'keys', `${bobKid}.pub.json`), 'utf8');
    expect(imported).not.toMatch(/protectedPrivateKey|"d"/);
    expect(readdirSync(join(alice.dataDir, 'keys')).sort()).toEqual(
      [`${aliceKid}.key.json`, `${bobKid}.pub.json`].sort(),
    );
    await alice.service.removePublicKey(bobKid);
    expect((await alice.service.overview()).importedKeys).toEqual([]);
    await expect(alice.service.removePublicKey(bobKid)).rejects.toThrow(/No imported public key/);
  });

  it('co-signing across consoles: production waits for Bob, who sees the diff and signers, then it is live with 2 signatures', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const aliceKid = (await alice.service.generateKey('alice laptop', ALICE_PASS))
      .unlocked[0] as string;
    const bobKid = (await bob.service.generateKey('bob laptop', BOB_PASS)).unlocked[0] as string;
    await alice.service.importPublicKey((await bob.service.exportPublicKey(bobKid)).text);
    // Trust changes need 1 (Alice alone can set it up); production needs both.
    await alice.service.initTrust([aliceKid, bobKid], {
      dev: 1,
      staging: 1,
      production: 2,
      trust: 1,
    });
    saveDraft(alice, sampleConfig());
    await alice.service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
    await alice.service.promote({ target: 'staging', expectFromVersion: 0 });
    const pending = await alice.service.promote({ target: 'production', expectFromVersion: 0 });
    expect(pending.outcomes[0]).toMatchObject({ status: 'pending', needed: 1, keyIds: [aliceKid] });

    const bobView = (await bob.service.overview()).environments[2];
    expect(bobView?.live).toBeNull();
    expect(bobView?.pending).toEqual([
      expect.objectContaining({
        version: 1,
        keyIds: [aliceKid],
        needed: 1,
        applicable: true,
        canSign: true,
      }),
    ]);
    expect(bobView?.pending[0]?.diff.map((entry) => entry.path)).toEqual([
      'flags',
      'schema',
      'tiers',
    ]);
    const signed = await bob.service.cosign({
      environment: 'production',
      digest: bobView?.pending[0]?.digest as string,
    });
    expect(signed.outcomes[0]).toMatchObject({ status: 'published', version: 1 });
    const verified = await verifyFromStore(
      storeUri,
      'production',
      join(root, 'shared-store', 'production', 'trust.json'),
      join(root, 'verify-state.json'),
      { now: T0 },
    );
    expect(verified).toMatchObject({ ok: true, version: 1 });
    expect(verified.ok && verified.keyIds.sort()).toEqual([aliceKid, bobKid].sort());
    // One shared history in the store: each console shows both admins' parts, attributed.
    const story = [
      ['bob', 'cosign'],
      ['alice', 'pending'],
      ['alice', 'promote'],
      ['alice', 'publish'],
      ['alice', 'trust_init'],
    ];
    expect(bob.service.history({}).map((row) => [row.actor, row.action])).toEqual(story);
    expect((await alice.service.syncedHistory({})).map((row) => [row.actor, row.action])).toEqual(
      story,
    );
    expect(alice.service.checkChain()).toMatchObject({ ok: true, entries: 5 });
  });

  it('trust rotation: the plan shows before/after and what it does to what is live; stale or unsigned changes are refused', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const aliceKid = (await alice.service.generateKey('alice laptop', ALICE_PASS))
      .unlocked[0] as string;
    const bobKid = (await bob.service.generateKey('bob laptop', BOB_PASS)).unlocked[0] as string;
    const all1 = { dev: 1, staging: 1, production: 1, trust: 1 };
    await alice.service.initTrust([aliceKid], all1);
    saveDraft(alice, sampleConfig());
    await alice.service.publishDraft({ draftRevision: 1, expectFromVersion: 0 });
    await alice.service.promote({ target: 'staging', expectFromVersion: 0 });
    await alice.service.promote({ target: 'production', expectFromVersion: 0 });

    // Bob is unknown to Alice's console until she imports his public key.
    await expect(
      alice.service.planTrust({ kids: [aliceKid, bobKid], thresholds: all1 }),
    ).rejects.toThrow(/add its public key first/);
    await alice.service.importPublicKey((await bob.service.exportPublicKey(bobKid)).text);
    await expect(
      alice.service.planTrust({ kids: [aliceKid], thresholds: all1 }),
    ).resolves.toMatchObject({ problems: [expect.stringMatching(/Nothing changes/)] });

    const next = { dev: 1, staging: 1, production: 2, trust: 1 };
    const plan = await alice.service.planTrust({ kids: [aliceKid, bobKid], thresholds: next });
    expect(plan).toMatchObject({
      before: { version: 1, keys: [{ kid: aliceKid, name: 'alice laptop' }], thresholds: all1 },
      after: { version: 2, thresholds: next },
      added: [{ kid: bobKid, name: 'bob laptop' }],
      removed: [],
      thresholdChanges: [{ name: 'production', before: 1, after: 2 }],
      signatures: { current: 1, currentNeeded: 1, next: 1, nextNeeded: 1 },
      problems: [],
    });
    expect(plan.environments.map((env) => [env.environment, env.effect])).toEqual([
      ['dev', 'none'],
      ['staging', 'none'],
      ['production', 'warning'],
    ]);
    expect(plan.warnings.join(' ')).toMatch(/production runs version 1 with 1 of the 2 signatures/);
    expect(plan.warnings.join(' ')).toMatch(
      /Trust changes need 1 signature\(s\) but an environment needs 2/,
    );

    await expect(
      alice.service.rotateTrust({
        kids: [aliceKid, bobKid],
        thresholds: next,
        expectTrustVersion: 2,
      }),
    ).rejects.toThrow(/moved on to version 1/);
    await alice.service.lockKeys();
    await expect(
      alice.service.rotateTrust({
        kids: [aliceKid, bobKid],
        thresholds: next,
        expectTrustVersion: 1,
      }),
    ).rejects.toThrow(/Unlock keys/);
    await alice.service.unlockKeys({ passphrase: ALICE_PASS });
    const rotated = await alice.service.rotateTrust({
      kids: [aliceKid, bobKid],
      thresholds: next,
      expectTrustVersion: 1,
    });
    expect(rotated.trust).toMatchObject({ version: 2, thresholds: next });
    expect(rotated.importedKeys).toEqual([expect.objectContaining({ kid: bobKid, trusted: true })]);
    // Production still runs version 1 (1 signature): shown as under-signed, and the console can
    // still build on top of it.
    expect(rotated.environments[2]?.live).toMatchObject({ version: 1, underSigned: true });
    expect(rotated.environments[2]?.problem).toBeNull();
    expect((await bob.service.overview()).keys[0]).toMatchObject({ kid: bobKid, trusted: true });
    expect(alice.service.history({ limit: 1 })[0]).toMatchObject({
      action: 'trust_rotate',
      version: 2,
    });

    // A new config reaches production only with Bob's co-signature; then it is fully signed.
    saveDraft(alice, sampleConfig('together:wan-2.2'));
    await alice.service.publishDraft({ draftRevision: 2, expectFromVersion: 1 });
    await alice.service.promote({ target: 'staging', expectFromVersion: 1 });
    await alice.service.promote({ target: 'production', expectFromVersion: 1 });
    const digest = (await bob.service.overview()).environments[2]?.pending[0]?.digest as string;
    await bob.service.cosign({ environment: 'production', digest });
    expect((await alice.service.overview()).environments[2]?.live).toMatchObject({
      version: 2,
      underSigned: false,
    });

    // Removing Alice's key would orphan dev and staging (signed only by her): refused.
    const removal = await alice.service.planTrust({
      kids: [bobKid],
      thresholds: all1,
    });
    expect(removal.removed).toEqual([{ kid: aliceKid, name: 'alice laptop' }]);
    expect(removal.problems.join(' ')).toMatch(
      /dev runs version 2, signed only by key\(s\) this change removes/,
    );
    expect(removal.problems.join(' ')).toMatch(
      /new trust file \(version 3\); your unlocked keys give 0/,
    );
    expect(removal.warnings.join(' ')).toMatch(/this console can no longer sign/);
    await expect(
      alice.service.rotateTrust({ kids: [bobKid], thresholds: all1, expectTrustVersion: 2 }),
    ).rejects.toThrow(/The trust file was not changed/);

    // Raising the trust threshold to 2 needs both keys in one session: Alice's console says so.
    const both = await alice.service.planTrust({
      kids: [aliceKid, bobKid],
      thresholds: { ...next, trust: 2 },
    });
    expect(both.problems.join(' ')).toMatch(/This console holds only 1 of them/);
  });

  it('rollback targets: versions newest first with who signed and what each changed; the chosen one is restored', async () => {
    const alice = await open('alice');
    const aliceKid = (await alice.service.generateKey('alice laptop', ALICE_PASS))
      .unlocked[0] as string;
    await alice.service.initTrust([aliceKid], { dev: 1, staging: 1, production: 1, trust: 1 });
    const configs = ['together:wan-2.1', 'together:wan-2.2', 'together:wan-2.5'].map((tier) =>
      sampleConfig(tier),
    );
    for (const [index, config] of configs.entries()) {
      saveDraft(alice, config);
      time.advance(60_000);
      await alice.service.publishDraft({ draftRevision: index + 1, expectFromVersion: index });
    }
    const versions = await alice.service.listVersions('dev');
    expect(versions.map((row) => [row.version, row.isLive, row.sameAsLive])).toEqual([
      [3, true, true],
      [2, false, false],
      [1, false, false],
    ]);
    expect(versions[1]).toMatchObject({
      signedBy: [{ kid: aliceKid, name: 'alice laptop' }],
      publishedBy: 'alice',
      issuedAt: new Date(T0 + 120_000).toISOString(),
    });
    expect(versions[1]?.summary).toMatch(/1 changed/);
    expect(versions[2]?.summary).toMatch(/3 added/);
    expect(await alice.service.listVersions('dev', 1)).toHaveLength(1);
    expect(await alice.service.listVersions('staging')).toEqual([]);

    const plan = await alice.service.plan({ action: 'rollback', environment: 'dev', toVersion: 1 });
    expect(plan.restoresVersion).toBe(1);
    expect(JSON.stringify(plan.changes[0]?.diff)).toContain('together:wan-2.1');
    const done = await alice.service.rollback({
      environment: 'dev',
      toVersion: 1,
      expectFromVersion: 3,
    });
    expect(done.outcomes[0]).toMatchObject({ status: 'published', version: 4 });
    const after = await alice.service.listVersions('dev');
    expect(after[0]).toMatchObject({ version: 4, isLive: true });
    expect(after.find((row) => row.version === 1)?.sameAsLive).toBe(true);
  });
});
