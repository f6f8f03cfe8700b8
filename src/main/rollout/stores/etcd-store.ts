/**
 * etcd v3 config store (`etcd://host:port/prefix`) through etcd's JSON gateway (`/v3/kv/*`,
 * base64 keys and values) and the shared HTTP client. The etag is the key's mod_revision; a
 * commit is one transaction whose compares are the expected revisions (create_revision 0 for
 * "must not exist"), so racing publishes never lose one: one transaction wins, the others fail
 * their compare and get a StoreConflictError.
 */
import { Agent, type Dispatcher } from 'undici';
import { HttpClient } from '../../providers/http/http-client';
import { etcdKey, parseStoreUri } from '../../../consumer/store-reader';
import {
  checkStoreKey,
  StoreConflictError,
  type ConfigStore,
  type StoreEntry,
  type StoreWrite,
} from './config-store';

export interface EtcdStoreOptions {
  uri: string;
  /** Default: a private undici Agent, closed by close(). */
  dispatcher?: Dispatcher;
  timeoutMs?: number;
}

interface RangeResponse {
  kvs?: { key: string; value?: string; mod_revision?: string; create_revision?: string }[];
}

interface TxnResponse {
  header?: { revision?: string };
  succeeded?: boolean;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** The smallest key greater than every key starting with `prefix` (etcd range_end). */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let index = bytes.length - 1; index >= 0; index -= 1) {
    if ((bytes[index] ?? 0) < 0xff) {
      bytes[index] = (bytes[index] ?? 0) + 1;
      return bytes.subarray(0, index + 1).toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

export class EtcdStore implements ConfigStore {
  readonly uri: string;
  private readonly prefix: string;
  private readonly http: HttpClient;
  private readonly ownDispatcher: Agent | undefined;

  constructor(options: EtcdStoreOptions) {
    const location = parseStoreUri(options.uri);
    if (location.kind !== 'etcd') throw new TypeError(`${options.uri} is not an etcd:// URI`);
    this.uri = options.uri;
    this.prefix = location.prefix;
    this.ownDispatcher = options.dispatcher ? undefined : new Agent({ connect: { timeout: 5000 } });
    this.http = new HttpClient({
      provider: 'etcd',
      baseUrl: location.endpoint,
      dispatcher: options.dispatcher ?? (this.ownDispatcher as Agent),
      headers: () => ({}),
      secrets: () => [],
      headersTimeoutMs: options.timeoutMs ?? 10000,
      bodyTimeoutMs: options.timeoutMs ?? 10000,
    });
  }

  private full(key: string): string {
    checkStoreKey(key);
    return etcdKey(this.prefix, key);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const { json } = await this.http.json('/v3/kv/range', { body: { key: b64(this.full(key)) } });
    const kv = (json as RangeResponse).kvs?.[0];
    if (!kv) return undefined;
    return { value: kv.value === undefined ? '' : unb64(kv.value), etag: String(kv.mod_revision) };
  }

  async list(prefix: string): Promise<string[]> {
    const start = etcdKey(this.prefix, prefix);
    const { json } = await this.http.json('/v3/kv/range', {
      body: { key: b64(start), range_end: prefixRangeEnd(start), keys_only: true },
    });
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    return ((json as RangeResponse).kvs ?? []).map((kv) => unb64(kv.key).slice(strip)).sort();
  }

  async commit(writes: readonly StoreWrite[]): Promise<Record<string, string>> {
    const compare = writes
      .filter((write) => write.expect !== undefined)
      .map((write) =>
        write.expect === null
          ? {
              key: b64(this.full(write.key)),
              target: 'CREATE',
              result: 'EQUAL',
              create_revision: '0',
            }
          : {
              key: b64(this.full(write.key)),
              target: 'MOD',
              result: 'EQUAL',
              mod_revision: write.expect,
            },
      );
    const success = writes.map((write) =>
      write.value === null
        ? { request_delete_range: { key: b64(this.full(write.key)) } }
        : { request_put: { key: b64(this.full(write.key)), value: b64(write.value) } },
    );
    const { json } = await this.http.json('/v3/kv/txn', { body: { compare, success } });
    const response = json as TxnResponse;
    if (response.succeeded !== true)
      throw new StoreConflictError(
        this.uri,
        writes.filter((write) => write.expect !== undefined).map((write) => write.key),
      );
    const revision = String(response.header?.revision ?? '');
    const etags: Record<string, string> = {};
    for (const write of writes) if (write.value !== null) etags[write.key] = revision;
    return etags;
  }

  async close(): Promise<void> {
    await this.ownDispatcher?.close();
  }
}
