/**
 * Ratings off the main thread: the Bradley–Terry fit and its bootstrap run in a
 * node:worker_threads Worker, so the Electron main process (and its IPC) never blocks.
 *
 * Which file the worker runs:
 * - a built sibling `ratings-worker-entry.js` next to this module (the bundled app; the build
 *   must emit it as its own entry), else
 * - `ratings-worker-entry.ts` loaded through tsx: development, the CLI under tsx, and tests.
 *   On Node 20 `execArgv: ['--import', 'tsx']` does NOT apply tsx to a worker's entry file
 *   ("Unknown file extension .ts"), so the worker starts from a two-line eval'd bootstrap that
 *   registers tsx's ESM hooks (`tsx/esm/api`, resolved to an absolute path so the working
 *   directory does not matter) and then imports the .ts entry.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
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
export function ratingsWorkerEntry(): { source: URL | string; eval: boolean } {
  // Beside this module when it is an entry's own file, or one folder up when the build put it
  // in a shared chunk (out/main/chunks/, once several entries use it: the app and the CLI).
  for (const candidate of ['./ratings-worker-entry.js', '../ratings-worker-entry.js']) {
    const built = new URL(candidate, import.meta.url);
    if (built.protocol === 'file:' && existsSync(fileURLToPath(built))) {
      return { source: built, eval: false };
    }
  }
  // tsx's ESM API (its `import` build: the CommonJS build's register() cannot find its hooks).
  const tsxLoader = createRequire(import.meta.url).resolve('tsx'); // …/tsx/dist/loader.mjs
  const tsxApi = pathToFileURL(join(dirname(tsxLoader), 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./ratings-worker-entry.ts', import.meta.url).href;
  return {
    source: `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
  };
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
