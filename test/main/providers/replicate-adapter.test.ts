import { describe, expect, it } from 'vitest';
import { NoSuchModelError, ProviderError } from '../../../src/shared/errors';
import type { GenerationRequest } from '../../../src/shared/providers/video-provider-spec';
import {
  ReplicateVideoAdapter,
  createReplicateAdapter,
  progressFromLogs,
} from '../../../src/main/providers/replicate/replicate-video-adapter';
import { CLIP } from '../../emulators/emulator-kit';
import { REPLICATE_EMULATOR_MODELS, ReplicateEmulator } from '../../emulators/replicate-emulator';
import {
  expectTruncated,
  pollUntilSettled,
  settledAs,
  providerErrorOf,
  readAll,
  useEmulator,
} from './__fixtures__/provider-test-helpers';

const KEY = 'r8_PLANTED_secret_Zq81xW3vK9mN2bT7';
const COMMUNITY = `acme/tiny-video:${REPLICATE_EMULATOR_MODELS['acme/tiny-video']}`;
let fakeNow = Date.parse('2026-11-01T10:00:00Z');
const emulator = new ReplicateEmulator({
  apiKey: KEY,
  slowMs: 1500,
  clock: { now: () => fakeNow },
});
const vendor = useEmulator(emulator, {
  apiKey: KEY,
  reset: () => {
    emulator.arrayOutputModels.clear();
    emulator.createLimitPerMinute = Number.POSITIVE_INFINITY;
    fakeNow += 120_000;
  },
});

function adapter(
  extra: Partial<ConstructorParameters<typeof ReplicateVideoAdapter>[0]> = {},
): ReplicateVideoAdapter {
  return new ReplicateVideoAdapter({ ...vendor.settings(), ...extra });
}

/**
 * A request without sync mode (`wait: false`), so each step of the lifecycle is seen by a poll;
 * the `Prefer: wait` tests below ask for it explicitly.
 */
function request(prompt: string, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    modelId: 'google/veo-3',
    prompt,
    ...extra,
    providerOptions: {
      ...extra.providerOptions,
      replicate: { wait: false, ...extra.providerOptions?.replicate },
    },
  };
}

describe('Replicate adapter against the emulator', () => {
  it('findJob (adopting a create whose answer was lost) matches the whole input, not the prompt alone', async () => {
    const a = adapter();
    const since = fakeNow - 1000; // the emulator's clock
    const eight = await a.start(request('one prompt, two settings', { durationSeconds: 8 }));
    const five = await a.start(request('one prompt, two settings', { durationSeconds: 5 }));
    const lookup = (durationSeconds: number, exclude: string[] = []) =>
      a.findJobs({
        request: request('one prompt, two settings', { durationSeconds }),
        createdAfter: since,
        exclude: new Set(exclude),
      });
    expect(await lookup(8)).toEqual([eight.jobId]);
    expect(await lookup(5)).toEqual([five.jobId]);
    // Already known to another generation: not adopted twice.
    expect(await lookup(5, [five.jobId])).toEqual([]);
    expect(await lookup(6)).toEqual([]);
  });

  it('findJobs returns every prediction of the same input (newest first): they cannot be told apart', async () => {
    const a = adapter();
    const since = fakeNow - 1000;
    const same = request('twin predictions', { durationSeconds: 8, seed: 7 });
    const first = await a.start(same);
    const second = await a.start(same);
    expect(await a.findJobs({ request: same, createdAfter: since, exclude: new Set() })).toEqual([
      second.jobId,
      first.jobId,
    ]);
    expect(
      await a.findJobs({ request: same, createdAfter: since, exclude: new Set([second.jobId]) }),
    ).toEqual([first.jobId]);
  });

  it('creates through the official-model route: starting → processing(progress) → succeeded with billed seconds', async () => {
    const a = adapter();
    const ids: string[] = [];
    const before = emulator.stats.creates;
    const req = request('a red balloon', { durationSeconds: 8, aspectRatio: '16:9', seed: 4 });
    expect(a.buildCreate(req).path).toBe('/v1/models/google/veo-3/predictions');
    const started = await a.start(req, { onJobId: (id) => ids.push(id) });
    expect(ids).toEqual([started.jobId]);
    expect(emulator.stats.creates).toBe(before + 1);
    expect(emulator.predictions.get(started.jobId)?.input).toEqual({
      prompt: 'a red balloon',
      duration: 8,
      aspect_ratio: '16:9',
      seed: 4,
    });
    const first = await a.status(started.jobId);
    expect(first).toEqual({ state: 'pending', started: false });
    fakeNow += 4000;
    const second = await a.status(started.jobId);
    expect(second).toEqual({ state: 'pending', started: true, progress: 0.5 });
    fakeNow += 30_500;
    const done = await a.status(started.jobId);
    if (done.state !== 'succeeded')
      throw new Error(`expected success, got ${JSON.stringify(done)}`);
    expect(done.billedSeconds).toBe(30.5);
    expect(done.costUsd).toBeUndefined();
    expect(done.outputs).toHaveLength(1);
    const file = await a.download(done.outputs[0]!);
    expect(file.contentLength).toBe(CLIP.length);
    expect((await readAll(file.body)).equals(CLIP)).toBe(true);
  });

  it('creates a version-pinned community model through POST /v1/predictions {version}', async () => {
    const a = adapter();
    const built = a.buildCreate(request('tiny', { modelId: COMMUNITY }));
    expect(built.path).toBe('/v1/predictions');
    expect(built.body.version).toBe(REPLICATE_EMULATOR_MODELS['acme/tiny-video']);
    const started = await a.start(request('tiny', { modelId: COMMUNITY }));
    expect(emulator.predictions.get(started.jobId)?.model).toBe('acme/tiny-video');
    expect((await pollUntilSettled(a, started.jobId)).final?.state).toBe('succeeded');
  });

  it('accepts output as an array of URIs', async () => {
    emulator.arrayOutputModels.add('luma/ray');
    const a = adapter();
    const started = await a.start(request('array', { modelId: 'luma/ray' }));
    const end = await settledAs(a, started.jobId, 'succeeded');
    expect(end.outputs).toHaveLength(2);
    expect(end.outputs[1]?.url).toMatch(/-1\.mp4$/);
  });

  it('calls onJobId before start resolves', async () => {
    const order: string[] = [];
    await adapter()
      .start(request('order'), { onJobId: () => order.push('onJobId') })
      .then(() => order.push('resolved'));
    expect(order).toEqual(['onJobId', 'resolved']);
  });

  it('sends Cancel-After; a deadline before start gives aborted, during processing gives canceled', async () => {
    const a = adapter();
    const aborted = await a.start(
      request('deadline', { providerOptions: { replicate: { cancelAfter: '1m' } } }),
    );
    expect(emulator.lastCancelAfter).toBe('1m');
    fakeNow += 61_000;
    const abortedStatus = await a.status(aborted.jobId);
    if (abortedStatus.state !== 'failed') throw new Error('expected aborted → failed');
    expect(abortedStatus.error.code).toBe('timeout');
    expect(abortedStatus.error.vendorCode).toBe('aborted');
    expect(abortedStatus.error.retryable).toBe(true);

    const canceled = await a.start(
      request('deadline 2', { providerOptions: { replicate: { cancelAfter: 90 } } }),
    );
    expect(emulator.lastCancelAfter).toBe('90s');
    await a.status(canceled.jobId);
    await a.status(canceled.jobId); // processing
    fakeNow += 91_000;
    expect(await a.status(canceled.jobId)).toEqual({ state: 'cancelled' });
    expect(
      a.checkRequest(request('x', { providerOptions: { replicate: { cancelAfter: 'soon' } } }))[0]
        ?.setting,
    ).toBe('providerOptions');
  });

  it('cancels through POST /v1/predictions/{id}/cancel', async () => {
    const a = adapter();
    const started = await a.start(request('cancel me'));
    const cancels = emulator.stats.cancels;
    await a.cancel(started.jobId);
    expect(emulator.stats.cancels).toBe(cancels + 1);
    expect(await a.status(started.jobId)).toEqual({ state: 'cancelled' });
  });

  it('reports data_removed after the 1-hour retention as expired_output, and the file URL 404s', async () => {
    const a = adapter();
    const started = await a.start(request('keep it'));
    const end = await settledAs(a, started.jobId, 'succeeded');
    fakeNow += 3_600_000;
    const later = await a.status(started.jobId);
    if (later.state !== 'failed') throw new Error('expected expired');
    expect(later.error.code).toBe('expired_output');
    expect(later.error.retryable).toBe(false);
    const error = await providerErrorOf(a.download(end.outputs[0]!));
    expect(error.code).toBe('expired_output');
    expect(error.status).toBe(404);
  });

  it('maps failed predictions: NSFW → content_policy, a crash → retryable provider_unavailable', async () => {
    const a = adapter();
    const policy = await a.start(request('x #policy'));
    const policyEnd = await settledAs(a, policy.jobId, 'failed');
    expect(policyEnd.error.code).toBe('content_policy');
    expect(policyEnd.error.retryable).toBe(false);
    const crash = await a.start(request('x #fail'));
    const crashEnd = await settledAs(a, crash.jobId, 'failed');
    expect(crashEnd.error.code).toBe('provider_unavailable');
    expect(crashEnd.error.retryable).toBe(true);
    expect(crashEnd.error.message).toContain('CUDA');
  });

  it('classifies 401 as auth without the token in the message', async () => {
    const wrong = 'r8_WRONG_planted_token_99887766';
    const error = await providerErrorOf(adapter({ apiKey: wrong }).start(request('x')));
    expect(error.code).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Unauthenticated');
    expect(error.message).not.toContain(wrong);
    const fault = await providerErrorOf(adapter().start(request('x #auth')));
    expect(fault.code).toBe('auth');
    expect(fault.message).not.toContain(KEY);
  });

  it('classifies 429 {detail} with Retry-After as retryable quota', async () => {
    const error = await providerErrorOf(adapter().start(request('x #ratelimit')));
    expect(error.code).toBe('quota');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(3000);
    expect(error.message).toContain('Request was throttled');
    emulator.createLimitPerMinute = 1;
    await adapter().start(request('one'));
    const counted = await providerErrorOf(adapter().start(request('two')));
    expect(counted.code).toBe('quota');
  });

  it('classifies 500 as retryable provider_unavailable and 422 as invalid_request', async () => {
    const server = await providerErrorOf(adapter().start(request('x #5xx')));
    expect(server.code).toBe('provider_unavailable');
    expect(server.status).toBe(500);
    expect(server.retryable).toBe(true);
    const invalid = await providerErrorOf(adapter().start(request('x #invalid')));
    expect(invalid.code).toBe('invalid_request');
    expect(invalid.status).toBe(422);
    expect(invalid.retryable).toBe(false);
    expect(invalid.message).toContain('Input validation failed');
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

  it('turns an already-expired URL into expired_output and detects a truncated download', async () => {
    const a = adapter();
    const expired = await a.start(request('x #expire'));
    const end = await settledAs(a, expired.jobId, 'succeeded');
    expect((await providerErrorOf(a.download(end.outputs[0]!))).code).toBe('expired_output');
    const cut = await a.start(request('x #truncate'));
    const cutEnd = await settledAs(a, cut.jobId, 'succeeded');
    await expectTruncated(await a.download(cutEnd.outputs[0]!));
  });

  it('rejects unknown models before calling Replicate; warns about unsupported settings', async () => {
    const a = adapter();
    const before = emulator.stats.creates;
    await expect(a.start(request('x', { modelId: 'nobody/nothing' }))).rejects.toBeInstanceOf(
      NoSuchModelError,
    );
    expect(emulator.stats.creates).toBe(before);
    expect(
      a
        .checkRequest(request('x', { durationSeconds: 5, imageUrl: 'https://example.com/a.png' }))
        .map((warning) => warning.setting),
    ).toEqual(['durationSeconds']);
    expect(
      a.checkRequest(
        request('x', {
          modelId: 'wan-video/wan-2.2-t2v-fast',
          imageUrl: 'https://example.com/a.png',
        }),
      )[0]?.setting,
    ).toBe('imageUrl');
    expect(
      a.buildCreate(
        request('x', { modelId: 'kwaivgi/kling-v2.1', imageUrl: 'https://example.com/a.png' }),
      ).body.input,
    ).toEqual({ prompt: 'x', start_image: 'https://example.com/a.png' });
    expect(
      a.estimateCost(request('x', { modelId: 'wavespeedai/wan-2.1-i2v-480p' })).usd,
    ).toBeCloseTo(0.45, 6);
  });

  it('lists the text-to-video collection merged with the known table', async () => {
    const a = createReplicateAdapter(vendor.settings());
    const models = await a.listModels();
    const ids = models.map((model) => model.modelId);
    expect(ids).toContain('google/veo-3');
    expect(ids).toContain('newco/brand-new-video');
    expect(ids).not.toContain('acme/tiny-video');
    expect(models.find((model) => model.modelId === 'google/veo-3')?.capabilities.audio).toBe(true);
  });

  it('handles unknown statuses, empty outputs and log progress without crashing', () => {
    const a = adapter();
    expect(() => a.toJobStatus({ id: 'x', status: 'dreaming' })).toThrowError(
      /unknown prediction status/,
    );
    const empty = a.toJobStatus({ id: 'x', status: 'succeeded', output: null });
    expect(empty.state === 'failed' && empty.error.code).toBe('bad_output');
    expect(progressFromLogs('step 1\n 12%|#\n 47%|####')).toBe(0.47);
    expect(progressFromLogs('no numbers')).toBeUndefined();
  });

  it('passes webhook options through to the create body, and the emulator delivers the completed event', async () => {
    const a = adapter();
    const req = request('hooked', {
      providerOptions: {
        replicate: {
          webhook: 'http://127.0.0.1:9/unreachable',
          webhook_events_filter: ['completed'],
        },
      },
    });
    expect(a.buildCreate(req).body).toMatchObject({
      webhook: 'http://127.0.0.1:9/unreachable',
      webhook_events_filter: ['completed'],
    });
    emulator.webhookRetries = 0;
    const started = await a.start(req);
    await pollUntilSettled(a, started.jobId);
    await emulator.flushWebhooks();
    const deliveries = emulator.webhookDeliveries.filter(
      (delivery) => delivery.event === 'completed',
    );
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    expect(deliveries.at(-1)?.status).toBe('succeeded');
    expect(deliveries.at(-1)?.httpStatus).toBeUndefined();
  });
});

/** A second emulator on the real clock (jobs of 600 ms), with Prefer: wait scaled 1 s → 50 ms. */
const timed = new ReplicateEmulator({ apiKey: KEY, queueMs: 100, runMs: 500 });
timed.waitScale = 0.05;
const timedVendor = useEmulator(timed, { apiKey: KEY });

function timedAdapter(): ReplicateVideoAdapter {
  return new ReplicateVideoAdapter(timedVendor.settings());
}

function waitRequest(prompt: string, wait?: unknown): GenerationRequest {
  return {
    modelId: 'google/veo-3',
    prompt,
    ...(wait === undefined ? {} : { providerOptions: { replicate: { wait } } }),
  };
}

describe('Replicate sync mode (Prefer: wait)', () => {
  it('a job that ends within the wait is answered done by the create alone, no poll', async () => {
    const a = timedAdapter();
    const polls = timed.stats.polls;
    const ids: string[] = [];
    const started = await a.start(waitRequest('a quick wave'), { onJobId: (id) => ids.push(id) });
    expect(timed.lastPreferWait).toBe(60);
    expect(ids).toEqual([started.jobId]);
    const status = started.status;
    if (status?.state !== 'succeeded')
      throw new Error(`expected success, got ${JSON.stringify(status)}`);
    expect(status.billedSeconds).toBeGreaterThan(0);
    expect(timed.stats.polls).toBe(polls);
    expect(timed.predictions.get(started.jobId)?.status).toBe('succeeded');
    const file = await a.download(status.outputs[0]!);
    expect((await readAll(file.body)).equals(CLIP)).toBe(true);
  });

  it('when the wait expires first, the create answers the prediction as it stands; polls finish it', async () => {
    const a = timedAdapter();
    const started = await a.start(waitRequest('a slow tide', 1));
    expect(timed.lastPreferWait).toBe(1);
    expect(started.status?.state).toBe('pending');
    let status = started.status;
    for (let look = 0; look < 100 && status?.state === 'pending'; look += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await a.status(started.jobId);
    }
    expect(status?.state).toBe('succeeded');
  });

  it('a job that fails within the wait is answered failed by the create, classified', async () => {
    const a = timedAdapter();
    const crash = await a.start(waitRequest('a crash #fail'));
    expect(crash.status).toMatchObject({
      state: 'failed',
      error: { code: 'provider_unavailable', retryable: true },
    });
    const refused = await a.start(waitRequest('refused #policy'));
    expect(refused.status).toMatchObject({
      state: 'failed',
      error: { code: 'content_policy', retryable: false },
    });
  });

  it('a 5xx answer to a held create is an unknown outcome (a gateway may have given up after the create), never resent blindly', async () => {
    const a = timedAdapter();
    const held = await a
      .start(waitRequest('a gateway timeout #5xx'))
      .catch((error: unknown) => error);
    expect(held).toBeInstanceOf(ProviderError);
    expect((held as ProviderError).outcomeUnknown).toBe(true);
    expect((held as ProviderError).retryable).toBe(false);
    // Without the hold a 5xx stays an ordinary retryable failure: no prediction was waiting.
    const plain = await a
      .start(waitRequest('a gateway timeout #5xx', false))
      .catch((error: unknown) => error);
    expect(plain).toBeInstanceOf(ProviderError);
    expect((plain as ProviderError).outcomeUnknown).toBe(false);
  });

  it('wait: false sends no Prefer header; waits above 60 s are capped; a bad value warns', async () => {
    const a = timedAdapter();
    timed.lastPreferWait = undefined;
    const plain = await a.start(waitRequest('no wait', false));
    expect(timed.lastPreferWait).toBeUndefined();
    expect(plain.status).toEqual({ state: 'pending', started: false });
    expect(a.buildCreate(waitRequest('capped', 90)).headers.prefer).toBe('wait=60');
    expect(a.buildCreate(waitRequest('default')).headers.prefer).toBe('wait=60');
    expect(a.buildCreate(waitRequest('short', 2.2)).headers.prefer).toBe('wait=3');
    expect(a.checkRequest(waitRequest('bad', 'soon'))).toEqual([
      expect.objectContaining({ setting: 'providerOptions' }),
    ]);
    expect(a.buildCreate(waitRequest('bad', 'soon')).headers.prefer).toBe('wait=60');
  });
});
