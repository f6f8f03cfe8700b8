import { describe, expect, it } from 'vitest';
import { NoSuchModelError, ProviderError } from '../../../src/shared/errors';
import type { GenerationRequest } from '../../../src/shared/providers/video-provider-spec';
import {
  TogetherVideoAdapter,
  createTogetherAdapter,
} from '../../../src/main/providers/together/together-video-adapter';
import { TOGETHER_MODELS } from '../../../src/main/providers/together/together-models';
import { CLIP } from '../../emulators/emulator-kit';
import { TogetherEmulator } from '../../emulators/together-emulator';
import {
  expectTruncated,
  pollUntilSettled,
  settledAs,
  providerErrorOf,
  readAll,
  useEmulator,
} from './__fixtures__/provider-test-helpers';

const KEY = 'tgp_v1_PLANTED-SECRET-7f3a9c2e5b1d8e4f6a0c';
const emulator = new TogetherEmulator({ apiKey: KEY, slowMs: 1500 });
const vendor = useEmulator(emulator, {
  apiKey: KEY,
  reset: () => {
    emulator.createShape = 'full';
    emulator.legacyShape = false;
    emulator.outOfCredits = false;
    emulator.createLimitPerMinute = Number.POSITIVE_INFINITY;
  },
});

function adapter(
  extra: Partial<ConstructorParameters<typeof TogetherVideoAdapter>[0]> = {},
): TogetherVideoAdapter {
  return new TogetherVideoAdapter({ ...vendor.settings(), ...extra });
}

function request(prompt: string, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return { modelId: 'google/veo-3.0', prompt, ...extra };
}

describe('Together adapter against the emulator', () => {
  it('creates, reports queued → in_progress → completed with cost, and downloads the video', async () => {
    const a = adapter();
    const before = emulator.stats.creates;
    const calls: string[] = [];
    const started = await a.start(
      request('a lighthouse at dusk', { seed: 7, durationSeconds: 8 }),
      { onJobId: (id) => calls.push(id) },
    );
    expect(calls).toEqual([started.jobId]);
    expect(started.warnings).toEqual([]);
    expect(emulator.stats.creates).toBe(before + 1);
    expect(emulator.jobs.get(started.jobId)?.seconds).toBe('8');
    const { seen } = await pollUntilSettled(a, started.jobId);
    expect(seen[0]).toEqual({ state: 'pending', started: false });
    expect(seen[1]).toEqual({ state: 'pending', started: true });
    const done = seen[2];
    if (done?.state !== 'succeeded')
      throw new Error(`expected success, got ${JSON.stringify(done)}`);
    expect(done.costUsd).toBe(1.6);
    expect(done.outputs).toHaveLength(1);
    const file = await a.download(done.outputs[0]!);
    expect(file.contentType).toBe('video/mp4');
    expect(file.contentLength).toBe(CLIP.length);
    const bytes = await readAll(file.body);
    expect(bytes.equals(CLIP)).toBe(true);
  });

  it('calls onJobId before start resolves', async () => {
    const order: string[] = [];
    const promise = adapter()
      .start(request('order check'), { onJobId: () => order.push('onJobId') })
      .then(() => order.push('resolved'));
    await promise;
    expect(order).toEqual(['onJobId', 'resolved']);
  });

  it('accepts the v1 create answer that is only {id}', async () => {
    emulator.createShape = 'id-only';
    const a = adapter();
    const started = await a.start(request('id only'));
    expect(emulator.jobs.has(started.jobId)).toBe(true);
    const { seen } = await pollUntilSettled(a, started.jobId);
    expect(seen.at(-1)?.state).toBe('succeeded');
  });

  it('reads the older info{errors} shape for failures and successes', async () => {
    emulator.legacyShape = true;
    const a = adapter();
    const failing = await a.start(request('legacy #fail'));
    const failed = await settledAs(a, failing.jobId, 'failed');
    expect(failed.error.message).toContain('internal error on the inference provider');
    expect(failed.error.code).toBe('provider_unavailable');
    expect(failed.error.retryable).toBe(true);
    const ok = await a.start(request('legacy ok'));
    const done = await settledAs(a, ok.jobId, 'succeeded');
    expect(done.costUsd).toBe(1.6);
  });

  it('maps a failed job with a moderation error to content_policy with the vendor code', async () => {
    const a = adapter();
    const started = await a.start(request('something #policy'));
    const end = await settledAs(a, started.jobId, 'failed');
    expect(end.error.code).toBe('content_policy');
    expect(end.error.retryable).toBe(false);
    expect(end.error.vendorCode).toBe('content_policy_violation');
  });

  it('maps the cancelled status', async () => {
    const a = adapter();
    const started = await a.start(request('to cancel'));
    emulator.cancelJob(started.jobId);
    expect(await a.status(started.jobId)).toEqual({ state: 'cancelled' });
  });

  it('cancel is a documented no-op: Together has no cancel call, so nothing is sent', async () => {
    const a = adapter();
    const started = await a.start(request('no cancel endpoint'));
    const polls = emulator.stats.polls;
    await a.cancel(started.jobId);
    expect(emulator.stats.cancels).toBe(0);
    expect(emulator.stats.polls).toBe(polls);
  });

  it('classifies 401 as auth and never shows the key, even when the vendor echoes it', async () => {
    const wrongKey = 'tgp_v1_WRONG-PLANTED-KEY-0badc0ffee1234';
    const a = adapter({ apiKey: wrongKey });
    const error = await providerErrorOf(a.start(request('hello')));
    expect(error.code).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Invalid API key');
    expect(error.message).not.toContain(wrongKey);
    const fault = await providerErrorOf(adapter().start(request('hello #auth')));
    expect(fault.code).toBe('auth');
    expect(fault.message).not.toContain(KEY);
  });

  it('classifies 429 as retryable quota and reads Retry-After', async () => {
    const before = emulator.stats.creates;
    const error = await providerErrorOf(adapter().start(request('busy #ratelimit')));
    expect(error.code).toBe('quota');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.vendorCode).toBe('dynamic_request_limited');
    expect(emulator.stats.creates).toBe(before);
  });

  it('classifies 503 as retryable provider_unavailable', async () => {
    const error = await providerErrorOf(adapter().start(request('overload #5xx')));
    expect(error.code).toBe('provider_unavailable');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
  });

  it('classifies 402 (no credits) as quota that waiting does not cure', async () => {
    emulator.outOfCredits = true;
    const error = await providerErrorOf(adapter().start(request('broke')));
    expect(error.code).toBe('quota');
    expect(error.status).toBe(402);
    expect(error.retryable).toBe(false);
  });

  it('classifies 400 as invalid_request with the vendor code', async () => {
    const error = await providerErrorOf(adapter().start(request('bad #invalid')));
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.vendorCode).toBe('invalid_parameter');
    expect(error.message).toContain('seconds');
  });

  it('times out on a slow answer (retryable) and succeeds when the timeout allows it', async () => {
    const error = await providerErrorOf(
      adapter({ headersTimeoutMs: 150 }).start(request('slow #slow')),
    );
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    const ok = await adapter().start(request('slow but fine #slow'));
    expect(ok.jobId).toMatch(/[0-9a-f-]{36}/);
  });

  it('classifies a reset connection as retryable provider_unavailable', async () => {
    const error = await providerErrorOf(adapter().start(request('drop #reset')));
    expect(error.code).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
  });

  it('turns an expired output URL into expired_output', async () => {
    const a = adapter();
    const started = await a.start(request('old #expire'));
    const end = await settledAs(a, started.jobId, 'succeeded');
    const error = await providerErrorOf(a.download(end.outputs[0]!));
    expect(error.code).toBe('expired_output');
    expect(error.status).toBe(403);
  });

  it('detects a truncated download', async () => {
    const a = adapter();
    const started = await a.start(request('cut #truncate'));
    const end = await settledAs(a, started.jobId, 'succeeded');
    const file = await a.download(end.outputs[0]!);
    expect(file.contentLength).toBe(CLIP.length);
    await expectTruncated(file);
  });

  it('reports an unknown job as invalid_request (404)', async () => {
    const error = await providerErrorOf(adapter().status('no-such-job'));
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(404);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await providerErrorOf(adapter().status('x', controller.signal));
    expect(error.code).toBe('cancelled');
  });

  it('rejects an unknown model before calling Together', async () => {
    const before = emulator.stats.creates;
    await expect(
      adapter().start(request('x', { modelId: 'nobody/nothing' })),
    ).rejects.toBeInstanceOf(NoSuchModelError);
    expect(emulator.stats.creates).toBe(before);
  });

  it('sends the vendor spelling of a mixed-case id given in another case', async () => {
    const a = adapter();
    expect(a.model('BYTEDANCE/seedance-1.0-LITE').modelId).toBe('ByteDance/Seedance-1.0-lite');
    const started = await a.start(request('case', { modelId: 'bytedance/seedance-1.0-lite' }));
    expect(emulator.jobs.get(started.jobId)?.model).toBe('ByteDance/Seedance-1.0-lite');
  });

  it('warns about unsupported settings without changing them, and estimates per clip', () => {
    const a = adapter();
    const req = request('x', { durationSeconds: 5, audio: true });
    const warnings = a.checkRequest(req);
    expect(warnings.map((warning) => warning.setting).sort()).toEqual(['audio', 'durationSeconds']);
    expect(a.buildBody(req).seconds).toBe('5');
    expect(a.buildBody(req).generate_audio).toBe(true);
    // fps is a Together setting (15–60): sent as a number, warned outside the range.
    expect(a.buildBody(request('x', { fps: 30 })).fps).toBe(30);
    expect(a.buildBody(req).fps).toBeUndefined();
    expect(a.checkRequest(request('x', { fps: 30 }))).toEqual([]);
    expect(a.checkRequest(request('x', { fps: 120 })).map((w) => w.message)).toEqual([
      '120 fps is not offered; this model offers 15–60 fps',
    ]);
    expect(a.estimateCost(request('x', { modelId: 'google/veo-3.0-audio' })).usd).toBe(3.2);
    expect(a.estimateCost(request('x', { modelId: 'minimax/video-01-director' })).usd).toBe(0.28);
  });

  it('marks the sora-2 ids retired and warns when they are used', () => {
    const a = adapter();
    const sora = TOGETHER_MODELS.filter((model) => model.modelId.startsWith('openai/sora-2'));
    expect(sora.map((model) => model.modelId).sort()).toEqual([
      'openai/sora-2',
      'openai/sora-2-pro',
    ]);
    for (const model of sora) expect(model.lifecycle).toBe('retired');
    expect(a.checkRequest(request('x', { modelId: 'openai/sora-2' }))[0]?.message).toMatch(
      /retired/,
    );
    for (const model of TOGETHER_MODELS) {
      expect(model.pricing.source.length).toBeGreaterThan(0);
      expect(model.pricing.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('lists video models from the bare /v1/models array and sees new ids between calls', async () => {
    const a = createTogetherAdapter(vendor.settings());
    const first = await a.listModels();
    const ids = first.map((model) => model.modelId);
    expect(ids).toEqual([
      'minimax/video-01-director',
      'google/veo-3.0',
      'kwaivgI/kling-2.1-master',
    ]);
    expect(first[0]?.pricing.usdPerClip).toBe(0.28);
    emulator.extraModels.push({
      id: 'HappyHorse/HappyHorse-1.0-T2V',
      object: 'model',
      created: 1790000000,
      type: 'video',
      pricing: { base: 0 },
    });
    const second = await a.listModels();
    const added = second.find((model) => model.modelId === 'HappyHorse/HappyHorse-1.0-T2V');
    expect(added?.provider).toBe('together');
    expect(added?.pricing.usdPerClip).toBeUndefined();
    expect(second).toHaveLength(4);
  });

  it('refuses a model list past 16 MiB (still under the 64 MiB general limit) with a retryable error naming the limit', async () => {
    const a = createTogetherAdapter(vendor.settings());
    const before = emulator.hugeBytes;
    emulator.hugeBytes = 20 * 1024 * 1024;
    emulator.catalogueFaults.push('huge');
    try {
      const error = (await a.listModels().then(
        () => undefined,
        (reason: unknown) => reason,
      )) as ProviderError;
      expect(error).toBeInstanceOf(ProviderError);
      expect(error.errorClass).toBe('provider_unavailable');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/GET \/v1\/models with HTTP 200 and a body larger than 16 MiB/);
      expect(error.message).not.toContain(KEY);
    } finally {
      emulator.hugeBytes = before;
    }
    expect((await a.listModels()).map((model) => model.modelId)).toContain('google/veo-3.0');
  });

  it('reports an unknown status or a malformed job as provider_unavailable, not a crash', async () => {
    const a = adapter();
    expect(() => a.toJobStatus({ id: 'x', status: 'sleeping' })).toThrowError(/unknown job status/);
    const done = a.toJobStatus({
      id: 'x',
      status: 'completed',
      outputs: { cost: null, video_url: null },
    });
    expect(done.state).toBe('failed');
    if (done.state === 'failed') expect(done.error.code).toBe('bad_output');
  });

  it('counts creates to drive the dynamic 429, and takes faults queued through the control endpoint', async () => {
    emulator.createLimitPerMinute = 0;
    const limited = await providerErrorOf(adapter().start(request('plain prompt')));
    expect(limited.code).toBe('quota');
    expect(limited.retryAfterMs).toBe(2000);
    emulator.createLimitPerMinute = Number.POSITIVE_INFINITY;
    const queued = await fetch(`${vendor.baseUrl}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: ['5xx'] }),
    });
    expect(queued.status).toBe(200);
    const error = await providerErrorOf(adapter().start(request('no keyword here')));
    expect(error.code).toBe('provider_unavailable');
    const stats = (await (await fetch(`${vendor.baseUrl}/__control/stats`)).json()) as {
      creates: number;
    };
    expect(stats.creates).toBe(emulator.stats.creates);
  });
});
