/**
 * The download hand-off between undici and the console: a body the console refuses (an HTML page
 * answered with HTTP 200) is cancelled, and nothing may fail after that, inside or outside the
 * caller (issue 13 item 1: `Controller is already closed` from Readable.toWeb killed the process).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/main/providers/http/http-client';

const PAGE = `<!DOCTYPE html><html><body>${'<p>maintenance</p>'.repeat(2000)}</body></html>`;
let server: Server;
let base = '';
const dispatcher = new Agent({ keepAliveTimeout: 1000 });

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/small.html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>down</html>');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await dispatcher.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(): HttpClient {
  return new HttpClient({
    provider: 'test',
    baseUrl: base,
    dispatcher,
    headers: () => ({}),
    secrets: () => [],
  });
}

/** Collects errors nobody handled while `work` runs and for a moment after. */
async function unhandledDuring(work: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onError = (error: unknown): void => {
    seen.push(error);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
  return seen;
}

describe('download body hand-off', () => {
  for (const path of ['/small.html', '/page.html']) {
    it(`cancelling a refused body (${path}) raises nothing afterwards`, async () => {
      const errors = await unhandledDuring(async () => {
        for (let round = 0; round < 5; round += 1) {
          const download = await client().download(`${base}${path}`, {
            signal: new AbortController().signal,
          });
          expect(download.contentType).toBe('text/html');
          if (round % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 20));
          await download.body.cancel();
        }
      });
      expect(errors.map(String)).toEqual([]);
    });
  }

  it('a body read to its end and then cancelled raises nothing', async () => {
    const errors = await unhandledDuring(async () => {
      const download = await client().download(`${base}/small.html`);
      const reader = download.body.getReader();
      while (!(await reader.read()).done);
      reader.releaseLock();
      await download.body.cancel();
    });
    expect(errors.map(String)).toEqual([]);
  });
});
