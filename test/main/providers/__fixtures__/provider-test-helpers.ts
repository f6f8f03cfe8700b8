/** Helpers shared by the vendor adapter tests: the emulator's lifetime, polling, errors, bytes. */
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { AppError, type ProviderError } from '../../../../src/shared/errors';
import type {
  JobStatus,
  VideoProviderAdapter,
} from '../../../../src/shared/providers/video-provider-spec';

export function testDispatcher(): Agent {
  return new Agent({ connect: { timeout: 2000 }, keepAliveTimeout: 1000 });
}

/** What the adapter tests need of a vendor emulator. */
interface Emulator {
  start(): Promise<string>;
  stop(): Promise<void>;
  readonly stats?: { creates: number; cancels: number };
}

export interface EmulatedVendor {
  /** The test dispatcher; closed after the file's last test. */
  readonly dispatcher: Agent;
  /** The emulator's base URL (known once beforeAll has run). */
  readonly baseUrl: string;
  /** Adapter settings for the emulator: the planted key, its base URL, the test dispatcher. */
  settings(): { apiKey: string; baseUrl: string; dispatcher: Agent };
  /** The ProviderError a promise rejects with, whose message must not show the planted key. */
  errorOf(promise: Promise<unknown>): Promise<ProviderError>;
}

/**
 * Runs a vendor emulator for one test file: started before the first test, stopped together with
 * the test dispatcher after the last. `reset` runs after each test to undo what a test switched on;
 * `resetCounts` also sets the emulator's create and cancel counts back to 0 after each test.
 */
export function useEmulator(
  emulator: Emulator,
  options: { apiKey: string; reset?: () => void; resetCounts?: boolean },
): EmulatedVendor {
  const dispatcher = testDispatcher();
  let baseUrl: string | undefined;
  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  afterAll(async () => {
    await emulator.stop();
    await dispatcher.close();
  });
  if (options.reset) afterEach(options.reset);
  if (options.resetCounts)
    afterEach(() => {
      if (!emulator.stats) throw new Error('this emulator keeps no counts to reset');
      emulator.stats.creates = 0;
      emulator.stats.cancels = 0;
    });
  const started = (): string => {
    if (baseUrl === undefined)
      throw new Error('the emulator has not started yet (use it in a test)');
    return baseUrl;
  };
  return {
    dispatcher,
    get baseUrl() {
      return started();
    },
    settings: () => ({ apiKey: options.apiKey, baseUrl: started(), dispatcher }),
    errorOf: (promise) => providerErrorOf(promise, options.apiKey),
  };
}

/**
 * Polls a job until it leaves `pending` (at most 10 polls): every status seen and the settled one.
 * With `secret`, a failed job's message must not contain it.
 */
export async function pollUntilSettled(
  adapter: VideoProviderAdapter,
  jobId: string,
  secret?: string,
): Promise<{ final: JobStatus; seen: JobStatus[] }> {
  const seen: JobStatus[] = [];
  for (let i = 0; i < 10; i += 1) {
    const status = await adapter.status(jobId);
    seen.push(status);
    if (status.state === 'pending') continue;
    if (status.state === 'failed' && secret !== undefined)
      expect(status.error.message).not.toContain(secret);
    return { final: status, seen };
  }
  throw new Error(`job ${jobId} was still pending after 10 polls`);
}

/**
 * Polls a job until it settles, which must be in `state` (else throws, naming the state it
 * ended in): that end status. With `secret`, as pollUntilSettled.
 */
export async function settledAs<S extends JobStatus['state']>(
  adapter: VideoProviderAdapter,
  jobId: string,
  state: S,
  secret?: string,
): Promise<Extract<JobStatus, { state: S }>> {
  const { final } = await pollUntilSettled(adapter, jobId, secret);
  if (final.state !== state)
    throw new Error(`expected the job to end ${state}, not ${final.state}`);
  return final as Extract<JobStatus, { state: S }>;
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

/** The ProviderError a promise rejects with; with `secret`, its message must not contain it. */
export async function providerErrorOf(
  promise: Promise<unknown>,
  secret?: string,
): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(AppError.isInstance(error)).toBe(true);
  expect((error as Error).name).toBe('ProviderError');
  if (secret !== undefined) expect((error as Error).message).not.toContain(secret);
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
