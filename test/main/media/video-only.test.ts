import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaStore } from '../../../src/main/media/media-store';
import { applyPatches, videoOnlyPatches } from '../../../src/main/media/video-only';
import { tempDir } from '../../helpers/temp-dir';

const clipA = resolve(__dirname, '../../../resources/sandbox-clips/clip-a.mp4');

let dir: string;
let cleanup: () => void;
const fixture = (name: string): string => join(dir, name);

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], {
    stdio: 'pipe',
  });
}

/** Stream types ffprobe sees in `file`, e.g. ['video', 'audio']. */
function streamTypes(file: string): string[] {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  );
  return out.trim().split('\n').filter(Boolean);
}

/** md5 of every decoded video frame: the pictures, whatever the container says. */
function frameHashes(file: string): string {
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', '-nostdin', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .join('\n');
}

function patched(file: string, out: string): Buffer {
  const bytes = readFileSync(file);
  const result = applyPatches(bytes, 0, videoOnlyPatches(file, bytes.length));
  writeFileSync(out, result);
  return result;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('video-only-'));
  copyFileSync(clipA, fixture('av-faststart.mp4'));
  // moov after mdat (no faststart), the layout many encoders write.
  ffmpeg('-i', clipA, '-c', 'copy', fixture('av-moov-last.mp4'));
  ffmpeg('-i', clipA, '-c', 'copy', '-an', fixture('video.mp4'));
  ffmpeg('-i', clipA, '-c', 'copy', '-vn', fixture('audio.m4a'));
  ffmpeg(
    '-i',
    clipA,
    '-c',
    'copy',
    '-movflags',
    'frag_keyframe+empty_moov',
    fixture('fragmented.mp4'),
  );
});

afterAll(() => cleanup());

describe('video-only view of an MP4', () => {
  it('hides the audio track and keeps every video frame, size and offset', () => {
    for (const name of ['av-faststart.mp4', 'av-moov-last.mp4']) {
      const original = readFileSync(fixture(name));
      const patches = videoOnlyPatches(fixture(name), original.length);
      expect(patches).toHaveLength(1);
      const view = patched(fixture(name), fixture(`view-${name}`));
      expect(view.length).toBe(original.length);
      // Four bytes differ: the hidden track's box type, now `free`.
      const differing = [...view.keys()].filter((i) => view[i] !== original[i]);
      expect(differing.length).toBeLessThanOrEqual(4);
      expect(view.toString('latin1', patches[0]!, patches[0]! + 4)).toBe('free');
      expect(streamTypes(fixture(name))).toEqual(['video', 'audio']);
      expect(streamTypes(fixture(`view-${name}`))).toEqual(['video']);
      expect(frameHashes(fixture(`view-${name}`))).toBe(frameHashes(fixture(name)));
    }
  });

  it('leaves alone files with nothing to hide, no video, fragments or no moov', () => {
    for (const name of ['video.mp4', 'audio.m4a', 'fragmented.mp4']) {
      expect(videoOnlyPatches(fixture(name), statSync(fixture(name)).size)).toEqual([]);
    }
    writeFileSync(fixture('junk.mp4'), Buffer.from('not an mp4 at all, just some text'));
    expect(videoOnlyPatches(fixture('junk.mp4'), statSync(fixture('junk.mp4')).size)).toEqual([]);
    // A box header claiming more bytes than the file has.
    const truncated = readFileSync(clipA).subarray(0, 2000);
    writeFileSync(fixture('truncated.mp4'), truncated);
    expect(videoOnlyPatches(fixture('truncated.mp4'), truncated.length)).toEqual([]);
  });

  it('patches only the part of a chunk the patch overlaps', () => {
    const chunk = Buffer.from('0123456789');
    expect(applyPatches(chunk, 100, [103]).toString()).toBe('012free789');
    // The patch starts before the chunk: its tail lands at the start.
    expect(applyPatches(chunk, 100, [98]).toString()).toBe('ee23456789');
    // The patch runs past the chunk: its head lands at the end.
    expect(applyPatches(chunk, 100, [108]).toString()).toBe('01234567fr');
    expect(applyPatches(chunk, 100, [200])).toBe(chunk);
    expect(chunk.toString()).toBe('0123456789');
  });

  it('serves the same view through the media store, whole or by any range', async () => {
    const store = new MediaStore(dir);
    const ref = await store.put(Readable.from(readFileSync(clipA)), {
      contentType: 'video/mp4',
    });
    const expected = readFileSync(fixture('view-av-faststart.mp4'));
    expect(await collect(store.openRead(ref.id, undefined, { videoOnly: true }))).toEqual(expected);
    expect(await collect(store.openRead(ref.id))).toEqual(readFileSync(clipA));
    const [patch] = store.videoOnlyPatches(ref.id);
    for (const range of [
      { start: 0, end: 99 },
      { start: patch! - 2, end: patch! + 1 },
      { start: patch! + 2, end: patch! + 500 },
      { start: patch! - 300, end: expected.length - 1 },
    ]) {
      const part = await collect(store.openRead(ref.id, range, { videoOnly: true }));
      expect(part).toEqual(expected.subarray(range.start, range.end + 1));
    }
  });
});
