import { beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoSuchModelError, ProviderError } from '../../../src/shared/errors';
import type { VideoProviderAdapter } from '../../../src/shared/providers/video-provider-spec';
import { createLumaAdapter } from '../../../src/main/providers/luma/luma-video-adapter';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { CLIP } from '../../emulators/emulator-kit';
import {
  pollUntilSettled,
  settledAs,
  readAll,
  useEmulator,
} from './__fixtures__/provider-test-helpers';

const KEY = 'luma-PLANTED-secret-9d8c7b6a5f4e3d2c';

const emulator = new LumaEmulator({ apiKey: KEY, slowMs: 300 });
const vendor = useEmulator(emulator, {
  apiKey: KEY,
  resetCounts: true,
});
const { dispatcher, errorOf } = vendor;
let adapter: VideoProviderAdapter;

beforeAll(() => {
  adapter = createLumaAdapter(vendor.settings());
});

describe('luma adapter: models and checks', () => {
  it('knows ray-2 and ray-flash-2 with sourced prices', () => {
    expect(adapter.models().map((model) => model.modelId)).toEqual(['ray-2', 'ray-flash-2']);
    for (const model of adapter.models()) {
      expect(model.pricing.source).toMatch(/unverified/);
      expect(model.pricing.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('unknown model → NoSuchModelError, nothing sent', async () => {
    expect(() => adapter.model('ray-9')).toThrow(NoSuchModelError);
    await expect(adapter.start({ modelId: 'ray-9', prompt: 'x' })).rejects.toBeInstanceOf(
      NoSuchModelError,
    );
    expect(emulator.stats.creates).toBe(0);
  });

  it('warns about unsupported settings and data: images; estimates by resolution', async () => {
    const settings = adapter
      .checkRequest({
        modelId: 'ray-2',
        prompt: 'p',
        durationSeconds: 8,
        seed: 1,
        audio: true,
        imageUrl: 'data:image/png;base64,AAAA',
      })
      .map((w) => w.setting);
    expect(settings).toEqual(
      expect.arrayContaining(['durationSeconds', 'seed', 'audio', 'imageUrl']),
    );
    expect(adapter.estimateCost({ modelId: 'ray-2', prompt: 'p' }).usd).toBeCloseTo(0.71);
    expect(
      adapter.estimateCost({ modelId: 'ray-2', prompt: 'p', resolution: '1080p' }).usd,
    ).toBeCloseTo(0.71 * 2.25);
    const error = await errorOf(
      adapter.start({ modelId: 'ray-2', prompt: 'p', imageUrl: 'data:image/png;base64,AAAA' }),
    );
    expect(error.errorClass).toBe('invalid_request');
    expect(emulator.stats.creates).toBe(0);
  });
});

describe('luma adapter: lifecycle', () => {
  it('creates on /generations/video, reports the id first, walks queued → dreaming → completed and downloads', async () => {
    const order: string[] = [];
    const { jobId } = await adapter.start(
      {
        modelId: 'ray-flash-2',
        prompt: 'a koi pond',
        aspectRatio: '21:9',
        resolution: '540p',
        durationSeconds: 9,
        imageUrl: 'https://example.com/koi.jpg',
      },
      { onJobId: (id) => order.push(`id:${id}`) },
    );
    order.push('resolved');
    expect(order).toEqual([`id:${jobId}`, 'resolved']);
    expect(emulator.createPaths.at(-1)).toBe('/generations/video');
    expect(emulator.jobs.get(jobId)?.request).toEqual({
      generation_type: 'video',
      model: 'ray-flash-2',
      prompt: 'a koi pond',
      aspect_ratio: '21:9',
      resolution: '540p',
      duration: '9s',
      keyframes: { frame0: { type: 'image', url: 'https://example.com/koi.jpg' } },
    });
    const { final, seen } = await pollUntilSettled(adapter, jobId, KEY);
    expect(seen.slice(0, 2)).toEqual([{ state: 'pending' }, { state: 'pending', started: true }]);
    expect(final.state).toBe('succeeded');
    if (final.state !== 'succeeded') return;
    const file = await adapter.download(final.outputs[0]!);
    expect(file.contentType).toBe('video/mp4');
    expect(file.contentLength).toBe(CLIP.length);
    expect((await readAll(file.body)).equals(CLIP)).toBe(true);
  });

  it('follows the clock when the emulator has queue and run times', async () => {
    let now = 0;
    const timed = new LumaEmulator({
      apiKey: KEY,
      queueMs: 2_000,
      runMs: 30_000,
      clock: { now: () => now },
    });
    const url = await timed.start();
    try {
      const timedAdapter = createLumaAdapter({ apiKey: KEY, baseUrl: url, dispatcher });
      const { jobId } = await timedAdapter.start({ modelId: 'ray-2', prompt: 'clock' });
      expect(await timedAdapter.status(jobId)).toEqual({ state: 'pending' });
      now = 2_000;
      expect(await timedAdapter.status(jobId)).toEqual({ state: 'pending', started: true });
      now = 32_000;
      expect((await timedAdapter.status(jobId)).state).toBe('succeeded');
    } finally {
      await timed.stop();
    }
  });

  it('#fail → failed provider_unavailable with the failure_reason', async () => {
    const { jobId } = await adapter.start({ modelId: 'ray-2', prompt: 'x #fail' });
    const { final } = await pollUntilSettled(adapter, jobId, KEY);
    expect(final).toMatchObject({
      state: 'failed',
      error: { code: 'provider_unavailable', retryable: true },
    });
    if (final.state === 'failed') expect(final.error.message).toContain('internal error');
  });

  it('#policy → failed content_policy (moderation failure_reason)', async () => {
    const { jobId } = await adapter.start({ modelId: 'ray-2', prompt: 'x #policy' });
    expect((await pollUntilSettled(adapter, jobId, KEY)).final).toMatchObject({
      state: 'failed',
      error: { code: 'content_policy', retryable: false },
    });
  });

  it('cancel reaches Luma as DELETE; the job then reads cancelled; cancelling twice is harmless', async () => {
    const { jobId } = await adapter.start({ modelId: 'ray-2', prompt: 'cancel me' });
    await adapter.status(jobId);
    await adapter.cancel(jobId);
    expect(emulator.stats.cancels).toBe(1);
    expect(emulator.jobs.get(jobId)?.deleted).toBe(true);
    expect(await adapter.status(jobId)).toEqual({ state: 'cancelled' });
    await adapter.cancel(jobId);
  });

  it('an unknown generation (not deleted by us) → invalid_request 404; a malformed id is refused locally', async () => {
    const error = await errorOf(adapter.status('00000000-0000-0000-0000-000000000000'));
    expect(error.errorClass).toBe('invalid_request');
    expect(error.status).toBe(404);
    expect((await errorOf(adapter.status('../credits'))).errorClass).toBe('invalid_request');
  });

  it('a Luma-side validation error (400 detail) → invalid_request with the detail', async () => {
    const error = await errorOf(
      adapter.start({ modelId: 'ray-2', prompt: 'x', aspectRatio: '2:1' }),
    );
    expect(error.errorClass).toBe('invalid_request');
    expect(error.message).toContain('aspect_ratio');
  });
});

describe('request counting', () => {
  it('the emulator counts creates and answers the vendor 429 past its window limit', async () => {
    emulator.rateLimit = { limit: 2, windowMs: 60_000 };
    try {
      await adapter.start({ modelId: 'ray-2', prompt: 'one' });
      await adapter.start({ modelId: 'ray-2', prompt: 'two' });
      const error = await errorOf(adapter.start({ modelId: 'ray-2', prompt: 'three' }));
      expect(error.errorClass).toBe('quota');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(5000);
      expect(emulator.stats.creates).toBe(2);
    } finally {
      emulator.rateLimit = undefined;
    }
  });
});

describe('luma adapter: faults', () => {
  it('#auth and a wrong key → auth; the key never shows', async () => {
    expect((await errorOf(adapter.start({ modelId: 'ray-2', prompt: 'x #auth' }))).errorClass).toBe(
      'auth',
    );
    const wrong = 'luma-WRONG-secret-000000000';
    const other = createLumaAdapter({ ...vendor.settings(), apiKey: wrong });
    const error = (await other.start({ modelId: 'ray-2', prompt: 'x' }).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.errorClass).toBe('auth');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(wrong);
  });

  it('#ratelimit → quota with Retry-After', async () => {
    const error = await errorOf(adapter.start({ modelId: 'ray-2', prompt: 'x #ratelimit' }));
    expect(error.errorClass).toBe('quota');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(5000);
  });

  it('#5xx and #reset → provider_unavailable, retryable', async () => {
    for (const prompt of ['x #5xx', 'x #reset']) {
      const error = await errorOf(adapter.start({ modelId: 'ray-2', prompt }));
      expect(error.errorClass).toBe('provider_unavailable');
      expect(error.retryable).toBe(true);
    }
  });

  it('#invalid → invalid_request, not retryable', async () => {
    const error = await errorOf(adapter.start({ modelId: 'ray-2', prompt: 'x #invalid' }));
    expect(error.errorClass).toBe('invalid_request');
    expect(error.retryable).toBe(false);
  });

  it('#slow answers late; aborting meanwhile → cancelled', async () => {
    const begun = Date.now();
    await adapter.start({ modelId: 'ray-2', prompt: 'x #slow' });
    expect(Date.now() - begun).toBeGreaterThanOrEqual(280);
    expect(
      (
        await errorOf(
          adapter.start(
            { modelId: 'ray-2', prompt: 'y #slow' },
            { signal: AbortSignal.timeout(50) },
          ),
        )
      ).errorClass,
    ).toBe('cancelled');
  });

  it('#expire → expired_output; #truncate → stream errors after the declared length', async () => {
    const expired = await adapter.start({ modelId: 'ray-2', prompt: 'x #expire' });
    const expiredFinal = await settledAs(adapter, expired.jobId, 'succeeded', KEY);
    expect((await errorOf(adapter.download(expiredFinal.outputs[0]!))).errorClass).toBe(
      'expired_output',
    );

    const truncated = await adapter.start({ modelId: 'ray-2', prompt: 'x #truncate' });
    const truncatedFinal = await settledAs(adapter, truncated.jobId, 'succeeded', KEY);
    const file = await adapter.download(truncatedFinal.outputs[0]!);
    expect(file.contentLength).toBe(CLIP.length);
    await expect(readAll(file.body)).rejects.toThrow();
  });

  it('moderation and credit errors at create are classified; an echoed key is scrubbed', async () => {
    let reply = { status: 400, detail: 'Prompt not allowed because advanced moderation failed' };
    const server: Server = createServer((request, response) => {
      response.writeHead(reply.status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ detail: `${reply.detail} (${String(request.headers.authorization)})` }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const local = createLumaAdapter({
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        dispatcher,
      });
      const policy = await errorOf(local.start({ modelId: 'ray-2', prompt: 'x' }));
      expect(policy.errorClass).toBe('content_policy');
      expect(policy.message).toContain('[redacted]');
      reply = { status: 400, detail: 'Insufficient credits' };
      expect((await errorOf(local.start({ modelId: 'ray-2', prompt: 'x' }))).errorClass).toBe(
        'quota',
      );
      reply = { status: 200, detail: 'not a generation' };
      expect((await errorOf(local.status('abc'))).errorClass).toBe('provider_unavailable');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('listModels returns the known table (Luma has no model list call)', async () => {
    expect((await adapter.listModels()).map((model) => model.modelId)).toEqual([
      'ray-2',
      'ray-flash-2',
    ]);
  });
});

describe('luma adapter: findJobs (a create whose answer was lost)', () => {
  const lookupOf = (since: number) => {
    const find = adapter.findJobs?.bind(adapter);
    if (!find) throw new Error('the Luma adapter lists its generations');
    return (request: Parameters<typeof adapter.start>[0], exclude: string[] = []) =>
      find({ request, createdAfter: since, exclude: new Set(exclude) });
  };

  it('returns every twin of the exact input, and nothing for another model or prompt', async () => {
    const lookup = lookupOf(Date.now() - 60_000);
    const prompt = 'one prompt, two twins';
    const first = await adapter.start({ modelId: 'ray-2', prompt, durationSeconds: 5 });
    const second = await adapter.start({ modelId: 'ray-2', prompt, durationSeconds: 5 });
    expect(await lookup({ modelId: 'ray-2', prompt, durationSeconds: 5 })).toEqual([
      second.jobId,
      first.jobId,
    ]);
    expect(await lookup({ modelId: 'ray-2', prompt, durationSeconds: 5 }, [second.jobId])).toEqual([
      first.jobId,
    ]);
    expect(await lookup({ modelId: 'ray-flash-2', prompt, durationSeconds: 5 })).toEqual([]);
    expect(await lookup({ modelId: 'ray-2', prompt: `${prompt}!`, durationSeconds: 5 })).toEqual(
      [],
    );
  });

  it('matches an echo with its keys in another order and null fields added', async () => {
    const lookup = lookupOf(Date.now() - 60_000);
    const request = {
      modelId: 'ray-2',
      prompt: 'koi, stored in another form #echo-reformed',
      durationSeconds: 9,
      aspectRatio: '21:9',
      imageUrl: 'https://example.com/koi.jpg',
    };
    const job = await adapter.start(request);
    expect(await lookup(request)).toEqual([job.jobId]);
  });

  it('matches an echo that leaves fields out', async () => {
    const lookup = lookupOf(Date.now() - 60_000);
    const request = {
      modelId: 'ray-2',
      prompt: 'koi, partly echoed #echo-partial',
      durationSeconds: 9,
      aspectRatio: '21:9',
    };
    const job = await adapter.start(request);
    expect(await lookup(request)).toEqual([job.jobId]);
  });

  it('never calls the create absent when a job of the same model and prompt has other settings', async () => {
    const lookup = lookupOf(Date.now() - 60_000);
    const prompt = 'one prompt, other settings';
    const nine = await adapter.start({ modelId: 'ray-2', prompt, durationSeconds: 9 });
    // The only job of this prompt differs in duration: it may be ours stored in a form not
    // foreseen, so the outcome cannot be told (the caller ends it as unknown).
    const alone = await errorOf(lookup({ modelId: 'ray-2', prompt, durationSeconds: 5 }));
    expect(alone.message).toContain(nine.jobId);
    // With an exact match too, the near match is returned after it: two ids, adopted by none.
    const five = await adapter.start({ modelId: 'ray-2', prompt, durationSeconds: 5 });
    expect(await lookup({ modelId: 'ray-2', prompt, durationSeconds: 5 })).toEqual([
      five.jobId,
      nine.jobId,
    ]);
    expect(await lookup({ modelId: 'ray-2', prompt, durationSeconds: 9 })).toEqual([
      nine.jobId,
      five.jobId,
    ]);
    // Once another generation owns the near match, the exact one is alone.
    expect(await lookup({ modelId: 'ray-2', prompt, durationSeconds: 5 }, [nine.jobId])).toEqual([
      five.jobId,
    ]);
  });
});
