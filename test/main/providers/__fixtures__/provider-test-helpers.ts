/** Small helpers shared by the Together, Runway and Replicate adapter tests. */
import { Agent } from 'undici';
import { expect } from 'vitest';
import { AppError, type ProviderError } from '../../../../src/shared/errors';

export function testDispatcher(): Agent {
  return new Agent({ connect: { timeout: 2000 }, keepAliveTimeout: 1000 });
}

/** Reads a web stream to the end; rejects when the stream errors. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Awaits a promise that must reject and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export async function providerErrorOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(AppError.isInstance(error)).toBe(true);
  expect((error as Error).name).toBe('ProviderError');
  return error as ProviderError;
}

/** A truncated download either errors while streaming or ends short of Content-Length. */
export async function expectTruncated(result: {
  body: ReadableStream<Uint8Array>;
  contentLength?: number;
}): Promise<void> {
  expect(result.contentLength).toBeGreaterThan(0);
  let received = -1;
  let failed = false;
  try {
    received = (await readAll(result.body)).length;
  } catch {
    failed = true;
  }
  expect(failed || received < (result.contentLength ?? 0)).toBe(true);
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
