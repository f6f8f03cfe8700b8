/** Drives the Together emulator with the official together-ai client to prove it speaks the real protocol. */
import Together from 'together-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP } from '../../emulators/emulator-kit';
import { TogetherEmulator } from '../../emulators/together-emulator';

const KEY = 'tgp_v1_sdk-test-key-5e6f7a8b9c';
const emulator = new TogetherEmulator({ apiKey: KEY });
let baseUrl = '';

beforeAll(async () => {
  baseUrl = await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

describe('Together emulator with the official together-ai SDK', () => {
  it('creates a video and polls it to completion, then the video_url serves the MP4', async () => {
    // With an overridden base URL the SDK sends videos calls to `${baseURL}/videos`.
    const client = new Together({ apiKey: KEY, baseURL: `${baseUrl}/v2`, maxRetries: 0 });
    const job = await client.videos.create({
      model: 'minimax/video-01-director',
      prompt: 'a paper boat on a pond',
      seconds: '5',
    });
    expect(job.id).toBeTruthy();
    expect(job.status as string).toBe('queued');
    let current = job;
    const statuses: string[] = [];
    for (
      let i = 0;
      i < 10 && current.status !== 'completed' && current.status !== 'failed';
      i += 1
    ) {
      current = await client.videos.retrieve(job.id);
      statuses.push(current.status);
    }
    expect(statuses.at(-1)).toBe('completed');
    expect(statuses).toContain('in_progress');
    expect(current.outputs?.cost).toBe(0.28);
    const response = await fetch(current.outputs?.video_url ?? '');
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(CLIP)).toBe(true);
    expect(emulator.stats.creates).toBe(1);
  });

  it('lists models as a bare array the SDK understands', async () => {
    const client = new Together({ apiKey: KEY, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
    const models = await client.models.list();
    const list = Array.isArray(models) ? models : [];
    expect(list.length).toBeGreaterThan(3);
    expect(
      list.filter((model) => (model.type as string) === 'video').map((model) => model.id),
    ).toContain('google/veo-3.0');
  });

  it('surfaces a 400 for an unknown model as the SDK BadRequestError with the error body', async () => {
    const client = new Together({ apiKey: KEY, baseURL: `${baseUrl}/v2`, maxRetries: 0 });
    const error = await client.videos
      .create({ model: 'nobody/nothing', prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Together.BadRequestError);
    expect((error as InstanceType<typeof Together.APIError>).status).toBe(400);
    expect(String((error as Error).message)).toContain('Unable to access model');
  });

  it('surfaces a wrong key as the SDK AuthenticationError', async () => {
    const client = new Together({ apiKey: 'wrong-key', baseURL: `${baseUrl}/v2`, maxRetries: 0 });
    const error = await client.videos.retrieve('anything').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Together.AuthenticationError);
  });
});
