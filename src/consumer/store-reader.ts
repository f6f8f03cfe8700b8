/**
 * Read-only access to a config store for consumers: `dir:/path` (a folder, e.g. a synced share)
 * or `etcd://host:port/prefix` (etcd v3 JSON gateway over plain HTTP). Uses only Node built-ins
 * and the global fetch, so a production service needs nothing else.
 */
import { createHash } from 'node:crypto';
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

/**
 * A directory store's commit journal: `<root>/.commit-journal.json`, present only while a commit
 * is being applied (or after its publisher died half-way). A commit of several keys writes the
 * whole commit (every key's new text, or null for a deletion) to this one file (temp file, fsync,
 * rename) before it touches any key's file, then writes the key files, then removes the journal.
 * The rename is the commit point: while the journal exists, its values ARE the store's content
 * for the keys it names, whatever their files hold (some may be new already, some still old).
 * So a reader first looks for the journal and takes a key from it when it names the key, and
 * only otherwise reads the key's file; the next publisher (under the store's lock) finishes
 * the commit (rolls it forward) before anything else. A journal is never half-written: it
 * becomes visible by rename only once complete, and its `sha256` covers its content.
 *
 * Format: `{"schema":"aideon.dir-commit/1","id":"…","writes":[{"key":"dev/current",
 * "value":"…" | null,"before":"<etag>" | null}, …],"sha256":"<hex>"}`, where `sha256` is the
 * SHA-256 of `JSON.stringify({schema, id, writes})` and `before` is the etag (first 32 hex
 * digits of the SHA-256 of the text) the key had when the commit was decided, null = absent.
 */
export const DIR_JOURNAL_FILE = '.commit-journal.json';
export const DIR_JOURNAL_SCHEMA = 'aideon.dir-commit/1';

export interface DirJournalWrite {
  key: string;
  /** New text, or null: the commit deletes the key. */
  value: string | null;
  /** The key's etag before the commit, or null when it did not exist. */
  before: string | null;
}

export interface DirJournal {
  schema: typeof DIR_JOURNAL_SCHEMA;
  /** Unique per commit: lets a publisher tell its own journal from another's. */
  id: string;
  writes: DirJournalWrite[];
}

/** A directory store's commit journal exists but was not written by the store. */
export class DirJournalDamagedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirJournalDamagedError';
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The etag of a directory store value: the first 32 hex digits of its SHA-256. */
export function dirEtag(value: string): string {
  return sha256Hex(value).slice(0, 32);
}

/** The text of a journal file (with its checksum). */
export function dirJournalText(journal: DirJournal): string {
  const body = { schema: journal.schema, id: journal.id, writes: journal.writes };
  return JSON.stringify({ ...body, sha256: sha256Hex(JSON.stringify(body)) });
}

/**
 * The directory store's commit journal, or undefined when there is none (no commit in flight).
 * Throws an Error naming the file when it exists but is damaged (not written by the store).
 */
export async function readDirJournal(root: string): Promise<DirJournal | undefined> {
  const file = join(root, DIR_JOURNAL_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const damaged = (why: string) =>
    new DirJournalDamagedError(
      `The directory store's commit journal ${file} is damaged (${why}); it was not written by the store. Nothing can be read until it is repaired or removed by hand.`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged('not JSON');
  }
  const journal = value as Partial<DirJournal> & { sha256?: unknown };
  if (journal?.schema !== DIR_JOURNAL_SCHEMA) throw damaged(`schema is not ${DIR_JOURNAL_SCHEMA}`);
  if (
    typeof journal.id !== 'string' ||
    !Array.isArray(journal.writes) ||
    !journal.writes.every(
      (write: Partial<DirJournalWrite>) =>
        typeof write?.key === 'string' &&
        (write.value === null || typeof write.value === 'string') &&
        (write.before === null || typeof write.before === 'string'),
    )
  )
    throw damaged('id or writes malformed');
  const body = { schema: journal.schema, id: journal.id, writes: journal.writes };
  if (journal.sha256 !== sha256Hex(JSON.stringify(body))) throw damaged('checksum mismatch');
  for (const write of journal.writes) {
    try {
      dirPath(root, write.key);
    } catch {
      throw damaged(`key "${write.key}" is not allowed`);
    }
  }
  return body as DirJournal;
}

/**
 * A key's text in a directory store as of one moment, or undefined when it does not exist:
 * from the commit journal when a commit in flight (or interrupted) names the key, else from
 * its file. Each read sees a key either before or after any commit, never a half-applied one.
 */
export async function readDirKey(root: string, key: string): Promise<string | undefined> {
  const path = dirPath(root, key);
  const journal = await readDirJournal(root);
  if (journal) {
    let found: DirJournalWrite | undefined;
    for (const write of journal.writes) if (write.key === key) found = write;
    if (found) return found.value ?? undefined;
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
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
      read: (key) => readDirKey(location.root, key),
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
