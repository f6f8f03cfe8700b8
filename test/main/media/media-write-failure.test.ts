/**
 * A disk that fails while a paid video is being stored (ENOSPC or EIO on a write or on the final
 * flush, a short write on a nearly full disk): the failure is injected through the media store's
 * file layer (MediaFiles), in the real writer and download code. The next attempt starts over from
 * byte 0, so what is stored is exactly the video; a disk that keeps failing ends in one clear
 * storage error, with nothing left behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import type {
  DownloadRange,
  DownloadResult,
} from '../../../src/shared/providers/video-provider-spec';
import { downloadVideo } from '../../../src/main/media/download-video';
import {
  MediaStore,
  nodeMediaFiles,
  type MediaFile,
  type MediaFiles,
  type MediaStoreOptions,
} from '../../../src/main/media/media-store';
import { tempDir } from '../../helpers/temp-dir';

const { dir, cleanup } = tempDir('aideon-write-failure-');
afterAll(cleanup);

/** 20 MB: more than one write batch, so a failure can hit a batch in the middle. */
const video = randomBytes(20 * 1024 * 1024 + 321);
const videoHash = createHash('sha256').update(video).digest('hex');

function diskError(code: 'ENOSPC' | 'EIO'): Error {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
  return Object.assign(new Error(`${code}: ${text}, write`), {
    code,
    errno: -28,
    syscall: 'write',
  });
}

/** The real files, with the `failWrites` next writes and `failSyncs` next flushes failing. */
function faultyFiles(plan: {
  failWrites?: number;
  failSyncs?: number;
  shortWrites?: number;
  code?: 'ENOSPC' | 'EIO';
  /** Fail only from this write on (0 = the first). */
  fromWrite?: number;
}): MediaFiles & { writes: number; syncs: number; failedSyncsAt: number[]; events: string[] } {
  const state = {
    writes: 0,
    syncs: 0,
    /** Bytes written to the file when each failing flush was asked for. */
    failedSyncsAt: [] as number[],
    /** 'write' when a write finished, 'sync' when a flush finished, in order. */
    events: [] as string[],
    failWrites: plan.failWrites ?? 0,
    failSyncs: plan.failSyncs ?? 0,
    shortWrites: plan.shortWrites ?? 0,
  };
  const files = {
    get writes() {
      return state.writes;
    },
    get syncs() {
      return state.syncs;
    },
    failedSyncsAt: state.failedSyncsAt,
    events: state.events,
    async open(path: string): Promise<MediaFile> {
      const real = await nodeMediaFiles.open(path);
      let written = 0;
      return {
        async writev(buffers, position) {
          state.writes += 1;
          if (state.writes > (plan.fromWrite ?? 0) && state.failWrites > 0) {
            state.failWrites -= 1;
            throw diskError(plan.code ?? 'ENOSPC');
          }
          if (state.writes > (plan.fromWrite ?? 0) && state.shortWrites > 0) {
            // A nearly full disk: only part of the batch is written, no error.
            state.shortWrites -= 1;
            const first = buffers[0] as Buffer;
            return real.writev([first.subarray(0, Math.max(1, first.length >> 1))], position);
          }
          const bytes = await real.writev(buffers, position);
          written += bytes;
          state.events.push('write');
          return bytes;
        },
        async sync() {
          state.syncs += 1;
          if (state.failSyncs > 0) {
            state.failSyncs -= 1;
            state.failedSyncsAt.push(written);
            throw diskError(plan.code ?? 'EIO');
          }
          await real.sync();
          state.events.push('sync');
        },
        close: () => real.close(),
      };
    },
  };
  return files;
}

/** A server that can resume: the video from `range.offset`, in 64 KB chunks. */
function server(): {
  fetch: (signal: AbortSignal, range?: DownloadRange) => Promise<DownloadResult>;
  offsets: number[];
} {
  const offsets: number[] = [];
  return {
    offsets,
    fetch: async (_signal, range) => {
      const offset = range?.offset ?? 0;
      offsets.push(offset);
      let position = offset;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (position >= video.length) {
            controller.close();
            return;
          }
          const end = Math.min(video.length, position + 64 * 1024);
          controller.enqueue(new Uint8Array(video.subarray(position, end)));
          position = end;
        },
      });
      return {
        body,
        contentType: 'video/mp4',
        offset,
        totalBytes: video.length,
        resumable: true,
      };
    },
  };
}

async function download(files: MediaFiles, folder: string, options: MediaStoreOptions = {}) {
  const store = new MediaStore(join(dir, folder), files, undefined, options);
  const source = server();
  const logs: string[] = [];
  const result = downloadVideo({
    fetch: source.fetch,
    media: store,
    signal: new AbortController().signal,
    sleep: async () => undefined,
    provider: 'together',
    log: (line) => logs.push(line),
  });
  return { store, source, logs, result };
}

describe('a disk that fails while a video is stored', () => {
  it('a write that fails (ENOSPC) mid-download: the retry starts over from byte 0 and stores exactly the video', async () => {
    const files = faultyFiles({ failWrites: 1, fromWrite: 1 });
    const { store, source, result } = await download(files, 'enospc-once');
    const { media, attempts } = await result;
    expect(attempts).toBe(2);
    // The second transfer did not resume from a state the disk never took.
    expect(source.offsets).toEqual([0, 0]);
    expect(media.id).toBe(videoHash);
    expect(media.bytes).toBe(video.length);
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });

  it('a flush that fails (EIO on fsync) is retried from the start, and the stored file was flushed', async () => {
    const files = faultyFiles({ failSyncs: 1, code: 'EIO' });
    // No background flush: the one that fails is the flush at commit (see the next test for one
    // that fails mid-transfer).
    const { store, source, result } = await download(files, 'eio-sync', { earlySyncBytes: 0 });
    const { media, attempts } = await result;
    expect(attempts).toBe(2);
    expect(source.offsets).toEqual([0, 0]);
    expect(files.syncs).toBe(2);
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
  });

  it('a background flush that fails mid-transfer (EIO) ends the attempt as storage_failed; the retry starts over and the stored file is flushed whole', async () => {
    // Flushed every 4 MB while the 20 MB arrive: the first flush fails with most still to come.
    const files = faultyFiles({ failSyncs: 1, code: 'EIO' });
    const { store, source, logs, result } = await download(files, 'eio-early-sync', {
      earlySyncBytes: 4 * 1024 * 1024,
    });
    const { media, attempts } = await result;
    expect(files.failedSyncsAt).toHaveLength(1);
    expect(files.failedSyncsAt[0]).toBeGreaterThan(0);
    expect(files.failedSyncsAt[0]).toBeLessThan(video.length);
    // The attempt ended as the disk's failure (not the vendor's), and the next one did not build
    // on bytes whose flush failed: it started over from byte 0 in a new file.
    expect(
      logs.some((line) => /could not be written to .*input\/output error \(EIO\)/.test(line)),
    ).toBe(true);
    expect(attempts).toBe(2);
    expect(source.offsets).toEqual([0, 0]);
    expect(media.id).toBe(videoHash);
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
    // Background flushes were made besides the final one, and the last flush came after the last
    // write: the video was reported stored only once the whole file was on the disk. (Whether a
    // background flush runs before the transfer ends depends on the machine's load: the writes
    // can all be queued before the first flush gets its turn, so that order is not asserted.)
    expect(files.events.filter((event) => event === 'sync').length).toBeGreaterThan(1);
    expect(files.events.at(-1)).toBe('sync');
  });

  it('background flushes that keep failing end in one storage error, with nothing left behind', async () => {
    const files = faultyFiles({ failSyncs: 1000, code: 'EIO' });
    const { store, source, result } = await download(files, 'eio-early-sync-always', {
      earlySyncBytes: 4 * 1024 * 1024,
    });
    const error = await result.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(AppError.isInstance(error)).toBe(true);
    expect((error as AppError).code).toBe('storage_failed');
    expect((error as AppError).message).toMatch(/input\/output error \(EIO\)/);
    expect((error as AppError).retryable).toBe(true);
    // Every attempt failed on a flush in the middle of the transfer, and started from byte 0.
    expect(files.failedSyncsAt).toHaveLength(4);
    for (const at of files.failedSyncsAt) expect(at).toBeLessThan(video.length);
    expect(source.offsets).toEqual([0, 0, 0, 0]);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
    expect(readdirSync(store.root).filter((name) => name !== 'tmp')).toEqual([]);
  });

  it('a short write (part of a batch written, no error) never leaves a hole in the stored file', async () => {
    const files = faultyFiles({ shortWrites: 2, fromWrite: 1 });
    const { store, result } = await download(files, 'short-write');
    const { media } = await result;
    expect(media.id).toBe(videoHash);
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
  });

  it('a disk that keeps failing ends in one storage error that says what is wrong, with nothing left behind', async () => {
    const files = faultyFiles({ failWrites: 1000, code: 'ENOSPC' });
    const { store, source, logs, result } = await download(files, 'enospc-always');
    const error = await result.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(AppError.isInstance(error)).toBe(true);
    const failure = error as AppError;
    expect(failure.code).toBe('storage_failed');
    expect(failure.message).toMatch(/media folder/);
    expect(failure.message).toMatch(/no space left on the disk \(ENOSPC\)/);
    // The video can still be fetched: the error says so rather than calling it lost.
    expect(failure.retryable).toBe(true);
    // Every attempt started from byte 0 (4 = the first try and 3 retries).
    expect(source.offsets).toEqual([0, 0, 0, 0]);
    expect(logs.some((line) => line.includes(join(store.root, 'tmp')))).toBe(true);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });
});
