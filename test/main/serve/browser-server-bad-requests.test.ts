import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { startBrowserServer, type BrowserServer } from '../../../src/main/serve/browser-server';
import { testServices } from '../../helpers/services';

let services: ReturnType<typeof testServices>;
let server: BrowserServer;

beforeAll(async () => {
  services = testServices({ analyseVideos: false });
  const rendererDir = join(services.dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startBrowserServer({
    dispatcher: createAppDispatcher(services, { checkOutputs: true }),
    bus: services.bus,
    media: services.media,
    rendererDir,
  });
});

afterAll(async () => {
  await server.close();
  await services.cleanup();
});

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** The server closed the connection (FIN or reset) after answering. */
  closed: boolean;
  /** A socket error the client saw (e.g. ECONNRESET while still sending), if any. */
  error: string | null;
}

/**
 * Sends bytes on a raw TCP connection (no HTTP client to tidy anything up) and reads the
 * answer until the server closes the connection or 3 s pass with nothing more.
 */
function raw(head: string, body?: Buffer | (() => AsyncIterable<Buffer>)): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    let error: string | null = null;
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      socket.destroy();
      const [headers = '', ...rest] = received.split('\r\n\r\n');
      let body = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(headers)) body = unchunk(body);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
      resolve({ status, headers, body, closed, error });
    };
    let idle = setTimeout(() => finish(false), 3000);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      clearTimeout(idle);
      idle = setTimeout(() => finish(false), 3000);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (failure: NodeJS.ErrnoException) => {
      error = failure.code ?? failure.message;
    });
    socket.on('connect', () => {
      socket.write(head);
      if (Buffer.isBuffer(body)) socket.write(body);
      else if (body)
        void (async () => {
          try {
            for await (const chunk of body()) {
              if (socket.destroyed) return;
              if (!socket.write(chunk))
                await new Promise((resolve) => socket.once('drain', resolve));
            }
          } catch {
            // the server closed the connection while we were still sending
          }
        })();
    });
  });
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

const host = (): string => `127.0.0.1:${server.port}`;

async function stillServing(): Promise<void> {
  const answer = await raw(
    `POST /api/suites:list HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
  );
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toMatchObject({ ok: true });
}

describe('browser mode server: malformed requests', () => {
  it('answers a malformed %-escape in a static path with 400, not 500', async () => {
    const answer = await raw(
      `GET /assets/%E0%A4%A.js HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/%-escape/) });
    await stillServing();
  });

  it('answers a malformed %-escape in an API channel with 400 and a validation error', async () => {
    const answer = await raw(
      `POST /api/suites%zz HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      ok: false,
      error: { code: 'validation', message: expect.stringMatching(/%-escape/), retryable: false },
    });
    await stillServing();
  });

  it('answers a declared body over the limit with 413 and a JSON error, then closes', async () => {
    const size = 2 * 1024 * 1024;
    const answer = await raw(
      `POST /api/suites:list HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
      async function* () {
        for (let sent = 0; sent < size; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 0x20);
      },
    );
    expect(answer.status).toBe(413);
    expect(answer.headers).toMatch(/connection: close/i);
    expect(JSON.parse(answer.body)).toEqual({
      ok: false,
      error: { code: 'validation', message: expect.stringMatching(/too large/), retryable: false },
    });
    expect(answer.closed).toBe(true);
    await stillServing();
  });

  it('answers a chunked body that grows over the limit with 413 and a JSON error, then closes', async () => {
    const answer = await raw(
      `POST /api/suites:list HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      async function* () {
        const piece = Buffer.alloc(64 * 1024, 0x20);
        for (let sent = 0; sent < 3 * 1024 * 1024; sent += piece.length)
          yield Buffer.concat([
            Buffer.from(`${piece.length.toString(16)}\r\n`),
            piece,
            Buffer.from('\r\n'),
          ]);
        yield Buffer.from('0\r\n\r\n');
      },
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      ok: false,
      error: { code: 'validation', message: expect.stringMatching(/too large/) },
    });
    expect(answer.closed).toBe(true);
    await stillServing();
  });
});
