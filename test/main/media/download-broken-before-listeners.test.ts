/**
 * A download body that breaks before the download reads it (while the temporary file was being
 * prepared, so its 'error' and 'close' went to nobody) ends that attempt at once as cut short:
 * the next transfer is made and the video stored, instead of the download waiting for events that
 * were already emitted until the generation's timeout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { downloadVideo } from '../../../src/main/media/download-video';
import { MediaStore } from '../../../src/main/media/media-store';
import { toWebStream } from '../../../src/main/web-stream';
import { tempDir } from '../../helpers/temp-dir';

const { dir, cleanup } = tempDir('aideon-broken-body-');
afterAll(cleanup);
const video = randomBytes(256 * 1024 + 3);

/** A body whose connection broke already: destroyed with an error, events long emitted. */
async function brokenBody(): Promise<ReadableStream<Uint8Array>> {
  const source = new Readable({ read() {} });
  const body = toWebStream(source);
  source.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  // Let 'error' and 'close' be emitted before anyone who downloads listens.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return body;
}

describe('a download body broken before it is read', () => {
  it('ends that attempt at once and the next transfer stores the video', async () => {
    const store = new MediaStore(join(dir, 'store'));
    const attempts: string[] = [];
    const { media } = await downloadVideo({
      fetch: async () => {
        if (attempts.length === 0) {
          attempts.push('broken');
          return {
            body: await brokenBody(),
            contentType: 'video/mp4',
            contentLength: video.length,
          };
        }
        attempts.push('whole');
        return {
          // A copy: the download gives the body's chunks to the hashing worker (moved, no
          // copy), as a vendor's socket reads are nobody else's; `video` stays the test's.
          body: toWebStream(Readable.from([Buffer.from(video)])),
          contentType: 'video/mp4',
          contentLength: video.length,
        };
      },
      media: store,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      provider: 'test',
    });
    expect(attempts).toEqual(['broken', 'whole']);
    expect(media.id).toBe(createHash('sha256').update(video).digest('hex'));
    expect(readFileSync(store.pathOf(media.id)).equals(video)).toBe(true);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });
});
