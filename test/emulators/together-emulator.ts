/**
 * A local Together AI: POST /v2/videos, GET /v2/videos/{id}, GET /v1/models (provider-apis.md §1
 * and §7 "Together"). Auth is `Authorization: Bearer <key>`; errors use Together's
 * `{"error":{message,type,param,code}}` body; 429 carries x-ratelimit-* and retry-after.
 *
 * Jobs go queued → in_progress → completed|failed. With queueMs/runMs at 0 every poll advances one
 * step; otherwise the (injectable) clock decides. Switches: `createShape: 'id-only'` answers the
 * create call with `{id}` (v1 SDK), `legacyShape` answers polls in the older `info{errors}` shape,
 * `outOfCredits` makes creates fail with 402, `cancelJob(id)` marks a job cancelled at Together.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  EmulatorBase,
  delay,
  resetConnection,
  sendJson,
  type EmulatorOptions,
  type Fault,
  sendHtml,
  jobFaultsOf,
  type JobFaults,
  sendGatewayTimeout,
  jobIdFor,
} from './emulator-kit';

type Status = 'queued' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

interface Job {
  id: string;
  model: string;
  prompt: string;
  seconds: string;
  createdAt: number;
  polls: number;
  faults: Set<Fault>;
  jobFaults: JobFaults;
  status: Status;
  completedAt?: number;
  videoUrl?: string;
  cancelled?: boolean;
}

/**
 * Catalogue faults for the release-monitor tests: `error` → 503, `empty` → [], `malformed` → an
 * object instead of the bare array, `bad-entries` → entries without ids, `truncated` → the JSON
 * cut in half, `partial` → only the first video entry, `ratelimit` → 429 with retry-after
 * (`retryAfterSeconds`), `huge` → a 200 bare array padded with chat models past `hugeBytes`,
 * `stall` → the headers and the start of the array, then nothing (a connection that hangs),
 * `html` → 200 with an HTML page (a proxy's or captive portal's page in the way).
 */
export type TogetherCatalogueFault =
  | 'error'
  | 'empty'
  | 'malformed'
  | 'bad-entries'
  | 'truncated'
  | 'partial'
  | 'ratelimit'
  | 'huge'
  | 'stall'
  | 'html';

export const TOGETHER_EMULATOR_VIDEO_MODELS: Record<string, { cost: number; seconds: string }> = {
  'minimax/video-01-director': { cost: 0.28, seconds: '5' },
  'google/veo-3.0': { cost: 1.6, seconds: '8' },
  'google/veo-3.0-fast': { cost: 0.8, seconds: '8' },
  'kwaivgI/kling-2.1-master': { cost: 0.92, seconds: '5' },
  'ByteDance/Seedance-1.0-lite': { cost: 0.14, seconds: '5' },
  'Wan-AI/wan2.7-t2v': { cost: 0.1, seconds: '5' },
};

function togetherError(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): unknown {
  return { error: { message, type, param, code } };
}

export class TogetherEmulator extends EmulatorBase {
  createShape: 'full' | 'id-only' = 'full';
  legacyShape = false;
  outOfCredits = false;
  /** Seconds sent in retry-after on 429. */
  retryAfterSeconds = 2;
  /** Creates allowed per rolling minute before the dynamic 429 (request counting). */
  createLimitPerMinute = Number.POSITIVE_INFINITY;
  private recentCreates: number[] = [];
  readonly jobs = new Map<string, Job>();
  /** Extra entries GET /v1/models lists (the release-monitor tests add ids between calls). */
  readonly extraModels: Array<Record<string, unknown>> = [];
  /** Ids GET /v1/models leaves out (a model the vendor stopped listing). */
  readonly hiddenModels = new Set<string>();
  /** Fields merged into a listed entry by id (e.g. a new `pricing`). */
  readonly modelPatches = new Map<string, Record<string, unknown>>();
  /** Bytes the `huge` catalogue fault sends at least. */
  hugeBytes = 80 * 1024 * 1024;
  /** Bad answers for the next GET /v1/models calls, one per call, in order. */
  readonly catalogueFaults: TogetherCatalogueFault[] = [];
  /** GET /v1/models calls answered. */
  catalogueCalls = 0;

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  override start(): Promise<string> {
    return super.start((request, response, url, body) => this.route(request, response, url, body));
  }

  /**
   * What Together has billed: the price of every job that completed (with or without a video).
   * Together has no cancel endpoint, so a job runs to its end and is billed whether or not anyone
   * still polls it; with a clock-driven schedule (queueMs/runMs) jobs nobody polls are brought up
   * to date first.
   */
  billedUsd(): number {
    let total = 0;
    for (const job of this.jobs.values()) {
      if (this.options.queueMs > 0 || this.options.runMs > 0) this.advance(job);
      if (job.status === 'completed') total += TOGETHER_EMULATOR_VIDEO_MODELS[job.model]?.cost ?? 0;
    }
    return Math.round(total * 1e6) / 1e6;
  }

  cancelJob(id: string): void {
    const job = this.jobs.get(id);
    if (job) job.cancelled = true;
  }

  private authorized(request: IncomingMessage): boolean {
    return request.headers.authorization === `Bearer ${this.options.apiKey}`;
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: unknown,
  ): Promise<void> {
    if (!this.authorized(request)) {
      // Vendors sometimes echo the offending key; the adapter must scrub it.
      const given = String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      return sendJson(
        response,
        401,
        togetherError(
          `Invalid API key provided: ${given}. You can find your API key at https://api.together.ai/settings/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    }
    if (url.pathname === '/v2/videos' && request.method === 'POST')
      return this.create(request, response, body);
    const match = /^\/v2\/videos\/([^/]+)$/.exec(url.pathname);
    if (match?.[1] && request.method === 'GET')
      return this.retrieve(request, response, decodeURIComponent(match[1]));
    if (url.pathname === '/v1/models' && request.method === 'GET') return this.listModels(response);
    return sendJson(
      response,
      404,
      togetherError(`Unknown path ${url.pathname}`, 'invalid_request_error', 'not_found'),
    );
  }

  private async create(
    request: IncomingMessage,
    response: ServerResponse,
    body: unknown,
  ): Promise<void> {
    const input = (body ?? {}) as Record<string, unknown>;
    const prompt = typeof input.prompt === 'string' ? input.prompt : '';
    const faults = this.takeFaults(prompt);
    if (faults.has('reset')) return resetConnection(request);
    if (faults.has('slow')) await delay(this.options.slowMs);
    if (faults.has('auth')) {
      return sendJson(
        response,
        401,
        togetherError('Invalid API key provided.', 'invalid_request_error', 'invalid_api_key'),
      );
    }
    const now = this.now();
    this.recentCreates = this.recentCreates.filter((at) => now - at < 60_000);
    if (faults.has('ratelimit') || this.recentCreates.length >= this.createLimitPerMinute)
      return this.rateLimitAnswer(response);
    if (faults.has('5xx')) {
      return sendJson(
        response,
        503,
        togetherError(
          'The server is overloaded or not ready yet.',
          'server_error',
          'service_unavailable',
        ),
      );
    }
    if (this.outOfCredits || faults.has('credits')) {
      return sendJson(
        response,
        402,
        togetherError(
          'Credit limit exceeded. Please add credits to your account.',
          'credit_limit',
          'credit_limit_exceeded',
        ),
      );
    }
    if (faults.has('invalid')) {
      return sendJson(
        response,
        400,
        togetherError(
          'Invalid value for field "seconds"',
          'invalid_request_error',
          'invalid_parameter',
          'seconds',
        ),
      );
    }
    if (typeof input.model !== 'string' || !input.model) {
      return sendJson(
        response,
        400,
        togetherError(
          'model is required',
          'invalid_request_error',
          'missing_required_parameter',
          'model',
        ),
      );
    }
    const known = TOGETHER_EMULATOR_VIDEO_MODELS[input.model];
    if (!known) {
      return sendJson(
        response,
        400,
        togetherError(
          `Unable to access model ${input.model}. Please visit https://api.together.ai/models to view the list of supported models.`,
          'invalid_request_error',
          'model_not_available',
          'model',
        ),
      );
    }
    if (input.seconds !== undefined && typeof input.seconds !== 'string') {
      return sendJson(
        response,
        400,
        togetherError(
          'seconds must be a string',
          'invalid_request_error',
          'invalid_type',
          'seconds',
        ),
      );
    }
    this.stats.creates += 1;
    this.recentCreates.push(now);
    const job: Job = {
      id: jobIdFor(faults, randomUUID()),
      model: input.model,
      prompt,
      seconds: typeof input.seconds === 'string' ? input.seconds : known.seconds,
      createdAt: this.now(),
      polls: 0,
      faults,
      jobFaults: jobFaultsOf(prompt),
      status: 'queued',
    };
    this.jobs.set(job.id, job);
    // The job exists (and is billed) even when the answer is mangled on its way back.
    if (faults.has('html-create')) return sendHtml(response, 200);
    if (faults.has('gateway-create')) return sendGatewayTimeout(response);
    if (this.createShape === 'id-only') return sendJson(response, 200, { id: job.id });
    return sendJson(response, 200, this.render(job));
  }

  /** Together's 429 (create and status calls): retry-after (`retryAfterHeader` when set) and x-ratelimit-*. */
  protected override rateLimitAnswer(response: ServerResponse): void {
    const reset = Math.ceil(this.now() / 1000) + this.retryAfterSeconds;
    sendJson(
      response,
      429,
      togetherError(
        'You have been rate limited. Your rate limit is dynamic.',
        'dynamic_request_limited',
        'dynamic_request_limited',
      ),
      {
        'retry-after': this.retryAfterHeader ?? String(this.retryAfterSeconds),
        'x-ratelimit-limit': '10',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-limit-dynamic': '10',
      },
    );
  }

  /** Together's 404 for a video job it does not find (as for an id it never gave). */
  protected override jobGoneAnswer(response: ServerResponse): void {
    sendJson(
      response,
      404,
      togetherError('Video job not found', 'invalid_request_error', 'not_found'),
    );
  }

  private advance(job: Job): void {
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') return;
    if (job.cancelled) {
      job.status = 'cancelled';
      return;
    }
    let next: 'queued' | 'in_progress' | 'done';
    if (this.options.queueMs === 0 && this.options.runMs === 0) {
      // #new-status: running for 10 polls, reported as a status Together does not document.
      const running = job.faults.has('new-status') ? 11 : 2;
      next = job.polls <= 1 ? 'queued' : job.polls <= running ? 'in_progress' : 'done';
    } else {
      const elapsed = this.now() - job.createdAt;
      next =
        elapsed < this.options.queueMs
          ? 'queued'
          : elapsed < this.options.queueMs + this.options.runMs
            ? 'in_progress'
            : 'done';
    }
    if (next !== 'done' || job.jobFaults.hang) {
      if (next === 'done') next = 'in_progress';
      job.status = next;
      return;
    }
    job.completedAt = this.now();
    if (job.faults.has('fail') || job.faults.has('policy')) {
      job.status = 'failed';
      return;
    }
    job.status = 'completed';
    job.videoUrl = this.publishFile(`together-${job.id}`, {
      expired: job.faults.has('expire'),
      faults: job.jobFaults.download,
    });
  }

  private retrieve(request: IncomingMessage, response: ServerResponse, id: string): void {
    const job = this.jobs.get(id);
    if (!job)
      return sendJson(
        response,
        404,
        togetherError(`Video job ${id} not found`, 'invalid_request_error', 'not_found'),
      );
    this.stats.polls += 1;
    if (this.pollFault(job.jobFaults, request, response)) return;
    job.polls += 1;
    this.advance(job);
    sendJson(response, 200, this.render(job));
  }

  private errorOf(job: Job): { code: string; message: string } | undefined {
    if (job.status !== 'failed') return undefined;
    if (job.faults.has('policy'))
      return {
        code: 'content_policy_violation',
        message: 'The prompt was flagged by the content moderation system.',
      };
    return {
      code: 'generation_failed',
      message: 'Video generation failed due to an internal error on the inference provider.',
    };
  }

  private render(job: Job): Record<string, unknown> {
    const error = this.errorOf(job);
    const cost = TOGETHER_EMULATOR_VIDEO_MODELS[job.model]?.cost ?? 0;
    const outputs =
      job.status !== 'completed'
        ? undefined
        : job.faults.has('no-output')
          ? { cost }
          : { cost, video_url: job.videoUrl };
    if (this.legacyShape) {
      return {
        id: job.id,
        model: job.model,
        status: job.status,
        info: { user_id: 'user_emulator', errors: error ? [error.message] : null },
        inputs: { model: job.model, prompt: job.prompt, seconds: job.seconds },
        created_at: new Date(job.createdAt).toISOString(),
        claimed_at: job.status === 'queued' ? null : new Date(job.createdAt).toISOString(),
        done_at: job.completedAt === undefined ? null : new Date(job.completedAt).toISOString(),
        ...(outputs ? { outputs } : {}),
      };
    }
    return {
      id: job.id,
      object: 'video',
      model: job.model,
      status:
        job.status === 'in_progress' && job.faults.has('new-status') ? 'upscaling' : job.status,
      created_at: Math.floor(job.createdAt / 1000),
      ...(job.completedAt === undefined
        ? {}
        : { completed_at: Math.floor(job.completedAt / 1000) }),
      size: '1366x768',
      seconds: job.seconds,
      ...(error ? { error } : {}),
      ...(outputs ? { outputs } : {}),
    };
  }

  private listModels(response: ServerResponse): void {
    const created = 1735689600;
    const models: Array<Record<string, unknown>> = [
      {
        id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
        object: 'model',
        created,
        type: 'chat',
        display_name: 'Llama 3.3 70B',
        organization: 'Meta',
        context_length: 131072,
        pricing: { hourly: 0, input: 0.88, output: 0.88, base: 0, finetune: 0, cached_input: 0.44 },
      },
      {
        id: 'black-forest-labs/FLUX.1-schnell',
        object: 'model',
        created,
        type: 'image',
        pricing: { hourly: 0, input: 0, output: 0, base: 0.0027, finetune: 0 },
      },
      { id: 'cartesia/sonic-2', object: 'model', created, type: 'audio' },
      { id: 'openai/whisper-large-v3', object: 'model', created, type: 'transcribe' },
      {
        id: 'minimax/video-01-director',
        object: 'model',
        created,
        type: 'video',
        display_name: 'MiniMax Video 01 Director',
        organization: 'MiniMax',
        pricing: { hourly: 0, input: 0, output: 0, base: 0, finetune: 0 },
      },
      {
        id: 'google/veo-3.0',
        object: 'model',
        created,
        type: 'video',
        display_name: 'Veo 3.0',
        organization: 'Google',
      },
      {
        id: 'kwaivgI/kling-2.1-master',
        object: 'model',
        created,
        type: 'video',
        organization: 'Kling',
      },
      { id: 'some/new-type-model', object: 'model', created, type: 'world-model' },
      ...this.extraModels,
    ]
      .filter((model) => !this.hiddenModels.has(String(model.id)))
      .map((model) => ({ ...model, ...this.modelPatches.get(String(model.id)) }));
    this.catalogueCalls += 1;
    const fault = this.catalogueFaults.shift();
    switch (fault) {
      case 'error':
        return sendJson(
          response,
          503,
          togetherError('The server is overloaded or not ready yet.', 'server_error', null),
        );
      case 'empty':
        return sendJson(response, 200, []);
      case 'malformed':
        return sendJson(response, 200, { object: 'list', data: models });
      case 'bad-entries':
        return sendJson(response, 200, [
          ...models,
          { object: 'model', type: 'video' },
          { id: 42, type: 'video' },
        ]);
      case 'truncated': {
        const text = JSON.stringify(models);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      case 'ratelimit':
        return sendJson(
          response,
          429,
          togetherError(
            'You have been rate limited. Your rate limit is dynamic.',
            'dynamic_request_limited',
            'dynamic_request_limited',
          ),
          { 'retry-after': String(this.retryAfterSeconds) },
        );
      case 'html':
        return sendHtml(response, 200);
      case 'stall':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(JSON.stringify(models).slice(0, 40));
        return;
      case 'huge': {
        // A well-formed answer, only enormous: many chat models after the real ones, streamed.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(`${JSON.stringify(models).slice(0, -1)}`);
        const filler = `,${JSON.stringify({ id: `filler/${'x'.repeat(4000)}`, object: 'model', created, type: 'chat' })}`;
        const chunk = filler.repeat(64);
        let sent = 0;
        const pump = (): void => {
          while (sent < this.hugeBytes) {
            if (response.destroyed) return;
            sent += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', pump);
              return;
            }
          }
          response.end(']');
        };
        response.on('error', () => undefined);
        pump();
        return;
      }
      case 'partial':
        return sendJson(
          response,
          200,
          models.filter((model) => model.type === 'video').slice(0, 1),
        );
      default:
        sendJson(response, 200, models);
    }
  }
}
