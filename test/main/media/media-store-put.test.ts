/**
 * MediaStore.put writes through the same durable writer as the downloads (MediaWriter): the
 * bytes go through the store's file layer, are flushed (fsync) before the rename, and a disk that
 * fails leaves nothing behind, neither under a final name nor in the temporary folder. The disk
 * failure is injected through the file layer (MediaFiles), as in media-write-failure.test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import {
  MediaStore,
  nodeMediaFiles,
  type MediaFile,
  type MediaFiles,
} from '../../../src/main/media/media-store';
import { tempDir } from '../../helpers/temp-dir';

const { dir, cleanup } = tempDir('aideon-media-put-');
afterAll(cleanup);

const video = randomBytes(3 * 1024 * 1024 + 17);
const videoHash = createHash('sha256').update(video).digest('hex');

/** The real files, counting writes and flushes; flushes fail while `failSyncs` > 0. */
function countingFiles(plan: { failSyncs?: number } = {}) {
  const state = { writes: 0, syncs: 0, failSyncs: plan.failSyncs ?? 0 };
  const files: MediaFiles = {
    async open(path): Promise<MediaFile> {
      const real = await nodeMediaFiles.open(path);
      return {
        async writev(buffers, position) {
          state.writes += 1;
          return real.writev(buffers, position);
        },
        async sync() {
          state.syncs += 1;
          if (state.failSyncs > 0) {
            state.failSyncs -= 1;
            throw Object.assign(new Error('EIO: i/o error, fsync'), {
              code: 'EIO',
              syscall: 'fsync',
            });
          }
          return real.sync();
        },
        close: () => real.close(),
      };
    },
  };
  return { files, state };
}

/** Every file under the store's root (final names and temporary files). */
function filesUnder(store: MediaStore): string[] {
  return readdirSync(store.root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('MediaStore.put', () => {
  it('writes through the store file layer and flushes the file before it is named', async () => {
    const { files, state } = countingFiles();
    const store = new MediaStore(join(dir, 'ok'), files);
    const ref = await store.put(Readable.from([video.subarray(0, 1000), video.subarray(1000)]), {
      contentType: 'video/mp4',
    });
    expect(ref).toEqual({ id: videoHash, contentType: 'video/mp4', bytes: video.length });
    expect(readFileSync(store.pathOf(videoHash)).equals(video)).toBe(true);
    expect(state.writes).toBeGreaterThan(0);
    expect(state.syncs).toBeGreaterThan(0);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });

  it('a flush that fails ends put with a storage error and leaves no file', async () => {
    const { files, state } = countingFiles({ failSyncs: Number.POSITIVE_INFINITY });
    const store = new MediaStore(join(dir, 'eio'), files);
    const error = await store
      .put(Readable.from([video]), { contentType: 'video/mp4' })
      .catch((caught: unknown) => caught);
    expect(AppError.isInstance(error)).toBe(true);
    expect((error as AppError).code).toBe('storage_failed');
    expect((error as AppError).message).toMatch(/input\/output error \(EIO\)/);
    expect(state.syncs).toBeGreaterThan(0);
    expect(existsSync(store.pathOf(videoHash))).toBe(false);
    expect(filesUnder(store)).toEqual([]);
  });

  it('too large, cut short or empty: a clear error and nothing left behind', async () => {
    const store = new MediaStore(join(dir, 'bad'), countingFiles().files);
    const tooLarge = await store
      .put(Readable.from([video]), { contentType: 'video/mp4', maxBytes: 1000, provider: 'luma' })
      .catch((caught: unknown) => caught);
    expect((tooLarge as AppError).code).toBe('bad_output');
    expect((tooLarge as AppError).message).toMatch(/larger than the 1000-byte limit/);
    const short = await store
      .put(Readable.from([video]), { contentType: 'video/mp4', expectedBytes: video.length + 5 })
      .catch((caught: unknown) => caught);
    expect((short as AppError).code).toBe('bad_output');
    expect((short as AppError).message).toMatch(/cut short/);
    const empty = await store
      .put(Readable.from([]), { contentType: 'video/mp4' })
      .catch((caught: unknown) => caught);
    expect((empty as AppError).message).toMatch(/empty file/);
    const aborted = new AbortController();
    aborted.abort(new Error('stopped'));
    const stopped = await store
      .put(Readable.from([video]), { contentType: 'video/mp4', signal: aborted.signal })
      .catch((caught: unknown) => caught);
    expect(stopped).toBeInstanceOf(Error);
    expect(filesUnder(store)).toEqual([]);
  });
});
