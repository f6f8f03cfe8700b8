/**
 * Leader election for rollout controllers, so exactly one acts on a config store:
 * - etcd store: a key `controller/leader` bound to an etcd lease. The leader keeps the lease
 *   alive on every tick; when it dies the lease expires (TTL) and etcd deletes the key, and a
 *   standby's create-if-absent transaction wins.
 * - directory store: a lock file (`.controller-lease.json` at the store's root) holding the
 *   leader's id and an expiry; the leader rewrites it (heartbeat) on every tick, a standby
 *   takes it over only once it has expired (rename-away of the stale file, then an exclusive
 *   create, so two standbys cannot both win).
 */
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request, type Dispatcher } from 'undici';
import { AppError } from '../../../shared/errors';
import { etcdKey, parseStoreUri } from '../../../consumer/store-reader';

export interface LeaseHolder {
  id: string;
  /** ms since the epoch; unknown for an etcd lease held by another process. */
  expiresAt: number | null;
}

export interface LeaderLease {
  readonly kind: 'etcd-lease' | 'lock-file';
  /** Lease time-to-live, ms: how long a dead leader blocks the others at most. */
  readonly ttlMs: number;
  /** Becomes or stays the leader; true while this process holds the lease. */
  acquire(): Promise<boolean>;
  /** Who holds the lease now, if anyone. */
  holder(): Promise<LeaseHolder | undefined>;
  /** Gives the lease up (clean shutdown), so a standby takes over at once. */
  release(): Promise<void>;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** etcd lease through the v3 JSON gateway (`/v3/lease/*`, `/v3/kv/txn`). */
export class EtcdLeaderLease implements LeaderLease {
  readonly kind = 'etcd-lease' as const;
  readonly ttlMs: number;
  private readonly endpoint: string;
  private readonly key: string;
  private leaseId: string | undefined;

  constructor(
    private readonly options: {
      storeUri: string;
      id: string;
      ttlSeconds: number;
      dispatcher?: Dispatcher;
      timeoutMs?: number;
    },
  ) {
    const location = parseStoreUri(options.storeUri);
    if (location.kind !== 'etcd')
      throw new AppError('validation', `${options.storeUri} is not an etcd:// store.`);
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 2)
      throw new AppError(
        'validation',
        'The lease TTL must be a whole number of seconds, at least 2.',
      );
    this.endpoint = location.endpoint;
    this.key = etcdKey(location.prefix, 'controller/leader');
    this.ttlMs = options.ttlSeconds * 1000;
  }

  private async call<T>(path: string, body: unknown): Promise<T> {
    const response = await request(`${this.endpoint}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      headersTimeout: this.options.timeoutMs ?? 5000,
      bodyTimeout: this.options.timeoutMs ?? 5000,
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new AppError(
        'provider_unavailable',
        `etcd ${path} answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`,
        { retryable: true },
      );
    return JSON.parse(text) as T;
  }

  async acquire(): Promise<boolean> {
    if (this.leaseId !== undefined) {
      // keepalive through the gateway: one request, one answer; TTL 0 (absent) = expired.
      const answer = await this.call<{ result?: { TTL?: string } }>('/v3/lease/keepalive', {
        ID: this.leaseId,
      });
      if (Number(answer.result?.TTL ?? 0) > 0 && (await this.holder())?.id === this.options.id)
        return true;
      this.leaseId = undefined;
    }
    const granted = await this.call<{ ID?: string; error?: string }>('/v3/lease/grant', {
      TTL: String(this.options.ttlSeconds),
    });
    if (!granted.ID) throw new AppError('provider_unavailable', 'etcd granted no lease.');
    const txn = await this.call<{ succeeded?: boolean }>('/v3/kv/txn', {
      compare: [{ key: b64(this.key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [
        { request_put: { key: b64(this.key), value: b64(this.options.id), lease: granted.ID } },
      ],
    });
    if (txn.succeeded === true) {
      this.leaseId = granted.ID;
      return true;
    }
    await this.call('/v3/lease/revoke', { ID: granted.ID }).catch(() => undefined);
    return false;
  }

  async holder(): Promise<LeaseHolder | undefined> {
    const range = await this.call<{ kvs?: { value?: string }[] }>('/v3/kv/range', {
      key: b64(this.key),
    });
    const value = range.kvs?.[0]?.value;
    return value === undefined ? undefined : { id: unb64(value), expiresAt: null };
  }

  async release(): Promise<void> {
    const lease = this.leaseId;
    this.leaseId = undefined;
    if (lease !== undefined) await this.call('/v3/lease/revoke', { ID: lease });
  }
}

interface LockFileContent {
  schema: 'aideon.controller-lease/1';
  id: string;
  host: string;
  pid: number;
  expiresAt: number;
}

export const LEASE_FILE = '.controller-lease.json';

/** A lock file with a lease (heartbeat + expiry) at the root of a directory store. */
export class LockFileLease implements LeaderLease {
  readonly kind = 'lock-file' as const;
  readonly ttlMs: number;
  private readonly path: string;
  /** Another holder's lease file as this process last saw it, and when (by its own clock). */
  private seen: { text: string; at: number } | undefined;

  constructor(
    private readonly options: {
      root: string;
      id: string;
      host: string;
      ttlMs: number;
      now: () => number;
    },
  ) {
    if (!(options.ttlMs >= 1000))
      throw new AppError('validation', 'The lease TTL must be at least one second.');
    this.path = join(options.root, LEASE_FILE);
    this.ttlMs = options.ttlMs;
  }

  private content(): string {
    const body: LockFileContent = {
      schema: 'aideon.controller-lease/1',
      id: this.options.id,
      host: this.options.host,
      pid: process.pid,
      expiresAt: this.options.now() + this.ttlMs,
    };
    return `${JSON.stringify(body)}\n`;
  }

  private async read(): Promise<(LockFileContent & { text: string }) | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = JSON.parse(text) as LockFileContent;
      if (typeof parsed.id === 'string' && typeof parsed.expiresAt === 'number')
        return { ...parsed, text };
    } catch {
      // half-written by a crashed holder: treated as expired
    }
    return { schema: 'aideon.controller-lease/1', id: '', host: '', pid: 0, expiresAt: 0, text };
  }

  private async create(): Promise<boolean> {
    try {
      const handle = await open(this.path, 'wx', 0o644);
      try {
        await handle.writeFile(this.content());
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    return (await this.read())?.id === this.options.id;
  }

  async acquire(): Promise<boolean> {
    const now = this.options.now();
    const current = await this.read();
    if (!current) return this.create();
    if (current.id === this.options.id && current.expiresAt > now) {
      // Heartbeat: rewrite through a temporary file so a reader never sees half a lease.
      const temp = `${this.path}.${this.options.id}.tmp`;
      await writeFile(temp, this.content());
      await rename(temp, this.path);
      return true;
    }
    if (current.id !== '' && current.id !== this.options.id) {
      // Another holder's lease expires by this host's clock, never by the expiry it wrote:
      // hosts' clocks differ, and a standby whose clock ran ahead by more than the TTL took
      // the lease from a leader that renewed on time. Expired = the same lease file seen,
      // unchanged (no heartbeat), for a whole TTL here.
      if (this.seen?.text !== current.text) this.seen = { text: current.text, at: now };
      if (now - this.seen.at < this.ttlMs) return false;
    } else if (current.expiresAt > now) return false;
    // Expired (ours or someone else's): move it away; only one process's rename succeeds.
    const stale = `${this.path}.stale-${this.options.id}`;
    try {
      await rename(this.path, stale);
    } catch {
      return false;
    }
    const moved = await readFile(stale, 'utf8').catch(() => '');
    await rm(stale, { force: true });
    if (moved !== current.text) {
      // The holder renewed between our read and our rename: give its lease back (unless
      // someone already created a new one) and stay a standby.
      await writeFile(this.path, moved, { flag: 'wx' }).catch(() => undefined);
      return false;
    }
    return this.create();
  }

  async holder(): Promise<LeaseHolder | undefined> {
    const current = await this.read();
    if (!current || current.expiresAt <= this.options.now()) return undefined;
    return { id: current.id, expiresAt: current.expiresAt };
  }

  async release(): Promise<void> {
    const current = await this.read();
    if (current?.id === this.options.id) await rm(this.path, { force: true });
  }
}

/** The lease that fits the store: an etcd lease for etcd://, a lock file for dir:. */
export function leaseForStore(
  storeUri: string,
  options: { id: string; host: string; ttlMs: number; now: () => number; dispatcher?: Dispatcher },
): LeaderLease {
  const location = parseStoreUri(storeUri);
  if (location.kind === 'etcd')
    return new EtcdLeaderLease({
      storeUri,
      id: options.id,
      ttlSeconds: Math.max(2, Math.round(options.ttlMs / 1000)),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  return new LockFileLease({ root: location.root, ...options });
}
