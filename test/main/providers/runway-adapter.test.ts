import { beforeAll, describe, expect, it } from 'vitest';
import { NoSuchModelError } from '../../../src/shared/errors';
import type { GenerationRequest } from '../../../src/shared/providers/video-provider-spec';
import {
  RunwayVideoAdapter,
  createRunwayAdapter,
  RUNWAY_MIN_POLL_MS,
} from '../../../src/main/providers/runway/runway-video-adapter';
import { CLIP } from '../../emulators/emulator-kit';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import {
  expectTruncated,
  pollUntilSettled,
  settledAs,
  providerErrorOf,
  readAll,
  useEmulator,
} from './__fixtures__/provider-test-helpers';

const KEY = `key_${'c0ffee'.repeat(21)}ab`;
const emulator = new RunwayEmulator({ apiKey: KEY, slowMs: 1500 });
const vendor = useEmulator(emulator, {
  apiKey: KEY,
  reset: () => {
    emulator.maxConcurrent = 100;
    emulator.dailyCap = Number.POSITIVE_INFINITY;
    emulator.outOfCredits = false;
  },
});

function adapter(
  extra: Partial<ConstructorParameters<typeof RunwayVideoAdapter>[0]> = {},
): RunwayVideoAdapter {
  return new RunwayVideoAdapter({ ...vendor.settings(), ...extra });
}

function request(prompt: string, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return { modelId: 'gen4.5', prompt, ...extra };
}

beforeAll(() => {
  expect(KEY).toMatch(/^key_[0-9a-f]{128}$/);
});

describe('Runway adapter against the emulator', () => {
  it('runs text_to_video PENDING → RUNNING(progress) → SUCCEEDED with cost in dollars, then downloads', async () => {
    const a = adapter();
    const ids: string[] = [];
    const before = emulator.stats.creates;
    const started = await a.start(request('a fox in snow', { durationSeconds: 5, seed: 3 }), {
      onJobId: (id) => ids.push(id),
    });
    expect(ids).toEqual([started.jobId]);
    expect(started.warnings).toEqual([]);
    expect(emulator.stats.creates).toBe(before + 1);
    const { seen } = await pollUntilSettled(a, started.jobId);
    expect(seen[0]).toEqual({ state: 'pending', started: false, pollAfterMs: RUNWAY_MIN_POLL_MS });
    // Running: no hint, the poll schedule (the model's typical duration) decides.
    expect(seen[1]).toEqual({ state: 'pending', started: true, progress: 0.5 });
    const done = seen[2];
    if (done?.state !== 'succeeded')
      throw new Error(`expected success, got ${JSON.stringify(done)}`);
    expect(done.costUsd).toBe(0.6); // 5 s × 12 credits × $0.01
    for (const status of seen)
      if (status.state === 'pending' && !status.started)
        expect(status.pollAfterMs).toBeGreaterThanOrEqual(5000);
    expect(a.pollCadenceMs).toBe(RUNWAY_MIN_POLL_MS);
    // The 5 s floor holds for running tasks too: every status loop (watchJob) honours it.
    expect(a.minPollIntervalMs).toBe(RUNWAY_MIN_POLL_MS);
    const file = await a.download(done.outputs[0]!);
    expect(file.contentType).toBe('video/mp4');
    expect(file.contentLength).toBe(CLIP.length);
    expect((await readAll(file.body)).equals(CLIP)).toBe(true);
  });

  it('uses image_to_video with a pixel ratio when the request has an image', async () => {
    const a = adapter();
    const req = request('the image comes alive', {
      modelId: 'gen4_turbo',
      imageUrl: 'https://example.com/cat.png',
      aspectRatio: '1:1',
    });
    expect(a.buildCreate(req)).toEqual({
      path: '/v1/image_to_video',
      body: {
        model: 'gen4_turbo',
        promptText: 'the image comes alive',
        ratio: '960:960',
        promptImage: 'https://example.com/cat.png',
      },
    });
    const started = await a.start(req);
    const end = (await pollUntilSettled(a, started.jobId)).final;
    expect(end?.state).toBe('succeeded');
    if (end?.state === 'succeeded') expect(end.costUsd).toBe(0.25);
  });

  it('calls onJobId before start resolves', async () => {
    const order: string[] = [];
    await adapter()
      .start(request('order'), { onJobId: () => order.push('onJobId') })
      .then(() => order.push('resolved'));
    expect(order).toEqual(['onJobId', 'resolved']);
  });

  it('reports THROTTLED while over the concurrency limit, then runs', async () => {
    emulator.maxConcurrent = 1;
    const a = adapter();
    const first = await a.start(request('first'));
    await a.status(first.jobId); // PENDING
    expect((await a.status(first.jobId)).state).toBe('pending'); // RUNNING
    const second = await a.start(request('second'));
    await a.status(second.jobId); // PENDING
    const throttled = await a.status(second.jobId);
    expect(throttled).toEqual({
      state: 'pending',
      started: false,
      throttled: true,
      pollAfterMs: RUNWAY_MIN_POLL_MS,
    });
    expect((await a.status(first.jobId)).state).toBe('succeeded');
    const running = await a.status(second.jobId);
    expect(running.state === 'pending' && running.started).toBe(true);
  });

  it('maps FAILED with SAFETY.* to content_policy (not retryable) and keeps the failure code', async () => {
    const a = adapter();
    const started = await a.start(request('bad #policy'));
    const end = await settledAs(a, started.jobId, 'failed');
    expect(end.error.code).toBe('content_policy');
    expect(end.error.retryable).toBe(false);
    expect(end.error.vendorCode).toBe('SAFETY.INPUT.TEXT');
    expect(end.error.message).toContain('content moderation');
  });

  it('maps FAILED with INTERNAL.BAD_OUTPUT to a retryable bad_output', async () => {
    const a = adapter();
    const started = await a.start(request('boom #fail'));
    const end = await settledAs(a, started.jobId, 'failed');
    expect(end.error.code).toBe('bad_output');
    expect(end.error.retryable).toBe(true);
    expect(end.error.vendorCode).toBe('INTERNAL.BAD_OUTPUT.CODE01');
  });

  it('cancels through DELETE; the task then shows CANCELLED; a finished task is deleted', async () => {
    const a = adapter();
    const started = await a.start(request('cancel me'));
    await a.status(started.jobId);
    const cancels = emulator.stats.cancels;
    await a.cancel(started.jobId);
    expect(emulator.stats.cancels).toBe(cancels + 1);
    expect(await a.status(started.jobId)).toEqual({ state: 'cancelled' });
    const done = await a.start(request('finish then delete'));
    await pollUntilSettled(a, done.jobId);
    await a.cancel(done.jobId);
    const gone = await providerErrorOf(a.status(done.jobId));
    expect(gone.status).toBe(404);
    expect(gone.code).toBe('invalid_request');
    await a.cancel(done.jobId); // already gone: no error
  });

  it('classifies a bad key as auth and never shows the key', async () => {
    const wrong = `key_${'deadbeef'.repeat(16)}`;
    const error = await providerErrorOf(adapter({ apiKey: wrong }).start(request('x')));
    expect(error.code).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(wrong);
    const fault = await providerErrorOf(adapter().start(request('x #auth')));
    expect(fault.code).toBe('auth');
    expect(fault.message).not.toContain(KEY);
  });

  it('classifies 429 (daily cap) as retryable quota without a Retry-After', async () => {
    const error = await providerErrorOf(adapter().start(request('x #ratelimit')));
    expect(error.code).toBe('quota');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeUndefined();
    emulator.dailyCap = 0;
    const capped = await providerErrorOf(adapter().start(request('x')));
    expect(capped.code).toBe('quota');
    expect(capped.message).toContain('daily task limit');
  });

  it('classifies 503 as retryable provider_unavailable', async () => {
    const error = await providerErrorOf(adapter().start(request('x #5xx')));
    expect(error.code).toBe('provider_unavailable');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
  });

  it('reads validation issues into an invalid_request message', async () => {
    const error = await providerErrorOf(adapter().start(request('x', { durationSeconds: 12 })));
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Validation of body failed');
    expect(error.message).toContain('duration');
    const fault = await providerErrorOf(adapter().start(request('x #invalid')));
    expect(fault.code).toBe('invalid_request');
    expect(fault.message).toContain('promptText');
  });

  it('classifies "not enough credits" as quota that is not retryable', async () => {
    emulator.outOfCredits = true;
    const error = await providerErrorOf(adapter().start(request('x')));
    expect(error.code).toBe('quota');
    expect(error.retryable).toBe(false);
    expect(error.vendorCode).toBe('INSUFFICIENT_CREDITS');
  });

  it('times out on a slow answer and classifies a reset connection', async () => {
    const slow = await providerErrorOf(
      adapter({ headersTimeoutMs: 150 }).start(request('x #slow')),
    );
    expect(slow.code).toBe('timeout');
    expect(slow.retryable).toBe(true);
    const reset = await providerErrorOf(adapter().start(request('x #reset')));
    expect(reset.code).toBe('provider_unavailable');
    expect(reset.retryable).toBe(true);
  });

  it('turns an expired output URL into expired_output and detects a truncated download', async () => {
    const a = adapter();
    const expired = await a.start(request('x #expire'));
    const end = await settledAs(a, expired.jobId, 'succeeded');
    const error = await providerErrorOf(a.download(end.outputs[0]!));
    expect(error.code).toBe('expired_output');
    const cut = await a.start(request('x #truncate'));
    const cutEnd = await settledAs(a, cut.jobId, 'succeeded');
    const file = await a.download(cutEnd.outputs[0]!);
    expect(file.contentLength).toBe(CLIP.length);
    await expectTruncated(file);
  });

  it('warns about unsupported settings without changing them', () => {
    const a = adapter();
    const wide = request('x', { aspectRatio: '1:1' });
    expect(a.checkRequest(wide).map((warning) => warning.setting)).toEqual(['aspectRatio']);
    expect(a.buildCreate(wide).body.ratio).toBe('960:960');
    expect(a.checkRequest(request('x', { modelId: 'gen4_turbo' }))[0]?.setting).toBe('imageUrl');
    expect(
      a.checkRequest(
        request('x', { modelId: 'veo3.1', aspectRatio: '9:16', resolution: '1080p', audio: true }),
      ),
    ).toEqual([]);
    expect(
      a.buildCreate(
        request('x', { modelId: 'veo3.1', aspectRatio: '9:16', resolution: '1080p', audio: true }),
      ).body,
    ).toMatchObject({ ratio: '1080:1920', audio: true });
    expect(a.checkRequest(request('y'.repeat(1001)))[0]?.setting).toBe('prompt');
    expect(a.checkRequest(request('x', { aspectRatio: '720:1280' }))).toEqual([]);
  });

  it('estimates from credits per second at $0.01 a credit', () => {
    const a = adapter();
    expect(a.estimateCost(request('x', { durationSeconds: 10 })).usd).toBe(1.2);
    expect(a.estimateCost(request('x', { modelId: 'veo3.1', durationSeconds: 8 })).usd).toBe(1.6);
    expect(
      a.estimateCost(request('x', { modelId: 'veo3.1', durationSeconds: 8, audio: true })).usd,
    ).toBe(3.2);
  });

  it('rejects unknown models, lists the known table, and rejects malformed or unknown statuses cleanly', async () => {
    const a = createRunwayAdapter(vendor.settings());
    expect(() => a.model('gen3a_turbo')).toThrow(NoSuchModelError);
    expect((await a.listModels()).map((model) => model.modelId)).toEqual([
      'gen4.5',
      'gen4_turbo',
      'veo3',
      'veo3.1',
      'veo3.1_fast',
    ]);
    const direct = adapter();
    expect(() => direct.toJobStatus({ id: 'x', status: 'SLEEPING' })).toThrowError(
      /unknown task status/,
    );
    const empty = direct.toJobStatus({ id: 'x', status: 'SUCCEEDED', output: [] });
    expect(empty.state === 'failed' && empty.error.code).toBe('bad_output');
  });

  it('the emulator insists on X-Runway-Version, which the adapter always sends', async () => {
    const response = await fetch(`${vendor.baseUrl}/v1/tasks/x`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('X-Runway-Version');
  });
});
