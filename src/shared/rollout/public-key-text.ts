/**
 * The text one admin copies from their console ("Copy public key") and another pastes ("Add a
 * public key") so the second can name the first's key in the trust file. Public parts only:
 * a text that carries a private member (`d`) is refused, so a mistaken paste never travels on.
 *
 * Format (one line of JSON):
 * `{"schema":"aideon.public-key/1","kid":"<RFC 7638 thumbprint>","name":"bob laptop",
 *   "publicJwk":{"kty":"OKP","crv":"Ed25519","x":"<43 base64url>"}}`
 * The kid is checked against the key's thumbprint when it is imported (in main).
 */

export const PUBLIC_KEY_TEXT_SCHEMA = 'aideon.public-key/1';

export interface PublicKeyText {
  kid: string;
  name: string;
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

const KID = /^[A-Za-z0-9_-]{43}$/;
const NAME = /^[\w .@-]{1,64}$/;

export function formatPublicKeyText(key: PublicKeyText): string {
  return JSON.stringify({
    schema: PUBLIC_KEY_TEXT_SCHEMA,
    kid: key.kid,
    name: key.name,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a pasted public key; the message says what is wrong and what to do. */
export function parsePublicKeyText(
  text: string,
): { ok: true; value: PublicKeyText } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    return {
      ok: false,
      message:
        'is not a public key text: paste the whole line that "Copy public key" gave in the other console (it starts with {"schema":"aideon.public-key/1")',
    };
  }
  if (!isObject(value) || value.schema !== PUBLIC_KEY_TEXT_SCHEMA)
    return {
      ok: false,
      message: `is not an Aideon public key (its schema must be "${PUBLIC_KEY_TEXT_SCHEMA}")`,
    };
  const jwk = value.publicJwk;
  if (isObject(jwk) && 'd' in jwk)
    return {
      ok: false,
      message:
        'contains a private key part ("d"). Never share it: generate a new key in that console and copy only its public key',
    };
  if (typeof value.kid !== 'string' || !KID.test(value.kid))
    return { ok: false, message: 'has no valid key id (kid: 43 base64url characters)' };
  if (typeof value.name !== 'string' || !NAME.test(value.name))
    return { ok: false, message: 'has no valid name (1-64 letters, digits, spaces or . @ _ -)' };
  if (
    !isObject(jwk) ||
    jwk.kty !== 'OKP' ||
    jwk.crv !== 'Ed25519' ||
    typeof jwk.x !== 'string' ||
    !/^[A-Za-z0-9_-]{43}$/.test(jwk.x)
  )
    return {
      ok: false,
      message: 'has no Ed25519 public key (publicJwk with kty OKP, crv Ed25519, x)',
    };
  if (Object.keys(jwk).some((name) => !['kty', 'crv', 'x'].includes(name)))
    return { ok: false, message: 'has extra members in publicJwk (only kty, crv and x)' };
  return {
    ok: true,
    value: {
      kid: value.kid,
      name: value.name,
      publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
    },
  };
}
