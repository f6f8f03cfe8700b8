/**
 * Follows one vendor job until it ends: looks at its status on the poll schedule (shaped by the
 * model's typical duration when known, see polling.ts), reports each pending status, and rides
 * out transient failures of the status call (a retryable error is retried with backoff, up to 8
 * in a row). A rate limit (429) is not a failure: it waits (Retry-After, else a backoff, either
 * capped at a minute) and goes on, reported through `onRateLimited`, bounded in time only by the
 * job's deadline (`deadlineAt`, and the caller's signal). No wait between two status calls is
 * longer than STATUS_WAIT_MAX_MS, whatever a vendor's Retry-After asks (days, an HTTP date years
 * ahead, a number past what a timer holds). The bench runner and the poll-lag benchmark use the
 * same loop.
 */
import { ProviderError, serializeError, type SerializedError } from '../../shared/errors';
import type { JobStatus, VideoProviderAdapter } from '../../shared/providers/video-provider-spec';
import { UnknownStatusError } from './vendor-video-adapter';
import {
  MIN_DURATION_SAMPLES,
  pollDelay,
  type PollPolicy,
  type TypicalDuration,
} from './http/polling';

export type PendingStatus = Extract<JobStatus, { state: 'pending' }>;
export type FinalStatus = Exclude<JobStatus, { state: 'pending' }>;

export interface WatchJobOptions {
  signal: AbortSignal;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** When the job was submitted (ms since the epoch): the schedule counts from there. */
  submittedAt: number;
  policy?: PollPolicy | undefined;
  /** Recent jobs of the same model; `undefined` = the adaptive schedule. */
  typical?: TypicalDuration | undefined;
  /** A status already known (the create's own answer, e.g. Replicate's `Prefer: wait`). */
  initial?: JobStatus | undefined;
  /**
   * Look at once (a job picked up again after a restart) instead of treating the job as just
   * submitted and pending. Default false.
   */
  firstLookAtOnce?: boolean;
  /** Called with every pending status, as it arrives. */
  onPending?: (status: PendingStatus, at: number) => void;
  /** Called when the status call was rate limited, before waiting `waitMs`. */
  onRateLimited?: (waitMs: number, at: number) => void;
  /**
   * Called when the vendor reports a status the adapter does not know (UnknownStatusError). With
   * a `deadlineAt`, the job is then followed on its schedule as if pending, until it ends or the
   * deadline passes; without one, such answers count as failures of the status call.
   */
  onUnknownStatus?: (error: UnknownStatusError, at: number) => void;
  /**
   * The job's deadline (ms since the epoch): a rate limit whose wait would pass it ends the watch
   * with a `timeout` error. `undefined` = only the signal bounds the waits.
   */
  deadlineAt?: number | undefined;
  /** How long one open of the push channel may last, ms; default streamOpenBound(typical). */
  streamOpenMs?: number | undefined;
}

/**
 * When a job whose progress grows evenly ends, from its last two progress samples (ms since the
 * epoch); undefined without two samples or without growth.
 */
export function progressEta(
  samples: ReadonlyArray<{ at: number; progress: number }>,
): number | undefined {
  if (samples.length < 2) return undefined;
  const [first, last] = [samples[samples.length - 2]!, samples[samples.length - 1]!];
  const rate = (last.progress - first.progress) / (last.at - first.at);
  if (!(rate > 0) || !Number.isFinite(rate)) return undefined;
  return last.at + (1 - last.progress) / rate;
}

/** How often one job's push channel (fal's status stream) is opened before polling takes over. */
export const MAX_STREAM_OPENS = 5;

/** Bounds of one open of a push channel, ms (see streamOpenBound). */
export const STREAM_OPEN_MIN_MS = 60_000;
export const STREAM_OPEN_MAX_MS = 5 * 60_000;

/**
 * How long one open of the push channel may stay open without telling the end: twice the
 * latest the model's jobs end where that is known, at least a minute, at most five. A channel
 * kept alive by heartbeats that never delivers the end is closed then, and a plain status look
 * follows.
 */
export function streamOpenBound(typical: TypicalDuration | undefined): number {
  const wanted =
    typical !== undefined && typical.samples >= MIN_DURATION_SAMPLES ? 2 * typical.highMs : 0;
  return Math.min(STREAM_OPEN_MAX_MS, Math.max(STREAM_OPEN_MIN_MS, wanted));
}

/** Longest wait after a 429 (with or without Retry-After) before the next status call, ms. */
export const RATE_LIMIT_MAX_WAIT_MS = 60_000;

/**
 * Longest wait after any failed status call, ms, whatever its Retry-After: a status call costs
 * nothing, while a job not looked at may finish and its paid video's link expire unseen, or the
 * job's deadline pass during one wait.
 */
export const STATUS_WAIT_MAX_MS = 5 * 60_000;

/** A rate limit (429, or the vendor's retryable quota answer such as RESOURCE_EXHAUSTED). */
function isRateLimit(error: unknown, serialized: SerializedError): boolean {
  if (ProviderError.isInstance(error) && (error as ProviderError).status === 429) return true;
  return serialized.code === 'quota' && serialized.retryable;
}

/**
 * Status calls in a row a job may be answered 404 (not found) before it counts as gone. A vendor
 * may not find a job it has just accepted for a moment (its store catching up); one that keeps
 * not finding it has deleted or lost it.
 */
export const NOT_FOUND_LOOKS = 4;

function isNotFound(error: unknown): boolean {
  return ProviderError.isInstance(error) && (error as ProviderError).status === 404;
}

/** The vendor kept answering 404 for a job it had accepted: what the admin is told. */
function jobGone(error: unknown, jobId: string, looks: number): ProviderError {
  const provider = error as ProviderError;
  const said = provider.message.replace(/[\s.]*$/, '');
  return new ProviderError(
    'provider_unavailable',
    `${said}. The provider accepted job ${jobId.slice(0, 120)} (its create gave this id) but did not find it on ${looks} status calls in a row: it was deleted or lost there, and may still be billed. Check the job in the provider's account before running the prompt again.`,
    {
      provider: provider.provider,
      status: 404,
      retryable: false,
      ...(provider.vendorCode === undefined ? {} : { vendorCode: provider.vendorCode }),
      cause: error,
    },
  );
}

export interface WatchedJob {
  status: FinalStatus;
  /** When the job was last seen pending (the job ended after this), ms since the epoch. */
  lastPendingAt: number;
  /** When the final status was seen. */
  seenAt: number;
  /** Status calls made (failed ones included). */
  looks: number;
}

export async function watchJob(
  adapter: Pick<
    VideoProviderAdapter,
    'status' | 'pollCadenceMs' | 'minPollIntervalMs' | 'followStatus' | 'reportsProgress'
  >,
  jobId: string,
  options: WatchJobOptions,
): Promise<WatchedJob> {
  const { signal, now } = options;
  let lastPendingAt = options.submittedAt;
  let looks = 0;
  let attempt = 0;
  let transientFailures = 0;
  let rateLimits = 0;
  let notFound = 0;
  let status: JobStatus | undefined = options.initial;
  // The vendor's minimum interval between status calls (Runway: 5 s), counted from the create
  // for a job just submitted: whatever the schedule, a hint or a retry asks, no call comes sooner.
  const minInterval = adapter.minPollIntervalMs ?? 0;
  let lastCallAt =
    options.firstLookAtOnce === true ? Number.NEGATIVE_INFINITY : options.submittedAt;
  // Just submitted, with nothing known yet, and a shaped schedule (the vendor's cadence and the
  // model's typical duration known): the job is pending and the first look waits for the window.
  // Otherwise the first look is at once, as the adaptive schedule always did.
  const shaped =
    adapter.pollCadenceMs !== undefined &&
    options.typical !== undefined &&
    options.typical.samples >= MIN_DURATION_SAMPLES;
  // A vendor push channel (fal's status stream) is opened at once and held: one request however
  // long the job takes. It is opened again after an early close, up to MAX_STREAM_OPENS times;
  // one that cannot be used at all leaves the job to polling. Each open is bounded (a channel
  // kept alive that never tells the end), and after an open that ended without the end, one
  // plain status look comes before the channel is opened again.
  let streamOpens = 0;
  let streamUnusable = adapter.followStatus === undefined;
  let lookBeforeStream = false;
  const streamOpenMs = options.streamOpenMs ?? streamOpenBound(options.typical);
  // Progress that grows evenly (Runway) estimates the end from two looks: those come as early
  // as the vendor allows instead of waiting for the window, and the next look goes just after
  // the estimated end (see progressEta).
  const byProgress = adapter.reportsProgress === true && adapter.pollCadenceMs !== undefined;
  const samples: Array<{ at: number; progress: number }> = [];
  let assumed =
    status === undefined &&
    options.firstLookAtOnce !== true &&
    shaped &&
    streamUnusable &&
    !byProgress;
  if (assumed) status = { state: 'pending' };
  for (;;) {
    if (status === undefined) {
      signal.throwIfAborted();
      const early = lastCallAt + minInterval - now();
      if (early > 0) await options.sleep(early, signal);
      if (
        !streamUnusable &&
        !lookBeforeStream &&
        streamOpens < MAX_STREAM_OPENS &&
        adapter.followStatus
      ) {
        streamOpens += 1;
        lastCallAt = now();
        looks += 1;
        try {
          status = await adapter.followStatus(jobId, {
            signal,
            onPending: (pending) => {
              const at = now();
              lastPendingAt = at;
              options.onPending?.(pending, at);
            },
            maxOpenMs: streamOpenMs,
          });
          lookBeforeStream = status.state === 'pending';
          transientFailures = 0;
        } catch (error) {
          if (signal.aborted) throw error;
          streamUnusable = true; // polls from here on (the status call names any real error)
          continue;
        }
      } else
        try {
          lastCallAt = now();
          looks += 1;
          status = await adapter.status(jobId, signal);
          lookBeforeStream = false;
          transientFailures = 0;
          rateLimits = 0;
          notFound = 0;
        } catch (error) {
          const serialized = serializeError(error);
          if (
            !signal.aborted &&
            options.deadlineAt !== undefined &&
            error instanceof UnknownStatusError
          ) {
            // Not a failure of the call: the job goes on at the vendor in a state of its own.
            // Looked at on the schedule until it ends, or its deadline ends the watch.
            options.onUnknownStatus?.(error, now());
            transientFailures = 0;
            rateLimits = 0;
            notFound = 0;
            status = { state: 'pending' };
            assumed = true;
          } else {
            if (!signal.aborted && isNotFound(error)) {
              // Not found: looked at again a few times (a vendor catching up with its own create),
              // then the job is gone, which is the vendor's doing, not a request to change.
              notFound += 1;
              if (notFound >= NOT_FOUND_LOOKS) throw jobGone(error, jobId, notFound);
              await options.sleep(Math.min(30000, 1000 * 2 ** notFound), signal);
              continue;
            }
            if (!signal.aborted && isRateLimit(error, serialized)) {
              // Not a failure of the job: wait as asked and go on, without using the failure budget.
              rateLimits += 1;
              // A Retry-After of days (or one a timer cannot hold) is not waited out in one go: the
              // job is looked at again within a minute, and answers when the vendor does.
              const wait = Math.max(
                0,
                Math.min(RATE_LIMIT_MAX_WAIT_MS, serialized.retryAfterMs ?? 1000 * 2 ** rateLimits),
              );
              const at = now();
              if (options.deadlineAt !== undefined && at + wait > options.deadlineAt) {
                throw new ProviderError(
                  'timeout',
                  `Still rate limited when the job's time was up (${rateLimits} answers 429 in a row); the job may still finish at the provider.`,
                  {
                    provider: ProviderError.isInstance(error)
                      ? (error as ProviderError).provider
                      : 'unknown',
                    retryable: false,
                    cause: error,
                  },
                );
              }
              options.onRateLimited?.(wait, at);
              await options.sleep(wait, signal);
              continue;
            }
            if (!serialized.retryable || transientFailures >= 8 || signal.aborted) throw error;
            transientFailures += 1;
            await options.sleep(
              Math.max(
                0,
                Math.min(
                  STATUS_WAIT_MAX_MS,
                  serialized.retryAfterMs ?? Math.min(30000, 1000 * 2 ** transientFailures),
                ),
              ),
              signal,
            );
            continue;
          }
        }
    }
    const at = now();
    if (status.state !== 'pending') {
      // A create that answered with the final status held its answer until the job ended.
      if (looks === 0) lastPendingAt = at;
      return { status, lastPendingAt, seenAt: at, looks };
    }
    if (!assumed) {
      lastPendingAt = at;
      options.onPending?.(status, at);
    }
    assumed = false;
    if (byProgress && status.progress !== undefined && status.progress > 0 && status.progress < 1) {
      samples.push({ at, progress: status.progress });
      if (samples.length > 2) samples.shift();
    }
    let delay = pollDelay(
      {
        attempt,
        elapsedMs: at - options.submittedAt,
        hintMs: status.pollAfterMs,
        cadenceMs: adapter.pollCadenceMs,
        // Without a vendor cadence (the sandbox) the adaptive schedule and the hints decide.
        typical: adapter.pollCadenceMs === undefined ? undefined : options.typical,
      },
      options.policy,
    );
    if (byProgress && status.pollAfterMs === undefined) {
      const eta = progressEta(samples);
      if (eta !== undefined) {
        const left = Math.max(0, eta - at);
        delay = Math.min(left + 250 + left * 0.03, (options.policy?.maxMs ?? 10_000) * 6);
      } else if (samples.length === 1 && status.progress! < 0.9) {
        // One sample so far: the second as soon as the vendor allows (its minimum interval).
        delay = Math.min(delay, Math.max(minInterval, adapter.pollCadenceMs ?? 0));
      }
    }
    status = undefined;
    await options.sleep(delay, signal);
    attempt += 1;
  }
}
