/**
 * The one retry helper. Retries only retryable errors, honours the vendor's Retry-After,
 * otherwise backs off exponentially with up to 50% jitter, and gives up after `maxRetries`.
 */
import { AppError } from '../../../shared/errors';

export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** First backoff, ms. Default 1000. */
  initialDelayMs?: number;
  /** Cap for one wait, ms. Default 30000. */
  maxDelayMs?: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  onRetry?: (error: AppError, attempt: number, delayMs: number) => void;
  /** Extra condition for retrying (e.g. "no job was created"); default always. */
  shouldRetry?: (error: AppError) => boolean;
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const maxRetries = options.maxRetries ?? 2;
  const initial = options.initialDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 30000;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (!AppError.isInstance(error) || !error.retryable || attempt >= maxRetries) throw error;
      if (options.shouldRetry && !options.shouldRetry(error)) throw error;
      const backoff = Math.min(cap, initial * 2 ** attempt);
      const delay =
        error.retryAfterMs !== undefined
          ? Math.min(cap * 4, error.retryAfterMs)
          : Math.round(backoff * (1 + random() * 0.5));
      options.onRetry?.(error, attempt + 1, delay);
      await options.sleep(delay, options.signal);
    }
  }
}
