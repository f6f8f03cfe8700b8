/**
 * raw-get.ts, the download's receiving end, against real servers on loopback: a raw TCP server
 * that writes exactly the bytes each case needs (framing, faults, pauses), and Node's own
 * https server with a throw-away certificate. Every body is compared byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { downloadVideo } from '../../../src/main/media/download-video';
import { MediaStore } from '../../../src/main/media/media-store';
import { HttpClient } from '../../../src/main/providers/http/http-client';
import { rawGet, RawGetError, type RawResponse } from '../../../src/main/providers/http/raw-get';
import {
  keptReceiveBuffers,
  returnReceiveBuffer,
  takeReceiveBuffer,
} from '../../../src/main/receive-buffers';
import { ProviderError } from '../../../src/shared/errors';
import { selfSignedCertificate } from '../../helpers/self-signed-certificate';
import { tempDir } from '../../helpers/temp-dir';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0))
    await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A TCP server that hands each connection (after the request's head is in) to `answer`. */
async function serve(
  answer: (socket: Socket, request: string) => void | Promise<void>,
): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      requests.push(text);
      void answer(socket, text);
    };
    socket.on('data', onData);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/files/video.mp4?sig=abc`, requests };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `parts` one after another, each after `gapMs` (so reads split where they split). */
async function writeSlowly(socket: Socket, parts: (string | Buffer)[], gapMs = 5): Promise<void> {
  for (const part of parts) {
    if (socket.destroyed) return;
    socket.write(part);
    await pause(gapMs);
  }
}

function get(url: string, extra: Partial<Parameters<typeof rawGet>[0]> = {}) {
  return rawGet({
    url: new URL(url),
    headers: {},
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    bodyTimeoutMs: 2000,
    ...extra,
  });
}

/** The whole body and the chunks it came in; rejects with the body's error. */
async function readAll(response: RawResponse): Promise<{ bytes: Buffer; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), chunks };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error & { code?: string },
  );
}

const { dir, cleanup } = tempDir('aideon-raw-get-');
afterAll(cleanup);

describe('rawGet', () => {
  it('sends one GET with the caller headers and reads a Content-Length body exactly, in large chunks with memory of their own', async () => {
    const file = randomBytes(9 * 1024 * 1024 + 123);
    const { url, requests } = await serve((socket) => {
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: ${file.length}\r\nX-Twice: a\r\nX-Twice: b\r\n\r\n`,
      );
      socket.end(file);
    });
    const response = await get(url, { headers: { authorization: 'Bearer k', range: 'bytes=0-' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('video/mp4');
    expect(response.headers['x-twice']).toEqual(['a', 'b']);
    const { bytes, chunks } = await readAll(response);
    expect(bytes.equals(file)).toBe(true);
    // About 4 MB each (the last one less), never the 64 KB of a usual socket read ...
    expect(chunks.length).toBeLessThanOrEqual(4);
    // ... and no two share memory: each can be moved to another thread on its own.
    expect(new Set(chunks.map((chunk) => chunk.buffer)).size).toBe(chunks.length);
    const [request] = requests;
    expect(request).toMatch(/^GET \/files\/video\.mp4\?sig=abc HTTP\/1\.1\r\n/);
    expect(request).toMatch(/\r\nhost: 127\.0\.0\.1:\d+\r\n/);
    expect(request).toMatch(/\r\nconnection: close\r\n/);
    expect(request).toMatch(/\r\nauthorization: Bearer k\r\n/);
    expect(request).toMatch(/\r\nrange: bytes=0-\r\n/);
  });

  it('decodes a chunked body (extensions, trailers, size lines split across reads) exactly', async () => {
    // Past two receive buffers (4 MB each): the coding's lines straddle where one ends.
    const file = randomBytes(9 * 1024 * 1024 + 300_000);
    const { url } = await serve(async (socket) => {
      const parts: (string | Buffer)[] = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'];
      for (let at = 0, n = 1; at < file.length; n += 1) {
        const size = Math.min(file.length - at, (n * 7919) % 70_000 || 1);
        const line = `${size.toString(16)}${n % 3 === 0 ? ';ext=1' : ''}\r\n`;
        // The size line itself broken in two, and the data in two, every few chunks.
        if (n % 4 === 0) parts.push(line.slice(0, 1), line.slice(1));
        else parts.push(line);
        const data = file.subarray(at, at + size);
        if (n % 5 === 0) parts.push(data.subarray(0, size >> 1), data.subarray(size >> 1));
        else parts.push(data);
        parts.push('\r\n');
        at += size;
      }
      parts.push('0\r\nX-Checksum: none\r\n', '\r\n');
      await writeSlowly(socket, parts, 1);
      // The connection stays open: the body's end is the coding's last chunk, not a close.
    });
    const { bytes } = await readAll(await get(url));
    expect(bytes.equals(file)).toBe(true);
  });

  it('reads a body that ends when the connection does (no length, not chunked)', async () => {
    const file = randomBytes(200_000);
    const { url } = await serve(async (socket) => {
      await writeSlowly(socket, ['HTTP/1.0 200 OK\r\nContent-Type: video/mp4\r\n\r\n', file]);
      socket.end();
    });
    const { bytes } = await readAll(await get(url));
    expect(bytes.equals(file)).toBe(true);
  });

  it('skips interim answers (100, 103) and reads the real one', async () => {
    const { url } = await serve((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n');
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    });
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers.link).toBeUndefined();
    expect((await readAll(response)).bytes.toString()).toBe('hello');
  });

  it('a 204 has no body even when the connection stays open', async () => {
    const { url } = await serve((socket) => {
      socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    });
    const response = await get(url);
    expect(response.statusCode).toBe(204);
    expect((await readAll(response)).bytes.length).toBe(0);
  });

  it('a body cut short of its Content-Length fails with how much arrived; what arrived is passed on first', async () => {
    const { url } = await serve(async (socket) => {
      await writeSlowly(socket, [
        'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
        'x'.repeat(300),
      ]);
      socket.end();
    });
    const response = await get(url);
    const chunks: Buffer[] = [];
    response.body.on('data', (chunk: Buffer) => chunks.push(chunk));
    const error = await new Promise<RawGetError>((resolve) => response.body.on('error', resolve));
    expect(error.code).toBe('CLOSED_EARLY');
    expect(error.message).toBe('The connection closed after 300 bytes of the body');
    expect(Buffer.concat(chunks).toString()).toBe('x'.repeat(300));
  });

  it('a chunked body cut off before its last chunk fails, it does not end as if complete', async () => {
    const { url } = await serve(async (socket) => {
      await writeSlowly(socket, [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
        '5\r\nhello\r\n',
      ]);
      socket.end();
    });
    const error = await rejection(readAll(await get(url)));
    expect(error.code).toBe('CLOSED_EARLY');
  });

  it('a reset connection mid-body fails with the system code', async () => {
    const { url } = await serve(async (socket) => {
      await writeSlowly(socket, [
        'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n',
        'y'.repeat(500),
      ]);
      socket.resetAndDestroy();
    });
    const error = await rejection(readAll(await get(url)));
    expect(error.code).toBe('ECONNRESET');
  });

  it.each([
    [
      'not HTTP at all',
      'SSH-2.0-OpenSSH_9.2\r\n\r\n',
      /not HTTP\/1\.1 \(it began "SSH-2\.0-OpenSSH_9\.2"\)/,
    ],
    [
      'a Content-Length that is not a number',
      'HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n',
      /Content-Length was not one byte count/,
    ],
    [
      'two different Content-Lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
      /Content-Length was not one byte count/,
    ],
    [
      'a Content-Length past 2^53',
      'HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999\r\n\r\n',
      /Content-Length was too large/,
    ],
    [
      'a header line without a name',
      'HTTP/1.1 200 OK\r\n: nameless\r\n\r\n',
      /header line without a name/,
    ],
    [
      'both Transfer-Encoding and Content-Length',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      /both Transfer-Encoding and Content-Length \(its length is ambiguous\)/,
    ],
    ['a switch of protocols', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /switched protocols/],
  ])('refuses %s, naming what was wrong', async (_, head, message) => {
    const { url } = await serve((socket) => {
      socket.write(head);
    });
    const error = await rejection(get(url));
    expect(error).toBeInstanceOf(RawGetError);
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.message).toMatch(message);
  });

  it('refuses a chunk-size line that is not a number', async () => {
    const { url } = await serve((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n');
    });
    const error = await rejection(readAll(await get(url)));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.message).toMatch(/chunk-size line of the body was not a number: "zz\\r"/);
  });

  it('refuses headers longer than 64 KB', async () => {
    const { url } = await serve((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nX-Long: ${'a'.repeat(70_000)}`);
    });
    const error = await rejection(get(url));
    expect(error.message).toMatch(/headers were longer than 64 KB/);
  });

  it('refuses a header value with a line break before sending anything', async () => {
    const { url, requests } = await serve(() => undefined);
    const error = await rejection(get(url, { headers: { 'x-a': 'b\r\nx-evil: 1' } }));
    expect(error.code).toBe('INVALID_ARG');
    expect(requests).toEqual([]);
  });

  it('times out waiting for the head, and for a body that stops arriving', async () => {
    const silent = await serve(() => undefined);
    const headError = await rejection(get(silent.url, { headersTimeoutMs: 150 }));
    expect(headError.code).toBe('HEADERS_TIMEOUT');

    const stalled = await serve((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    });
    const bodyError = await rejection(readAll(await get(stalled.url, { bodyTimeoutMs: 150 })));
    expect(bodyError.code).toBe('BODY_TIMEOUT');
  });

  it('does not time out while its reader has paused it (a slow disk), and then reads on', async () => {
    const file = randomBytes(12 * 1024 * 1024);
    const { url } = await serve((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${file.length}\r\n\r\n`);
      socket.end(file);
    });
    const response = await get(url, { bodyTimeoutMs: 150 });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      let paused = false;
      response.body.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (paused) return;
        // Far longer than the body timeout: the socket is paused meanwhile, not timed out.
        paused = true;
        response.body.pause();
        setTimeout(() => response.body.resume(), 600);
      });
      response.body.on('end', resolve);
      response.body.on('error', reject);
    });
    expect(Buffer.concat(chunks).equals(file)).toBe(true);
  });

  it.each([
    ['as the body ends', false],
    ['as the connection breaks off', true],
  ])(
    'a reader that closes the body while taking its last chunk (%s) does not get a receive buffer handed out twice',
    async (_, cut) => {
      while (keptReceiveBuffers() > 0) takeReceiveBuffer();
      const file = randomBytes(3000);
      const { url } = await serve(async (socket) => {
        const length = cut ? file.length + 100 : file.length;
        await writeSlowly(
          socket,
          [`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n`, file],
          20,
        );
        if (cut) socket.end();
      });
      const response = await get(url);
      response.body.on('error', () => undefined);
      // The last chunk is handed over while the body ends; the reader closes the body then and
      // there, and another download starts at once and takes a receive buffer for itself.
      const taken = await new Promise<Buffer>((resolve) => {
        response.body.on('data', (chunk: Buffer) => {
          expect(chunk.equals(file)).toBe(true);
          response.body.destroy();
          resolve(takeReceiveBuffer());
        });
      });
      await pause(20);
      const handedOut = [];
      while (keptReceiveBuffers() > 0) handedOut.push(takeReceiveBuffer().buffer);
      // Another download taking a buffer now must not get the one already in use.
      expect(handedOut).not.toContain(taken.buffer);
      for (const buffer of handedOut) returnReceiveBuffer(buffer as ArrayBuffer);
    },
  );

  it('an abort before the head rejects with its reason; during the body, the body fails with it', async () => {
    const silent = await serve(() => undefined);
    const early = new AbortController();
    const waiting = get(silent.url, { signal: early.signal });
    early.abort(new Error('stopped by the admin'));
    expect((await rejection(waiting)).message).toBe('stopped by the admin');

    const slow = await serve((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab');
    });
    const late = new AbortController();
    const response = await get(slow.url, { signal: late.signal });
    setTimeout(() => late.abort(new Error('run stopped')), 50);
    expect((await rejection(readAll(response))).message).toBe('run stopped');
  });

  it('a server that accepts but never completes the TLS handshake is a connect timeout', async () => {
    const { url } = await serve(() => undefined);
    const error = await rejection(
      get(url.replace('http:', 'https:'), { connectTimeoutMs: 200, headersTimeoutMs: 5000 }),
    );
    expect(error.code).toBe('CONNECT_TIMEOUT');
  });

  it('property: any body, in any framing, split into reads anywhere, arrives exactly', async () => {
    const runs = Number(process.env.AIDEON_FUZZ_RUNS) || 40;
    const framing = fc.constantFrom('length', 'chunked', 'close');
    const body = fc.uint8Array({ minLength: 0, maxLength: 40_000 });
    await fc.assert(
      fc.asyncProperty(
        body,
        framing,
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 12 }),
        async (bytes, kind, chunkSizes, splits) => {
          const file = Buffer.from(bytes);
          let wire: Buffer;
          if (kind === 'chunked') {
            const parts: Buffer[] = [
              Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
            ];
            for (let at = 0, i = 0; at < file.length; i += 1) {
              const size = Math.min(file.length - at, chunkSizes[i % chunkSizes.length] as number);
              parts.push(
                Buffer.from(`${size.toString(16)}\r\n`),
                file.subarray(at, at + size),
                Buffer.from('\r\n'),
              );
              at += size;
            }
            parts.push(Buffer.from('0\r\n\r\n'));
            wire = Buffer.concat(parts);
          } else {
            const length = kind === 'length' ? `Content-Length: ${file.length}\r\n` : '';
            wire = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${length}\r\n`), file]);
          }
          // The wire bytes cut at the given places, each piece its own write.
          const pieces: Buffer[] = [];
          for (let at = 0, i = 0; at < wire.length; i += 1) {
            const size = splits[i % splits.length] as number;
            pieces.push(wire.subarray(at, at + size));
            at += size;
          }
          const { url } = await serve(async (socket) => {
            await writeSlowly(socket, pieces, 0);
            if (kind === 'close') socket.end();
          });
          const { bytes: received } = await readAll(await get(url));
          expect(received.equals(file)).toBe(true);
        },
      ),
      { numRuns: runs },
    );
  }, 120_000);

  it('through HttpClient.download and downloadVideo: an answer that is not HTTP is said as such, retried, and leaves no file', async () => {
    const { url, requests } = await serve((socket) => {
      socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n');
    });
    const client = new HttpClient({
      provider: 'together',
      baseUrl: 'http://127.0.0.1',
      dispatcher: new Agent(),
      headers: () => ({ authorization: 'Bearer tgp_PLANTED_KEY' }),
      secrets: () => ['tgp_PLANTED_KEY'],
    });
    const store = new MediaStore(join(dir, 'not-http'));
    const failure = await rejection(
      downloadVideo({
        fetch: (signal, range) => client.download(url, { signal, withAuth: true, ...range }),
        media: store,
        signal: new AbortController().signal,
        sleep: async () => undefined,
        provider: 'together',
        retries: 2,
      }),
    );
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).errorClass).toBe('provider_unavailable');
    expect(failure.message).toBe(
      'Together AI answered the video download with something that is not valid HTTP: The answer was not HTTP/1.1 (it began "SSH-2.0-OpenSSH_9.2").',
    );
    // Tried three times: the first and two retries.
    expect(requests).toHaveLength(3);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });

  it('through HttpClient.download: a partial answer with an impossible total size is refused, not taken as a file of 1e25 bytes', async () => {
    const { url } = await serve((socket) => {
      socket.end(
        'HTTP/1.1 206 Partial Content\r\nContent-Type: video/mp4\r\nContent-Range: bytes 100-104/10000000000000000000000000\r\nContent-Length: 5\r\n\r\nhello',
      );
    });
    const client = new HttpClient({
      provider: 'luma',
      baseUrl: 'http://127.0.0.1',
      dispatcher: new Agent(),
      headers: () => ({}),
      secrets: () => [],
    });
    const error = await rejection(client.download(url, { offset: 100 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).errorClass).toBe('bad_output');
    expect((error as ProviderError).retryable).toBe(true);
    expect(error.message).toBe(
      'Luma answered a partial download with an impossible file size (Content-Range bytes 100-104/10000000000000000000000000).',
    );
  });

  describe('over TLS', () => {
    it('reads the body exactly from an https server whose certificate it is told to trust, and refuses one it is not', async () => {
      const files = selfSignedCertificate(dir);
      const cert = readFileSync(files.cert);
      const file = randomBytes(5 * 1024 * 1024 + 7);
      const server = createHttpsServer({ cert, key: readFileSync(files.key) }, (_, response) => {
        response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': file.length });
        response.end(file);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://localhost:${(server.address() as AddressInfo).port}/v.mp4`;
      const response = await get(url, { tls: { ca: cert } });
      expect(response.statusCode).toBe(200);
      expect((await readAll(response)).bytes.equals(file)).toBe(true);
      const untrusted = await rejection(get(url));
      expect(untrusted.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    });
  });
});
