/**
 * A local emulator of the Luma Dream Machine API (provider-apis.md §6/§7), served under
 * /dream-machine/v1: Bearer auth; POST /generations/video (and the legacy POST /generations) →
 * 201 Generation; GET /generations/{id}: queued → dreaming → completed (assets.video) | failed
 * (failure_reason); GET /generations?limit&offset → {generations, has_more, count};
 * DELETE /generations/{id} → 204 (a later GET answers 404). Errors are {"detail": "…"}.
 *
 * Progress: with queueMs/runMs 0 each poll advances (queued → dreaming → completed); otherwise
 * the clock decides. #policy makes the generation fail with a moderation failure_reason; #fail
 * with an internal one. The 429 carries Retry-After (Luma's exact rate-limit headers are not
 * documented in provider-apis.md).
 *
 * The echoed `request` of a generation is what was sent, unless the prompt asks for another form
 * of it (Luma may normalise what it stores): `#echo-reformed` echoes its keys in reverse order
 * (nested ones too) with null fields Luma adds (`loop`, `callback_url`); `#echo-partial` leaves
 * the aspect ratio and duration out of the echo.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  EmulatorBase,
  delay,
  resetConnection,
  sendJson,
  type EmulatorOptions,
  sendHtml,
  jobFaultsOf,
  type JobFaults,
  sendGatewayTimeout,
  jobIdFor,
} from './emulator-kit';

const PREFIX = '/dream-machine/v1';
const MODELS = ['ray-2', 'ray-flash-2'];
const ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'];
const RESOLUTIONS = ['540p', '720p', '1080p', '4k'];
const DURATIONS = ['5s', '9s'];

/** The form in which a generation's `request` is echoed (see the header). */
function echoOf(
  prompt: string | undefined,
  sent: Record<string, unknown>,
): Record<string, unknown> {
  const text = prompt ?? '';
  if (/#echo-partial\b/i.test(text)) {
    const { aspect_ratio: _aspect, duration: _duration, ...rest } = sent;
    return rest;
  }
  if (/#echo-reformed\b/i.test(text)) {
    const reverse = (value: unknown): unknown =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
              .reverse()
              .map(([key, inner]) => [key, reverse(inner)]),
          )
        : value;
    return { loop: null, ...(reverse(sent) as Record<string, unknown>), callback_url: null };
  }
  return sent;
}

interface LumaJob {
  id: string;
  request: Record<string, unknown>;
  createdAt: number;
  polls: number;
  outcome: 'success' | 'fail' | 'policy';
  fileFaults: { truncate: boolean; expired: boolean };
  jobFaults: JobFaults;
  /** #new-status: dreams for 10 polls, reported as a state Luma does not document. */
  newStatus: boolean;
  published: boolean;
  deleted: boolean;
}

export class LumaEmulator extends EmulatorBase {
  /** Seconds the 429 asks the client to wait. */
  retryAfterSeconds = 5;
  readonly jobs = new Map<string, LumaJob>();
  /** The path of each create call (to check the legacy route is accepted). */
  readonly createPaths: string[] = [];

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  /** Returns the API base URL, {origin}/dream-machine/v1. */
  override async start(): Promise<string> {
    const origin = await super.start((request, response, url, body) =>
      this.route(request, response, url, body),
    );
    return `${origin}${PREFIX}`;
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: unknown,
  ): Promise<void> {
    if (!url.pathname.startsWith(`${PREFIX}/`))
      return sendJson(response, 404, { detail: 'Not Found' });
    const path = url.pathname.slice(PREFIX.length);
    const auth = request.headers.authorization;
    if (auth !== `Bearer ${this.options.apiKey}`)
      return sendJson(response, 401, { detail: 'Invalid API key provided' });
    if (request.method === 'POST' && (path === '/generations/video' || path === '/generations'))
      return this.create(request, response, path, body);
    if (request.method === 'GET' && path === '/generations') return this.list(response, url);
    const one = /^\/generations\/([\w-]+)$/.exec(path);
    if (one?.[1] && request.method === 'GET') return this.get(request, response, one[1]);
    if (one?.[1] && request.method === 'DELETE') return this.remove(response, one[1]);
    return sendJson(response, 404, { detail: 'Not Found' });
  }

  private async create(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    body: unknown,
  ): Promise<void> {
    const input =
      body && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    const prompt = typeof input.prompt === 'string' ? input.prompt : undefined;
    const faults = this.takeFaults(prompt);
    if (faults.has('slow')) await delay(this.options.slowMs);
    if (faults.has('reset')) return resetConnection(request);
    if (faults.has('auth')) return sendJson(response, 401, { detail: 'Invalid API key provided' });
    if (faults.has('ratelimit') || this.overRateLimit())
      return sendJson(
        response,
        429,
        { detail: 'Too many requests. Please slow down.' },
        { 'retry-after': String(this.retryAfterSeconds) },
      );
    if (faults.has('5xx')) return sendJson(response, 500, { detail: 'Internal server error' });
    if (faults.has('credits'))
      return sendJson(response, 402, {
        detail: 'Insufficient credits. Please add credits to your account to continue.',
      });
    if (faults.has('invalid'))
      return sendJson(response, 400, {
        detail: 'Invalid request: the request could not be validated',
      });
    const problem = validate(input);
    if (problem) return sendJson(response, 400, { detail: problem });
    this.stats.creates += 1;
    this.createPaths.push(path);
    const id = jobIdFor(faults, randomUUID());
    const job: LumaJob = {
      id,
      request: echoOf(prompt, { generation_type: 'video', ...input }),
      createdAt: this.now(),
      polls: 0,
      outcome: faults.has('policy') ? 'policy' : faults.has('fail') ? 'fail' : 'success',
      fileFaults: { truncate: false, expired: faults.has('expire') },
      jobFaults: jobFaultsOf(prompt),
      newStatus: faults.has('new-status'),
      published: false,
      deleted: false,
    };
    this.jobs.set(id, job);
    // The generation exists (and is billed) even when the answer is mangled on its way back.
    if (faults.has('html-create')) return sendHtml(response, 200);
    if (faults.has('gateway-create')) return sendGatewayTimeout(response);
    sendJson(response, 201, this.view(job, 'queued'));
  }

  private state(job: LumaJob): 'queued' | 'dreaming' | 'completed' | 'failed' {
    let phase: number;
    if (this.options.queueMs + this.options.runMs > 0) {
      const elapsed = this.now() - job.createdAt;
      phase =
        elapsed < this.options.queueMs
          ? 0
          : elapsed < this.options.queueMs + this.options.runMs
            ? 1
            : 2;
    } else {
      const running = job.newStatus ? 10 : 1;
      phase = job.polls <= 1 ? 0 : job.polls <= 1 + running ? 1 : 2;
    }
    if (phase === 0) return 'queued';
    if (phase === 1 || job.jobFaults.hang) return 'dreaming';
    return job.outcome === 'success' ? 'completed' : 'failed';
  }

  private view(job: LumaJob, state: ReturnType<LumaEmulator['state']>): Record<string, unknown> {
    let assets: Record<string, string> | null = null;
    if (state === 'completed') {
      const video = job.published
        ? `${this.baseUrl}/files/${job.id}.mp4`
        : this.publishFile(job.id, { ...job.fileFaults, faults: job.jobFaults.download });
      job.published = true;
      assets = { video, image: `${this.baseUrl}/files/${job.id}.jpg` };
    }
    const failure =
      state === 'failed'
        ? job.outcome === 'policy'
          ? '400: prompt not allowed because advanced moderation failed'
          : 'Generation failed due to an internal error'
        : null;
    return {
      id: job.id,
      generation_type: 'video',
      state: state === 'dreaming' && job.newStatus ? 'upscaling' : state,
      failure_reason: failure,
      created_at: new Date(job.createdAt).toISOString(),
      assets,
      model: job.request.model,
      request: job.request,
    };
  }

  private get(request: IncomingMessage, response: ServerResponse, id: string): void {
    const job = this.jobs.get(id);
    if (!job || job.deleted) return sendJson(response, 404, { detail: 'Generation not found' });
    this.stats.polls += 1;
    if (this.pollFault(job.jobFaults, request, response)) return;
    job.polls += 1;
    sendJson(response, 200, this.view(job, this.state(job)));
  }

  private list(response: ServerResponse, url: URL): void {
    const limit = Math.max(1, Number(url.searchParams.get('limit') ?? '10') || 10);
    const offset = Math.max(0, Number(url.searchParams.get('offset') ?? '0') || 0);
    const all = [...this.jobs.values()].filter((job) => !job.deleted).reverse();
    const page = all.slice(offset, offset + limit).map((job) => this.view(job, this.state(job)));
    sendJson(response, 200, {
      generations: page,
      has_more: offset + limit < all.length,
      count: page.length,
    });
  }

  private remove(response: ServerResponse, id: string): void {
    const job = this.jobs.get(id);
    if (!job || job.deleted) return sendJson(response, 404, { detail: 'Generation not found' });
    this.stats.cancels += 1;
    job.deleted = true;
    response.writeHead(204);
    response.end();
  }
}

function validate(input: Record<string, unknown>): string | undefined {
  if (typeof input.model !== 'string') return 'model is required';
  if (!MODELS.includes(input.model))
    return `Invalid model: ${input.model}. Must be one of ${MODELS.join(', ')}`;
  const keyframes = input.keyframes as
    Record<string, { type?: unknown; url?: unknown; id?: unknown }> | undefined;
  if ((typeof input.prompt !== 'string' || !input.prompt) && !keyframes)
    return 'prompt is required';
  if (input.aspect_ratio !== undefined && !ASPECTS.includes(String(input.aspect_ratio as string)))
    return `Invalid aspect_ratio: ${String(input.aspect_ratio as string)}`;
  if (input.resolution !== undefined && !RESOLUTIONS.includes(String(input.resolution as string)))
    return `Invalid resolution: ${String(input.resolution as string)}`;
  if (input.duration !== undefined && !DURATIONS.includes(String(input.duration as string)))
    return `Invalid duration: ${String(input.duration as string)}. Must be one of ${DURATIONS.join(', ')}`;
  for (const [name, frame] of Object.entries(keyframes ?? {})) {
    if (name !== 'frame0' && name !== 'frame1') return `Invalid keyframe: ${name}`;
    if (
      frame.type === 'image' &&
      (typeof frame.url !== 'string' || !/^https?:\/\//.test(frame.url))
    )
      return `keyframes.${name}.url must be a URL`;
    if (frame.type === 'generation' && typeof frame.id !== 'string')
      return `keyframes.${name}.id is required`;
    if (frame.type !== 'image' && frame.type !== 'generation')
      return `keyframes.${name}.type must be image or generation`;
  }
  return undefined;
}
