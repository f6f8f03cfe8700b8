/**
 * One HTTP/1.1 GET whose body is read from the socket straight into large buffers: the
 * receiving end of a video download (HttpClient.download), the one place where the console
 * moves hundreds of megabytes.
 *
 * Why not undici, which every other request uses: a Node socket read the usual way allocates a
 * new 64 KB buffer for every read and passes each through a stream, and that, not the HTTP
 * parsing, is what held downloads to about half of curl's speed (issue 15: 200 MB over loopback,
 * undici 395 ms and a plain socket's 'data' events 289 ms, against curl's 196 ms). A socket made
 * with `onread` reads into memory we hand it instead: here the free tail of a 4 MB buffer, so a
 * 200 MB file is about fifty buffers, each passed on once, whole, and never copied (the media
 * writer writes it and then moves it to its hashing worker). Measured the same way, this reads
 * the file in 148–152 ms over plain TCP (1.3× curl) and 416–443 ms over TLS (1.5× curl; undici
 * 0.9×), at a quarter of undici's CPU.
 *
 * It speaks only what a file download needs: one GET per connection (`Connection: close`), a body
 * framed by Content-Length, chunked transfer coding or the connection's end, interim 1xx answers
 * skipped, no compression asked for. Redirects, statuses and ranges are the caller's
 * (HttpClient.download). Timeouts as undici's: connecting (TLS handshake included), the answer's
 * head, and silence while the body is being read (not while the reader has paused it). Errors
 * carry a `code` the client classifies: `*_TIMEOUT` as a timeout, `CONNECT_TIMEOUT` as a failure
 * to connect, the system's codes (ECONNREFUSED, ECONNRESET) as they come.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import {
  RECEIVE_BUFFER_BYTES,
  markWhollyOwned,
  returnReceiveBuffer,
  takeReceiveBuffer,
} from '../../receive-buffers';

export interface RawGetOptions {
  url: URL;
  /** Request headers besides Host, Connection, Accept-Encoding and User-Agent. */
  headers: Record<string, string>;
  signal?: AbortSignal | undefined;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** Longest silence while the body is read (not while its reader has paused it). */
  bodyTimeoutMs: number;
  /** Extra TLS options for https (a test's own CA); the system's roots otherwise. */
  tls?: ConnectionOptions | undefined;
}

export interface RawResponse {
  statusCode: number;
  /** Lower-case names; a header sent more than once is a list. */
  headers: Record<string, string | string[]>;
  body: RawBody;
}

/** A failure of the exchange, with a `code` as Node's and undici's errors have one. */
export class RawGetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RawGetError';
  }
}

/**
 * Where a socket reads once its exchange is over (a read already under way still needs memory):
 * one for all, since those bytes are dropped unread.
 */
const DROPPED = Buffer.allocUnsafeSlow(16 * 1024);
/** A buffer with less room than this left is passed on and a new one started. */
const MIN_FREE_BYTES = 256 * 1024;
/** The answer's status line and headers, at most (Node's own limit is 16 KB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line of the chunked coding, at most (with extensions). */
const MAX_CHUNK_LINE = 4096;

/**
 * The answer's body, a Node stream of large chunks. Each chunk's memory is the reader's own (a
 * buffer nobody else holds or reuses), so it may be moved to a worker thread.
 */
export class RawBody extends Readable {
  constructor(
    private readonly onRead: () => void,
    private readonly onDestroy: (error: Error | null) => void,
  ) {
    // Two buffers may wait for a reader that has paused before the socket is paused too.
    super({ highWaterMark: 2 * RECEIVE_BUFFER_BYTES });
    // The body can fail in the same read that brought the head (a bad chunk-size line right
    // after it), before the caller has had the answer and listened: an 'error' nobody listens
    // to would end the process. The error stays in `errored`, where readers find it.
    this.on('error', () => undefined);
  }

  override _read(): void {
    this.onRead();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.onDestroy(error);
    callback(error);
  }

  /** Reads the body as text, at most `limit` bytes (the rest is dropped), then closes it. */
  async text(limit = 64 * 1024): Promise<string> {
    const parts: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of this as AsyncIterable<Buffer>) {
      parts.push(chunk.subarray(0, Math.max(0, limit - bytes)));
      bytes += chunk.length;
      if (bytes >= limit) break;
    }
    this.destroy();
    return Buffer.concat(parts).toString('utf8');
  }

  /** Drops the body unread and closes the connection (it is never reused). */
  async dump(): Promise<void> {
    this.destroy();
  }
}

type Framing =
  | { kind: 'length'; remaining: number }
  | { kind: 'close' }
  | {
      kind: 'chunked';
      /** size: reading a chunk-size line; data: inside a chunk; crlf: after one; trailers. */
      state: 'size' | 'data' | 'crlf' | 'trailers';
      remaining: number;
      line: string;
    };

const CRLF_CRLF = Buffer.from('\r\n\r\n');

function refuseHeaderValue(name: string, value: string): void {
  if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value))
    throw new RawGetError('INVALID_ARG', `The request header ${name} holds a line break.`);
}

/**
 * Sends the GET and resolves once the answer's head is in (its body then streams), or rejects
 * (the connection failed, timed out, or the answer was not HTTP/1.x).
 */
export function rawGet(options: RawGetOptions): Promise<RawResponse> {
  const { url, signal } = options;
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:')
    return Promise.reject(new RawGetError('INVALID_ARG', `Not an http(s) URL: ${url.protocol}`));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (secure ? 443 : 80));
  const lines = [
    `GET ${url.pathname || '/'}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    'connection: close',
    'accept-encoding: identity',
    'user-agent: aideon-console',
  ];
  try {
    for (const [name, value] of Object.entries(options.headers)) {
      refuseHeaderValue(name, value);
      lines.push(`${name}: ${value}`);
    }
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const requestText = `${lines.join('\r\n')}\r\n\r\n`;

  return new Promise<RawResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    let slab = takeReceiveBuffer();
    /** Bytes the socket put in `slab`; body bytes waiting to be passed on are [start, end). */
    let used = 0;
    let start = 0;
    let end = 0;
    let headScanned = 0;
    let framing: Framing | undefined;
    let body: RawBody | undefined;
    let finished = false;
    let paused = false;
    let received = 0;
    let timer: NodeJS.Timeout | undefined;

    const clearTimer = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    const arm = (ms: number, code: string, what: string): void => {
      clearTimer();
      timer = setTimeout(() => fail(new RawGetError(code, what)), ms);
      timer.unref?.();
    };
    const armBody = (): void => {
      if (!finished && !paused)
        arm(
          options.bodyTimeoutMs,
          'BODY_TIMEOUT',
          `Nothing more of the body arrived for ${options.bodyTimeoutMs} ms`,
        );
    };

    const socketOptions = {
      host,
      port,
      onread: {
        buffer: (): Uint8Array => (finished ? DROPPED : slab.subarray(used)),
        callback: (bytes: number): boolean => {
          try {
            onBytes(bytes);
          } catch (error) {
            fail(error as Error);
            return false;
          }
          return !paused;
        },
      },
    };
    const socket: Socket = secure
      ? tlsConnect({
          ...socketOptions,
          ...(isIP(host) ? {} : { servername: host }),
          ALPNProtocols: ['http/1.1'],
          ...options.tls,
        })
      : netConnect(socketOptions);
    arm(
      options.connectTimeoutMs,
      'CONNECT_TIMEOUT',
      `Could not connect within ${options.connectTimeoutMs} ms`,
    );

    const onAbort = (): void => fail(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });

    function cleanUp(): void {
      clearTimer();
      signal?.removeEventListener('abort', onAbort);
      // The buffer being filled was not passed on: the next download can use it.
      if (end <= start) returnReceiveBuffer(slab.buffer as ArrayBuffer);
    }

    /** Ends the exchange with `error`: before the head, the promise; after, the body. */
    function fail(error: Error): void {
      if (finished) return;
      // What arrived before the failure goes to a reader taking data as it comes (a paused one
      // loses it with the stream: a resume then starts where the writer's bytes end, no later).
      passOn();
      // The reader may have closed the body while taking that chunk: all is cleaned up then, and
      // the buffer it gave back may be in another download's hands already.
      if (finished) return;
      finished = true;
      cleanUp();
      socket.destroy();
      if (body) body.destroy(error);
      else reject(error);
    }

    function finish(): void {
      if (finished) return;
      passOn();
      if (finished) return; // the reader closed the body while taking the last chunk (see fail)
      finished = true;
      cleanUp();
      socket.destroy();
      body?.push(null);
    }

    /** Passes the waiting body bytes on as one chunk and starts a new buffer. */
    function passOn(): void {
      if (!body) return;
      if (end <= start) {
        // Nothing of the body in this buffer (only the chunked coding's lines): reuse it.
        used = start = end = 0;
        return;
      }
      const chunk = slab.subarray(start, end);
      // All of the buffer goes with the chunk (the head in front of it, the room left behind):
      // the media writer may move it to its hashing worker as it is.
      markWhollyOwned(chunk);
      slab = takeReceiveBuffer();
      used = start = end = 0;
      if (!body.push(chunk) && !finished) {
        paused = true;
        clearTimer();
        socket.pause();
      }
    }

    socket.once(secure ? 'secureConnect' : 'connect', () => {
      if (finished) return;
      arm(
        options.headersTimeoutMs,
        'HEADERS_TIMEOUT',
        `No answer within ${options.headersTimeoutMs} ms`,
      );
      socket.write(requestText);
    });
    socket.on('error', (error) => fail(error));
    socket.on('close', () => {
      if (finished) return;
      if (framing?.kind === 'close') finish();
      else
        fail(
          new RawGetError(
            'CLOSED_EARLY',
            body
              ? `The connection closed after ${received} bytes of the body`
              : 'The connection closed before an answer',
          ),
        );
    });

    function onBytes(bytes: number): void {
      if (finished) return;
      const from = used;
      used += bytes;
      if (!framing) {
        if (!readHead()) {
          if (used > MAX_HEAD_BYTES)
            throw new RawGetError(
              'BAD_RESPONSE',
              `The answer's headers were longer than ${MAX_HEAD_BYTES / 1024} KB`,
            );
          return;
        }
        if (finished) return;
        decode(end, used);
      } else decode(from, used);
      if (finished) return;
      if (body && framingDone()) finish();
      else if (RECEIVE_BUFFER_BYTES - used < MIN_FREE_BYTES) passOn();
      if (body && !finished) armBody();
    }

    /** Reads the head when it is all in; false while it is not. Skips interim (1xx) answers. */
    function readHead(): boolean {
      for (;;) {
        const at = slab.subarray(0, used).indexOf(CRLF_CRLF, Math.max(0, headScanned - 3));
        if (at < 0) {
          headScanned = used;
          return false;
        }
        const head = slab.toString('latin1', 0, at).split('\r\n');
        const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(head[0] ?? '');
        if (!status?.[1])
          throw new RawGetError(
            'BAD_RESPONSE',
            `The answer was not HTTP/1.1 (it began ${JSON.stringify((head[0] ?? '').slice(0, 40))})`,
          );
        const statusCode = Number(status[1]);
        const headers: Record<string, string | string[]> = {};
        let last: string | undefined;
        for (const line of head.slice(1)) {
          if (/^[ \t]/.test(line) && last) {
            // An old-style continuation line belongs to the header before it.
            const previous = headers[last];
            if (typeof previous === 'string') headers[last] = `${previous} ${line.trim()}`;
            continue;
          }
          const colon = line.indexOf(':');
          if (colon <= 0)
            throw new RawGetError(
              'BAD_RESPONSE',
              `The answer had a header line without a name: ${JSON.stringify(line.slice(0, 40))}`,
            );
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          const previous = headers[name];
          headers[name] =
            previous === undefined
              ? value
              : Array.isArray(previous)
                ? [...previous, value]
                : [previous, value];
          last = name;
        }
        const bodyAt = at + 4;
        if (statusCode >= 100 && statusCode < 200) {
          if (statusCode === 101)
            throw new RawGetError('BAD_RESPONSE', 'The server switched protocols (HTTP 101)');
          // An interim answer (100 Continue, 103 Early Hints): the real one follows.
          slab.copyWithin(0, bodyAt, used);
          used -= bodyAt;
          headScanned = 0;
          continue;
        }
        framing = framingOf(statusCode, headers);
        start = end = bodyAt;
        body = new RawBody(
          () => {
            if (!paused || finished) return;
            paused = false;
            socket.resume();
            armBody();
          },
          (error) => {
            if (finished) return;
            finished = true;
            cleanUp();
            socket.destroy(error ?? undefined);
          },
        );
        resolve({ statusCode, headers, body });
        if (framingDone()) finish();
        return true;
      }
    }

    function framingOf(statusCode: number, headers: Record<string, string | string[]>): Framing {
      if (statusCode === 204 || statusCode === 304) return { kind: 'length', remaining: 0 };
      const coding = headers['transfer-encoding'];
      if (coding !== undefined && headers['content-length'] !== undefined)
        // RFC 9112 6.3: a sign of request smuggling or a broken proxy, to be handled as an
        // error; undici's parser (every other request) refuses it too.
        throw new RawGetError(
          'BAD_RESPONSE',
          'The answer had both Transfer-Encoding and Content-Length (its length is ambiguous)',
        );
      if (coding !== undefined) {
        const codings = String(coding)
          .split(',')
          .map((part) => part.trim().toLowerCase());
        if (codings.at(-1) === 'chunked')
          return { kind: 'chunked', state: 'size', remaining: 0, line: '' };
        return { kind: 'close' };
      }
      const length = headers['content-length'];
      if (length === undefined) return { kind: 'close' };
      const values = (Array.isArray(length) ? length : [length]).flatMap((value) =>
        value.split(',').map((part) => part.trim()),
      );
      const first = values[0] ?? '';
      if (!/^\d{1,16}$/.test(first) || values.some((value) => value !== first))
        throw new RawGetError(
          'BAD_RESPONSE',
          `The answer's Content-Length was not one byte count: ${JSON.stringify(String(length).slice(0, 40))}`,
        );
      const remaining = Number(first);
      if (!Number.isSafeInteger(remaining))
        throw new RawGetError('BAD_RESPONSE', `The answer's Content-Length was too large`);
      return { kind: 'length', remaining };
    }

    function framingDone(): boolean {
      if (!framing) return false;
      if (framing.kind === 'length') return framing.remaining === 0;
      if (framing.kind === 'chunked') return framing.state === 'trailers' && framing.line === '\n';
      return false;
    }

    /** Turns the raw bytes [from, to) of `slab` into body bytes, appended at `end`. */
    function decode(from: number, to: number): void {
      const f = framing;
      if (!f) return;
      if (f.kind === 'close') {
        received += to - from;
        end = to;
        return;
      }
      if (f.kind === 'length') {
        const take = Math.min(to - from, f.remaining);
        f.remaining -= take;
        received += take;
        end = from + take;
        return;
      }
      let at = from;
      while (at < to && !framingDone()) {
        if (f.state === 'data') {
          const take = Math.min(to - at, f.remaining);
          if (end !== at) slab.copyWithin(end, at, at + take);
          end += take;
          at += take;
          received += take;
          f.remaining -= take;
          if (f.remaining === 0) {
            f.state = 'crlf';
            f.line = '';
          }
          continue;
        }
        const byte = slab[at] as number;
        at += 1;
        if (f.state === 'crlf') {
          f.line += String.fromCharCode(byte);
          if (f.line === '\r') continue;
          if (f.line !== '\r\n' && f.line !== '\n')
            throw new RawGetError(
              'BAD_RESPONSE',
              'A chunk of the body did not end with a line break',
            );
          f.state = 'size';
          f.line = '';
          continue;
        }
        if (f.state === 'trailers') {
          // Trailer lines end at an empty line; `line` keeps the current line's text.
          if (byte === 0x0a) {
            const empty = f.line === '' || f.line === '\r';
            f.line = empty ? '\n' : '';
          } else f.line += String.fromCharCode(byte);
          if (f.line.length > MAX_CHUNK_LINE)
            throw new RawGetError('BAD_RESPONSE', 'The body ended with an overlong trailer');
          continue;
        }
        // size
        if (byte !== 0x0a) {
          f.line += String.fromCharCode(byte);
          if (f.line.length > MAX_CHUNK_LINE)
            throw new RawGetError('BAD_RESPONSE', 'A chunk-size line of the body was overlong');
          continue;
        }
        const size = /^([0-9a-fA-F]{1,13})[ \t]*(?:;[^\r]*)?\r?$/.exec(f.line);
        if (!size?.[1])
          throw new RawGetError(
            'BAD_RESPONSE',
            `A chunk-size line of the body was not a number: ${JSON.stringify(f.line.slice(0, 40))}`,
          );
        f.remaining = Number.parseInt(size[1], 16);
        f.line = '';
        f.state = f.remaining === 0 ? 'trailers' : 'data';
      }
    }
  });
}
