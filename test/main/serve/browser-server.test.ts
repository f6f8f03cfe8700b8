import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import {
  parseRange,
  startBrowserServer,
  type BrowserServer,
} from '../../../src/main/serve/browser-server';
import { testServices } from '../../helpers/services';

let services: ReturnType<typeof testServices>;
let server: BrowserServer;
let mediaId: string;
let mediaSize: number;

beforeAll(async () => {
  services = testServices();
  const rendererDir = join(services.dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startBrowserServer({
    dispatcher: createAppDispatcher(services, { checkOutputs: true }),
    bus: services.bus,
    media: services.media,
    rendererDir,
  });
  const { runId } = services.bench.startRun({
    suiteId: 'smoke',
    models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
    budgetUsd: 5,
  });
  await services.bench.waitForRun(runId);
  mediaId = listGenerationRows(services.db, runId)[0]!.media_id!;
  mediaSize = services.media.size(mediaId);
});

afterAll(async () => {
  await server.close();
  await services.cleanup();
});

const base = (): string => `http://127.0.0.1:${server.port}`;
const auth = (): Record<string, string> => ({
  authorization: `Bearer ${server.token}`,
  'content-type': 'application/json',
});

async function call(channel: string, body: unknown, headers: Record<string, string> = auth()) {
  const response = await request(`${base()}/api/${channel}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    body: (await response.body.json()) as Record<string, unknown>,
  };
}

describe('browser mode server', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers a call with a result object', async () => {
    const answer = await call('suites:list', {});
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(true);
    expect((answer.body.value as { id: string }[]).map((suite) => suite.id)).toContain('smoke');
  });

  it('refuses a missing or wrong token with 401 and does nothing', async () => {
    const runsBefore = services.db.prepare('SELECT COUNT(*) AS n FROM runs').get();
    const input = {
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 5,
    };
    expect(
      (await call('bench:start-run', input, { 'content-type': 'application/json' })).status,
    ).toBe(401);
    expect(
      (
        await call('bench:start-run', input, {
          authorization: 'Bearer nope',
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(401);
    const media = await request(`${base()}/media/${mediaId}`);
    expect(media.statusCode).toBe(401);
    await media.body.dump();
    const events = await request(`${base()}/events?token=wrong`);
    expect(events.statusCode).toBe(401);
    await events.body.dump();
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual(runsBefore);
  });

  it('refuses a foreign Origin or Host with 403', async () => {
    expect(
      (await call('suites:list', {}, { ...auth(), origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await call('suites:list', {}, { ...auth(), host: 'evil.example' })).status).toBe(403);
    expect((await call('suites:list', {}, { ...auth(), origin: base() })).status).toBe(200);
  });

  it('answers malformed input with an error naming the field, and changes nothing', async () => {
    const runsBefore = services.db.prepare('SELECT COUNT(*) AS n FROM runs').get();
    const answer = await call('bench:start-run', {
      suiteId: 'smoke',
      models: [{ provider: 'nope', modelId: 'x' }],
      budgetUsd: -1,
    });
    expect(answer.body.ok).toBe(false);
    const error = answer.body.error as { code: string; message: string };
    expect(error.code).toBe('validation');
    expect(error.message).toContain('models.0.provider');
    expect(error.message).toContain('budgetUsd');
    const extra = await call('bench:get-run', { runId: 'x', sneaky: true });
    expect((extra.body.error as { message: string }).message).toMatch(/sneaky/);
    const broken = await request(`${base()}/api/suites:list`, {
      method: 'POST',
      headers: auth(),
      body: '{not json',
    });
    expect(broken.statusCode).toBe(400);
    await broken.body.dump();
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual(runsBefore);
  });

  it('serves media with Range support so the player can seek', async () => {
    const full = await request(`${base()}/media/${mediaId}?token=${server.token}`);
    expect(full.statusCode).toBe(200);
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect((await full.body.arrayBuffer()).byteLength).toBe(mediaSize);
    const part = await request(`${base()}/media/${mediaId}?token=${server.token}`, {
      headers: { range: 'bytes=100-199' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${mediaSize}`);
    expect((await part.body.arrayBuffer()).byteLength).toBe(100);
    const bad = await request(`${base()}/media/${mediaId}?token=${server.token}`, {
      headers: { range: `bytes=${mediaSize + 10}-` },
    });
    expect(bad.statusCode).toBe(416);
    await bad.body.dump();
    const missing = await request(`${base()}/media/${'0'.repeat(64)}?token=${server.token}`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('marks media immutable with an ETag, and serves a video-only view for muted players', async () => {
    const url = `${base()}/media/${mediaId}?token=${server.token}`;
    const full = await request(url);
    expect(full.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(full.headers.etag).toBe(`"${mediaId}"`);
    const original = Buffer.from(await full.body.arrayBuffer());
    const again = await request(url, { headers: { 'if-none-match': `"${mediaId}"` } });
    expect(again.statusCode).toBe(304);
    await again.body.dump();

    const view = await request(`${url}&tracks=video`);
    expect(view.statusCode).toBe(200);
    expect(view.headers.etag).toBe(`"${mediaId}-video"`);
    const viewBytes = Buffer.from(await view.body.arrayBuffer());
    const patches = services.media.videoOnlyPatches(mediaId);
    expect(patches.length).toBeGreaterThan(0);
    expect(viewBytes.length).toBe(original.length);
    expect(viewBytes.toString('latin1', patches[0]!, patches[0]! + 4)).toBe('free');
    const part = await request(`${url}&tracks=video`, {
      headers: { range: `bytes=${patches[0]! - 4}-${patches[0]! + 7}` },
    });
    expect(part.statusCode).toBe(206);
    expect(Buffer.from(await part.body.arrayBuffer())).toEqual(
      viewBytes.subarray(patches[0]! - 4, patches[0]! + 8),
    );
  });

  it('streams events over SSE', async () => {
    const response = await request(`${base()}/events?token=${server.token}`);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const received = new Promise<string>((resolve) => {
      let text = '';
      response.body.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('event: bench:run-updated')) resolve(text);
      });
    });
    services.bench.startRun({
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-pro' }],
      budgetUsd: 5,
    });
    expect(await received).toMatch(/data: \{"id":"run_/);
    response.body.destroy();
  });

  it('serves the renderer with a strict CSP and refuses path traversal', async () => {
    const page = await request(`${base()}/`);
    expect(page.statusCode).toBe(200);
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    await page.body.dump();
    const traversal = await request(`${base()}/..%2f..%2fetc%2fpasswd`);
    expect(traversal.statusCode).toBe(404);
    await traversal.body.dump();
  });
});

describe('parseRange', () => {
  it('reads the forms a browser sends and rejects the rest', () => {
    expect(parseRange('bytes=0-', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=10-19', 1000)).toEqual({ start: 10, end: 19 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBeNull();
    expect(parseRange('bytes=5-1', 1000)).toBeNull();
    expect(parseRange('items=0-1', 1000)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeNull();
  });
});
