import { beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoSuchModelError, ProviderError } from '../../../src/shared/errors';
import type { VideoProviderAdapter } from '../../../src/shared/providers/video-provider-spec';
import { createGeminiAdapter } from '../../../src/main/providers/gemini/gemini-video-adapter';
import { GeminiEmulator } from '../../emulators/gemini-emulator';
import { CLIP } from '../../emulators/emulator-kit';
import {
  pollUntilSettled,
  readAll,
  settledAs,
  useEmulator,
} from './__fixtures__/provider-test-helpers';

const KEY = 'AIzaSy-PLANTED-gemini-key-7f3a9c';

const emulator = new GeminiEmulator({ apiKey: KEY, slowMs: 300, echoKeyInErrors: true });
const vendor = useEmulator(emulator, {
  apiKey: KEY,
  resetCounts: true,
});
const { dispatcher, errorOf } = vendor;
let adapter: VideoProviderAdapter;

beforeAll(() => {
  adapter = createGeminiAdapter(vendor.settings());
});

describe('gemini adapter: models and request checks', () => {
  it('knows the Veo models with sourced prices', () => {
    const ids = adapter.models().map((model) => model.modelId);
    expect(ids).toEqual(
      expect.arrayContaining([
        'veo-3.1-generate-preview',
        'veo-3.1-fast-generate-preview',
        'veo-3.0-generate-001',
        'veo-2.0-generate-001',
      ]),
    );
    for (const model of adapter.models()) {
      expect(model.provider).toBe('gemini');
      expect(model.pricing.source.length).toBeGreaterThan(5);
      expect(model.pricing.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(model.simulated).toBe(false);
    }
    expect(adapter.model('veo-3.1-generate-preview').pricing.usdPerSecond).toBe(0.4);
  });

  it('throws NoSuchModelError for an unknown model, without calling Google', async () => {
    expect(() => adapter.model('veo-9')).toThrow(NoSuchModelError);
    await expect(adapter.start({ modelId: 'veo-9', prompt: 'x' })).rejects.toBeInstanceOf(
      NoSuchModelError,
    );
    expect(emulator.stats.creates).toBe(0);
  });

  it('warns about settings Veo cannot honour and changes nothing', () => {
    const request = {
      modelId: 'veo-3.1-generate-preview',
      prompt: 'p',
      durationSeconds: 4,
      resolution: '1080p',
      aspectRatio: '1:1',
      audio: false,
    };
    const settings = adapter.checkRequest(request).map((warning) => warning.setting);
    expect(settings).toEqual(expect.arrayContaining(['resolution', 'aspectRatio', 'audio']));
    expect(request.durationSeconds).toBe(4);
    expect(
      adapter
        .checkRequest({ modelId: 'veo-2.0-generate-001', prompt: 'p', audio: true })
        .map((w) => w.setting),
    ).toContain('audio');
    expect(
      adapter.checkRequest({
        modelId: 'veo-3.1-generate-preview',
        prompt: 'p',
        durationSeconds: 8,
        resolution: '1080p',
      }),
    ).toEqual([]);
  });

  it('estimates cost from the price table', () => {
    expect(
      adapter.estimateCost({ modelId: 'veo-3.1-generate-preview', prompt: 'p' }).usd,
    ).toBeCloseTo(3.2);
    expect(
      adapter.estimateCost({ modelId: 'veo-2.0-generate-001', prompt: 'p', durationSeconds: 5 })
        .usd,
    ).toBeCloseTo(1.75);
  });
});

describe('gemini adapter: job lifecycle against the emulator', () => {
  it('starts, reports the job id first, polls to success and downloads the video through the 302', async () => {
    const events: string[] = [];
    const startPromise = adapter.start(
      {
        modelId: 'veo-3.1-fast-generate-preview',
        prompt: 'a lighthouse at dusk',
        aspectRatio: '9:16',
        durationSeconds: 6,
        resolution: '720p',
        seed: 42,
      },
      { onJobId: (id) => events.push(`onJobId:${id}`) },
    );
    const result = await startPromise;
    events.push('resolved');
    expect(result.jobId).toMatch(/^models\/veo-3\.1-fast-generate-preview\/operations\/\w+$/);
    expect(events).toEqual([`onJobId:${result.jobId}`, 'resolved']);
    expect(emulator.stats.creates).toBe(1);
    const sent = emulator.createBodies.at(-1) as {
      instances: Array<{ prompt: string }>;
      parameters: Record<string, unknown>;
    };
    expect(sent.instances[0]?.prompt).toBe('a lighthouse at dusk');
    expect(sent.parameters).toEqual({
      aspectRatio: '9:16',
      durationSeconds: 6,
      resolution: '720p',
      seed: 42,
    });

    const { final, seen } = await pollUntilSettled(adapter, result.jobId, KEY);
    expect(seen[0]).toEqual({ state: 'pending' });
    expect(final.state).toBe('succeeded');
    if (final.state !== 'succeeded') return;
    expect(final.outputs).toHaveLength(1);
    expect(final.outputs[0]?.url).toContain(':download?alt=media');
    expect(final.costUsd).toBeUndefined();

    const file = await adapter.download(final.outputs[0]!);
    expect(file.contentType).toBe('video/mp4');
    expect(file.contentLength).toBe(CLIP.length);
    const bytes = await readAll(file.body);
    expect(bytes.equals(CLIP)).toBe(true);
  });

  it('sends a data: URI reference image as bytesBase64Encoded', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'animate',
      imageUrl: `data:image/png;base64,${png}`,
    });
    const sent = emulator.createBodies.at(-1) as {
      instances: Array<{ image?: { bytesBase64Encoded: string; mimeType: string } }>;
    };
    expect(sent.instances[0]?.image).toEqual({ bytesBase64Encoded: png, mimeType: 'image/png' });
  });

  it('follows the clock when the emulator has queue and run times', async () => {
    let now = 1_000_000;
    const timed = new GeminiEmulator({
      apiKey: KEY,
      queueMs: 5_000,
      runMs: 10_000,
      clock: { now: () => now },
    });
    const url = await timed.start();
    try {
      const timedAdapter = createGeminiAdapter({ apiKey: KEY, baseUrl: url, dispatcher });
      const { jobId } = await timedAdapter.start({
        modelId: 'veo-2.0-generate-001',
        prompt: 'slow river',
      });
      for (let i = 0; i < 3; i += 1)
        expect((await timedAdapter.status(jobId)).state).toBe('pending');
      now += 14_999;
      expect((await timedAdapter.status(jobId)).state).toBe('pending');
      now += 1;
      expect((await timedAdapter.status(jobId)).state).toBe('succeeded');
    } finally {
      await timed.stop();
    }
  });

  it('maps done:true with error{code,message} to a failed job', async () => {
    const { jobId } = await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'a crash #fail',
    });
    const { final } = await pollUntilSettled(adapter, jobId, KEY);
    expect(final).toMatchObject({
      state: 'failed',
      error: { code: 'provider_unavailable', retryable: true, vendorCode: 'INTERNAL' },
    });
  });

  it('maps an RAI-filtered result (no samples) to a failed content_policy job, not a crash', async () => {
    const { jobId } = await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'something filtered #policy',
    });
    const { final } = await pollUntilSettled(adapter, jobId, KEY);
    expect(final.state).toBe('failed');
    if (final.state !== 'failed') return;
    expect(final.error.code).toBe('content_policy');
    expect(final.error.retryable).toBe(false);
    expect(final.error.vendorCode).toBe('RAI_MEDIA_FILTERED');
    expect(final.error.message).toContain("weren't charged");
  });

  it('treats done:true with neither samples nor a filter as bad_output', async () => {
    const { jobId } = await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'nothing comes back #empty',
    });
    const { final } = await pollUntilSettled(adapter, jobId, KEY);
    expect(final).toMatchObject({ state: 'failed', error: { code: 'bad_output' } });
  });

  it('cancel is a documented no-op: the Gemini API has no cancel for Veo operations', async () => {
    const { jobId } = await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'to be cancelled',
    });
    await adapter.cancel(jobId);
    expect(emulator.stats.cancels).toBe(0);
    expect((await adapter.status(jobId)).state).toBe('pending');
  });

  it('rejects a job id that is not an operation name, and an unknown operation', async () => {
    expect((await errorOf(adapter.status('not-an-operation'))).errorClass).toBe('invalid_request');
    const unknown = await errorOf(
      adapter.status('models/veo-3.1-generate-preview/operations/nope'),
    );
    expect(unknown.errorClass).toBe('invalid_request');
    expect(unknown.status).toBe(404);
  });
});

describe('gemini adapter: faults', () => {
  it('#auth → auth, not retryable', async () => {
    const error = await errorOf(
      adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x #auth' }),
    );
    expect(error.errorClass).toBe('auth');
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
    expect(emulator.stats.creates).toBe(0);
  });

  it('a wrong key (400 API_KEY_INVALID) → auth, and the key never shows in the message', async () => {
    const wrongKey = 'AIzaSy-WRONG-planted-key-55555';
    const other = createGeminiAdapter({ ...vendor.settings(), apiKey: wrongKey });
    try {
      await other.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x' });
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).errorClass).toBe('auth');
      expect((error as ProviderError).status).toBe(400);
      expect((error as Error).message).not.toContain(wrongKey);
      expect((error as Error).message).toContain('[redacted]');
    }
  });

  it('an error body that echoes the key is scrubbed', async () => {
    const error = await errorOf(
      adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x #invalid' }),
    );
    expect(error.errorClass).toBe('invalid_request');
    expect(error.retryable).toBe(false);
    expect(error.vendorCode).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('[redacted]');
  });

  it('#ratelimit → quota, retryable, wait read from google.rpc.RetryInfo', async () => {
    const error = await errorOf(
      adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x #ratelimit' }),
    );
    expect(error.errorClass).toBe('quota');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(17_000);
    expect(error.vendorCode).toBe('RESOURCE_EXHAUSTED');
  });

  it('#5xx → provider_unavailable, retryable', async () => {
    const error = await errorOf(
      adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x #5xx' }),
    );
    expect(error.errorClass).toBe('provider_unavailable');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
  });

  it('a request Google validates away (1080p at 4 s) → invalid_request', async () => {
    const result = adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'x',
      resolution: '1080p',
      durationSeconds: 4,
    });
    const error = await errorOf(result);
    expect(error.errorClass).toBe('invalid_request');
    expect(error.message).toContain('1080p');
  });

  it('#slow still answers; an abort during the wait becomes cancelled', async () => {
    const begun = Date.now();
    const { jobId } = await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'x #slow',
    });
    expect(jobId).toContain('/operations/');
    expect(Date.now() - begun).toBeGreaterThanOrEqual(280);
    const error = await errorOf(
      adapter.start(
        { modelId: 'veo-3.1-generate-preview', prompt: 'y #slow' },
        { signal: AbortSignal.timeout(50) },
      ),
    );
    expect(error.errorClass).toBe('cancelled');
  });

  it('#reset → provider_unavailable, retryable', async () => {
    const error = await errorOf(
      adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x #reset' }),
    );
    expect(error.errorClass).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
  });

  it('#expire → download fails with expired_output', async () => {
    const { jobId } = await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'x #expire',
    });
    const final = await settledAs(adapter, jobId, 'succeeded', KEY);
    const error = await errorOf(adapter.download(final.outputs[0]!));
    expect(error.errorClass).toBe('expired_output');
    expect(error.retryable).toBe(false);
  });

  it('a file older than 2 days → expired_output', async () => {
    const { jobId } = await adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x' });
    const final = await settledAs(adapter, jobId, 'succeeded', KEY);
    emulator.expireJobFile(jobId);
    expect((await errorOf(adapter.download(final.outputs[0]!))).errorClass).toBe('expired_output');
  });

  it('#truncate → the declared length is returned and reading the stream fails', async () => {
    const { jobId } = await adapter.start({
      modelId: 'veo-3.1-generate-preview',
      prompt: 'x #truncate',
    });
    const final = await settledAs(adapter, jobId, 'succeeded', KEY);
    const file = await adapter.download(final.outputs[0]!);
    expect(file.contentLength).toBe(CLIP.length);
    await expect(readAll(file.body)).rejects.toThrow();
  });

  it('the download sends the key to the Gemini host (a keyless fetch is refused)', async () => {
    const { jobId } = await adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x' });
    const final = await settledAs(adapter, jobId, 'succeeded', KEY);
    const response = await fetch(final.outputs[0]!.url, { redirect: 'manual' });
    expect(response.status).toBe(403);
  });

  it('a malformed operation becomes provider_unavailable, not a crash', async () => {
    const server: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ name: 42, done: 'yes' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const broken = createGeminiAdapter({
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        dispatcher,
      });
      const error = await errorOf(broken.status('models/veo-3.1-generate-preview/operations/abc'));
      expect(error.errorClass).toBe('provider_unavailable');
      const startError = await errorOf(
        broken.start({ modelId: 'veo-3.1-generate-preview', prompt: 'x' }),
      );
      expect(startError.errorClass).toBe('provider_unavailable');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('request counting', () => {
  it('the emulator counts creates and answers the vendor 429 past its window limit', async () => {
    emulator.rateLimit = { limit: 2, windowMs: 60_000 };
    try {
      await adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'one' });
      await adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'two' });
      const error = await errorOf(
        adapter.start({ modelId: 'veo-3.1-generate-preview', prompt: 'three' }),
      );
      expect(error.errorClass).toBe('quota');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(17_000);
      expect(emulator.stats.creates).toBe(2);
    } finally {
      emulator.rateLimit = undefined;
    }
  });
});

describe('gemini adapter: listModels', () => {
  it('pages through the models list and keeps only predictLongRunning models', async () => {
    const models = await adapter.listModels();
    const ids = models.map((model) => model.modelId);
    expect(ids).toEqual(
      expect.arrayContaining([
        'veo-3.1-generate-preview',
        'veo-2.0-generate-001',
        'veo-3.1-lite-generate-preview',
      ]),
    );
    expect(ids).not.toContain('gemini-2.5-flash');
    expect(ids).not.toContain('imagen-4.0-generate-001');
    expect(ids).toHaveLength(6);
    const lite = models.find((model) => model.modelId === 'veo-3.1-lite-generate-preview');
    expect(lite?.pricing.usdPerSecond).toBeUndefined();
    expect(lite?.pricing.source).toContain('price unknown');
    expect(
      models.find((model) => model.modelId === 'veo-3.0-generate-001')?.pricing.usdPerSecond,
    ).toBe(0.75);
  });
});
