/**
 * watchJob, the loop that follows a vendor job (bench runner and poll-lag bench), on a fake
 * clock: when the looks happen with and without a typical duration, a final status from the
 * create, transient failures of the status call, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/shared/errors';
import type { JobStatus } from '../../../src/shared/providers/video-provider-spec';
import {
  MAX_STREAM_OPENS,
  RATE_LIMIT_MAX_WAIT_MS,
  STATUS_WAIT_MAX_MS,
  STREAM_OPEN_MAX_MS,
  STREAM_OPEN_MIN_MS,
  streamOpenBound,
  watchJob,
} from '../../../src/main/providers/job-watch';

/** A job that ends `endMs` after submission at t = 0; records when it was looked at. */
function fakeJob(
  endMs: number,
  cadenceMs: number | undefined,
  failures: number[] = [],
  rateLimited: (look: number) => { retryAfterMs?: number } | undefined = () => undefined,
  minPollIntervalMs?: number,
) {
  let clock = 0;
  const looks: number[] = [];
  const adapter = {
    pollCadenceMs: cadenceMs,
    minPollIntervalMs,
    async status(): Promise<JobStatus> {
      looks.push(clock);
      const limit = rateLimited(looks.length);
      if (limit)
        throw new ProviderError('quota', 'Request was throttled.', {
          provider: 'fake',
          status: 429,
          ...limit,
        });
      if (failures.includes(looks.length))
        throw new ProviderError('provider_unavailable', 'glitch', {
          provider: 'fake',
          retryable: true,
          retryAfterMs: 100,
        });
      return clock >= endMs
        ? { state: 'succeeded', outputs: [{ url: 'https://example.test/v.mp4' }] }
        : { state: 'pending', started: true };
    },
  };
  const options = {
    signal: new AbortController().signal,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
    submittedAt: 0,
  };
  return { adapter, options, looks };
}

const TYPICAL = { lowMs: 15_000, highMs: 25_000, samples: 5 };

describe('watchJob', () => {
  it('without history looks at once, then backs off', async () => {
    const { adapter, options, looks } = fakeJob(3000, 5000);
    const watched = await watchJob(adapter, 'job', options);
    expect(looks).toEqual([0, 500, 1250, 2375, 4062.5]);
    expect(watched).toMatchObject({ lastPendingAt: 2375, seenAt: 4062.5, looks: 5 });
    expect(watched.status.state).toBe('succeeded');
  });

  it('with a typical duration, first looks when the window opens, then every 0.4 cadence', async () => {
    const { adapter, options, looks } = fakeJob(20_500, 5000);
    const pending: number[] = [];
    const watched = await watchJob(adapter, 'job', {
      ...options,
      typical: TYPICAL,
      onPending: (_status, at) => pending.push(at),
    });
    expect(looks).toEqual([17_000, 19_000, 21_000]);
    expect(pending).toEqual([17_000, 19_000]);
    expect(watched).toMatchObject({ lastPendingAt: 19_000, seenAt: 21_000, looks: 3 });
  });

  it('a job picked up again after a restart is looked at once', async () => {
    const { adapter, options, looks } = fakeJob(0, 5000);
    await watchJob(adapter, 'job', { ...options, typical: TYPICAL, firstLookAtOnce: true });
    expect(looks).toEqual([0]);
  });

  it('the sandbox (no vendor cadence) keeps the adaptive schedule even with history', async () => {
    const { adapter, options, looks } = fakeJob(600, undefined);
    await watchJob(adapter, 'job', { ...options, typical: TYPICAL });
    expect(looks).toEqual([0, 500, 1250]);
  });

  it('a final status from the create needs no look; a pending one is followed', async () => {
    const done = fakeJob(0, 500);
    const watched = await watchJob(done.adapter, 'job', {
      ...done.options,
      initial: { state: 'succeeded', outputs: [{ url: 'https://example.test/v.mp4' }] },
    });
    expect(done.looks).toEqual([]);
    expect(watched.looks).toBe(0);
    const held = fakeJob(1000, 500);
    await watchJob(held.adapter, 'job', {
      ...held.options,
      initial: { state: 'pending', started: true },
    });
    expect(held.looks).toEqual([500, 1250]);
  });

  it('rides out transient failures of the status call (Retry-After honoured)', async () => {
    const { adapter, options, looks } = fakeJob(0, 5000, [1, 2]);
    const watched = await watchJob(adapter, 'job', options);
    expect(looks).toEqual([0, 100, 200]);
    expect(watched.looks).toBe(3);
  });

  it('a long rate limit (429, with or without Retry-After) waits without using the failure budget', async () => {
    // 40 rate-limited looks in a row (more than the 8 transient failures allowed), half of them
    // without Retry-After, then two glitches: the job is still followed to its end.
    const { adapter, options, looks } = fakeJob(0, 5000, [41, 42], (look) =>
      look <= 40 ? (look % 2 === 0 ? { retryAfterMs: 2000 } : {}) : undefined,
    );
    const waits: number[] = [];
    const watched = await watchJob(adapter, 'job', {
      ...options,
      onRateLimited: (waitMs) => waits.push(waitMs),
    });
    expect(watched.status.state).toBe('succeeded');
    expect(watched.looks).toBe(43);
    expect(waits).toHaveLength(40);
    expect(waits.filter((_, index) => index % 2 === 1).every((ms) => ms === 2000)).toBe(true);
    // Without Retry-After: backs off, capped at a minute.
    expect(Math.max(...waits)).toBe(60_000);
    expect(looks[1]! - looks[0]!).toBe(waits[0]);
  });

  it('a rate limit that outlasts the deadline ends the watch with a timeout', async () => {
    const { adapter, options, looks } = fakeJob(0, 5000, [], () => ({ retryAfterMs: 30_000 }));
    await expect(
      watchJob(adapter, 'job', { ...options, deadlineAt: 100_000 }),
    ).rejects.toMatchObject({ code: 'timeout' });
    // Looks at 0, 30 s, 60 s, 90 s; the next wait would pass the deadline.
    expect(looks).toEqual([0, 30_000, 60_000, 90_000]);
  });

  it('a Retry-After of decades on a 429 is waited out a minute at a time, never past the deadline at once', async () => {
    // 1e12 ms overflows a timer (which then fires at once) and passes any deadline: it used to end
    // the watch at the first 429 as a timeout, the paid job abandoned.
    const { adapter, options, looks } = fakeJob(0, 5000, [], (look) =>
      look <= 3 ? { retryAfterMs: 1e12 } : undefined,
    );
    const waits: number[] = [];
    const watched = await watchJob(adapter, 'job', {
      ...options,
      deadlineAt: 15 * 60_000,
      onRateLimited: (waitMs) => waits.push(waitMs),
    });
    expect(watched.status.state).toBe('succeeded');
    expect(waits).toEqual([RATE_LIMIT_MAX_WAIT_MS, RATE_LIMIT_MAX_WAIT_MS, RATE_LIMIT_MAX_WAIT_MS]);
    expect(looks).toEqual([0, 60_000, 120_000, 180_000]);
  });

  it('a Retry-After of a day on a failed status call waits at most STATUS_WAIT_MAX_MS', async () => {
    let clock = 0;
    const looks: number[] = [];
    const adapter = {
      pollCadenceMs: 5000,
      async status(): Promise<JobStatus> {
        looks.push(clock);
        if (looks.length <= 2)
          throw new ProviderError('provider_unavailable', 'Service Unavailable', {
            provider: 'fake',
            status: 503,
            retryable: true,
            retryAfterMs: looks.length === 1 ? 86_400_000 : -5000,
          });
        return { state: 'succeeded', outputs: [{ url: 'https://example.test/v.mp4' }] };
      },
    };
    const sleeps: number[] = [];
    const watched = await watchJob(adapter, 'job', {
      signal: new AbortController().signal,
      now: () => clock,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
      submittedAt: 0,
    });
    expect(watched.status.state).toBe('succeeded');
    // A day is cut to the bound; a negative wait (a clock skew on an HTTP date) is no wait.
    expect(sleeps).toEqual([STATUS_WAIT_MAX_MS, 0]);
    expect(looks).toEqual([0, STATUS_WAIT_MAX_MS, STATUS_WAIT_MAX_MS]);
  });

  it("never looks sooner than the vendor's minimum interval (Runway: 5 s), whatever the schedule", async () => {
    // Shaped (window 15–25 s, cadence 5 s → 2 s steps), adaptive (0.5 s first), a hint of 1 s
    // and a glitch's 100 ms Retry-After: every gap between status calls is still ≥ 5 s.
    const shaped = fakeJob(24_000, 5000, [], () => undefined, 5000);
    await watchJob(shaped.adapter, 'job', { ...shaped.options, typical: TYPICAL });
    const adaptive = fakeJob(12_000, 5000, [2], () => undefined, 5000);
    await watchJob(adaptive.adapter, 'job', adaptive.options);
    for (const looks of [shaped.looks, adaptive.looks]) {
      expect(looks.length).toBeGreaterThan(1);
      for (let index = 1; index < looks.length; index += 1)
        expect(looks[index]! - looks[index - 1]!).toBeGreaterThanOrEqual(5000);
    }
    // The first look after the create waits for the interval too.
    expect(adaptive.looks[0]).toBe(5000);
    expect(shaped.looks).toEqual([17_000, 22_000, 27_000]);
  });

  it('with progress reported (Runway), two looks estimate the end and the next look is just after it', async () => {
    // Running from 2 s, ends at 20.5 s, progress linear; Runway allows a look every 5 s.
    let clock = 0;
    const looks: number[] = [];
    const adapter = {
      pollCadenceMs: 5000,
      minPollIntervalMs: 5000,
      reportsProgress: true,
      async status(): Promise<JobStatus> {
        looks.push(clock);
        if (clock >= 20_500)
          return { state: 'succeeded', outputs: [{ url: 'https://example.test/v.mp4' }] };
        return { state: 'pending', started: true, progress: (clock - 2000) / 18_500 };
      },
    };
    const watched = await watchJob(adapter, 'job', {
      signal: new AbortController().signal,
      now: () => clock,
      sleep: async (ms: number) => {
        clock += ms;
      },
      submittedAt: 0,
      typical: TYPICAL,
    });
    expect(watched.status.state).toBe('succeeded');
    // Two looks as early as the 5 s interval allows, then one just after the estimated end
    // (where the window alone would have looked at 17, 22 s: 1.5 s late).
    expect(looks.slice(0, 2)).toEqual([5000, 10_000]);
    expect(looks).toHaveLength(3);
    expect(looks[2]! - 20_500).toBeGreaterThanOrEqual(0);
    expect(looks[2]! - 20_500).toBeLessThan(1000);
  });
});

describe('watchJob: a push channel that never tells the end', () => {
  it('bounds each open, looks by status before opening again, and polls after the limit', async () => {
    const { adapter, options, looks } = fakeJob(Number.POSITIVE_INFINITY, undefined);
    const calls: string[] = [];
    const bounds: Array<number | undefined> = [];
    let statusLooks = 0;
    const streaming = {
      ...adapter,
      async status(): Promise<JobStatus> {
        statusLooks += 1;
        calls.push('status');
        // Pending until the 7th status look (past the stream limit), then done.
        if (statusLooks < 7) return adapter.status();
        return { state: 'succeeded', outputs: [{ url: 'https://example.test/v.mp4' }] };
      },
      // Kept alive without ever telling the end: it returns only when its bound is reached.
      async followStatus(
        _jobId: string,
        opts: {
          maxOpenMs?: number;
          onPending?: (status: JobStatus & { state: 'pending' }) => void;
        },
      ): Promise<JobStatus> {
        calls.push('stream');
        bounds.push(opts.maxOpenMs);
        opts.onPending?.({ state: 'pending', started: true });
        await options.sleep(opts.maxOpenMs ?? 0);
        return { state: 'pending', started: true };
      },
    };
    const watched = await watchJob(streaming, 'job', { ...options, streamOpenMs: 1_000 });
    expect(watched.status.state).toBe('succeeded');
    expect(bounds).toEqual(Array(MAX_STREAM_OPENS).fill(1_000));
    // Each bounded open is followed by one plain status look; after the last open, polls only.
    expect(calls).toEqual([
      ...Array.from({ length: MAX_STREAM_OPENS }, () => ['stream', 'status']).flat(),
      'status',
      'status',
    ]);
    expect(watched.looks).toBe(MAX_STREAM_OPENS + 7);
    expect(looks.length).toBe(6);
  });

  it('derives the bound from the typical duration: twice its high end, at least a minute, at most five', () => {
    expect(streamOpenBound(undefined)).toBe(STREAM_OPEN_MIN_MS);
    expect(streamOpenBound({ lowMs: 10_000, highMs: 20_000, samples: 5 })).toBe(STREAM_OPEN_MIN_MS);
    expect(streamOpenBound({ lowMs: 60_000, highMs: 90_000, samples: 5 })).toBe(180_000);
    expect(streamOpenBound({ lowMs: 60_000, highMs: 90_000, samples: 1 })).toBe(STREAM_OPEN_MIN_MS);
    expect(streamOpenBound({ lowMs: 200_000, highMs: 400_000, samples: 5 })).toBe(
      STREAM_OPEN_MAX_MS,
    );
  });
});
