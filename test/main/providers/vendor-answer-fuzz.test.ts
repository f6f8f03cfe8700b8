/**
 * Property tests (fast-check): every adapter, at every step of a job (create, status, fal's
 * result, the output download), is served answers nobody listed by hand: a valid answer with
 * fields removed, retyped, nulled or blown up, arbitrary JSON, bodies that are not JSON, wrong
 * content types. Whatever comes back, the call either resolves to what the spec documents or
 * rejects with a ProviderError (never a bare TypeError or RangeError), whose message never shows
 * the planted key. A create answered 2xx that cannot be used says the outcome is unknown and is
 * not retryable (sending it again could bill a second job); a status answered 2xx that cannot be
 * used is retryable (the job goes on at the vendor, and a broken look must not end it), and one
 * that is not JSON at all never ends the job. fast-check prints the seed and the smallest
 * answer of a failing case.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFalAdapter } from '../../../src/main/providers/fal/fal-video-adapter';
import { createGeminiAdapter } from '../../../src/main/providers/gemini/gemini-video-adapter';
import { jobIdProblem } from '../../../src/main/providers/job-id-check';
import { createLumaAdapter } from '../../../src/main/providers/luma/luma-video-adapter';
import { createReplicateAdapter } from '../../../src/main/providers/replicate/replicate-video-adapter';
import { createRunwayAdapter } from '../../../src/main/providers/runway/runway-video-adapter';
import { createTogetherAdapter } from '../../../src/main/providers/together/together-video-adapter';
import type { VendorAdapterSettings } from '../../../src/main/providers/http/vendor-http';
import type { UnknownStatusError } from '../../../src/main/providers/vendor-video-adapter';
import type {
  VideoOutput,
  VideoProviderAdapter,
} from '../../../src/shared/providers/video-provider-spec';
import {
  brokenAnswer,
  deepJsonText,
  downloadAnswer,
  expectDocumentedStatus,
  expectProviderError,
  settle,
  answerServerForFile,
  validAnswer,
  type Answer,
} from './__fixtures__/vendor-answer-arbitraries';

const KEY = 'PLANTED-fuzz-key-3c9e71d0a4';
/**
 * Cases per property: enough to meet each kind of break several times, quick enough to run
 * often. AIDEON_FUZZ_RUNS asks for more in a search by hand (e.g. 5000).
 */
const RUNS = Number(process.env.AIDEON_FUZZ_RUNS) || 100;
const VIDEO = 'https://cdn.example.com/out/video.mp4';

type Json = Parameters<typeof brokenAnswer>[0];

interface VendorCase {
  name: string;
  create: (settings: VendorAdapterSettings) => VideoProviderAdapter;
  modelId: string;
  jobId: string;
  /** Documented create answers. */
  created: Json[];
  /** Documented status answers, one per state the vendor reports (some echo the key). */
  statuses: Json[];
  /** Statuses the vendor answers a status call with when all is well. */
  statusCodes?: number[];
}

/** A vendor's failure text that echoes the key, as a careless vendor might. */
const ECHO = `quota exceeded for key ${KEY}`;

const VENDORS: VendorCase[] = [
  {
    name: 'together',
    create: createTogetherAdapter,
    modelId: 'google/veo-3.0',
    jobId: 'job-1',
    created: [
      { id: 'job-1', object: 'video', model: 'google/veo-3.0', status: 'queued' },
      { id: 'job-1' },
    ],
    statuses: [
      { id: 'job-1', status: 'queued', created_at: 1767225600 },
      { id: 'job-1', status: 'in_progress', claimed_at: '2026-12-01T10:00:00Z' },
      {
        id: 'job-1',
        object: 'video',
        model: 'google/veo-3.0',
        status: 'completed',
        created_at: 1767225600,
        completed_at: 1767225700,
        seconds: '8',
        outputs: { cost: 3.2, video_url: VIDEO },
        info: { user_id: 'u-1', errors: null },
      },
      { id: 'job-1', status: 'failed', error: { code: 'server_error', message: ECHO } },
      { id: 'job-1', status: 'failed', info: { errors: [{ message: ECHO }, 'second'] } },
      { id: 'job-1', status: 'cancelled' },
    ],
  },
  {
    name: 'runway',
    create: createRunwayAdapter,
    modelId: 'gen4.5',
    jobId: 'task-1',
    created: [{ id: 'task-1' }, { id: 'task-1', estimatedCost: { credits: 60 } }],
    statuses: [
      { id: 'task-1', createdAt: '2026-12-01T10:00:00.000Z', status: 'PENDING' },
      { id: 'task-1', status: 'THROTTLED' },
      { id: 'task-1', status: 'RUNNING', progress: 0.4 },
      {
        id: 'task-1',
        createdAt: '2026-12-01T10:00:00.000Z',
        status: 'SUCCEEDED',
        progress: 1,
        output: [VIDEO],
        cost: { credits: 60 },
      },
      { id: 'task-1', status: 'FAILED', failure: ECHO, failureCode: 'SAFETY.INPUT.TEXT' },
      { id: 'task-1', status: 'CANCELLED' },
    ],
  },
  {
    name: 'replicate',
    create: createReplicateAdapter,
    modelId: 'google/veo-3',
    jobId: 'p-1',
    created: [
      {
        id: 'p-1',
        model: 'google/veo-3',
        status: 'starting',
        output: null,
        urls: { get: 'https://api.replicate.com/v1/predictions/p-1' },
      },
      // Sync mode: the create held until the prediction ended.
      { id: 'p-1', status: 'succeeded', output: [VIDEO], metrics: { predict_time: 12 } },
    ],
    statuses: [
      { id: 'p-1', status: 'starting', output: null },
      { id: 'p-1', status: 'processing', logs: 'step 4/10 40%' },
      {
        id: 'p-1',
        model: 'google/veo-3',
        status: 'succeeded',
        output: VIDEO,
        logs: 'step 10/10 100%',
        metrics: { predict_time: 42.5, total_time: 50 },
        data_removed: false,
      },
      { id: 'p-1', status: 'succeeded', output: null, data_removed: true },
      { id: 'p-1', status: 'failed', error: ECHO },
      { id: 'p-1', status: 'failed', error: { detail: ECHO, extra: [1, 2] } },
      { id: 'p-1', status: 'canceled' },
      { id: 'p-1', status: 'aborted' },
    ],
  },
  {
    name: 'gemini',
    create: createGeminiAdapter,
    modelId: 'veo-3.0-generate-001',
    jobId: 'models/veo-3.0-generate-001/operations/op-1',
    created: [{ name: 'models/veo-3.0-generate-001/operations/op-1' }],
    statuses: [
      { name: 'models/veo-3.0-generate-001/operations/op-1', done: false, metadata: {} },
      {
        name: 'models/veo-3.0-generate-001/operations/op-1',
        done: true,
        response: {
          generateVideoResponse: {
            generatedSamples: [{ video: { uri: VIDEO, mimeType: 'video/mp4' } }],
          },
        },
      },
      {
        name: 'models/veo-3.0-generate-001/operations/op-1',
        done: true,
        error: { code: 8, message: ECHO, status: 'RESOURCE_EXHAUSTED', details: [] },
      },
      {
        name: 'models/veo-3.0-generate-001/operations/op-1',
        done: true,
        response: {
          generateVideoResponse: {
            raiMediaFilteredCount: 1,
            raiMediaFilteredReasons: [ECHO],
          },
        },
      },
    ],
  },
  {
    name: 'fal',
    create: createFalAdapter,
    modelId: 'fal-ai/veo3.1',
    jobId: 'fal-ai/veo3.1/requests/r-1',
    created: [
      {
        request_id: 'r-1',
        status: 'IN_QUEUE',
        queue_position: 0,
        status_url: 'https://queue.fal.run/fal-ai/veo3.1/requests/r-1/status',
      },
    ],
    statuses: [
      { status: 'IN_QUEUE', queue_position: 3 },
      { status: 'IN_PROGRESS', logs: [{ message: 'step 1' }], metrics: {} },
      // The same answer comes back for the result call: broken in the same way.
      { status: 'COMPLETED', logs: null, metrics: { inference_time: 12.5 } },
      { status: 'COMPLETED', error: ECHO, error_type: 'content_policy_violation' },
    ],
    statusCodes: [200, 202],
  },
  {
    name: 'luma',
    create: createLumaAdapter,
    modelId: 'ray-2',
    jobId: 'gen-1',
    created: [{ id: 'gen-1', state: 'queued', generation_type: 'video', model: 'ray-2' }],
    statuses: [
      { id: 'gen-1', state: 'queued' },
      { id: 'gen-1', state: 'dreaming', assets: null },
      {
        id: 'gen-1',
        state: 'completed',
        generation_type: 'video',
        model: 'ray-2',
        created_at: '2026-12-01T10:00:00.000Z',
        assets: { video: VIDEO, image: null },
      },
      { id: 'gen-1', state: 'failed', failure_reason: ECHO },
    ],
  },
];

/** A broken answer made from one of `valids`. */
function brokenFrom(valids: Json[], key: string, statuses: number[]): fc.Arbitrary<Answer> {
  return fc.constantFrom(...valids).chain((valid) => brokenAnswer(valid, key, statuses));
}

const { server, settings, unhandled } = answerServerForFile(KEY);

/** Whether the body is JSON at all (what the client can read). */
function isJson(answer: Answer): boolean {
  const text = answer.body.replace(/^\uFEFF/, '');
  if (!text) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Runs a property with the file's settings; fast-check reports the seed of a failure. */
async function check<T>(arbitrary: fc.Arbitrary<T>, run: (value: T) => Promise<void>) {
  await fc.assert(fc.asyncProperty(arbitrary, run), { numRuns: RUNS });
}

describe.each(VENDORS)('$name, answers nobody listed', (vendor) => {
  it('to the create: a usable job id, or an unknown outcome that is not retried', async () => {
    await check(brokenFrom(vendor.created, KEY, [200, 201, 202]), async (answer) => {
      server.plan = () => answer;
      const told: string[] = [];
      const outcome = await settle(
        vendor
          .create(settings())
          .start({ modelId: vendor.modelId, prompt: 'a kite' }, { onJobId: (id) => told.push(id) }),
      );
      if (outcome.ok) {
        const { jobId, warnings, status } = outcome.value;
        expect(told).toEqual([jobId]);
        expect(Array.isArray(warnings)).toBe(true);
        // The id goes into the status call's URL: one that cannot is never accepted.
        expect(jobIdProblem(jobId, { slashes: vendor.name !== 'together' })).toBeUndefined();
        // Kept in the database and shown: never the key.
        expect(jobId).not.toContain(KEY);
        if (status !== undefined) expectDocumentedStatus(status, KEY);
      } else {
        const error = expectProviderError(outcome.error, KEY);
        // The vendor may have made (and billed) the job: never sent again blindly.
        expect(error.outcomeUnknown).toBe(true);
        expect(error.retryable).toBe(false);
        expect(told).toEqual([]);
      }
    });
  });

  it('to the status: a documented status, or a retryable error', async () => {
    await check(brokenFrom(vendor.statuses, KEY, vendor.statusCodes ?? [200]), async (answer) => {
      server.plan = () => answer;
      const outcome = await settle(vendor.create(settings()).status(vendor.jobId));
      if (outcome.ok) {
        expectDocumentedStatus(outcome.value, KEY);
        // An answer that is not JSON tells nothing of the job: it must not end it.
        expect(isJson(answer), `resolved ${outcome.value.state} from a body that is not JSON`).toBe(
          true,
        );
      } else {
        const error = expectProviderError(outcome.error, KEY);
        // The job goes on at the vendor: the next look may read it.
        expect(error.retryable).toBe(true);
      }
    });
  });
});

describe('fal, the result of a completed request', () => {
  const completed = { status: 'COMPLETED', queue_position: 0, logs: [], metrics: {} };
  const result = {
    video: { url: VIDEO, content_type: 'video/mp4', file_name: 'video.mp4', file_size: 1024 },
  };

  it('a broken result answer: a documented status, or a retryable error; never a paid video lost to a page that is not JSON', async () => {
    await check(brokenAnswer(result, KEY, [200]), async (answer) => {
      server.plan = ({ path }) => (path.endsWith('/status') ? validAnswer(completed) : answer);
      const outcome = await settle(
        createFalAdapter(settings()).status('fal-ai/veo3.1/requests/r-1'),
      );
      if (outcome.ok) {
        expectDocumentedStatus(outcome.value, KEY);
        expect(isJson(answer), `resolved ${outcome.value.state} from a body that is not JSON`).toBe(
          true,
        );
      } else {
        expect(expectProviderError(outcome.error, KEY).retryable).toBe(true);
      }
    });
  });
});

describe.each([
  { name: 'together (the shared download)', create: createTogetherAdapter, source: undefined },
  {
    name: 'runway (fresh links for expired ones)',
    create: createRunwayAdapter,
    source: { jobId: 'task-1', index: 0 },
  },
  { name: 'gemini (the key to its own host)', create: createGeminiAdapter, source: undefined },
])('$name: the output download', ({ create, source }) => {
  it('streams what the spec documents, or rejects with a ProviderError', async () => {
    await check(
      fc.tuple(downloadAnswer(KEY), fc.option(fc.nat({ max: 8 }))),
      async ([answer, offset]) => {
        server.plan = ({ path }) =>
          path.startsWith('/v1/tasks/')
            ? validAnswer({
                id: 'task-1',
                status: 'SUCCEEDED',
                output: [`${server.baseUrl}/files/fresh.mp4`],
              })
            : answer;
        const output: VideoOutput = {
          url: `${server.baseUrl}/files/video.mp4`,
          ...(source ? { source } : {}),
        };
        const outcome = await settle(
          create(settings()).download(output, undefined, offset === null ? undefined : { offset }),
        );
        if (!outcome.ok) {
          expectProviderError(outcome.error, KEY);
          return;
        }
        const result = outcome.value;
        expect(typeof result.contentType).toBe('string');
        for (const figure of [result.offset, result.contentLength, result.totalBytes])
          if (figure !== undefined) expect(Number.isFinite(figure) && figure >= 0).toBe(true);
        // Read to the end (or to a break, which the downloader retries): nothing left dangling.
        await settle(new Response(result.body).arrayBuffer());
      },
    );
  });
});

/** One answer for every call. */
function answering(body: string, contentType = 'application/json', status = 200): void {
  server.plan = () => ({
    status,
    headers: contentType ? { 'content-type': contentType } : ({} as Record<string, string>),
    body,
    label: body,
  });
}

describe('regressions the properties found, kept as examples', () => {
  it('fal: a completed request whose result answer is not JSON is looked at again, not failed (the paid video was lost)', async () => {
    server.plan = ({ path }) =>
      path.endsWith('/status')
        ? validAnswer({ status: 'COMPLETED' })
        : { status: 200, headers: { 'content-type': 'application/json' }, body: '', label: '' };
    const outcome = await settle(createFalAdapter(settings()).status('fal-ai/veo3.1/requests/r-1'));
    expect(outcome.ok).toBe(false);
    const error = expectProviderError(!outcome.ok && outcome.error, KEY);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/fal answered GET \S+ with HTTP 200 and a body that is not JSON/);
  });

  it.each([
    ['together', { id: 'job-1', status: KEY }],
    ['luma', { id: 'gen-1', state: `x${KEY}` }],
    ['runway', { id: 'task-1', status: KEY }],
  ])('%s: a status that echoes the key is reported unknown without the key', async (name, body) => {
    answering(JSON.stringify(body));
    const vendor = VENDORS.find((candidate) => candidate.name === name)!;
    const outcome = await settle(vendor.create(settings()).status(vendor.jobId));
    const error = expectProviderError(!outcome.ok && outcome.error, KEY);
    expect(error.message).toMatch(/reported an unknown \w+ status "x?\[redacted\]"/);
    expect((error as UnknownStatusError).unknownStatus).not.toContain(KEY);
  });

  it('gemini: a failure text is scrubbed before it is cut, so no start of the key is left at the cut', async () => {
    // "Veo failed the job: " is 20 characters: the key then starts 10 characters before 600.
    const message = `${'m'.repeat(570)}${KEY}`;
    answering(
      JSON.stringify({
        name: 'models/veo-3.0-generate-001/operations/op-1',
        done: true,
        error: { code: 13, message },
      }),
    );
    const status = await createGeminiAdapter(settings()).status(
      'models/veo-3.0-generate-001/operations/op-1',
    );
    expect(status.state).toBe('failed');
    const shown = status.state === 'failed' ? status.error.message : '';
    expect(shown).toContain('[redacted]');
    expect(shown).not.toContain(KEY.slice(0, 10));
  });

  it('a content type that carries the key is not shown in the error of an answer that is not JSON', async () => {
    answering('<html>busy</html>', KEY);
    const outcome = await settle(
      createTogetherAdapter(settings()).start({ modelId: 'google/veo-3.0', prompt: 'a kite' }),
    );
    const error = expectProviderError(!outcome.ok && outcome.error, KEY);
    expect(error.outcomeUnknown).toBe(true);
    expect(error.message).toContain('not JSON ([redacted])');
  });

  it.each([
    ['replicate', `{"id":"p-1","status":"failed","error":${deepJsonText(20_000)}}`],
    ['together', `{"id":"job-1","status":"failed","info":{"errors":[${deepJsonText(20_000)}]}}`],
  ])(
    '%s: a failure nested 20,000 deep is a failed job, not a bare RangeError',
    async (name, body) => {
      answering(body);
      const vendor = VENDORS.find((candidate) => candidate.name === name)!;
      const status = await vendor.create(settings()).status(vendor.jobId);
      expect(status.state).toBe('failed');
      expectDocumentedStatus(status, KEY);
    },
  );

  it.each([
    ['together', { id: 'job-1', status: 'completed', outputs: { video_url: VIDEO, cost: -5 } }],
    ['together', { id: 'job-1', status: 'completed', outputs: { video_url: VIDEO, cost: ' ' } }],
    ['runway', { id: 'task-1', status: 'SUCCEEDED', output: [VIDEO], cost: { credits: 1e308 } }],
    ['runway', { id: 'task-1', status: 'SUCCEEDED', output: [VIDEO], cost: { credits: -60 } }],
    ['replicate', { id: 'p-1', status: 'succeeded', output: VIDEO, metrics: { predict_time: -1 } }],
  ])(
    '%s: a cost or billed time that is negative or past a double (%j) is not counted',
    async (name, body) => {
      answering(JSON.stringify(body));
      const vendor = VENDORS.find((candidate) => candidate.name === name)!;
      const status = await vendor.create(settings()).status(vendor.jobId);
      expect(status).toEqual({
        state: 'succeeded',
        outputs: [expect.objectContaining({ url: VIDEO })],
      });
    },
  );

  it.each(VENDORS.filter((vendor) => vendor.name !== 'gemini'))(
    '$name: a create answered with the key as job id is an unknown outcome, and the id is not kept',
    async (vendor) => {
      const id = vendor.name === 'fal' ? 'request_id' : 'id';
      answering(JSON.stringify({ ...(vendor.created[0] as object), [id]: KEY }));
      const told: string[] = [];
      const outcome = await settle(
        vendor
          .create(settings())
          .start(
            { modelId: vendor.modelId, prompt: 'a kite' },
            { onJobId: (jobId) => told.push(jobId) },
          ),
      );
      const error = expectProviderError(!outcome.ok && outcome.error, KEY);
      expect([error.outcomeUnknown, error.retryable]).toEqual([true, false]);
      expect(error.message).toMatch(/unusable job id: it contains the API key/);
      expect(told).toEqual([]);
    },
  );

  it('fal: a negative queue place is not reported', async () => {
    answering(JSON.stringify({ status: 'IN_QUEUE', queue_position: -1 }));
    expect(await createFalAdapter(settings()).status('fal-ai/veo3.1/requests/r-1')).toEqual({
      state: 'pending',
    });
  });
});

describe('never an unhandled rejection', () => {
  it('none was left behind by any case above', () => {
    expect(unhandled().map((reason) => String(reason).slice(0, 200))).toEqual([]);
  });
});
