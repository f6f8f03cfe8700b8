/**
 * watchJob, the loop that follows a vendor job (bench runner and poll-lag bench), on a fake
 * clock: when the looks happen with and without a typical duration, a final status from the
 * create, transient failures of the status call, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/shared/errors';
import type { JobStatus } from '../../../src/shared/providers/video-provider-spec';
import { watchJob } from '../../../src/main/providers/job-watch';

/** A job that ends `endMs` after submission at t = 0; records when it was looked at. */
function fakeJob(endMs: number, cadenceMs: number | undefined, failures: number[] = []) {
  let clock = 0;
  const looks: number[] = [];
  const adapter = {
    pollCadenceMs: cadenceMs,
    async status(): Promise<JobStatus> {
      looks.push(clock);
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
});
