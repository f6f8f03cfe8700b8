/** Drives the Runway emulator with the official @runwayml/sdk client to prove it speaks the real protocol. */
import RunwayML from '@runwayml/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP } from '../../emulators/emulator-kit';
import { RunwayEmulator } from '../../emulators/runway-emulator';

const KEY = `key_${'abcdef0123456789'.repeat(8)}`;
const emulator = new RunwayEmulator({ apiKey: KEY });
let baseUrl = '';

beforeAll(async () => {
  baseUrl = await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

describe('Runway emulator with the official @runwayml/sdk', () => {
  it('creates a text_to_video task and polls it to SUCCEEDED', async () => {
    const client = new RunwayML({ apiKey: KEY, baseURL: baseUrl, maxRetries: 0 });
    const created = await client.textToVideo.create({
      model: 'gen4.5',
      promptText: 'a kite over dunes',
      ratio: '1280:720',
      duration: 5,
    });
    expect(created.id).toBeTruthy();
    expect(created.estimatedCost.credits).toBe(60);
    const statuses: string[] = [];
    let task = await client.tasks.retrieve(created.id);
    statuses.push(task.status);
    for (let i = 0; i < 10 && task.status !== 'SUCCEEDED' && task.status !== 'FAILED'; i += 1) {
      task = await client.tasks.retrieve(created.id);
      statuses.push(task.status);
    }
    expect(statuses).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    if (task.status !== 'SUCCEEDED') throw new Error('expected success');
    expect(task.cost.credits).toBe(60);
    const response = await fetch(task.output[0] ?? '');
    expect(Buffer.from(await response.arrayBuffer()).equals(CLIP)).toBe(true);
    expect(emulator.stats.creates).toBe(1);
  });

  it('creates an image_to_video task and deletes (cancels) it', async () => {
    const client = new RunwayML({ apiKey: KEY, baseURL: baseUrl, maxRetries: 0 });
    const created = await client.imageToVideo.create({
      model: 'gen4_turbo',
      promptText: 'wave',
      promptImage: 'https://example.com/a.png',
      ratio: '960:960',
    });
    await client.tasks.delete(created.id);
    const task = await client.tasks.retrieve(created.id);
    expect(task.status).toBe('CANCELLED');
    expect(emulator.stats.cancels).toBe(1);
  });

  it('answers a validation failure the SDK surfaces as BadRequestError with the issues body', async () => {
    const client = new RunwayML({ apiKey: KEY, baseURL: baseUrl, maxRetries: 0 });
    const error = await client.textToVideo
      .create({ model: 'gen4.5', promptText: 'x', ratio: '1280:720', duration: 30 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunwayML.BadRequestError);
    const body = (error as InstanceType<typeof RunwayML.APIError>).error as {
      error?: string;
      issues?: unknown[];
    };
    expect(body.error).toBe('Validation of body failed');
    expect(body.issues?.length).toBe(1);
  });

  it('rejects a wrong key with 401 (AuthenticationError)', async () => {
    const client = new RunwayML({
      apiKey: `key_${'0'.repeat(128)}`,
      baseURL: baseUrl,
      maxRetries: 0,
    });
    await expect(client.tasks.retrieve('x')).rejects.toBeInstanceOf(RunwayML.AuthenticationError);
  });
});
