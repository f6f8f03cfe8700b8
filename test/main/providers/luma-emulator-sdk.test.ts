/**
 * Drives the Luma emulator with Luma's official client (lumaai), pointed at the emulator with
 * `baseURL`, to prove the emulator speaks the Dream Machine protocol.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import LumaAI from 'lumaai';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { CLIP } from '../../emulators/emulator-kit';

const KEY = 'luma-sdk-key-abcdef123456';
let emulator: LumaEmulator;
let baseURL: string;
let client: LumaAI;

beforeAll(async () => {
  emulator = new LumaEmulator({ apiKey: KEY });
  baseURL = await emulator.start();
  client = new LumaAI({ authToken: KEY, baseURL, maxRetries: 0 });
});

afterAll(async () => {
  await emulator.stop();
});

describe('Luma emulator driven by lumaai', () => {
  it('generations.create + generations.get poll to a completed video', async () => {
    const created = await client.generations.create({
      model: 'ray-2',
      prompt: 'a glass city at dawn',
      aspect_ratio: '16:9',
      resolution: '720p',
      duration: '5s',
    });
    expect(created.state).toBe('queued');
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.createPaths.at(-1)).toBe('/generations/video');
    const states: string[] = [];
    let generation = created;
    for (
      let i = 0;
      i < 5 && generation.state !== 'completed' && generation.state !== 'failed';
      i += 1
    ) {
      generation = await client.generations.get(created.id!);
      states.push(generation.state!);
    }
    expect(states).toEqual(['queued', 'dreaming', 'completed']);
    const video = generation.assets?.video;
    expect(video).toBeTruthy();
    expect(Buffer.from(await (await fetch(video!)).arrayBuffer()).equals(CLIP)).toBe(true);
  });

  it('the video sub-resource create works too, and the legacy POST /generations is accepted', async () => {
    const viaVideo = await client.generations.video.create({
      model: 'ray-flash-2',
      prompt: 'rain on tin',
    });
    expect(viaVideo.state).toBe('queued');
    const legacy = await fetch(`${baseURL}/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ray-2', prompt: 'legacy route' }),
    });
    expect(legacy.status).toBe(201);
    expect(emulator.createPaths.slice(-2)).toEqual(['/generations/video', '/generations']);
  });

  it('a failed generation carries failure_reason', async () => {
    const created = await client.generations.create({ model: 'ray-2', prompt: 'x #policy' });
    let generation = created;
    while (generation.state !== 'failed' && generation.state !== 'completed')
      generation = await client.generations.get(created.id!);
    expect(generation.state).toBe('failed');
    expect(generation.failure_reason).toContain('moderation');
  });

  it('delete removes the generation; a later get is a NotFoundError', async () => {
    const created = await client.generations.create({ model: 'ray-2', prompt: 'delete me' });
    await client.generations.delete(created.id!);
    expect(emulator.stats.cancels).toBeGreaterThanOrEqual(1);
    await expect(client.generations.get(created.id!)).rejects.toBeInstanceOf(LumaAI.NotFoundError);
  });

  it('list pages with has_more', async () => {
    const page = await client.generations.list({ limit: 1, offset: 0 });
    expect(page.generations).toHaveLength(1);
    expect(page.has_more).toBe(true);
  });

  it('errors: a bad request is BadRequestError with {detail}; a wrong key is AuthenticationError', async () => {
    const bad = client.generations.create({ model: 'ray-2', prompt: 'x', duration: '7s' });
    await expect(bad).rejects.toBeInstanceOf(LumaAI.BadRequestError);
    await expect(bad).rejects.toMatchObject({
      status: 400,
      error: { detail: expect.stringContaining('duration') },
    });
    const wrong = new LumaAI({ authToken: 'nope', baseURL, maxRetries: 0 });
    await expect(wrong.generations.create({ model: 'ray-2', prompt: 'x' })).rejects.toBeInstanceOf(
      LumaAI.AuthenticationError,
    );
  });
});
