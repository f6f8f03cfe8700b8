import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flattenedVerify, importJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPassphraseProtector,
  generateKey,
  listKeys,
  loadSigner,
} from '../../../src/main/rollout/publish/keys';
import {
  appendHistory,
  exportHistory,
  listHistory,
  verifyHistoryChain,
  type HistoryInput,
} from '../../../src/main/rollout/publish/history';
import { openDatabase, type WritableDb } from '../../../src/main/store/db';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';
import { migration0060 } from '../../../src/main/store/migrations/0060-publishing';
import { base64UrlEncode } from '../../../src/consumer/bundle-format';
import { tempDir } from '../../helpers/temp-dir';
import { T0 } from './fixtures';

describe('signing keys', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('aideon-keys-')));
  afterEach(() => cleanup());

  it('generates an Ed25519 key whose file never holds the private key in clear', async () => {
    const protector = createPassphraseProtector('correct horse battery');
    const key = await generateKey('alice laptop', { dir, protector, now: () => T0 });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [file] = readdirSync(dir);
    const path = join(dir, file!);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/PRIVATE KEY|"d"\s*:/);
    const parsed = JSON.parse(text) as { protectedPrivateKey: string; publicJwk: object };
    expect(Object.keys(parsed.publicJwk).sort()).toEqual(['crv', 'kty', 'x']);
    // The protected blob is not PKCS#8 DER (which starts 0x30 0x2e for Ed25519).
    expect(Buffer.from(parsed.protectedPrivateKey, 'base64').subarray(0, 5).toString()).toBe(
      'AIDP1',
    );
    expect(await listKeys(dir)).toEqual([key]);

    const signer = await loadSigner(dir, key.kid, protector);
    expect(JSON.stringify(signer)).toBe(JSON.stringify({ kid: key.kid, name: 'alice laptop' }));
    const payload = base64UrlEncode('{"a":1}');
    const signature = await signer.sign(payload);
    const verified = await flattenedVerify(
      { payload, ...signature },
      await importJWK({ ...key.publicJwk }, 'EdDSA'),
    );
    expect(verified.protectedHeader).toEqual({ alg: 'EdDSA', kid: key.kid });
  });

  it('refuses a wrong passphrase with a message that does not echo it', async () => {
    const key = await generateKey('bob', {
      dir,
      protector: createPassphraseProtector('the right one!'),
      now: () => T0,
    });
    const attempt = loadSigner(dir, key.kid, createPassphraseProtector('the wrong one!'));
    await expect(attempt).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(attempt).rejects.not.toThrow(/wrong one/);
    expect(() => createPassphraseProtector('short')).toThrow(/at least 8/);
  });

  it('names a key file cut short without quoting its text', async () => {
    const protector = createPassphraseProtector('the right one!');
    const key = await generateKey('carol', { dir, protector, now: () => T0 });
    const path = join(dir, `${key.kid}.key.json`);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.indexOf('protectedPrivateKey') + 40));
    const attempt = loadSigner(dir, key.kid, protector);
    await expect(attempt).rejects.toMatchObject({
      code: 'validation',
      message: `The key file for ${key.kid} is not valid JSON.`,
    });
  });
});

describe('publishing history', () => {
  let db: WritableDb;
  beforeEach(() => {
    const list = MIGRATIONS.some((migration) => migration.version === 60)
      ? MIGRATIONS
      : [...MIGRATIONS, migration0060];
    db = openDatabase({ file: ':memory:', migrations: list });
  });
  afterEach(() => db.close());

  const entry = (overrides: Partial<HistoryInput> = {}): HistoryInput => ({
    at: T0,
    actor: 'alice',
    action: 'publish',
    storeUri: 'dir:/srv/config',
    environment: 'dev',
    version: 1,
    digest: `sha256:${'a'.repeat(64)}`,
    keyIds: ['kid-a'],
    diffSummary: '1 changed: tiers.free.chain',
    detail: { attempts: 1 },
    ...overrides,
  });

  it('chains every row to the one before and verifies the chain', () => {
    appendHistory(db, entry());
    appendHistory(db, entry({ action: 'promote', environment: 'staging' }));
    appendHistory(db, entry({ action: 'rollback', version: 3, actor: 'bob' }));
    const rows = listHistory(db);
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(verifyHistoryChain(db)).toEqual({ ok: true, entries: 3, head: rows[2]!.hash });
    const exported = JSON.parse(exportHistory(db)) as {
      chain: { ok: boolean };
      entries: unknown[];
    };
    expect(exported.chain.ok).toBe(true);
    expect(exported.entries).toHaveLength(3);
    expect(listHistory(db, { environment: 'staging' })).toHaveLength(1);
  });

  it('finds a tampered row, a deleted row and a re-hashed row', () => {
    for (let index = 0; index < 4; index += 1) appendHistory(db, entry({ version: index + 1 }));
    db.prepare("UPDATE publish_history SET actor = 'mallory' WHERE seq = 2").run();
    expect(verifyHistoryChain(db)).toMatchObject({
      ok: false,
      brokenAtSeq: 2,
      problem: expect.stringMatching(/edited/),
    });
    db.prepare("UPDATE publish_history SET actor = 'alice' WHERE seq = 2").run();
    expect(verifyHistoryChain(db).ok).toBe(true);

    // Re-hashing an edited row still breaks the link to the next one.
    db.prepare(
      "UPDATE publish_history SET diff_summary = 'nothing', hash = 'f' || substr(hash, 2) WHERE seq = 3",
    ).run();
    expect(verifyHistoryChain(db)).toMatchObject({ ok: false, brokenAtSeq: 3 });
  });

  it('finds a deleted row', () => {
    for (let index = 0; index < 3; index += 1) appendHistory(db, entry({ version: index + 1 }));
    db.prepare('DELETE FROM publish_history WHERE seq = 2').run();
    expect(verifyHistoryChain(db)).toMatchObject({
      ok: false,
      brokenAtSeq: 3,
      problem: 'row 2 is missing',
    });
  });
});
