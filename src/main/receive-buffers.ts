/**
 * The large buffers a video download is received into (providers/http/raw-get.ts), used again
 * from one download chunk to the next instead of fresh memory each time.
 *
 * A download's chunk travels: the socket reads into it, the media writer writes it to disk, the
 * hashing worker hashes it (it moves there, no copy) and moves it back (sha256-worker-entry.ts).
 * Fresh memory for every 4 MB cost more than everything else in the receive: the kernel maps and
 * zeroes each new page on its first write, 130–220 ms of system time per 200 MB here (issue 15),
 * while reading into memory already mapped costs ~25 ms. So the buffers that come back are kept
 * (a few, ~24 MB at most) and handed out again; after half a minute without downloads they are
 * let go, so an idle console does not hold them.
 *
 * It also marks the chunks whose whole ArrayBuffer belongs to the chunk's reader even though the
 * chunk is only part of it (the socket filled the buffer only so far, or the answer's head sat in
 * front of the body): the media writer may move such a buffer to its hashing worker as it is,
 * where a part of a buffer it cannot vouch for is copied first (media-store.ts hashWritten).
 */

/** The size of each receive buffer. */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Buffers kept for the next downloads, at most. */
const KEPT_AT_MOST = 6;
/** Kept buffers are let go after this long without a download taking one. */
const KEPT_FOR_MS = 30_000;

const kept: ArrayBuffer[] = [];
const whollyOwned = new WeakSet<Uint8Array>();
let letGo: NodeJS.Timeout | undefined;

function keepAWhile(): void {
  if (letGo) clearTimeout(letGo);
  letGo = setTimeout(() => {
    letGo = undefined;
    kept.length = 0;
  }, KEPT_FOR_MS);
  letGo.unref();
}

/** A receive buffer of RECEIVE_BUFFER_BYTES (its contents are whatever was there before). */
export function takeReceiveBuffer(): Buffer {
  const buffer = kept.pop();
  if (kept.length > 0) keepAWhile();
  return buffer ? Buffer.from(buffer) : Buffer.allocUnsafeSlow(RECEIVE_BUFFER_BYTES);
}

/**
 * Gives memory back for later downloads: only a receive buffer's size is kept, never a
 * detached one (moved to another thread meanwhile: its length reads 0), and only a few.
 */
export function returnReceiveBuffer(buffer: ArrayBuffer): void {
  if (buffer.byteLength !== RECEIVE_BUFFER_BYTES || kept.length >= KEPT_AT_MOST) return;
  if (kept.includes(buffer)) return;
  kept.push(buffer);
  keepAWhile();
}

/** Says `chunk`'s reader owns its whole ArrayBuffer: nobody else holds or reuses any of it. */
export function markWhollyOwned(chunk: Uint8Array): void {
  whollyOwned.add(chunk);
}

/** Whether `chunk` was marked by markWhollyOwned. */
export function isWhollyOwned(chunk: Uint8Array): boolean {
  return whollyOwned.has(chunk);
}

/** For tests: how many buffers are kept now. */
export function keptReceiveBuffers(): number {
  return kept.length;
}
