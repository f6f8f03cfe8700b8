/**
 * Read-only access to a config store for consumers: `dir:/path` (a folder, e.g. a synced share)
 * or `etcd://host:port/prefix` (etcd v3 JSON gateway over plain HTTP). Uses only Node built-ins
 * and the global fetch, so a production service needs nothing else.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

export type StoreLocation =
  { kind: 'dir'; root: string } | { kind: 'etcd'; endpoint: string; prefix: string };

/** A `scheme://` URI's user information (before the last `@` ahead of any `?` or `#`). */
function userInfo(uri: string): { scheme: string; userinfo: string | null; rest: string } | null {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri)?.[0];
  if (!scheme) return null;
  const rest = uri.slice(scheme.length);
  const at = rest.split(/[?#]/, 1)[0]?.lastIndexOf('@') ?? -1;
  return at < 0
    ? { scheme, userinfo: null, rest }
    : { scheme, userinfo: rest.slice(0, at), rest: rest.slice(at) };
}

/**
 * A store URI as it may be shown to people (messages, logs, CLI output): a password or token in
 * it is replaced by `***` (`etcd://user:***@host:2379/prefix`, `etcd://***@host:2379/prefix`
 * for a bare token), and so is every query parameter's value. Works on text that is not a valid
 * URL too, and errs on the side of hiding: an `@` later in the URI hides everything before it.
 * `dir:` URIs carry no secrets and are returned as given.
 */
export function redactStoreUri(uri: string): string {
  const parts = userInfo(uri);
  if (!parts) return uri;
  const { scheme, userinfo, rest } = parts;
  const colon = userinfo?.indexOf(':') ?? -1;
  const shown = userinfo === null ? '' : colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***';
  return scheme + shown + rest.replace(/([?&][^=&#]*=)[^&#]*/g, '$1***');
}

/** The secrets redactStoreUri hides (password or token, query values), to scrub from messages. */
export function storeUriSecrets(uri: string): string[] {
  const parts = userInfo(uri);
  if (!parts) return [];
  const secrets: string[] = [];
  if (parts.userinfo !== null) {
    const colon = parts.userinfo.indexOf(':');
    secrets.push(colon >= 0 ? parts.userinfo.slice(colon + 1) : parts.userinfo);
  }
  for (const match of parts.rest.matchAll(/[?&][^=&#]*=([^&#]*)/g)) secrets.push(match[1] ?? '');
  return secrets.filter((secret) => secret.length > 0);
}

/**
 * `text` with the store URI shown redacted, and its secrets (four characters or more, as
 * elsewhere: a shorter one would garble the text) hidden wherever else they appear.
 */
export function hideStoreUriSecrets(text: string, uri: string): string {
  let out = text.split(uri).join(redactStoreUri(uri));
  for (const secret of storeUriSecrets(uri))
    if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

/** Parses a store URI; throws a TypeError that says what a valid URI looks like. */
export function parseStoreUri(uri: string): StoreLocation {
  if (uri.startsWith('dir:')) {
    const root = uri.slice('dir:'.length).replace(/^\/\/(?=\/)/, '');
    if (!root || !isAbsolute(root))
      throw new TypeError(
        `Store URI "${uri}" needs an absolute folder, e.g. dir:/srv/aideon-config`,
      );
    return { kind: 'dir', root: normalize(root) };
  }
  if (uri.startsWith('etcd://')) {
    let url: URL;
    try {
      url = new URL(`http://${uri.slice('etcd://'.length)}`);
    } catch {
      throw new TypeError(
        `Store URI "${redactStoreUri(uri)}" is not a valid URL, e.g. etcd://127.0.0.1:2379/aideon`,
      );
    }
    if (!url.port)
      throw new TypeError(
        `Store URI "${redactStoreUri(uri)}" needs a port, e.g. etcd://127.0.0.1:2379/aideon`,
      );
    // The store speaks to etcd without logging in: a user name or password in the URI would do
    // nothing but sit in the console's database and in what it shows (settings, logs, webhooks).
    if (url.username || url.password)
      throw new TypeError(
        `Store URI "${redactStoreUri(uri)}" carries a user name or password, but the console does not log in to etcd; remove them (protect etcd by network access or a proxy), e.g. etcd://127.0.0.1:2379/aideon`,
      );
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    return { kind: 'etcd', endpoint: `http://${url.host}`, prefix };
  }
  throw new TypeError(
    `Store URI "${redactStoreUri(uri)}" is not supported: use dir:/absolute/folder or etcd://host:port/prefix`,
  );
}

/** The etcd key (text) of a store key under the prefix. */
export function etcdKey(prefix: string, key: string): string {
  return prefix ? `${prefix}/${key}` : key;
}

/** The file of a store key inside a directory store; refuses keys that would leave the root. */
export function dirPath(root: string, key: string): string {
  if (key.split('/').some((part) => part === '..' || part === '' || part.startsWith('.')))
    throw new TypeError(`Store key "${key}" is not allowed.`);
  const path = join(root, ...key.split('/'));
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep))
    throw new TypeError(`Store key "${key}" is not allowed.`);
  return path;
}

export interface StoreReader {
  /** The stored text, or undefined when the key does not exist. */
  read(key: string): Promise<string | undefined>;
}

export function openStoreReader(
  uri: string,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): StoreReader {
  const location = parseStoreUri(uri);
  if (location.kind === 'dir') {
    return {
      async read(key) {
        try {
          return await readFile(dirPath(location.root, key), 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }
      },
    };
  }
  const doFetch = options.fetch ?? fetch;
  return {
    async read(key) {
      const response = await doFetch(`${location.endpoint}/v3/kv/range`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          key: Buffer.from(etcdKey(location.prefix, key)).toString('base64'),
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10000),
      });
      if (!response.ok) throw new Error(`etcd answered HTTP ${response.status}`);
      const body = (await response.json()) as { kvs?: { value?: string }[] };
      const value = body.kvs?.[0]?.value;
      if (value === undefined) return undefined;
      return Buffer.from(value, 'base64').toString('utf8');
    },
  };
}
