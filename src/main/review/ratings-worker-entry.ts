/**
 * Worker-thread entry: receives encoded votes + options, posts back the ratings.
 * Started by computeRatingsOffThread (ratings-worker.ts); never imported by main directly.
 */
import { parentPort } from 'node:worker_threads';
import type { RatingsOptions } from '../../shared/review/review-schemas';
import { computeRatingsEncoded, type EncodedVotes } from './bradley-terry';

export interface RatingsWorkerRequest {
  encoded: EncodedVotes;
  options: RatingsOptions;
}

if (!parentPort) throw new Error('ratings-worker-entry must run in a worker thread.');
const port = parentPort;
port.once('message', (request: RatingsWorkerRequest) => {
  try {
    port.postMessage({ ok: true, result: computeRatingsEncoded(request.encoded, request.options) });
  } catch (error) {
    port.postMessage({
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
