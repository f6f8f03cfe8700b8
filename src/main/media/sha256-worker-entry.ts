/**
 * Worker-thread entry: SHA-256 of the files being written into the media store, off the main
 * thread. Each file is a session (an id); its bytes arrive in order, mostly as buffers the main
 * thread transferred (no copy), and every update is acknowledged so the writer can bound what is
 * still waiting here. Started by Sha256Worker (sha256-worker.ts); never imported by main directly.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export type Sha256Request =
  | { type: 'open'; id: number }
  | { type: 'update'; id: number; chunks: Uint8Array[] }
  | { type: 'digest'; id: number }
  | { type: 'close'; id: number };

export type Sha256Reply =
  | { type: 'hashed'; id: number; bytes: number }
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
        for (const chunk of request.chunks) {
          hash.update(chunk);
          bytes += chunk.byteLength;
        }
        port.postMessage({ type: 'hashed', id: request.id, bytes } satisfies Sha256Reply);
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

function session(id: number): Hash {
  const hash = hashes.get(id);
  if (!hash) throw new Error(`no SHA-256 session ${id} in the worker`);
  return hash;
}
