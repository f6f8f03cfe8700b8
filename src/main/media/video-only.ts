/**
 * A video-only view of a stored MP4, for players that are always muted (the compare grid and
 * blind review). Their audio track costs time to first frame for nothing: the browser sets up
 * an audio decoder and an audio output before it reports a frame, and decodes audio all along.
 *
 * The view hides each non-video track without moving a byte: the track's `trak` box in `moov`
 * is renamed `free`, a box every MP4 reader skips. The file keeps its size and offsets, so Range
 * requests, caching and the `mdat` sample offsets all stay as they are; only 4 bytes per hidden
 * track differ. Files that are not plain MP4 (no `moov`, fragmented with `mvex`, no video track)
 * are served unchanged.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

/** Largest `moov` read to find the tracks; bigger ones are served unchanged. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024;
const FREE = Buffer.from('free', 'latin1');

/** Absolute offsets of the 4-byte box types to overwrite with `free`. */
export type TrackPatches = readonly number[];

interface Box {
  type: string;
  /** Offset of the box header. */
  start: number;
  /** Offset of the payload. */
  body: number;
  /** Offset just past the box. */
  end: number;
}

/** The boxes in `[from, to)` of `read`; stops at the first malformed header. */
function boxes(read: (offset: number, length: number) => Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  let offset = from;
  while (offset + 8 <= to) {
    const header = read(offset, 16);
    if (header.length < 8) break;
    let size = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let body = offset + 8;
    if (size === 1) {
      if (header.length < 16) break;
      size = Number(header.readBigUInt64BE(8));
      body = offset + 16;
    } else if (size === 0) {
      size = to - offset;
    }
    if (size < body - offset || offset + size > to) break;
    out.push({ type, start: offset, body, end: offset + size });
    offset += size;
  }
  return out;
}

/**
 * Where to write `free` to hide every track but video in the MP4 at `path` of `size` bytes;
 * empty when the file should be served unchanged.
 */
export function videoOnlyPatches(path: string, size: number): TrackPatches {
  const fd = openSync(path, 'r');
  try {
    const readFile = (offset: number, length: number): Buffer => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      return buffer.subarray(0, read);
    };
    const moov = boxes(readFile, 0, size).find((box) => box.type === 'moov');
    if (!moov || moov.end - moov.start > MAX_MOOV_BYTES) return [];
    const data = readFile(moov.start, moov.end - moov.start);
    const readMoov = (offset: number, length: number): Buffer =>
      data.subarray(offset - moov.start, offset - moov.start + length);
    const children = boxes(readMoov, moov.body, moov.end);
    if (children.some((box) => box.type === 'mvex')) return [];
    const patches: number[] = [];
    let videoTracks = 0;
    for (const trak of children.filter((box) => box.type === 'trak')) {
      const mdia = boxes(readMoov, trak.body, trak.end).find((box) => box.type === 'mdia');
      const hdlr = mdia && boxes(readMoov, mdia.body, mdia.end).find((box) => box.type === 'hdlr');
      // hdlr: version and flags (4), pre_defined (4), handler_type (4).
      const handler =
        hdlr && hdlr.end - hdlr.body >= 12
          ? readMoov(hdlr.body + 8, 4).toString('latin1')
          : undefined;
      if (handler === 'vide') videoTracks += 1;
      else patches.push(trak.start + 4);
    }
    return videoTracks > 0 ? patches : [];
  } finally {
    closeSync(fd);
  }
}

/** Copies `chunk` (which starts at file offset `at`) with the patches that fall in it applied. */
export function applyPatches(chunk: Buffer, at: number, patches: TrackPatches): Buffer {
  let out = chunk;
  for (const patch of patches) {
    const from = Math.max(patch, at);
    const to = Math.min(patch + 4, at + chunk.length);
    if (from >= to) continue;
    if (out === chunk) out = Buffer.from(chunk);
    FREE.copy(out, from - at, from - patch, to - patch);
  }
  return out;
}

/** A stream transform for the bytes from file offset `start` on. */
export function patchStream(start: number, patches: TrackPatches): Transform {
  let at = start;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const out = applyPatches(chunk, at, patches);
      at += chunk.length;
      callback(null, out);
    },
  });
}
