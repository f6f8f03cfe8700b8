/**
 * One conformance suite for every adapter: the sandbox and the six vendors (each against its
 * emulator). Whatever the vendor, the console relies on these behaviours.
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { createFalAdapter } from '../../../src/main/providers/fal/fal-video-adapter';
import { createGeminiAdapter } from '../../../src/main/providers/gemini/gemini-video-adapter';
import { createLumaAdapter } from '../../../src/main/providers/luma/luma-video-adapter';
import { createReplicateAdapter } from '../../../src/main/providers/replicate/replicate-video-adapter';
import { createRunwayAdapter } from '../../../src/main/providers/runway/runway-video-adapter';
import { SandboxAdapter } from '../../../src/main/providers/sandbox/sandbox-adapter';
import { createTogetherAdapter } from '../../../src/main/providers/together/together-video-adapter';
import { AppError, NoSuchModelError, PROVIDER_ERROR_CLASSES } from '../../../src/shared/errors';
import {
  modelInfoSchema,
  type JobStatus,
  type VideoProviderAdapter,
} from '../../../src/shared/providers/video-provider-spec';
import { FalEmulator } from '../../emulators/fal-emulator';
import { GeminiEmulator } from '../../emulators/gemini-emulator';
import { LumaEmulator } from '../../emulators/luma-emulator';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { readAll } from './__fixtures__/provider-test-helpers';

/** What the conformance suite needs of an emulator. */
interface EmulatorBase {
  start(): Promise<string>;
  stop(): Promise<void>;
}

interface Subject {
  name: string;
  setup(dispatcher: Agent): Promise<{ adapter: VideoProviderAdapter; emulator?: EmulatorBase }>;
}

type Factory = (settings: {
  apiKey: string;
  baseUrl?: string;
  dispatcher: Agent;
}) => VideoProviderAdapter;

function vendor(
  name: string,
  key: string,
  Emulator: new (options: { apiKey: string }) => EmulatorBase,
  factory: Factory,
): Subject {
  return {
    name,
    async setup(dispatcher) {
      const emulator = new Emulator({ apiKey: key });
      const baseUrl = await emulator.start();
      return { adapter: factory({ apiKey: key, baseUrl, dispatcher }), emulator };
    },
  };
}

const SUBJECTS: Subject[] = [
  {
    name: 'sandbox',
    async setup() {
      return {
        adapter: new SandboxAdapter({
          clipsDir: resolve('resources/sandbox-clips'),
          now: Date.now,
          timeScale: 0.01,
        }),
      };
    },
  },
  vendor('together', 'tgp_v1_conformance-key-0001', TogetherEmulator, createTogetherAdapter),
  vendor('runway', `key_${'ab'.repeat(64)}`, RunwayEmulator, createRunwayAdapter),
  vendor('replicate', 'r8_conformance_key_000000001', ReplicateEmulator, createReplicateAdapter),
  vendor('gemini', 'AIzaSy-conformance-key-00001', GeminiEmulator, createGeminiAdapter),
  vendor('fal', 'fal-conformance-key:000001', FalEmulator, createFalAdapter),
  vendor('luma', 'luma-conformance-key-000001', LumaEmulator, createLumaAdapter),
];

async function settle(adapter: VideoProviderAdapter, jobId: string): Promise<JobStatus> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const status = await adapter.status(jobId);
    if (status.state !== 'pending') return status;
    await new Promise((done) => setTimeout(done, 15));
  }
  throw new Error('the job never finished');
}

/** A failure of a generation that was not cancelled: any class but `cancelled`. */
const ERROR_CLASSES = PROVIDER_ERROR_CLASSES.filter((errorClass) => errorClass !== 'cancelled');

describe.each(SUBJECTS)('conformance: $name', (subject) => {
  const dispatcher = new Agent({ connect: { timeout: 2000 } });
  let adapter: VideoProviderAdapter;
  let emulator: EmulatorBase | undefined;

  beforeAll(async () => {
    ({ adapter, emulator } = await subject.setup(dispatcher));
  });
  afterAll(async () => {
    await emulator?.stop();
    await dispatcher.close();
  });

  const textModel = (): string => {
    const model = adapter
      .models()
      .find((info) => info.capabilities.textToVideo && info.lifecycle === 'active');
    if (!model) throw new Error('no active text-to-video model');
    return model.modelId;
  };

  it('declares its models with capabilities and a dated, sourced price', () => {
    const models = adapter.models();
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      expect(modelInfoSchema.safeParse(model).success).toBe(true);
      expect(model.provider).toBe(adapter.provider);
      expect(model.pricing.source.length).toBeGreaterThan(3);
      expect(model.pricing.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?/);
      expect(model.capabilities.durationsSeconds).toContain(
        model.capabilities.defaultDurationSeconds,
      );
    }
  });

  it('refuses an unknown model before any request', () => {
    expect(() => adapter.model('no-such-model-xyz')).toThrow(NoSuchModelError);
  });

  it('estimates cost with its basis', () => {
    const estimate = adapter.estimateCost({ modelId: textModel(), prompt: 'a lighthouse at dusk' });
    expect(Number.isFinite(estimate.usd)).toBe(true);
    expect(estimate.usd).toBeGreaterThanOrEqual(0);
    expect(estimate.basis.length).toBeGreaterThan(0);
  });

  it('reports settings it cannot honour as warnings', () => {
    const warnings = adapter.checkRequest({
      modelId: textModel(),
      prompt: 'x',
      durationSeconds: 97,
      aspectRatio: '7:3',
    });
    expect(warnings.map((warning) => warning.setting)).toEqual(
      expect.arrayContaining(['durationSeconds', 'aspectRatio']),
    );
  });

  it('submits (job id handed over first), polls to success and downloads a real MP4', async () => {
    const seen: string[] = [];
    const started = await adapter.start(
      { modelId: textModel(), prompt: 'a red kite over green hills' },
      { onJobId: (id) => seen.push(id) },
    );
    expect(seen).toEqual([started.jobId]);
    const status = await settle(adapter, started.jobId);
    expect(status.state).toBe('succeeded');
    if (status.state !== 'succeeded') return;
    expect(status.outputs.length).toBeGreaterThan(0);
    const download = await adapter.download(status.outputs[0]!);
    expect(download.contentType).toMatch(/^video\/|octet-stream/);
    const bytes = await readAll(download.body);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    if (download.contentLength !== undefined) expect(bytes.length).toBe(download.contentLength);
  });

  it('turns a vendor-side failure into a classified failed status', async () => {
    let status: JobStatus;
    try {
      const started = await adapter.start({
        modelId: textModel(),
        prompt: 'a glass of water #fail',
      });
      status = await settle(adapter, started.jobId);
    } catch (error) {
      // Some vendors refuse at submission; that too must be a classified error.
      expect(AppError.isInstance(error)).toBe(true);
      expect(ERROR_CLASSES).toContain((error as AppError).code);
      return;
    }
    expect(status.state).toBe('failed');
    if (status.state === 'failed') expect(ERROR_CLASSES).toContain(status.error.code);
  });

  it('accepts a cancel for a job it started', async () => {
    const started = await adapter.start({
      modelId: textModel(),
      prompt: 'a paper boat in a gutter',
    });
    await expect(adapter.cancel(started.jobId)).resolves.toBeUndefined();
  });

  it('lists its catalogue as valid model records', async () => {
    const models = await adapter.listModels();
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) expect(modelInfoSchema.safeParse(model).success).toBe(true);
  });
});

describe.each(SUBJECTS.filter((subject) => subject.name !== 'sandbox'))(
  'error classes: $name',
  (subject) => {
    const dispatcher = new Agent({ connect: { timeout: 2000 } });
    let adapter: VideoProviderAdapter;
    let emulator: EmulatorBase | undefined;
    beforeAll(async () => {
      ({ adapter, emulator } = await subject.setup(dispatcher));
    });
    afterAll(async () => {
      await emulator?.stop();
      await dispatcher.close();
    });

    it('HTTP 402 (out of credits) is quota and is not retried (issue 13 item 8)', async () => {
      const model = adapter
        .models()
        .find((info) => info.capabilities.textToVideo && info.lifecycle === 'active');
      const error = await adapter
        .start({ modelId: model?.modelId ?? '', prompt: 'a lighthouse #credits' })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(AppError.isInstance(error)).toBe(true);
      expect((error as AppError).code).toBe('quota');
      expect((error as AppError).retryable).toBe(false);
      expect((error as { status?: number }).status).toBe(402);
    });
  },
);
