/**
 * MediaWriter with files larger than its 4 MB write batch: one batch is written while the next
 * arrives, and the result is still exactly the bytes received (hash and content), also after a
 * restart in the middle of a transfer, and nothing is left behind by a discard.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaStore } from '../../../src/main/media/media-store';
import { tempDir } from '../../helpers/temp-dir';

const { dir, cleanup } = tempDir('aideon-writer-');
afterAll(cleanup);
const store = new MediaStore(dir);
const data = randomBytes(21 * 1024 * 1024 + 123);

async function writeAll(writer: Awaited<ReturnType<MediaStore['createWriter']>>, bytes: Buffer) {
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
    await writer.write(bytes.subarray(offset, offset + 64 * 1024));
}

describe('MediaWriter across several write batches', () => {
  it('stores exactly the bytes received, named by their SHA-256', async () => {
    const writer = await store.createWriter();
    await writeAll(writer, data);
    const media = await writer.commit('video/mp4');
    expect(media.id).toBe(createHash('sha256').update(data).digest('hex'));
    expect(media.bytes).toBe(data.length);
    expect(readFileSync(store.pathOf(media.id)).equals(data)).toBe(true);
  });

  it('a temporary folder removed by someone else is made again, so the download still lands', async () => {
    rmSync(join(dir, 'media', 'tmp'), { recursive: true, force: true });
    const bytes = randomBytes(100_000);
    const writer = await store.createWriter();
    await writeAll(writer, bytes);
    const media = await writer.commit('video/mp4');
    expect(readFileSync(store.pathOf(media.id)).equals(bytes)).toBe(true);
  });

  it('a restart half-way (a server that cannot resume) starts the file over', async () => {
    const other = randomBytes(17 * 1024 * 1024);
    const writer = await store.createWriter();
    await writeAll(writer, data.subarray(0, 12 * 1024 * 1024));
    await writer.restart();
    expect(writer.bytes).toBe(0);
    await writeAll(writer, other);
    const media = await writer.commit('video/mp4');
    expect(media.id).toBe(createHash('sha256').update(other).digest('hex'));
    expect(readFileSync(store.pathOf(media.id)).equals(other)).toBe(true);
  });

  it('two files of the same bytes committed together store one file, and both are told its id', async () => {
    const bytes = randomBytes(300_000);
    const writers = await Promise.all([store.createWriter(), store.createWriter()]);
    for (const writer of writers) await writeAll(writer, bytes);
    const [first, second] = await Promise.all(writers.map((writer) => writer.commit('video/mp4')));
    const id = createHash('sha256').update(bytes).digest('hex');
    expect(first?.id).toBe(id);
    expect(second?.id).toBe(id);
    expect(readFileSync(store.pathOf(id)).equals(bytes)).toBe(true);
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });

  it('a hash folder removed after the store made it is made again at the next commit', async () => {
    const first = randomBytes(50_000);
    const writer = await store.createWriter();
    await writeAll(writer, first);
    const media = await writer.commit('video/mp4');
    rmSync(join(store.root, media.id.slice(0, 2)), { recursive: true, force: true });
    // Another file for the same folder: found by trying hashes' first bytes.
    let other: Buffer;
    do other = randomBytes(50_000);
    while (createHash('sha256').update(other).digest('hex').slice(0, 2) !== media.id.slice(0, 2));
    const again = await store.createWriter();
    await writeAll(again, other);
    const stored = await again.commit('video/mp4');
    expect(readFileSync(store.pathOf(stored.id)).equals(other)).toBe(true);
  });

  it('a discard with a batch in flight leaves no temporary file', async () => {
    const writer = await store.createWriter();
    await writeAll(writer, data.subarray(0, 9 * 1024 * 1024));
    await writer.discard();
    expect(readdirSync(join(store.root, 'tmp'))).toEqual([]);
  });
});
