/**
 * Drives the Gemini emulator with Google's official client (@google/genai), pointed at the
 * emulator through httpOptions.baseUrl, to prove the emulator speaks the real Veo protocol.
 *
 * Note: @google/genai 3.x refuses `models.generateVideos` on the Gemini Developer API on the
 * client side ("only supported by the Gemini Enterprise Agent Platform"), so the create call is
 * made as the REST docs show it (curl equivalent); polling, the RAI mapping, errors and the model
 * list go through the SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, GenerateVideosOperation, GoogleGenAI } from '@google/genai';
import { GeminiEmulator } from '../../emulators/gemini-emulator';
import { CLIP } from '../../emulators/emulator-kit';

const KEY = 'AIzaSy-sdk-test-key-123456';
let emulator: GeminiEmulator;
let ai: GoogleGenAI;
let baseUrl: string;

beforeAll(async () => {
  emulator = new GeminiEmulator({ apiKey: KEY });
  baseUrl = await emulator.start();
  ai = new GoogleGenAI({
    apiKey: KEY,
    httpOptions: { baseUrl, apiVersion: 'v1beta', retryOptions: { attempts: 1 } },
  });
});

afterAll(async () => {
  await emulator.stop();
});

/** POST models/{model}:predictLongRunning exactly as the Gemini REST docs show it. */
async function createByRest(
  model: string,
  prompt: string,
  parameters: Record<string, unknown> = {},
): Promise<GenerateVideosOperation> {
  const response = await fetch(`${baseUrl}/v1beta/models/${model}:predictLongRunning`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ instances: [{ prompt }], parameters }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { name: string };
  const operation = new GenerateVideosOperation();
  operation.name = body.name;
  return operation;
}

async function waitDone(operation: GenerateVideosOperation): Promise<GenerateVideosOperation> {
  let current = operation;
  for (let i = 0; i < 10 && !current.done; i += 1)
    current = await ai.operations.getVideosOperation({ operation: current });
  return current;
}

describe('Gemini emulator driven by @google/genai', () => {
  it('documents that the SDK refuses generateVideos on the Gemini API client-side (Vertex-only in 3.x)', async () => {
    await expect(
      ai.models.generateVideos({ model: 'veo-3.1-generate-preview', source: { prompt: 'x' } }),
    ).rejects.toThrow(/only supported by the Gemini Enterprise Agent Platform/);
    expect(emulator.stats.creates).toBe(0);
  });

  it('create + SDK getVideosOperation polling reach a downloadable video', async () => {
    const operation = await createByRest(
      'veo-3.1-generate-preview',
      'a paper boat on a rainy street',
      { aspectRatio: '16:9', durationSeconds: 8, resolution: '1080p' },
    );
    expect(operation.name).toMatch(/^models\/veo-3\.1-generate-preview\/operations\//);
    expect(emulator.stats.creates).toBe(1);

    const first = await ai.operations.getVideosOperation({ operation });
    expect(first.done).toBeFalsy();
    const done = await waitDone(first);
    expect(done.done).toBe(true);
    expect(done.error).toBeUndefined();
    const uri = done.response?.generatedVideos?.[0]?.video?.uri;
    expect(uri).toContain(':download?alt=media');

    const keyless = await fetch(uri!, { redirect: 'manual' });
    expect(keyless.status).toBe(403);
    const redirect = await fetch(uri!, { headers: { 'x-goog-api-key': KEY }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const file = await fetch(uri!, { headers: { 'x-goog-api-key': KEY } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await file.arrayBuffer()).equals(CLIP)).toBe(true);
  });

  it('the RAI-filtered result reaches the SDK as raiMediaFilteredCount with no videos', async () => {
    const done = await waitDone(await createByRest('veo-3.0-generate-001', 'filtered #policy'));
    expect(done.done).toBe(true);
    expect(done.response?.generatedVideos ?? []).toHaveLength(0);
    expect(done.response?.raiMediaFilteredCount).toBe(1);
    expect(done.response?.raiMediaFilteredReasons?.[0]).toContain("weren't charged");
  });

  it('a failed operation reaches the SDK as done with error{code,message}', async () => {
    const done = await waitDone(await createByRest('veo-2.0-generate-001', 'broken #fail'));
    expect(done.done).toBe(true);
    expect(done.error).toMatchObject({ code: 13 });
  });

  it('an unknown operation surfaces as the SDK ApiError with HTTP 404', async () => {
    const operation = new GenerateVideosOperation();
    operation.name = 'models/veo-3.1-generate-preview/operations/doesnotexist';
    const attempt = ai.operations.getVideosOperation({ operation });
    await expect(attempt).rejects.toBeInstanceOf(ApiError);
    await expect(attempt).rejects.toMatchObject({ status: 404 });
  });

  it('a bad key surfaces as ApiError 400 API key not valid', async () => {
    const wrong = new GoogleGenAI({
      apiKey: 'AIzaSy-wrong',
      httpOptions: { baseUrl, apiVersion: 'v1beta', retryOptions: { attempts: 1 } },
    });
    const operation = new GenerateVideosOperation();
    operation.name = 'models/veo-3.1-generate-preview/operations/x';
    await expect(wrong.operations.getVideosOperation({ operation })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('API key not valid'),
    });
  });

  it('models.list pages through the list and shows predictLongRunning as a supported action', async () => {
    const veo: string[] = [];
    const all: string[] = [];
    const pager = await ai.models.list({ config: { pageSize: 3 } });
    for await (const model of pager) {
      all.push(model.name ?? '');
      if (model.supportedActions?.includes('predictLongRunning')) veo.push(model.name ?? '');
    }
    expect(all).toContain('models/gemini-2.5-flash');
    expect(veo).toContain('models/veo-3.1-generate-preview');
    expect(veo).not.toContain('models/gemini-2.5-flash');
    expect(veo).toHaveLength(6);
  });
});
