/**
 * A 2xx answer that does not match the vendor's documented shape: every adapter reports it the
 * same way (provider_unavailable naming the vendor, the call and the HTTP status, never the key),
 * retryable after a poll but not after a create, where the vendor may already have started a job.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFalAdapter } from '../../../src/main/providers/fal/fal-video-adapter';
import { createGeminiAdapter } from '../../../src/main/providers/gemini/gemini-video-adapter';
import { parseVendorAnswer } from '../../../src/main/providers/http/vendor-answer';
import { UnknownStatusError } from '../../../src/main/providers/vendor-video-adapter';
import type { VendorAdapterSettings } from '../../../src/main/providers/http/vendor-http';
import { createLumaAdapter } from '../../../src/main/providers/luma/luma-video-adapter';
import { createReplicateAdapter } from '../../../src/main/providers/replicate/replicate-video-adapter';
import { createRunwayAdapter } from '../../../src/main/providers/runway/runway-video-adapter';
import { createTogetherAdapter } from '../../../src/main/providers/together/together-video-adapter';
import { ProviderError } from '../../../src/shared/errors';
import { providerLabel } from '../../../src/shared/providers/provider-ids';
import type { VideoProviderAdapter } from '../../../src/shared/providers/video-provider-spec';
import { providerErrorOf, testDispatcher } from './__fixtures__/provider-test-helpers';

const KEY = 'PLANTED-answer-shape-key-5e1d9c7a';
/** Wrong for every create and job schema (ids, names and statuses are numbers); echoes the key. */
const MALFORMED = {
  id: 42,
  name: 42,
  request_id: 42,
  status: 42,
  state: 42,
  done: 'yes',
  echo: KEY,
};

const VENDORS: {
  name: string;
  create: (settings: VendorAdapterSettings) => VideoProviderAdapter;
  modelId: string;
  jobId: string;
}[] = [
  { name: 'together', create: createTogetherAdapter, modelId: 'google/veo-3.0', jobId: 'job-1' },
  { name: 'runway', create: createRunwayAdapter, modelId: 'gen4.5', jobId: 'task-1' },
  { name: 'replicate', create: createReplicateAdapter, modelId: 'google/veo-3', jobId: 'p-1' },
  {
    name: 'gemini',
    create: createGeminiAdapter,
    modelId: 'veo-3.0-generate-001',
    jobId: 'models/veo-3.0-generate-001/operations/op-1',
  },
  {
    name: 'fal',
    create: createFalAdapter,
    modelId: 'fal-ai/veo3.1',
    jobId: 'fal-ai/veo3.1/requests/r-1',
  },
  { name: 'luma', create: createLumaAdapter, modelId: 'ray-2', jobId: 'gen-1' },
];

/** The vendor as admins know it ("Together AI", "Luma"), as a regular expression. */
const labelled = (vendor: string): string =>
  providerLabel(vendor).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const dispatcher = testDispatcher();
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(MALFORMED));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dispatcher.close();
});

describe.each(VENDORS)('$name: an answer off its documented shape', (vendor) => {
  const adapter = (): VideoProviderAdapter => vendor.create({ apiKey: KEY, baseUrl, dispatcher });

  it('to the create call: provider_unavailable, not retryable, naming vendor, POST and status', async () => {
    const error = await providerErrorOf(
      adapter().start({ modelId: vendor.modelId, prompt: 'a kite' }),
    );
    expect(error.errorClass).toBe('provider_unavailable');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(200);
    expect(error.provider).toBe(vendor.name);
    // Named as admins know it: "Luma answered …", never the id "luma answered …".
    expect(error.message).toMatch(
      new RegExp(`^${labelled(vendor.name)} answered POST /\\S+ \\(HTTP 200\\)`),
    );
    expect(error.message).toContain('does not match its documented shape');
    expect(error.message).not.toContain(KEY);
  });

  it('to the status poll: provider_unavailable, retryable, naming vendor, GET and status', async () => {
    const error = await providerErrorOf(adapter().status(vendor.jobId));
    expect(error.errorClass).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(
      new RegExp(`^${labelled(vendor.name)} answered GET /\\S+ \\(HTTP 200\\)`),
    );
    expect(error.message).not.toContain(KEY);
  });
});

describe('parseVendorAnswer', () => {
  const context = { provider: 'together', call: 'GET /v1/models', status: 200, retryable: true };

  it('returns what the schema reads', () => {
    expect(parseVendorAnswer(z.object({ id: z.string() }), { id: 'x', extra: 1 }, context)).toEqual(
      { id: 'x' },
    );
  });

  it('names the first issue by its path, and scrubs the key even from a path', () => {
    const body = { [KEY]: 'not a number' };
    let caught: unknown;
    try {
      parseVendorAnswer(z.record(z.string(), z.number()), body, { ...context, secrets: [KEY] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProviderError);
    const message = (caught as ProviderError).message;
    expect(message).toContain('Together AI answered GET /v1/models (HTTP 200)');
    expect(message).toContain('[redacted]');
    expect(message).not.toContain(KEY);
  });
});

describe('a status the adapter does not know', () => {
  it('names the vendor as admins know it', () => {
    expect(new UnknownStatusError('luma', 'generation', 'upscaling').message).toBe(
      'Luma reported an unknown generation status "upscaling".',
    );
    expect(new UnknownStatusError('together', 'job', 'upscaling').message).toMatch(
      /^Together AI reported/,
    );
  });
});
