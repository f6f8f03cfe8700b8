/**
 * Worker-thread entry: SHA-256 of the files being written into the media store, off the main
 * thread. Each file is a session (an id); its bytes arrive in order, mostly as buffers the main
 * thread transferred (no copy), and every update is acknowledged so the writer can bound what is
 * still waiting here. Started by Sha256Worker (sha256-worker.ts); never imported by main directly.
 *
 * The hashed buffers go back to the main thread with the acknowledgement. Left here they would
 * wait for this thread's garbage collector, which hardly ever runs: the worker makes almost no
 * JavaScript garbage, and V8 only counts the buffers' memory towards a collection once tens of
 * megabytes have piled up. The soak bench saw the server's malloc heap grow by ~4 MB a minute of
 * downloads that way (every video's bytes, freed only when the idle worker stopped). Back on the
 * main thread, which collects often, they are freed at its next collection.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export type Sha256Request =
  | { type: 'open'; id: number }
  | { type: 'update'; id: number; chunks: Uint8Array[] }
  | { type: 'digest'; id: number }
  | { type: 'close'; id: number };

export type Sha256Reply =
  | {
      type: 'hashed';
      id: number;
      bytes: number;
      /** The hashed chunks' memory, moved back to be freed on the main thread (see above). */
      spent?: ArrayBuffer[];
    }
  | { type: 'digest'; id: number; hex: string }
  | { type: 'failed'; id: number; message: string };

if (!parentPort) throw new Error('sha256-worker-entry must run in a worker thread.');
const port = parentPort;
const hashes = new Map<number, Hash>();

port.on('message', (request: Sha256Request) => {
  try {
    switch (request.type) {
      case 'open':
        hashes.set(request.id, createHash('sha256'));
        return;
      case 'close':
        hashes.delete(request.id);
        return;
      case 'update': {
        const hash = session(request.id);
        let bytes = 0;
        const spent = new Set<ArrayBuffer>();
        for (const chunk of request.chunks) {
          hash.update(chunk);
          bytes += chunk.byteLength;
          if (chunk.buffer instanceof ArrayBuffer) spent.add(chunk.buffer);
        }
        acknowledge(request.id, bytes, [...spent]);
        return;
      }
      case 'digest': {
        const hex = session(request.id).digest('hex');
        hashes.delete(request.id);
        port.postMessage({ type: 'digest', id: request.id, hex } satisfies Sha256Reply);
        return;
      }
    }
  } catch (error) {
    hashes.delete(request.id);
    port.postMessage({
      type: 'failed',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    } satisfies Sha256Reply);
  }
});

/** Says `bytes` were hashed and hands `spent` back; without them if they cannot move. */
function acknowledge(id: number, bytes: number, spent: ArrayBuffer[]): void {
  try {
    port.postMessage({ type: 'hashed', id, bytes, spent } satisfies Sha256Reply, spent);
  } catch {
    // A buffer that cannot be transferred: the acknowledgement matters, the memory is freed
    // here later.
    port.postMessage({ type: 'hashed', id, bytes } satisfies Sha256Reply);
  }
}

function session(id: number): Hash {
  const hash = hashes.get(id);
  if (!hash) throw new Error(`no SHA-256 session ${id} in the worker`);
  return hash;
}
