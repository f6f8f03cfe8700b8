/** Drives the Replicate emulator with the official `replicate` client to prove it speaks the real protocol. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Replicate, { validateWebhook } from 'replicate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP } from '../../emulators/emulator-kit';
import { REPLICATE_EMULATOR_MODELS, ReplicateEmulator } from '../../emulators/replicate-emulator';

const KEY = 'r8_sdkTestToken_4f5e6d7c8b9a';
const emulator = new ReplicateEmulator({ apiKey: KEY });
let baseUrl = '';

beforeAll(async () => {
  baseUrl = await emulator.start();
  emulator.waitScale = 0.01;
});
afterAll(async () => {
  await emulator.stop();
});

function client(auth = KEY): Replicate {
  return new Replicate({ auth, baseUrl: `${baseUrl}/v1`, useFileOutput: false });
}

describe('Replicate emulator with the official replicate SDK', () => {
  it('creates on the official-model route and polls to succeeded', async () => {
    const replicate = client();
    const prediction = await replicate.predictions.create({
      model: 'google/veo-3',
      input: { prompt: 'a tram in fog' },
    });
    expect(prediction.status).toBe('starting');
    expect(prediction.urls.get).toBe(`${baseUrl}/v1/predictions/${prediction.id}`);
    let current = prediction;
    for (
      let i = 0;
      i < 10 && !['succeeded', 'failed', 'canceled', 'aborted'].includes(current.status);
      i += 1
    ) {
      current = await replicate.predictions.get(prediction.id);
    }
    expect(current.status).toBe('succeeded');
    expect(typeof current.output).toBe('string');
    expect(current.metrics?.predict_time).toBeGreaterThan(0);
    const response = await fetch(current.output as string);
    expect(Buffer.from(await response.arrayBuffer()).equals(CLIP)).toBe(true);
  });

  it('creates by version, waits with replicate.wait, and honours Prefer: wait', async () => {
    const replicate = client();
    const version = REPLICATE_EMULATOR_MODELS['acme/tiny-video'] as string;
    const created = await replicate.predictions.create({ version, input: { prompt: 'tiny' } });
    const done = await replicate.wait(created, { interval: 10 });
    expect(done.status).toBe('succeeded');
    const blocking = await replicate.predictions.create({
      model: 'minimax/video-01',
      input: { prompt: 'held' },
      wait: 60,
    });
    expect(blocking.status).toBe('succeeded');
  });

  it('cancels through the SDK', async () => {
    const replicate = client();
    const created = await replicate.predictions.create({
      model: 'luma/ray',
      input: { prompt: 'stop' },
    });
    const canceled = await replicate.predictions.cancel(created.id);
    expect(canceled.status).toBe('canceled');
  });

  it('surfaces a 422 problem body and a 401 as ApiError with the status', async () => {
    const invalid = await client()
      .predictions.create({ model: 'google/veo-3', input: { prompt: 'x #invalid' } })
      .catch((caught: unknown) => caught);
    expect((invalid as { response?: Response }).response?.status).toBe(422);
    expect(String((invalid as Error).message)).toContain('Input validation failed');
    const unauthorized = await client('r8_wrong')
      .predictions.get('anything')
      .catch((caught: unknown) => caught);
    expect((unauthorized as { response?: Response }).response?.status).toBe(401);
  });

  it('delivers signed webhooks that the SDK validateWebhook accepts, retrying a failed delivery with the same id', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    let failFirst = true;
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (failFirst) {
          failFirst = false;
          response.writeHead(500).end();
          return;
        }
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    try {
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const replicate = client();
      const secret = await replicate.webhooks.default.secret.get();
      expect(secret.key).toMatch(/^whsec_/);
      const created = await replicate.predictions.create({
        model: 'google/veo-3',
        input: { prompt: 'hooked' },
        webhook: hook,
        webhook_events_filter: ['start', 'completed'],
      });
      await replicate.wait(created, { interval: 10 });
      await emulator.flushWebhooks();
      expect(received.length).toBe(3); // start (failed once, retried) + completed
      const firstId = received[0]?.headers['webhook-id'];
      const sameId = received.filter((delivery) => delivery.headers['webhook-id'] === firstId);
      expect(sameId).toHaveLength(2); // the failed start delivery was retried under the same id
      expect(sameId[0]?.body).toBe(sameId[1]?.body);
      for (const delivery of received) {
        const valid = await validateWebhook({
          id: String(delivery.headers['webhook-id']),
          timestamp: String(delivery.headers['webhook-timestamp']),
          signature: String(delivery.headers['webhook-signature']),
          body: delivery.body,
          secret: secret.key,
        });
        expect(valid).toBe(true);
      }
      const completed = received.find(
        (delivery) => (JSON.parse(delivery.body) as { status?: string }).status === 'succeeded',
      );
      expect(typeof (JSON.parse(completed?.body ?? '{}') as { output?: unknown }).output).toBe(
        'string',
      );
      expect(JSON.parse(sameId[0]?.body ?? '{}')).toMatchObject({ status: 'starting' });
      const forged = await validateWebhook({
        id: String(completed?.headers['webhook-id']),
        timestamp: String(completed?.headers['webhook-timestamp']),
        signature: String(completed?.headers['webhook-signature']),
        body: (completed?.body ?? '').replace('succeeded', 'failed'),
        secret: secret.key,
      });
      expect(forged).toBe(false);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
