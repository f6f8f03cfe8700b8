/**
 * Ed25519 signing keys. The private part only ever leaves memory encrypted by a KeyProtector
 * (the OS keychain through Electron safeStorage in the desktop app, a passphrase in the CLI);
 * it is never exported in clear, logged or sent to the renderer. A key file holds the public
 * JWK in clear and the protected PKCS#8 private key; its kid is the RFC 7638 thumbprint.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes as nodeRandomBytes,
  scrypt as scryptCallback,
  type KeyObject,
} from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, FlattenedSign } from 'jose';
import { AppError, ValidationError } from '../../../shared/errors';
import {
  base64UrlDecode,
  type JwsSignature,
  type PublicJwk,
} from '../../../consumer/bundle-format';

export interface KeyProtector {
  /** Stable name written into key files, e.g. `passphrase-scrypt-aes256gcm` or `safe-storage`. */
  readonly id: string;
  protect(plain: Uint8Array): Promise<Uint8Array>;
  /** Throws an AppError when the protected bytes cannot be opened (wrong passphrase, other OS user). */
  unprotect(protectedBytes: Uint8Array): Promise<Uint8Array>;
}

const MAGIC = Buffer.from('AIDP1', 'ascii');
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scrypt(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase.normalize('NFC'), salt, 32, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * The CLI's protector: scrypt (N=2^15, r=8, p=1) derives an AES-256-GCM key from the
 * passphrase. Layout: "AIDP1" | salt(16) | iv(12) | tag(16) | ciphertext.
 */
export function createPassphraseProtector(
  passphrase: string,
  options: { randomBytes?: (size: number) => Buffer } = {},
): KeyProtector {
  if (passphrase.length < 8)
    throw new ValidationError('passphrase', [
      { path: 'passphrase', message: 'must be at least 8 characters' },
    ]);
  const random = options.randomBytes ?? nodeRandomBytes;
  return {
    id: 'passphrase-scrypt-aes256gcm',
    async protect(plain) {
      const salt = random(16);
      const iv = random(12);
      const key = await scrypt(passphrase, salt);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), body]);
    },
    async unprotect(data) {
      const bytes = Buffer.from(data);
      if (bytes.length < 5 + 16 + 12 + 16 || !bytes.subarray(0, 5).equals(MAGIC))
        throw new AppError('validation', 'The protected key is not in the passphrase format.');
      const salt = bytes.subarray(5, 21);
      const iv = bytes.subarray(21, 33);
      const tag = bytes.subarray(33, 49);
      const key = await scrypt(passphrase, salt);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(bytes.subarray(49)), decipher.final()]);
      } catch {
        throw new AppError(
          'unauthorized',
          'The passphrase does not open this signing key. Check the passphrase (AIDEON_KEY_PASSPHRASE) and try again.',
        );
      }
    },
  };
}

export const KEY_FILE_SCHEMA = 'aideon.signing-key/1';

/** What is written to disk: never the private key in clear. */
export interface KeyFile {
  schema: typeof KEY_FILE_SCHEMA;
  kid: string;
  name: string;
  createdAt: string;
  publicJwk: PublicJwk;
  protector: string;
  /** base64 of the protector's output over the PKCS#8 DER private key. */
  protectedPrivateKey: string;
  /**
   * 'operator': an online key for the controller (trust file `operator` role), which may sign
   * only rollbacks, kill switches and renewals. Absent: an admin's signing key.
   */
  role?: KeyRole;
}

export type KeyRole = 'admin' | 'operator';

export interface PublicKeyInfo {
  kid: string;
  name: string;
  createdAt: string;
  publicJwk: PublicJwk;
  /** Absent for admin keys written before roles existed. */
  role?: KeyRole;
}

function keyFilePath(dir: string, kid: string): string {
  return join(dir, `${kid}.key.json`);
}

/** Generates a key pair, writes the protected key file (mode 0600) and returns the public part. */
export async function generateKey(
  name: string,
  options: { dir: string; protector: KeyProtector; now: () => number; role?: KeyRole },
): Promise<PublicKeyInfo> {
  if (!/^[\w .@-]{1,64}$/.test(name))
    throw new ValidationError('key', [
      { path: 'name', message: 'must be 1-64 letters, digits, spaces or . @ _ -' },
    ]);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  const kid = await calculateJwkThumbprint({ ...publicJwk }, 'sha256');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  let protectedBytes: Uint8Array;
  try {
    protectedBytes = await options.protector.protect(der);
  } finally {
    der.fill(0);
  }
  const file: KeyFile = {
    schema: KEY_FILE_SCHEMA,
    kid,
    name,
    createdAt: new Date(options.now()).toISOString(),
    publicJwk,
    protector: options.protector.id,
    protectedPrivateKey: Buffer.from(protectedBytes).toString('base64'),
    ...(options.role === 'operator' ? { role: 'operator' as const } : {}),
  };
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const path = keyFilePath(options.dir, kid);
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temp, 0o600);
  await rename(temp, path);
  return { kid, name, createdAt: file.createdAt, publicJwk, role: options.role ?? 'admin' };
}

async function readKeyFile(dir: string, kid: string): Promise<KeyFile> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(kid))
    throw new AppError('validation', `"${kid}" is not a key id (43 base64url characters).`);
  let text: string;
  try {
    text = await readFile(keyFilePath(dir, kid), 'utf8');
  } catch {
    throw new AppError(
      'not_found',
      `No signing key ${kid} in ${dir}. Run: aideon keys generate --name NAME`,
    );
  }
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch {
    // JSON.parse's message quotes the text; a key file's text stays out of messages.
    throw new AppError('validation', `The key file for ${kid} is not valid JSON.`);
  }
  if (file?.schema !== KEY_FILE_SCHEMA || file.kid !== kid)
    throw new AppError('validation', `The key file for ${kid} is not an ${KEY_FILE_SCHEMA} file.`);
  return file;
}

/** The protector a key file was written with (so a console knows what unlocking it needs). */
export async function keyProtectorId(dir: string, kid: string): Promise<string> {
  return (await readKeyFile(dir, kid)).protector;
}

/** Public parts of every key in the folder (nothing is decrypted). */
export async function listKeys(dir: string): Promise<PublicKeyInfo[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: PublicKeyInfo[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.key.json')).sort()) {
    const file = await readKeyFile(dir, name.slice(0, -'.key.json'.length));
    out.push({
      kid: file.kid,
      name: file.name,
      createdAt: file.createdAt,
      publicJwk: file.publicJwk,
      role: file.role ?? 'admin',
    });
  }
  return out;
}

/** Signs JWS payloads with one key; the private key lives only inside this object. */
export interface Signer {
  readonly kid: string;
  readonly name: string;
  readonly publicJwk: PublicJwk;
  sign(payloadB64: string): Promise<JwsSignature>;
}

export function signerFromKeyObject(
  info: { kid: string; name: string; publicJwk: PublicJwk },
  privateKey: KeyObject,
): Signer {
  const signer: Signer = {
    kid: info.kid,
    name: info.name,
    publicJwk: info.publicJwk,
    async sign(payloadB64) {
      const flattened = await new FlattenedSign(base64UrlDecode(payloadB64))
        .setProtectedHeader({ alg: 'EdDSA', kid: info.kid })
        .sign(privateKey);
      if (flattened.payload !== payloadB64 || flattened.protected === undefined)
        throw new AppError('internal', 'Signing produced a different payload encoding.');
      return { protected: flattened.protected, signature: flattened.signature };
    },
  };
  // Never serialise the key, even by accident.
  Object.defineProperty(signer, 'toJSON', {
    value: () => ({ kid: info.kid, name: info.name }),
    enumerable: false,
  });
  return signer;
}

/**
 * Loads a signer from a key file path (the controller: `--operator-key FILE` with the passphrase
 * from an environment variable). The key file is checked (schema, kid = thumbprint of its key);
 * the passphrase and the private key never reach a log or an error message.
 */
export async function loadSignerFromFile(
  path: string,
  protector: KeyProtector,
): Promise<Signer & { role: KeyRole }> {
  let file: KeyFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
  } catch {
    throw new AppError('not_found', `Cannot read the signing key file ${path} as JSON.`);
  }
  if (file?.schema !== KEY_FILE_SCHEMA || typeof file.kid !== 'string')
    throw new AppError('validation', `${path} is not an ${KEY_FILE_SCHEMA} file.`);
  const thumbprint = await calculateJwkThumbprint({ ...file.publicJwk }, 'sha256');
  if (thumbprint !== file.kid)
    throw new AppError('validation', `${path}: its kid is not the thumbprint of its key.`);
  const signer = await signerFromFile(file, protector);
  return Object.assign(signer, { role: file.role ?? ('admin' as const) });
}

async function signerFromFile(file: KeyFile, protector: KeyProtector): Promise<Signer> {
  const der = Buffer.from(
    await protector.unprotect(Buffer.from(file.protectedPrivateKey, 'base64')),
  );
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new AppError('validation', `Key ${file.kid} is not an Ed25519 key.`);
  return signerFromKeyObject(file, privateKey);
}

/** Decrypts the key file's private part with the protector and returns a Signer. */
export async function loadSigner(
  dir: string,
  kid: string,
  protector: KeyProtector,
): Promise<Signer & { role: KeyRole }> {
  const file = await readKeyFile(dir, kid);
  return Object.assign(await signerFromFile(file, protector), {
    role: file.role ?? ('admin' as const),
  });
}

// ---- public keys of other admins -------------------------------------------------------------

export const IMPORTED_KEY_SCHEMA = 'aideon.imported-public-key/1';

/** Another admin's public key, imported so it can be named in the trust file. */
export interface ImportedKey extends PublicKeyInfo {
  /** When it was imported (createdAt is the same instant). */
  importedAt: string;
}

function importedKeyPath(dir: string, kid: string): string {
  return join(dir, `${kid}.pub.json`);
}

/**
 * Stores another admin's public key (`<kid>.pub.json` beside the key files). The kid must be
 * the RFC 7638 thumbprint of the key, so a pasted text cannot name one key and carry another.
 */
export async function importPublicKey(
  dir: string,
  key: { kid: string; name: string; publicJwk: PublicJwk },
  now: () => number,
): Promise<ImportedKey> {
  const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x };
  const thumbprint = await calculateJwkThumbprint({ ...publicJwk }, 'sha256');
  if (thumbprint !== key.kid)
    throw new ValidationError('public key', [
      {
        path: 'text',
        message: `names key id ${key.kid}, but its key's thumbprint is ${thumbprint}: the text was altered or mixed up. Copy it again from the other console.`,
      },
    ]);
  if ((await listKeys(dir)).some((own) => own.kid === key.kid))
    throw new AppError(
      'conflict',
      `Key ${key.kid} is one of this console's own signing keys; it needs no import.`,
    );
  const importedAt = new Date(now()).toISOString();
  const file = {
    schema: IMPORTED_KEY_SCHEMA,
    kid: key.kid,
    name: key.name,
    importedAt,
    publicJwk,
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = importedKeyPath(dir, key.kid);
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  return { kid: key.kid, name: key.name, createdAt: importedAt, importedAt, publicJwk };
}

/** The imported public keys (other admins'), oldest name first. */
export async function listImportedKeys(dir: string): Promise<ImportedKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: ImportedKey[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.pub.json')).sort()) {
    try {
      const file = JSON.parse(await readFile(join(dir, name), 'utf8')) as {
        schema?: unknown;
        kid?: unknown;
        name?: unknown;
        importedAt?: unknown;
        publicJwk?: { x?: unknown };
      };
      if (
        file.schema !== IMPORTED_KEY_SCHEMA ||
        typeof file.kid !== 'string' ||
        typeof file.name !== 'string' ||
        typeof file.importedAt !== 'string' ||
        typeof file.publicJwk?.x !== 'string'
      )
        continue;
      out.push({
        kid: file.kid,
        name: file.name,
        createdAt: file.importedAt,
        importedAt: file.importedAt,
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: file.publicJwk.x },
      });
    } catch {
      // An unreadable file is skipped; it never names a key.
    }
  }
  return out;
}

/** Forgets an imported public key (the trust file is not changed by this). */
export async function removeImportedKey(dir: string, kid: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(kid))
    throw new AppError('validation', `"${kid}" is not a key id (43 base64url characters).`);
  try {
    await unlink(importedKeyPath(dir, kid));
  } catch {
    throw new AppError('not_found', `No imported public key ${kid} in this console.`);
  }
}
