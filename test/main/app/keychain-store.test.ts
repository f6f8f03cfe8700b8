/**
 * The desktop keychain logic with a stand-in for safeStorage (Electron cannot run here): keys
 * never sit in the file in the clear, saved keys win over the environment, an unavailable
 * keychain refuses to save, and a signing key from another machine is refused by name.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDesktopSecretStore,
  keychainKeyProtector,
  type StringEncryption,
} from '../../../src/main/app/keychain-store';
import { tempDir } from '../../helpers/temp-dir';

/** Reversible, and keyed per "machine": another machine's bytes do not decrypt. */
function machine(secret: number, available = true): StringEncryption {
  const flip = (bytes: Buffer): Buffer => Buffer.from(bytes.map((byte) => byte ^ secret));
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.concat([Buffer.from([secret]), flip(Buffer.from(plain))]),
    decryptString: (encrypted) => {
      if (encrypted[0] !== secret) throw new Error('Error while decrypting the ciphertext');
      return flip(encrypted.subarray(1)).toString();
    },
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('desktop keychain store', () => {
  it('saves keys encrypted, prefers them to the environment, and removes them', () => {
    const { dir, cleanup } = tempDir('aideon-keychain-');
    cleanups.push(cleanup);
    const file = join(dir, 'keys.json');
    const key = 'tgp_v1_PLANTED-KEYCHAIN-SECRET-24680';
    const store = createDesktopSecretStore(
      file,
      { TOGETHER_API_KEY: 'from-the-shell-0000' },
      machine(7),
    );
    expect(store.source('together')).toBe('environment');
    store.set?.('together', key);
    expect(readFileSync(file, 'utf8')).not.toContain(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(store.get('together')).toBe(key);
    expect(store.source('together')).toBe('keychain');
    // A new session reads it back.
    expect(createDesktopSecretStore(file, {}, machine(7)).get('together')).toBe(key);
    store.remove?.('together');
    expect(store.get('together')).toBe('from-the-shell-0000');
  });

  it('refuses to save without a keychain', () => {
    const { dir, cleanup } = tempDir('aideon-keychain-');
    cleanups.push(cleanup);
    const store = createDesktopSecretStore(join(dir, 'keys.json'), {}, machine(7, false));
    expect(() => store.set?.('runway', 'key_abcdef0123456789')).toThrow(
      /keychain is not available, so the key was not saved/,
    );
  });

  it("protects signing keys; another machine's key is refused by name", async () => {
    const here = keychainKeyProtector(machine(7));
    const sealed = await here.protect(new Uint8Array([1, 2, 3]));
    expect([...(await here.unprotect(sealed))]).toEqual([1, 2, 3]);
    await expect(keychainKeyProtector(machine(9)).unprotect(sealed)).rejects.toThrow(
      /encrypted by another user or machine/,
    );
    await expect(
      keychainKeyProtector(machine(7, false)).protect(new Uint8Array([1])),
    ).rejects.toThrow(/no signing key was created/);
  });
});
