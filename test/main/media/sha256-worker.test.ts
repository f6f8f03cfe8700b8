/**
 * The media writer's SHA-256, computed in a worker thread: the stored file is named by exactly the
 * SHA-256 of its bytes for chunks of odd sizes, whether their memory was given (moved to the
 * worker, no copy) or only lent (copied: a slice of a larger buffer, Node's shared pool). A
 * worker that fails mid-download fails the download cleanly (a retryable storage error, nothing
 * left behind, no hang), the retry starts a new worker, and an idle worker stops by itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import type { DownloadResult } from '../../../src/shared/providers/video-provider-spec';
import { downloadVideo } from '../../../src/main/media/download-video';
import { MediaStore, nodeMediaFiles } from '../../../src/main/media/media-store';
import {
  Sha256Worker,
  sha256WorkerEntry,
  type WorkerEntry,
} from '../../../src/main/media/sha256-worker';
import type { Sha256Reply, Sha256Request } from '../../../src/main/media/sha256-worker-entry';
import { toWebStream } from '../../../src/main/web-stream';
import { tempDir } from '../../helpers/temp-dir';

const { dir, cleanup } = tempDir('aideon-sha256-worker-');
const workers: Sha256Worker[] = [];
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  cleanup();
});

function storeWith(name: string, entry?: () => WorkerEntry, idleMs?: number) {
  const hashes = new Sha256Worker({
    ...(entry ? { entry } : {}),
    ...(idleMs === undefined ? {} : { idleMs }),
  });
  workers.push(hashes);
  return { store: new MediaStore(join(dir, name), nodeMediaFiles, hashes), hashes };
}

/** A worker that hashes nothing and throws (an uncaught error in the thread) on its 3rd update. */
const crashing: WorkerEntry = {
  source: `const { parentPort } = require('node:worker_threads');
let updates = 0;
parentPort.on('message', (request) => {
  if (request.type === 'update' && ++updates === 3) throw new Error('hash worker crashed');
  if (request.type === 'update') parentPort.postMessage({ type: 'hashed', id: request.id, bytes: request.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) });
});`,
  eval: true,
};

/** The video as a Node stream under a web stream (the HTTP fast path), in fresh 64 KB chunks. */
function answer(video: Buffer): DownloadResult {
  const chunks: Buffer[] = [];
  for (let at = 0; at < video.length; at += 65_536)
    chunks.push(Buffer.from(video.subarray(at, at + 65_536)));
  return {
    body: toWebStream(Readable.from(chunks)),
    contentType: 'video/mp4',
    totalBytes: video.length,
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('SHA-256 in a worker thread', () => {
  it('names the file by the SHA-256 of its bytes, for odd chunk sizes, given and lent', async () => {
    const { store } = storeWith('odd');
    const source = randomBytes(13 * 1024 * 1024 + 5);
    const sizes = [1, 7, 4095, 65_537, 3 * 1024 * 1024 + 1, 13, 1_000_003, 2, 5 * 1024 * 1024 + 9];
    const writer = await store.createWriter();
    const given: Uint8Array[] = [];
    const lent: { chunk: Uint8Array; at: number; size: number }[] = [];
    let at = 0;
    for (let index = 0; at < source.length; index += 1) {
      const size = Math.min(sizes[index % sizes.length] as number, source.length - at);
      const part = source.subarray(at, at + size);
      if (index % 3 === 0) {
        // Memory of its own, given away: moved to the worker.
        const chunk = new Uint8Array(part);
        given.push(chunk);
        await writer.write(chunk, { give: true });
      } else if (size < 4096) {
        // A small Buffer from Node's shared pool, "given": it must be copied, never moved.
        const chunk = Buffer.from(part);
        expect(chunk.buffer.byteLength).toBeGreaterThan(chunk.length);
        lent.push({ chunk, at, size });
        await writer.write(chunk, { give: true });
      } else if (index % 3 === 1) {
        // "Given", but only part of its ArrayBuffer: moving it would take more than the chunk.
        const chunk = Buffer.allocUnsafeSlow(size + 100).subarray(50, 50 + size);
        part.copy(chunk);
        lent.push({ chunk, at, size });
        await writer.write(chunk, { give: true });
      } else {
        // A slice of a larger buffer, lent: copied for the worker.
        lent.push({ chunk: part, at, size });
        await writer.write(part);
      }
      at += size;
    }
    const media = await writer.commit('video/mp4');
    expect(media.id).toBe(sha256(source));
    expect(media.id).toBe(sha256(readFileSync(store.pathOf(media.id))));
    expect(media.bytes).toBe(source.length);
    // Given chunks of their own went to the worker without a copy; lent memory is intact.
    expect(given.length).toBeGreaterThan(3);
    for (const chunk of given) expect(chunk.byteLength).toBe(0);
    expect(lent.length).toBeGreaterThan(3);
    for (const { chunk, at: offset, size } of lent) {
      expect(chunk.byteLength).toBe(size);
      expect(Buffer.from(chunk).equals(source.subarray(offset, offset + size))).toBe(true);
    }
  });

  it('the worker hands each hashed chunk back, so its memory is freed on the main thread', async () => {
    // Left in the worker, moved chunks wait for its collector, which hardly ever runs there:
    // the soak bench saw the server's malloc heap grow by every video downloaded.
    const entry = sha256WorkerEntry();
    const worker = new Worker(entry.source, { eval: entry.eval });
    try {
      const replies: Sha256Reply[] = [];
      worker.on('message', (reply: Sha256Reply) => replies.push(reply));
      const chunks = [new Uint8Array(65_536).fill(7), new Uint8Array(1000).fill(9)];
      const expected = createHash('sha256');
      for (const chunk of chunks) expected.update(chunk);
      worker.postMessage({ type: 'open', id: 1 } satisfies Sha256Request);
      worker.postMessage({ type: 'update', id: 1, chunks } satisfies Sha256Request, [
        chunks[0]!.buffer,
        chunks[1]!.buffer,
      ]);
      worker.postMessage({ type: 'digest', id: 1 } satisfies Sha256Request);
      await until(() => replies.length === 2);
      const [hashed, digest] = replies;
      expect(chunks.map((chunk) => chunk.byteLength)).toEqual([0, 0]); // moved to the worker
      expect(hashed).toMatchObject({ type: 'hashed', id: 1, bytes: 66_536 });
      const spent = hashed?.type === 'hashed' ? (hashed.spent ?? []) : [];
      expect(spent.map((buffer) => buffer.byteLength).sort((x, y) => x - y)).toEqual([
        1000, 65_536,
      ]);
      expect(new Uint8Array(spent.find((buffer) => buffer.byteLength === 1000)!)[999]).toBe(9);
      expect(digest).toEqual({ type: 'digest', id: 1, hex: expected.digest('hex') });
    } finally {
      await worker.terminate();
    }
  });

  it('a download through the worker stores exactly the video, and an idle worker stops', async () => {
    const { store, hashes } = storeWith('idle', undefined, 20);
    const video = randomBytes(9 * 1024 * 1024 + 11);
    const { media } = await downloadVideo({
      fetch: async () => answer(video),
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
      retries: 0,
    });
    expect(media.id).toBe(sha256(video));
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
    await until(() => !hashes.running);
    // The next file starts a new worker.
    const again = await store.createWriter();
    await again.write(Buffer.from('x'));
    expect((await again.commit('video/mp4')).id).toBe(sha256(Buffer.from('x')));
  });

  it('a worker that fails mid-download fails it cleanly: storage_failed, nothing left behind', async () => {
    const { store } = storeWith('crash', () => crashing);
    const video = randomBytes(20 * 1024 * 1024 + 3);
    const error = await downloadVideo({
      fetch: async () => answer(video),
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
      retries: 1,
    }).catch((failure: unknown) => failure);
    expect(AppError.isInstance(error)).toBe(true);
    expect((error as AppError).code).toBe('storage_failed');
    expect((error as AppError).retryable).toBe(true);
    expect((error as AppError).message).toMatch(/SHA-256/);
    expect((error as AppError).message).not.toMatch(/\//);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
    expect(readdirSync(store.root).filter((name) => name !== 'tmp')).toEqual([]);
  });

  it('after a worker failure the retry starts over with a new worker and stores the video', async () => {
    let starts = 0;
    const { store } = storeWith('recover', () => (++starts === 1 ? crashing : sha256WorkerEntry()));
    const video = randomBytes(20 * 1024 * 1024 + 3);
    const logs: string[] = [];
    const { media, attempts } = await downloadVideo({
      fetch: async () => answer(video),
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
      retries: 2,
      log: (line) => logs.push(line),
    });
    expect(attempts).toBe(2);
    expect(starts).toBe(2);
    expect(media.id).toBe(sha256(video));
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
    expect(logs.some((line) => /SHA-256/.test(line))).toBe(true);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });

  it('a worker that cannot start (no thread, no entry) fails the download as retryable storage_failed, and the next start stores it', async () => {
    let starts = 0;
    let broken = true;
    const { store, hashes } = storeWith('no-start', () => {
      starts += 1;
      if (broken) throw new Error('no built SHA-256 worker entry at /opt/app/out/main');
      return sha256WorkerEntry();
    });
    const video = randomBytes(3 * 1024 * 1024 + 7);
    const failed = await downloadVideo({
      fetch: async () => answer(video),
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
      retries: 0,
    }).catch((failure: unknown) => failure);
    // Not a plain error (which the runner would turn into a failed, paid-for generation).
    expect(AppError.isInstance(failed)).toBe(true);
    expect((failed as AppError).code).toBe('storage_failed');
    expect((failed as AppError).retryable).toBe(true);
    expect((failed as AppError).message).not.toMatch(/\//);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
    // The session that never started is not held: no worker keeps the process alive.
    expect(hashes.running).toBe(false);
    // The attempt tried to start one twice: ahead, once the file passed 1 MB, and for its hash.
    expect(starts).toBe(2);
    // Tried again once a worker can start (the runner does, later): the video is stored.
    broken = false;
    const before = starts;
    const { media } = await downloadVideo({
      fetch: async () => answer(video),
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
      retries: 0,
    });
    // Started ahead of the hash, and used by it.
    expect(starts).toBe(before + 1);
    expect(media.id).toBe(sha256(video));
  });

  it('a video of at most 1 MB is hashed on the receiving thread: no worker starts for it', async () => {
    let starts = 0;
    const { store, hashes } = storeWith('small', () => {
      starts += 1;
      throw new Error('no worker on this test');
    });
    const download = (video: Buffer) =>
      downloadVideo({
        fetch: async () => answer(video),
        media: store,
        signal: new AbortController().signal,
        sleep: async () => undefined,
        provider: 'test',
        retries: 0,
      });
    const small = randomBytes(1024 * 1024);
    const { media } = await download(small);
    expect(media.id).toBe(sha256(small));
    expect(readFileSync(store.pathOf(media.id)).equals(small)).toBe(true);
    expect(starts).toBe(0);
    expect(hashes.running).toBe(false);
    // A byte more goes to the worker, which cannot start here: a retryable storage failure.
    const failed = await download(randomBytes(1024 * 1024 + 1)).catch((error: unknown) => error);
    expect((failed as AppError).code).toBe('storage_failed');
    expect(starts).toBeGreaterThan(0);
  });

  it('a file past 1 MB starts the worker while it is still arriving, not at its commit', async () => {
    const { store, hashes } = storeWith('warm', undefined, 20);
    const writer = await store.createWriter();
    await writer.write(randomBytes(512 * 1024));
    expect(hashes.running).toBe(false);
    await writer.write(randomBytes(1024 * 1024));
    expect(hashes.running).toBe(true);
    const rest = randomBytes(700 * 1024);
    await writer.write(rest);
    const media = await writer.commit('video/mp4');
    expect(readFileSync(store.pathOf(media.id)).subarray(-rest.length).equals(rest)).toBe(true);
    // Idle again, it stops by itself.
    await until(() => !hashes.running);
  });

  it('a worker stopped while a file is written fails its commit, and a discard leaves nothing', async () => {
    const { store, hashes } = storeWith('stopped');
    const writer = await store.createWriter();
    await writer.write(randomBytes(6 * 1024 * 1024));
    // The first 4 MB are written and with the worker (the file's session opens then; the
    // worker itself was started ahead, once the file passed 1 MB).
    await until(() => (writer as unknown as { hash?: unknown }).hash !== undefined);
    await hashes.stop();
    expect(writer.failed).toBe(true);
    const error = await writer.commit('video/mp4').catch((failure: unknown) => failure);
    expect((error as AppError).code).toBe('storage_failed');
    await writer.discard();
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
    expect(existsSync(join(store.root, 'tmp'))).toBe(true);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !condition(); tries += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
