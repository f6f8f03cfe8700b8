/**
 * Ratings off the main thread: the Bradley–Terry fit and its bootstrap run in a
 * node:worker_threads Worker, so the Electron main process (and its IPC) never blocks.
 *
 * Which file the worker runs: `ratings-worker-entry`, found as src/main/worker-entry.ts says.
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import { workerEntry, type WorkerEntry } from '../worker-entry';
import {
  ratingsResultSchema,
  type RatingsOptions,
  type RatingsResult,
} from '../../shared/review/review-schemas';
import {
  computeRatings,
  encodeVotes,
  type EncodedVotes,
  type VoteForRating,
} from './bradley-terry';
import type { RatingsWorkerRequest } from './ratings-worker-entry';

export { computeRatings };

export interface OffThreadOptions {
  /** Give up (and stop the worker) after this many milliseconds. Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** How to start the worker: a built .js entry, or an eval'd bootstrap that loads the .ts one. */
export function ratingsWorkerEntry(): WorkerEntry {
  return workerEntry(import.meta.url, 'ratings-worker-entry');
}

type WorkerReply = { ok: true; result: RatingsResult } | { ok: false; message: string };

export function computeRatingsOffThread(
  votes: readonly VoteForRating[] | EncodedVotes,
  options: RatingsOptions = {},
  control: OffThreadOptions = {},
): Promise<RatingsResult> {
  // Encoded votes are copied: their buffers are transferred to the worker.
  const encoded = Array.isArray(votes)
    ? encodeVotes(votes as readonly VoteForRating[])
    : copyEncoded(votes as EncodedVotes);
  const entry = ratingsWorkerEntry();
  return new Promise<RatingsResult>((resolve, reject) => {
    if (control.signal?.aborted) {
      reject(new AppError('cancelled', 'The ratings computation was cancelled.'));
      return;
    }
    const worker = new Worker(entry.source, { eval: entry.eval });
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      control.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(new AppError('timeout', 'Computing the ratings took too long and was stopped.')),
        ),
      control.timeoutMs ?? 120_000,
    );
    const onAbort = (): void =>
      finish(() => reject(new AppError('cancelled', 'The ratings computation was cancelled.')));
    control.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: WorkerReply) =>
      finish(() => {
        if (reply.ok) resolve(ratingsResultSchema.parse(reply.result));
        else reject(new AppError('internal', `Computing the ratings failed: ${reply.message}`));
      }),
    );
    worker.once('error', (error) =>
      finish(() =>
        reject(
          new AppError('internal', `The ratings worker failed: ${error.message}`, { cause: error }),
        ),
      ),
    );
    worker.once('exit', (code) =>
      finish(() =>
        reject(new AppError('internal', `The ratings worker stopped early (exit code ${code}).`)),
      ),
    );
    const request: RatingsWorkerRequest = { encoded, options };
    worker.postMessage(request, [
      encoded.modelA.buffer,
      encoded.modelB.buffer,
      encoded.verdict.buffer,
      encoded.category.buffer,
      encoded.pool.buffer,
    ] as ArrayBuffer[]);
  });
}

function copyEncoded(encoded: EncodedVotes): EncodedVotes {
  return {
    ...encoded,
    modelA: encoded.modelA.slice(),
    modelB: encoded.modelB.slice(),
    verdict: encoded.verdict.slice(),
    category: encoded.category.slice(),
    pool: encoded.pool.slice(),
  };
}
