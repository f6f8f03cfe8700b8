/**
 * The console's own files in browser mode: read once and kept, sent compressed (Brotli or gzip,
 * whichever the browser takes) with their length and an ETag; the hashed build files under
 * assets/ are cached for good, the rest revalidated (304 when unchanged).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { startBrowserServer, type BrowserServer } from '../../../src/main/serve/browser-server';
import { testServices } from '../../helpers/services';

let services: ReturnType<typeof testServices>;
let server: BrowserServer;
let rendererDir: string;
const script = `export const words = ${JSON.stringify('the console '.repeat(2000))};\n`;
const font = Buffer.from(Array.from({ length: 4096 }, (_, k) => (k * 7919) % 256));

beforeAll(async () => {
  services = testServices({ analyseVideos: false });
  rendererDir = join(services.dataDir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>first</title>');
  writeFileSync(join(rendererDir, 'assets', 'start-AbC123.js'), script);
  writeFileSync(join(rendererDir, 'assets', 'inter-Xy9.woff2'), font);
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

const base = (): string => `http://127.0.0.1:${server.port}`;

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await request(`${base()}${path}`, { headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, body };
}

/**
 * The first request gets the plain bytes and starts compressing in the background; asks again
 * until the compressed form is there (or gives up, failing the test).
 */
async function getCompressed(path: string, acceptEncoding: string) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const answer = await get(path, { 'accept-encoding': acceptEncoding });
    if (answer.headers['content-encoding'] !== undefined) return answer;
    expect(answer.body.toString()).toBe(script);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} was never sent compressed`);
}

describe('static files in browser mode', () => {
  it('sends a script Brotli-compressed (once compressed) to a browser that takes it, with its length', async () => {
    const answer = await getCompressed('/assets/start-AbC123.js', 'gzip, deflate, br');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers['vary']).toBe('Accept-Encoding');
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    expect(answer.body.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(answer.body).toString()).toBe(script);
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(String(answer.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('falls back to gzip, then to the plain bytes', async () => {
    const gzip = await getCompressed('/assets/start-AbC123.js', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(script);
    const plain = await get('/assets/start-AbC123.js', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(script));
    // A refused coding (q=0) is not used.
    const noBr = await getCompressed('/assets/start-AbC123.js', 'br;q=0, gzip');
    expect(noBr.headers['content-encoding']).toBe('gzip');
  });

  it('does not compress what is compressed already (fonts)', async () => {
    const answer = await get('/assets/inter-Xy9.woff2', { 'accept-encoding': 'br, gzip' });
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['content-type']).toBe('font/woff2');
    expect(answer.body.equals(font)).toBe(true);
  });

  it('caches hashed build files for good, and revalidates the page (304 when unchanged)', async () => {
    const asset = await get('/assets/start-AbC123.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await get('/');
    expect(page.headers['cache-control']).toBe('no-cache');
    const etag = String(page.headers['etag']);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('notices a file changed on disk (a rebuild while serving)', async () => {
    const before = await get('/index.html');
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>second, longer</title>');
    const after = await get('/index.html', { 'if-none-match': String(before.headers['etag']) });
    expect(after.status).toBe(200);
    expect(after.body.toString()).toContain('second, longer');
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
  });

  it('answers HEAD with the headers only', async () => {
    const response = await request(`${base()}/assets/start-AbC123.js`, { method: 'HEAD' });
    expect(response.statusCode).toBe(200);
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(script));
    expect((await response.body.arrayBuffer()).byteLength).toBe(0);
  });
});
