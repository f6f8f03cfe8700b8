/**
 * A bounded FIFO queue for local CPU work (ffmpeg analysis): at most `limit` tasks run at once,
 * the rest wait their turn. It is separate from the benchmark's vendor concurrency, so a
 * generation's slot is free again as soon as its video is stored, and the number of ffmpeg
 * processes follows the machine's cores instead of the number of generations in flight.
 */
import { availableParallelism } from 'node:os';
import { ProviderError } from '../../shared/errors';

/** One core is left for the console itself (downloads, polling, the UI): max(1, cores − 1). */
export function defaultAnalysisConcurrency(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

interface Waiter {
  start: () => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class AnalysisQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  readonly limit: number;

  constructor(limit: number = defaultAnalysisConcurrency()) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(
        `analysis concurrency must be a whole number of at least 1 (got ${limit})`,
      );
    this.limit = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a free place. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `task` once a place is free. An abort while waiting removes it from the queue and
   * rejects with `cancelled`; an abort while running is the task's own business (it gets the
   * signal).
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        signal,
        start: () => {
          signal?.removeEventListener('abort', waiter.onAbort);
          this.running += 1;
          resolve();
        },
        onAbort: () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(cancelled());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    this.running -= 1;
    const next = this.waiting.shift();
    next?.start();
  }
}

function cancelled(): ProviderError {
  return new ProviderError('cancelled', 'Video analysis cancelled before it started.', {
    provider: 'media',
  });
}
