/**
 * Drives the fal emulator with fal's official client (@fal-ai/client). The client hard-codes
 * https://queue.fal.run, so its `fetch` option rewrites that origin to the emulator's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ValidationError, createFalClient, type FalClient } from '@fal-ai/client';
import { FalEmulator } from '../../emulators/fal-emulator';
import { CLIP } from '../../emulators/emulator-kit';

const KEY = 'fal-sdk-key-0000:1111222233334444';
let emulator: FalEmulator;
let fal: FalClient;
const seenUrls: string[] = [];

function clientFor(key: string, baseUrl: string): FalClient {
  return createFalClient({
    credentials: key,
    suppressLocalCredentialsWarning: true,
    fetch: (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      seenUrls.push(url);
      return fetch(url.replace('https://queue.fal.run', baseUrl), init);
    },
  });
}

beforeAll(async () => {
  emulator = new FalEmulator({ apiKey: KEY });
  fal = clientFor(KEY, await emulator.start());
});

afterAll(async () => {
  await emulator.stop();
});

interface VideoOutput {
  video: { url: string; content_type: string };
}

describe('fal emulator driven by @fal-ai/client', () => {
  it('queue.submit → queue.status → queue.result reach a downloadable video', async () => {
    const submitted = await fal.queue.submit('fal-ai/veo3.1', {
      input: { prompt: 'a red kite over dunes', duration: '8s', aspect_ratio: '16:9' },
    });
    expect(submitted.status).toBe('IN_QUEUE');
    expect(submitted.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seenUrls.at(-1)).toBe('https://queue.fal.run/fal-ai/veo3.1');
    expect(emulator.stats.creates).toBe(1);
    expect(emulator.lastSubmitHeaders['x-fal-queue-priority']).toBe('normal');

    const states: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const status = await fal.queue.status('fal-ai/veo3.1', {
        requestId: submitted.request_id,
        logs: true,
      });
      states.push(status.status);
      if (status.status === 'COMPLETED') break;
    }
    expect(states).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    const result = await fal.queue.result('fal-ai/veo3.1', { requestId: submitted.request_id });
    expect(result.requestId).toBe(submitted.request_id);
    const output = result.data as VideoOutput;
    expect(output.video.content_type).toBe('video/mp4');
    const bytes = Buffer.from(await (await fetch(output.video.url)).arrayBuffer());
    expect(bytes.equals(CLIP)).toBe(true);
  });

  it('subscribe polls to completion for an endpoint with a subpath', async () => {
    const updates: string[] = [];
    const result = await fal.subscribe('fal-ai/kling-video/v2.5-turbo/pro/text-to-video', {
      input: { prompt: 'waves', duration: '5' },
      pollInterval: 5,
      onQueueUpdate: (update) => updates.push(update.status),
    });
    expect(updates.at(-1)).toBe('COMPLETED');
    expect((result.data as VideoOutput).video.url).toContain('/files/');
    expect(
      seenUrls.some((url) =>
        /^https:\/\/queue\.fal\.run\/fal-ai\/kling-video\/requests\/[0-9a-f-]+\/status/.test(url),
      ),
    ).toBe(true);
  });

  it('a failed job is COMPLETED and the SDK raises ValidationError (422) only on the result call', async () => {
    const submitted = await fal.queue.submit('fal-ai/veo3.1', {
      input: { prompt: 'wrong duration', duration: '5s' as '8s' },
    }); // deliberately invalid: the SDK types forbid it;
    let status = await fal.queue.status('fal-ai/veo3.1', { requestId: submitted.request_id });
    while (status.status !== 'COMPLETED')
      status = await fal.queue.status('fal-ai/veo3.1', { requestId: submitted.request_id });
    const attempt = fal.queue.result('fal-ai/veo3.1', { requestId: submitted.request_id });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    const error = (await attempt.catch((caught: unknown) => caught)) as ValidationError;
    expect(error.status).toBe(422);
    expect(error.fieldErrors[0]?.loc).toEqual(['body', 'duration']);
  });

  it('cancel answers CANCELLATION_REQUESTED for a queued job', async () => {
    const submitted = await fal.queue.submit('fal-ai/veo3.1', { input: { prompt: 'never mind' } });
    await fal.queue.cancel('fal-ai/veo3.1', { requestId: submitted.request_id });
    expect(emulator.stats.cancels).toBe(1);
    expect(emulator.job(submitted.request_id)?.cancelled).toBe(true);
  });

  it('a wrong key is an ApiError 401', async () => {
    const wrong = clientFor('fal-wrong:key', emulator.baseUrl);
    await expect(wrong.queue.submit('fal-ai/veo3.1', { input: { prompt: 'x' } })).rejects.toSatisfy(
      (error: unknown) => error instanceof ApiError && error.status === 401,
    );
  });

  it("queue.streamStatus (fal's SSE status stream) brings every status and ends at COMPLETED", async () => {
    const timed = new FalEmulator({ apiKey: KEY, queueMs: 100, runMs: 200 });
    const client = clientFor(KEY, await timed.start());
    try {
      const submitted = await client.queue.submit('fal-ai/veo3.1', {
        input: { prompt: 'waves at dusk', duration: '8s' },
      });
      const stream = await client.queue.streamStatus('fal-ai/veo3.1', {
        requestId: submitted.request_id,
        logs: true,
      });
      const seen: string[] = [];
      stream.on('data', (status: { status: string }) => seen.push(status.status));
      const done = (await stream.done()) as { status: string; request_id: string };
      expect(done.status).toBe('COMPLETED');
      expect(done.request_id).toBe(submitted.request_id);
      expect(seen).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
      expect(seenUrls.at(-1)).toContain(
        `/fal-ai/veo3.1/requests/${submitted.request_id}/status/stream`,
      );
      // One request for the whole wait, and the server closed the stream at the end.
      expect(timed.stats.polls).toBe(1);
      expect(timed.openStreams).toBe(0);
      const result = await client.queue.result('fal-ai/veo3.1', {
        requestId: submitted.request_id,
      });
      expect((result.data as VideoOutput).video.url).toMatch(/\.mp4$/);
    } finally {
      await timed.stop();
    }
  });
});
