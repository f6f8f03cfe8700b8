/**
 * A local emulator of fal's queue API (provider-apis.md §6/§7): `Authorization: Key …`;
 * POST /{owner}/{app}[/{path}] → IN_QUEUE with request_id, status_url, response_url, cancel_url,
 * queue_position; GET …/requests/{id}/status → 202 IN_QUEUE / IN_PROGRESS, 200 COMPLETED;
 * GET …/requests/{id} → the output, or for a failed job the error (422 {detail:[…]} or 500/504
 * with error_type and X-Fal-Error-Type). There is NO FAILED status. PUT …/requests/{id}/cancel →
 * 202 CANCELLATION_REQUESTED, 400 ALREADY_COMPLETED, 404 NOT_FOUND.
 *
 * Like fal, the queue accepts any input and validation happens when the app runs, so a bad input
 * shows up only on the result call. Progress: with queueMs/runMs 0 each status poll advances
 * (IN_QUEUE → IN_PROGRESS → COMPLETED); otherwise the clock decides.
 *
 * GET …/requests/{id}/status/stream (fal-js `queue.streamStatus`): server-sent events, one
 * `data: <the status JSON>` event at once and one at every change of status, with a comment line
 * every `streamHeartbeatMs`; the stream ends (the server closes it) once the request is COMPLETED.
 * `statusStream = false` answers it 404 (a queue without the stream); a `#stream-drop` prompt has
 * the stream closed after its first event, before completion; a `#stream-stall` prompt has it
 * send its first event and then only heartbeats, never closing and never telling the end, while
 * the request goes on (the status call reads COMPLETED in time). `streamsOpened` counts opens.
 *
 * Assumption (not documented by fal): a request cancelled while queued reads COMPLETED and its
 * result answers 400 {"detail":"Request was cancelled by the user."}.
 * Extra keyword: #timeout → the app fails with 504 error_type request_timeout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  CLIP,
  EmulatorBase,
  delay,
  resetConnection,
  sendJson,
  type EmulatorOptions,
  sendHtml,
  jobFaultsOf,
  type JobFaults,
  sendGatewayTimeout,
} from './emulator-kit';

interface AppRule {
  durations?: string[];
  aspectRatios?: string[];
  needsImage?: boolean;
}

const ENDPOINTS: Record<string, AppRule> = {
  'fal-ai/veo3.1': { durations: ['4s', '6s', '8s'], aspectRatios: ['16:9', '9:16'] },
  'fal-ai/veo3.1/image-to-video': {
    durations: ['4s', '6s', '8s'],
    aspectRatios: ['16:9', '9:16', 'auto'],
    needsImage: true,
  },
  'fal-ai/kling-video/v2.5-turbo/pro/text-to-video': {
    durations: ['5', '10'],
    aspectRatios: ['16:9', '9:16', '1:1'],
  },
  'fal-ai/luma-dream-machine/ray-2': {
    durations: ['5s', '9s'],
    aspectRatios: ['16:9', '9:16', '4:3', '3:4', '21:9', '9:21'],
  },
};

type Outcome = 'success' | 'fail' | 'policy' | 'invalid' | 'timeout';

interface FalJob {
  requestId: string;
  app: string;
  endpoint: string;
  input: Record<string, unknown>;
  createdAt: number;
  polls: number;
  outcome: Outcome;
  validation?: Array<{ loc: string[]; msg: string; type: string }>;
  cancelled: boolean;
  fileId: string;
  fileFaults: { truncate: boolean; expired: boolean };
  jobFaults: JobFaults;
  /** #new-status: runs for 10 polls, reported as a status fal does not document. */
  newStatus: boolean;
  published: boolean;
}

const ROUTE =
  /^\/((?:(?:workflows|comfy)\/)?[^/]+\/[^/]+)\/requests\/([\w-]+)(\/status\/stream|\/status|\/cancel)?$/;

export class FalEmulator extends EmulatorBase {
  /** Seconds the 429 asks the client to wait. */
  retryAfterSeconds = 3;
  readonly jobs = new Map<string, FalJob>();
  /** Serve the SSE status stream (false: 404, as a queue without it). */
  statusStream = true;
  /** A comment line on open status streams this often, ms. */
  streamHeartbeatMs = 15_000;
  /** Status streams opened (each also counts as a status request in `stats.polls`). */
  streamsOpened = 0;
  /** Status streams open now. */
  openStreams = 0;
  /** Headers of the last submit (to check priority headers and the like). */
  lastSubmitHeaders: IncomingMessage['headers'] = {};

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  override start(): Promise<string> {
    return super.start((request, response, url, body) => this.route(request, response, url, body));
  }

  job(requestId: string): FalJob | undefined {
    return this.jobs.get(requestId);
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: unknown,
  ): Promise<void> {
    const auth = request.headers.authorization;
    if (!auth) return sendJson(response, 401, { detail: 'Missing authorization header' });
    if (auth !== `Key ${this.options.apiKey}`)
      return sendJson(response, 401, {
        detail: 'Invalid authorization header: the key is not valid',
      });
    const queue = ROUTE.exec(url.pathname);
    if (queue?.[1] && queue[2]) {
      const job = this.jobs.get(queue[2]);
      const action = queue[3];
      if (action === '/cancel' && request.method === 'PUT')
        return this.cancel(response, job, queue[1]);
      if (action === '/status' && request.method === 'GET')
        return this.status(request, response, job, queue[1], url);
      if (action === '/status/stream' && request.method === 'GET')
        return this.statusStream
          ? this.streamStatus(request, response, job, queue[1], url)
          : sendJson(response, 404, { detail: 'Not Found' });
      if (action === undefined && request.method === 'GET')
        return this.result(response, job, queue[1]);
      return sendJson(response, 405, { detail: 'Method Not Allowed' });
    }
    if (request.method === 'POST') return this.submit(request, response, url, body);
    return sendJson(response, 404, { detail: 'Not Found' });
  }

  private async submit(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: unknown,
  ): Promise<void> {
    const endpoint = url.pathname.replace(/^\/+|\/+$/g, '');
    const input =
      body && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    const prompt = typeof input.prompt === 'string' ? input.prompt : undefined;
    const faults = this.takeFaults(prompt);
    if (faults.has('slow')) await delay(this.options.slowMs);
    if (faults.has('reset')) return resetConnection(request);
    if (faults.has('auth'))
      return sendJson(response, 401, {
        detail: 'Invalid authorization header: the key is not valid',
      });
    if (faults.has('ratelimit') || this.overRateLimit())
      return sendJson(
        response,
        429,
        { detail: 'Rate limit exceeded: too many concurrent requests.' },
        { 'retry-after': String(this.retryAfterSeconds) },
      );
    if (faults.has('5xx'))
      return sendJson(response, 503, { detail: 'Service temporarily unavailable' });
    if (faults.has('credits'))
      return sendJson(response, 402, {
        detail:
          'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.',
      });
    const rule = ENDPOINTS[endpoint];
    if (!rule) return sendJson(response, 404, { detail: `Application '${endpoint}' not found` });
    this.lastSubmitHeaders = request.headers;
    this.stats.creates += 1;
    const parts = endpoint.split('/');
    const app = parts.slice(0, parts[0] === 'workflows' || parts[0] === 'comfy' ? 3 : 2).join('/');
    const requestId = randomUUID();
    const validation = faults.has('invalid')
      ? [
          {
            loc: ['body', 'prompt'],
            msg: 'The prompt is not valid for this model.',
            type: 'value_error',
          },
        ]
      : validate(rule, input);
    const outcome: Outcome = faults.has('policy')
      ? 'policy'
      : validation.length > 0
        ? 'invalid'
        : faults.has('fail')
          ? 'fail'
          : /#timeout\b/i.test(prompt ?? '')
            ? 'timeout'
            : 'success';
    this.jobs.set(requestId, {
      requestId,
      app,
      endpoint,
      input,
      createdAt: this.now(),
      polls: 0,
      outcome,
      validation,
      cancelled: false,
      fileId: randomUUID().replace(/-/g, ''),
      fileFaults: { truncate: false, expired: faults.has('expire') },
      jobFaults: jobFaultsOf(prompt),
      newStatus: faults.has('new-status'),
      published: false,
    });
    // The request exists (and is billed) even when the answer is mangled on its way back.
    if (faults.has('html-create')) return sendHtml(response, 200);
    if (faults.has('gateway-create')) return sendGatewayTimeout(response);
    const base = `${this.baseUrl}/${app}/requests/${requestId}`;
    sendJson(response, 200, {
      status: 'IN_QUEUE',
      request_id: requestId,
      response_url: base,
      status_url: `${base}/status`,
      cancel_url: `${base}/cancel`,
      queue_position: 1,
    });
  }

  private phase(job: FalJob): 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' {
    if (job.cancelled) return 'COMPLETED';
    if (job.jobFaults.hang) return job.polls <= 1 ? 'IN_QUEUE' : 'IN_PROGRESS';
    if (this.options.queueMs + this.options.runMs > 0) {
      const elapsed = this.now() - job.createdAt;
      if (elapsed < this.options.queueMs) return 'IN_QUEUE';
      if (elapsed < this.options.queueMs + this.options.runMs) return 'IN_PROGRESS';
      return 'COMPLETED';
    }
    const running = job.newStatus ? 10 : 1;
    return job.polls <= 1 ? 'IN_QUEUE' : job.polls <= 1 + running ? 'IN_PROGRESS' : 'COMPLETED';
  }

  private status(
    request: IncomingMessage,
    response: ServerResponse,
    job: FalJob | undefined,
    app: string,
    url: URL,
  ): void {
    if (!job || job.app !== app) return sendJson(response, 404, { detail: 'Request not found' });
    this.stats.polls += 1;
    if (this.pollFault(job.jobFaults, request, response)) return;
    job.polls += 1;
    const body = this.statusBody(job, url.searchParams.get('logs') === '1');
    sendJson(response, body.status === 'COMPLETED' ? 200 : 202, body);
  }

  /**
   * The SSE variant of the status call: the status now, then at every change, until COMPLETED
   * (then the server ends the stream). Counted as one status request.
   */
  private streamStatus(
    request: IncomingMessage,
    response: ServerResponse,
    job: FalJob | undefined,
    app: string,
    url: URL,
  ): void {
    if (!job || job.app !== app) return sendJson(response, 404, { detail: 'Request not found' });
    this.stats.polls += 1;
    if (this.pollFault(job.jobFaults, request, response)) return;
    const withLogs = url.searchParams.get('logs') === '1';
    const drop = /#stream-drop\b/i.test(String(job.input.prompt ?? ''));
    const stall = /#stream-stall\b/i.test(String(job.input.prompt ?? ''));
    this.streamsOpened += 1;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    this.openStreams += 1;
    let last: string | undefined;
    let lastStatus: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), this.streamHeartbeatMs);
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.openStreams -= 1;
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      response.end();
    };
    // The client went away (the response's close: the request's has already fired once its body
    // was read).
    response.on('close', close);
    const send = (): void => {
      if (closed) return;
      // Poll-driven (zero-time) emulators advance one phase per event, as per poll.
      job.polls += 1;
      const body = this.statusBody(job, withLogs);
      // fal pushes every change: a job seen queued and next completed (this process was busy
      // past its whole run) still went through IN_PROGRESS, and the stream says so.
      if (body.status === 'COMPLETED' && lastStatus === 'IN_QUEUE' && !job.cancelled)
        response.write(
          `data: ${JSON.stringify(this.statusBody(job, withLogs, 'IN_PROGRESS'))}\n\n`,
        );
      lastStatus = body.status;
      const text = JSON.stringify(body);
      if (text !== last) {
        last = text;
        response.write(`data: ${text}\n\n`);
      }
      if (body.status === 'COMPLETED' || drop) return close();
      if (stall) return; // heartbeats only from here on
      timer = setTimeout(send, this.untilNextPhase(job));
    };
    send();
  }

  /** ms until the job's phase may change (a short tick when no clock drives it). */
  private untilNextPhase(job: FalJob): number {
    if (job.cancelled || job.jobFaults.hang || this.options.queueMs + this.options.runMs === 0)
      return job.jobFaults.hang ? 1000 : 5;
    const elapsed = this.now() - job.createdAt;
    const next =
      elapsed < this.options.queueMs
        ? this.options.queueMs
        : this.options.queueMs + this.options.runMs;
    return Math.max(1, next - elapsed);
  }

  private statusBody(
    job: FalJob,
    withLogs: boolean,
    phase = this.phase(job),
  ): Record<string, unknown> & { status: string } {
    const responseUrl = `${this.baseUrl}/${job.app}/requests/${job.requestId}`;
    if (phase === 'IN_QUEUE')
      return {
        status: phase,
        request_id: job.requestId,
        response_url: responseUrl,
        queue_position: 0,
      };
    const logs = withLogs
      ? [
          {
            message: 'Generating video…',
            level: 'INFO',
            source: 'USER',
            timestamp: new Date(this.now()).toISOString(),
          },
        ]
      : null;
    if (phase === 'IN_PROGRESS')
      return {
        status: job.newStatus ? 'UPSCALING' : phase,
        request_id: job.requestId,
        response_url: responseUrl,
        logs,
      };
    return {
      status: phase,
      request_id: job.requestId,
      response_url: responseUrl,
      logs,
      metrics: { inference_time: job.cancelled ? null : 41.7 },
    };
  }

  private result(response: ServerResponse, job: FalJob | undefined, app: string): void {
    if (!job || job.app !== app) return sendJson(response, 404, { detail: 'Request not found' });
    if (this.phase(job) !== 'COMPLETED')
      return sendJson(response, 400, { detail: 'Request is still in progress' });
    const idHeader = { 'x-fal-request-id': job.requestId };
    if (job.cancelled)
      return sendJson(response, 400, { detail: 'Request was cancelled by the user.' }, idHeader);
    switch (job.outcome) {
      case 'invalid':
        return sendJson(response, 422, { detail: job.validation }, idHeader);
      case 'policy':
        return sendJson(
          response,
          422,
          {
            detail: [
              {
                loc: ['body', 'prompt'],
                msg: 'The content could not be processed because it contained material flagged by a content checker.',
                type: 'content_policy_violation',
                url: 'https://docs.fal.ai/errors#content_policy_violation',
              },
            ],
          },
          idHeader,
        );
      case 'fail':
        return sendJson(
          response,
          500,
          {
            detail: 'Internal error while generating the video.',
            error_type: 'internal_server_error',
          },
          { ...idHeader, 'x-fal-error-type': 'internal_server_error' },
        );
      case 'timeout':
        return sendJson(
          response,
          504,
          { detail: 'Request timed out.', error_type: 'request_timeout' },
          { ...idHeader, 'x-fal-error-type': 'request_timeout' },
        );
      default: {
        const url = job.published
          ? `${this.baseUrl}/files/${job.fileId}.mp4`
          : this.publishFile(job.fileId, { ...job.fileFaults, faults: job.jobFaults.download });
        job.published = true;
        return sendJson(
          response,
          200,
          {
            video: {
              url,
              content_type: 'video/mp4',
              file_name: `${job.fileId}.mp4`,
              file_size: CLIP.length,
            },
            seed: typeof job.input.seed === 'number' ? job.input.seed : 1234,
          },
          idHeader,
        );
      }
    }
  }

  private cancel(response: ServerResponse, job: FalJob | undefined, app: string): void {
    if (!job || job.app !== app) return sendJson(response, 404, { status: 'NOT_FOUND' });
    this.stats.cancels += 1;
    if (this.phase(job) === 'COMPLETED')
      return sendJson(response, 400, { status: 'ALREADY_COMPLETED' });
    job.cancelled = true;
    sendJson(response, 202, { status: 'CANCELLATION_REQUESTED' });
  }
}

function validate(
  rule: AppRule,
  input: Record<string, unknown>,
): Array<{ loc: string[]; msg: string; type: string }> {
  const issues: Array<{ loc: string[]; msg: string; type: string }> = [];
  if (typeof input.prompt !== 'string' || input.prompt.length === 0)
    issues.push({ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' });
  if (
    input.duration !== undefined &&
    rule.durations &&
    !rule.durations.includes(String(input.duration as string))
  ) {
    issues.push({
      loc: ['body', 'duration'],
      msg: `Input should be ${rule.durations.map((d) => `'${d}'`).join(' or ')}`,
      type: 'literal_error',
    });
  }
  if (input.duration !== undefined && typeof input.duration !== 'string')
    issues.push({
      loc: ['body', 'duration'],
      msg: 'Input should be a valid string',
      type: 'string_type',
    });
  if (
    input.aspect_ratio !== undefined &&
    rule.aspectRatios &&
    !rule.aspectRatios.includes(String(input.aspect_ratio as string))
  ) {
    issues.push({
      loc: ['body', 'aspect_ratio'],
      msg: `Input should be ${rule.aspectRatios.map((a) => `'${a}'`).join(' or ')}`,
      type: 'literal_error',
    });
  }
  if (rule.needsImage && typeof input.image_url !== 'string')
    issues.push({ loc: ['body', 'image_url'], msg: 'Field required', type: 'missing' });
  return issues;
}
