/**
 * The fast path of a video download: an HTTP body that is a Node stream underneath (raw-get's, via
 * toWebStream) is read straight from the Node stream. It is taken only when nothing has read the
 * web stream, and an abort in the middle stops the transfer with the caller's reason, leaving no
 * temporary file and nothing thrown afterwards. The receive buffers come back from the hashing
 * worker and are used again (receive-buffers.ts): files received into used memory are exact.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadVideo } from '../../../src/main/media/download-video';
import { MediaStore } from '../../../src/main/media/media-store';
import { HttpClient } from '../../../src/main/providers/http/http-client';
import { keptReceiveBuffers } from '../../../src/main/receive-buffers';
import { takeNodeSource, toWebStream } from '../../../src/main/web-stream';
import { tempDir } from '../../helpers/temp-dir';

const video = randomBytes(12 * 1024 * 1024 + 7);
/** Other videos, of sizes that end at other places in a receive buffer. */
const others = [
  5 * 1024 * 1024 + 999,
  9 * 1024 * 1024 - 3,
  3 * 1024 * 1024,
  11 * 1024 * 1024 + 1,
].map((size) => randomBytes(size));
const { dir, cleanup } = tempDir('aideon-node-body-');
const dispatcher = new Agent();
let server: Server;
let base = '';
/** Resolves once the slow route has sent its first half. */
let halfSent: () => void = () => undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    const other = /^\/other-(\d+)\.mp4$/.exec(request.url ?? '');
    if (other?.[1]) {
      const bytes = others[Number(other[1])] as Buffer;
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
      response.end(bytes);
      return;
    }
    if (request.url === '/slow.mp4') {
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
      // Half the video, then nothing more until the client gives up.
      response.write(video.subarray(0, video.length / 2), () => halfSent());
      return;
    }
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
    response.end(video);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await dispatcher.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  cleanup();
});

const client = new HttpClient({
  provider: 'test',
  baseUrl: 'http://127.0.0.1',
  dispatcher,
  headers: () => ({}),
  secrets: () => [],
});

describe('downloads read from the Node stream', () => {
  it('takes the Node stream only while nothing has read the web stream', async () => {
    const fresh = toWebStream(Readable.from([Buffer.from('abc')]));
    const source = takeNodeSource(fresh);
    expect(source).toBeDefined();
    // Taken once, and the web stream cannot be read as well.
    expect(fresh.locked).toBe(true);
    expect(takeNodeSource(fresh)).toBeUndefined();

    const read = toWebStream(Readable.from([Buffer.from('de'), Buffer.from('f')]));
    const reader = read.getReader();
    const first = await reader.read();
    reader.releaseLock();
    expect(takeNodeSource(read)).toBeUndefined();
    const rest: number[] = [];
    const again = read.getReader();
    for (let next = await again.read(); !next.done; next = await again.read())
      rest.push(...next.value);
    expect(Buffer.from([...(first.value ?? []), ...rest]).toString()).toBe('def');
  });

  it('stores exactly the bytes of a real HTTP answer', async () => {
    const store = new MediaStore(join(dir, 'whole'));
    const { media } = await downloadVideo({
      fetch: (signal, range) => client.download(`${base}/video.mp4`, { signal, ...range }),
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
    });
    expect(media.id).toBe(createHash('sha256').update(video).digest('hex'));
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
  });

  it('receive buffers come back from the hashing worker and are used again: files received into used memory, two at a time, are exact', async () => {
    const store = new MediaStore(join(dir, 'reused'));
    const download = (path: string) =>
      downloadVideo({
        fetch: (signal, range) => client.download(`${base}${path}`, { signal, ...range }),
        media: store,
        signal: new AbortController().signal,
        sleep: async () => undefined,
        provider: 'test',
      });
    await download('/video.mp4');
    // The worker has handed the buffers back (with each acknowledgement): some are kept.
    expect(keptReceiveBuffers()).toBeGreaterThan(0);
    const results = [
      ...(await Promise.all([download('/other-0.mp4'), download('/other-1.mp4')])),
      ...(await Promise.all([download('/other-2.mp4'), download('/other-3.mp4')])),
    ];
    results.forEach(({ media }, index) => {
      const expected = others[index] as Buffer;
      expect(media.id).toBe(createHash('sha256').update(expected).digest('hex'));
      expect(readFileSync(store.pathOf(media.id)).equals(expected)).toBe(true);
    });
  });

  it('an abort in the middle ends the download with its reason and leaves nothing behind', async () => {
    const store = new MediaStore(join(dir, 'aborted'));
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const unhandled: unknown[] = [];
    const onUnhandled = (error: unknown): void => {
      unhandled.push(error);
    };
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    try {
      const half = new Promise<void>((resolve) => (halfSent = resolve));
      const download = downloadVideo({
        fetch: (signal, range) => client.download(`${base}/slow.mp4`, { signal, ...range }),
        media: store,
        signal: controller.signal,
        sleep: async () => undefined,
        provider: 'test',
      });
      await half;
      controller.abort(reason);
      await expect(download).rejects.toBe(reason);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });
});
