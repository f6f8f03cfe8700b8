/** Drives the Replicate emulator with the official `replicate` client to prove it speaks the real protocol. */
import Replicate from 'replicate';
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
    const prediction = await replicate.predictions.create({ model: 'google/veo-3', input: { prompt: 'a tram in fog' } });
    expect(prediction.status).toBe('starting');
    expect(prediction.urls.get).toBe(`${baseUrl}/v1/predictions/${prediction.id}`);
    let current = prediction;
    for (let i = 0; i < 10 && !['succeeded', 'failed', 'canceled', 'aborted'].includes(current.status); i += 1) {
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
    const blocking = await replicate.predictions.create({ model: 'minimax/video-01', input: { prompt: 'held' }, wait: 60 });
    expect(blocking.status).toBe('succeeded');
  });

  it('cancels through the SDK', async () => {
    const replicate = client();
    const created = await replicate.predictions.create({ model: 'luma/ray', input: { prompt: 'stop' } });
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
});
