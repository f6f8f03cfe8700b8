import { beforeAll, describe, expect, it, vi } from 'vitest';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { watchJob } from '../../../src/main/providers/job-watch';
import { UnknownStatusError } from '../../../src/main/providers/vendor-video-adapter';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoSuchModelError, ProviderError } from '../../../src/shared/errors';
import type { VideoProviderAdapter } from '../../../src/shared/providers/video-provider-spec';
import {
  createFalAdapter,
  falAppPath,
  parseFalJobId,
} from '../../../src/main/providers/fal/fal-video-adapter';
import { FalEmulator } from '../../emulators/fal-emulator';
import { CLIP } from '../../emulators/emulator-kit';
import {
  pollUntilSettled,
  readAll,
  settledAs,
  useEmulator,
} from './__fixtures__/provider-test-helpers';

const KEY = 'fal-PLANTED-key-1b2c3d4e:9f8e7d6c5b4a';
const VEO = 'fal-ai/veo3.1';

const emulator = new FalEmulator({ apiKey: KEY, slowMs: 300 });
const vendor = useEmulator(emulator, {
  apiKey: KEY,
  resetCounts: true,
});
const { dispatcher, errorOf } = vendor;
let adapter: VideoProviderAdapter;

beforeAll(() => {
  adapter = createFalAdapter(vendor.settings());
});

describe('fal adapter: models, ids and checks', () => {
  it('knows its apps with sourced prices', () => {
    expect(adapter.models().map((model) => model.modelId)).toContain(VEO);
    for (const model of adapter.models()) {
      expect(model.provider).toBe('fal');
      expect(model.pricing.source.length).toBeGreaterThan(5);
      expect(model.pricing.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('derives the queue app path and round-trips job ids', () => {
    expect(falAppPath('fal-ai/veo3.1/image-to-video')).toBe('fal-ai/veo3.1');
    expect(falAppPath('fal-ai/kling-video/v2.5-turbo/pro/text-to-video')).toBe(
      'fal-ai/kling-video',
    );
    expect(falAppPath('workflows/acme/flow/sub')).toBe('workflows/acme/flow');
    expect(parseFalJobId('fal-ai/veo3.1/requests/abc-123')).toEqual({
      app: 'fal-ai/veo3.1',
      requestId: 'abc-123',
    });
    expect(() => parseFalJobId('abc-123')).toThrow(ProviderError);
  });

  it('unknown model → NoSuchModelError with no submission', async () => {
    expect(() => adapter.model('fal-ai/nothing')).toThrow(NoSuchModelError);
    await expect(adapter.start({ modelId: 'fal-ai/nothing', prompt: 'x' })).rejects.toBeInstanceOf(
      NoSuchModelError,
    );
    expect(emulator.stats.creates).toBe(0);
  });

  it('warns about unsupported settings and estimates with the app default audio', () => {
    expect(
      adapter
        .checkRequest({ modelId: VEO, prompt: 'p', durationSeconds: 5, aspectRatio: '1:1' })
        .map((w) => w.setting),
    ).toEqual(['durationSeconds', 'aspectRatio']);
    expect(
      adapter
        .checkRequest({
          modelId: 'fal-ai/kling-video/v2.5-turbo/pro/text-to-video',
          prompt: 'p',
          seed: 3,
          audio: true,
        })
        .map((w) => w.setting),
    ).toEqual(['audio', 'seed']);
    expect(adapter.estimateCost({ modelId: VEO, prompt: 'p' }).usd).toBeCloseTo(3.2); // 8 s × ($0.20 + $0.20 audio)
    expect(adapter.estimateCost({ modelId: VEO, prompt: 'p', audio: false }).usd).toBeCloseTo(1.6);
    expect(adapter.estimateCost({ modelId: VEO, prompt: 'p', resolution: '4k' }).usd).toBeCloseTo(
      4.8,
    ); // 8 × (0.40 + 0.20)
  });
});

describe('fal adapter: queue lifecycle', () => {
  it('submits, reports the job id first, walks IN_QUEUE → IN_PROGRESS → COMPLETED and downloads', async () => {
    const order: string[] = [];
    const result = await adapter.start(
      {
        modelId: VEO,
        prompt: 'a fox in snow',
        durationSeconds: 6,
        aspectRatio: '9:16',
        resolution: '1080p',
        seed: 7,
        audio: false,
      },
      { onJobId: (id) => order.push(`id:${id}`) },
    );
    order.push('resolved');
    expect(result.jobId).toMatch(/^fal-ai\/veo3\.1\/requests\/[0-9a-f-]{36}$/);
    expect(order).toEqual([`id:${result.jobId}`, 'resolved']);
    expect(emulator.stats.creates).toBe(1);
    const job = emulator.job(parseFalJobId(result.jobId).requestId);
    expect(job?.input).toEqual({
      prompt: 'a fox in snow',
      duration: '6s',
      aspect_ratio: '9:16',
      resolution: '1080p',
      seed: 7,
      generate_audio: false,
    });

    const { final, seen } = await pollUntilSettled(adapter, result.jobId, KEY);
    expect(seen[0]).toEqual({ state: 'pending', queuePosition: 0 });
    expect(seen[1]).toEqual({ state: 'pending', started: true });
    expect(final.state).toBe('succeeded');
    if (final.state !== 'succeeded') return;
    expect(final.outputs[0]?.contentType).toBe('video/mp4');
    const file = await adapter.download(final.outputs[0]!);
    expect(file.contentLength).toBe(CLIP.length);
    expect((await readAll(file.body)).equals(CLIP)).toBe(true);
  });

  it('spells Kling durations as plain strings', async () => {
    const { jobId } = await adapter.start({
      modelId: 'fal-ai/kling-video/v2.5-turbo/pro/text-to-video',
      prompt: 'k',
      durationSeconds: 10,
    });
    expect(jobId.startsWith('fal-ai/kling-video/requests/')).toBe(true);
    expect(emulator.job(parseFalJobId(jobId).requestId)?.input.duration).toBe('10');
    expect((await pollUntilSettled(adapter, jobId, KEY)).final.state).toBe('succeeded');
  });

  it('a job id survives a restart: a new adapter instance polls it to the end', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'restart' });
    const fresh = createFalAdapter(vendor.settings());
    expect((await pollUntilSettled(fresh, jobId, KEY)).final.state).toBe('succeeded');
  });

  it('follows the clock when the emulator has queue and run times', async () => {
    let now = 5_000;
    const timed = new FalEmulator({
      apiKey: KEY,
      queueMs: 1_000,
      runMs: 2_000,
      clock: { now: () => now },
    });
    const url = await timed.start();
    try {
      const timedAdapter = createFalAdapter({ apiKey: KEY, baseUrl: url, dispatcher });
      const { jobId } = await timedAdapter.start({ modelId: VEO, prompt: 'clock' });
      expect(await timedAdapter.status(jobId)).toMatchObject({
        state: 'pending',
        queuePosition: 0,
      });
      now += 1_000;
      expect(await timedAdapter.status(jobId)).toEqual({ state: 'pending', started: true });
      now += 2_000;
      expect((await timedAdapter.status(jobId)).state).toBe('succeeded');
    } finally {
      await timed.stop();
    }
  });

  it('a COMPLETED job whose result is 422 {detail:[…]} is a failed invalid_request job', async () => {
    const { jobId } = await adapter.start({
      modelId: VEO,
      prompt: 'bad duration',
      durationSeconds: 5,
    });
    const { final, seen } = await pollUntilSettled(adapter, jobId, KEY);
    expect(seen.filter((status) => status.state === 'pending')).toHaveLength(2);
    expect(final).toMatchObject({
      state: 'failed',
      error: { code: 'invalid_request', retryable: false, vendorCode: 'literal_error' },
    });
    if (final.state === 'failed') expect(final.error.message).toContain('body.duration');
  });

  it('#invalid → failed invalid_request on the result call, not at submit', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'x #invalid' });
    expect(emulator.stats.creates).toBe(1);
    expect((await pollUntilSettled(adapter, jobId, KEY)).final).toMatchObject({
      state: 'failed',
      error: { code: 'invalid_request' },
    });
  });

  it('#policy → 422 content_policy_violation → failed content_policy', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'x #policy' });
    expect((await pollUntilSettled(adapter, jobId, KEY)).final).toMatchObject({
      state: 'failed',
      error: { code: 'content_policy', retryable: false, vendorCode: 'content_policy_violation' },
    });
  });

  it('#fail → 500 with error_type → failed provider_unavailable', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'x #fail' });
    expect((await pollUntilSettled(adapter, jobId, KEY)).final).toMatchObject({
      state: 'failed',
      error: { code: 'provider_unavailable', retryable: true, vendorCode: 'internal_server_error' },
    });
  });

  it('#timeout → 504 request_timeout → failed timeout', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'x #timeout' });
    expect((await pollUntilSettled(adapter, jobId, KEY)).final).toMatchObject({
      state: 'failed',
      error: { code: 'timeout', vendorCode: 'request_timeout' },
    });
  });

  it('cancel reaches fal (202 CANCELLATION_REQUESTED) and the job reads cancelled, also after a restart', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'cancel me' });
    await adapter.cancel(jobId);
    expect(emulator.stats.cancels).toBe(1);
    expect(emulator.job(parseFalJobId(jobId).requestId)?.cancelled).toBe(true);
    expect(await adapter.status(jobId)).toEqual({ state: 'cancelled' });
    const fresh = createFalAdapter(vendor.settings());
    expect(await fresh.status(jobId)).toEqual({ state: 'cancelled' });
  });

  it('cancelling a finished job is a no-op (ALREADY_COMPLETED); an unknown one is an error', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'done already' });
    await pollUntilSettled(adapter, jobId, KEY);
    await adapter.cancel(jobId);
    expect(emulator.stats.cancels).toBe(1);
    expect((await adapter.status(jobId)).state).toBe('succeeded');
    const error = await errorOf(
      adapter.cancel('fal-ai/veo3.1/requests/00000000-0000-0000-0000-000000000000'),
    );
    expect(error.status).toBe(404);
  });

  it('a status fal does not document is an UnknownStatusError (followed by job-watch), not a shape error', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'a lantern in fog #new-status' });
    expect(await adapter.status(jobId)).toMatchObject({ state: 'pending' });
    const error = await adapter.status(jobId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownStatusError);
    expect((error as UnknownStatusError).unknownStatus).toBe('UPSCALING');
    expect((error as UnknownStatusError).message).toBe(
      'fal reported an unknown request status "UPSCALING".',
    );
  });

  it('status of an unknown request → invalid_request (404)', async () => {
    const error = await errorOf(
      adapter.status('fal-ai/veo3.1/requests/00000000-0000-0000-0000-000000000000'),
    );
    expect(error.errorClass).toBe('invalid_request');
    expect(error.status).toBe(404);
  });
});

describe('request counting', () => {
  it('the emulator counts creates and answers the vendor 429 past its window limit', async () => {
    emulator.rateLimit = { limit: 2, windowMs: 60_000 };
    try {
      await adapter.start({ modelId: 'fal-ai/veo3.1', prompt: 'one' });
      await adapter.start({ modelId: 'fal-ai/veo3.1', prompt: 'two' });
      const error = await errorOf(adapter.start({ modelId: 'fal-ai/veo3.1', prompt: 'three' }));
      expect(error.errorClass).toBe('quota');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(3000);
      expect(emulator.stats.creates).toBe(2);
    } finally {
      emulator.rateLimit = undefined;
    }
  });
});

describe('fal adapter: faults', () => {
  it('#auth → auth, not retryable; a wrong key → auth and never in the message', async () => {
    const error = await errorOf(adapter.start({ modelId: VEO, prompt: 'x #auth' }));
    expect(error.errorClass).toBe('auth');
    expect(error.retryable).toBe(false);
    const wrong = 'fal-WRONG-key-aaaa:bbbbbbbbbbbb';
    const other = createFalAdapter({ ...vendor.settings(), apiKey: wrong });
    const wrongError = (await other.start({ modelId: VEO, prompt: 'x' }).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as ProviderError;
    expect(wrongError).toBeInstanceOf(ProviderError);
    expect(wrongError.errorClass).toBe('auth');
    expect(wrongError.message).not.toContain(wrong);
  });

  it('#ratelimit → quota with Retry-After', async () => {
    const error = await errorOf(adapter.start({ modelId: VEO, prompt: 'x #ratelimit' }));
    expect(error.errorClass).toBe('quota');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(3000);
  });

  it('#5xx → provider_unavailable, retryable', async () => {
    const error = await errorOf(adapter.start({ modelId: VEO, prompt: 'x #5xx' }));
    expect(error.errorClass).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
  });

  it('#reset → provider_unavailable, retryable', async () => {
    const error = await errorOf(adapter.start({ modelId: VEO, prompt: 'x #reset' }));
    expect(error.errorClass).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
  });

  it('#slow answers late; aborting meanwhile → cancelled', async () => {
    const begun = Date.now();
    await adapter.start({ modelId: VEO, prompt: 'x #slow' });
    expect(Date.now() - begun).toBeGreaterThanOrEqual(280);
    expect(
      (
        await errorOf(
          adapter.start({ modelId: VEO, prompt: 'y #slow' }, { signal: AbortSignal.timeout(50) }),
        )
      ).errorClass,
    ).toBe('cancelled');
  });

  it('#expire → expired_output on download', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'x #expire' });
    const final = await settledAs(adapter, jobId, 'succeeded', KEY);
    expect((await errorOf(adapter.download(final.outputs[0]!))).errorClass).toBe('expired_output');
  });

  it('#truncate → contentLength declared, the stream errors', async () => {
    const { jobId } = await adapter.start({ modelId: VEO, prompt: 'x #truncate' });
    const final = await settledAs(adapter, jobId, 'succeeded', KEY);
    const file = await adapter.download(final.outputs[0]!);
    expect(file.contentLength).toBe(CLIP.length);
    await expect(readAll(file.body)).rejects.toThrow();
  });

  it('a 403 "Exhausted balance" is quota; a result that echoes the key is scrubbed', async () => {
    let mode: 'balance' | 'echo' = 'balance';
    const server: Server = createServer((request, response) => {
      if (mode === 'balance') {
        response.writeHead(403, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            detail:
              'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.',
          }),
        );
        return;
      }
      if (request.url?.includes('/status')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'COMPLETED' }));
        return;
      }
      response.writeHead(500, {
        'content-type': 'application/json',
        'x-fal-error-type': 'internal_server_error',
      });
      response.end(
        JSON.stringify({ detail: `crashed with header ${String(request.headers.authorization)}` }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const local = createFalAdapter({
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        dispatcher,
      });
      const error = await errorOf(local.start({ modelId: VEO, prompt: 'x' }));
      expect(error.errorClass).toBe('quota');
      mode = 'echo';
      const status = await local.status('fal-ai/veo3.1/requests/abc');
      expect(status.state).toBe('failed');
      if (status.state === 'failed') {
        expect(status.error.message).not.toContain(KEY);
        expect(status.error.message).toContain('[redacted]');
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('listModels returns the known table (fal has no list call for these apps)', async () => {
    expect((await adapter.listModels()).map((model) => model.modelId)).toEqual(
      adapter.models().map((model) => model.modelId),
    );
  });
});

describe('fal adapter: the SSE status stream', () => {
  async function timedEmulator(): Promise<{
    emulator: FalEmulator;
    adapter: VideoProviderAdapter;
    stop: () => Promise<void>;
  }> {
    const timed = new FalEmulator({ apiKey: KEY, queueMs: 80, runMs: 150 });
    const baseUrl = await timed.start();
    return {
      emulator: timed,
      adapter: createFalAdapter({ apiKey: KEY, baseUrl, dispatcher }),
      stop: () => timed.stop(),
    };
  }
  const watch = (target: VideoProviderAdapter, jobId: string) =>
    watchJob(target, jobId, {
      signal: new AbortController().signal,
      now: Date.now,
      sleep: (ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}),
      submittedAt: Date.now(),
    });

  it('follows a job to its video in one status request, reporting queue and progress', async () => {
    const { emulator: timed, adapter: streaming, stop } = await timedEmulator();
    try {
      const { jobId } = await streaming.start({ modelId: VEO, prompt: 'a lighthouse at dawn' });
      const pending: unknown[] = [];
      const done = await streaming.followStatus!(jobId, {
        onPending: (status) => pending.push(status),
      });
      expect(done).toMatchObject({ state: 'succeeded', outputs: [{ url: expect.any(String) }] });
      expect(pending).toEqual([
        { state: 'pending', queuePosition: 0 },
        { state: 'pending', started: true },
      ]);
      expect(timed.stats.polls).toBe(1);
      expect(timed.openStreams).toBe(0);
    } finally {
      await stop();
    }
  });

  it('a queue without the stream: followStatus names the error and watchJob polls instead', async () => {
    const { emulator: timed, adapter: streaming, stop } = await timedEmulator();
    timed.statusStream = false;
    try {
      const { jobId } = await streaming.start({ modelId: VEO, prompt: 'a lighthouse at dusk' });
      const error = await errorOf(streaming.followStatus!(jobId, {}));
      expect(error.status).toBe(404);
      const watched = await watch(streaming, jobId);
      expect(watched.status.state).toBe('succeeded');
      // The stream request that failed (a 404, not a status answer), then status polls.
      expect(timed.stats.polls).toBeGreaterThan(0);
      expect(watched.looks).toBe(1 + timed.stats.polls);
    } finally {
      await stop();
    }
  });

  it('a stream closed before the end is opened again; the job still ends with its video', async () => {
    const { emulator: timed, adapter: streaming, stop } = await timedEmulator();
    try {
      const { jobId } = await streaming.start({
        modelId: VEO,
        prompt: 'storm clouds #stream-drop',
      });
      expect(await streaming.followStatus!(jobId, {})).toEqual({
        state: 'pending',
        queuePosition: 0,
      });
      const watched = await watch(streaming, jobId);
      expect(watched.status.state).toBe('succeeded');
      expect(timed.openStreams).toBe(0);
    } finally {
      await stop();
    }
  });

  it('a stream kept alive that never tells the end is closed at its bound; a status look then sees the job completed', async () => {
    // The emulator's clock is the test's: the job ends only when the test moves it on.
    let clock = 0;
    const stalled = new FalEmulator({
      apiKey: KEY,
      queueMs: 1000,
      runMs: 1000,
      clock: { now: () => clock },
    });
    stalled.streamHeartbeatMs = 20;
    const baseUrl = await stalled.start();
    const streaming = createFalAdapter({ apiKey: KEY, baseUrl, dispatcher });
    try {
      // One open, bounded: the first status, then heartbeats only until the bound closes it.
      const first = await streaming.start({ modelId: VEO, prompt: 'a frozen lake #stream-stall' });
      expect(await streaming.followStatus!(first.jobId, { maxOpenMs: 200 })).toEqual({
        state: 'pending',
        queuePosition: 0,
      });
      expect(stalled.streamsOpened).toBe(1);

      const { jobId } = await streaming.start({
        modelId: VEO,
        prompt: 'a frozen waterfall #stream-stall',
      });
      const watched = await watchJob(streaming, jobId, {
        signal: new AbortController().signal,
        now: Date.now,
        sleep: (ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}),
        submittedAt: Date.now(),
        policy: { initialMs: 50, factor: 1, maxMs: 50 },
        streamOpenMs: 300,
        // The stream told the job queued; the job then ends while the stream stays silent.
        onPending: () => {
          clock = 10_000;
        },
      });
      expect(watched.status).toMatchObject({
        state: 'succeeded',
        outputs: [{ url: expect.any(String) }],
      });
      // One open of the stream for this job, then the plain status look that saw it completed
      // (opening the stream again first would have counted another open).
      expect(stalled.streamsOpened).toBe(2);
      expect(watched.looks).toBe(2);
      // Both bounded streams were closed by the client (the server never ends a stalled one).
      await vi.waitFor(() => expect(stalled.openStreams).toBe(0));
    } finally {
      await stalled.stop();
    }
  });
});
