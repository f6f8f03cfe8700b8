/**
 * A local Replicate API (provider-apis.md §3 and §7 "Replicate").
 *
 * - Auth `Authorization: Bearer <token>` (old clients send `Token <token>`; both accepted).
 * - Create: POST /v1/models/{owner}/{name}/predictions {input} for official models and
 *   POST /v1/predictions {version, input}; both answer 201 `starting` with urls{get,cancel,web}.
 *   `Prefer: wait[=N]` holds the answer up to min(N, 60) s (scaled by `waitScale` for tests).
 *   `Cancel-After: 90s|5m|1h|500ms` sets a deadline: a prediction not started by then ends
 *   `aborted`, a running one `canceled`.
 * - Poll GET /v1/predictions/{id}; list GET /v1/predictions → {next, previous, results};
 *   cancel POST /v1/predictions/{id}/cancel; GET /v1/collections/text-to-video;
 *   GET /v1/webhooks/default/secret → {key: "whsec_…"}.
 * - Lifecycle starting → processing (logs grow) → succeeded (output URI or array,
 *   metrics.predict_time) | failed (error). With queueMs/runMs at 0 every poll advances a step.
 * - Retention: `retentionMs` (default 1 h) after completion → data_removed, output null, file 404.
 * - Webhooks: `webhook` + `webhook_events_filter` (start, output, logs, completed; default output +
 *   completed) POST the prediction JSON signed with `webhook-id`, `webhook-timestamp` and
 *   `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` under the `whsec_` secret;
 *   a non-2xx delivery is retried with the same webhook-id (`webhookRetries` times).
 * - Errors are RFC 7807 `{title, detail, status}`; 429 is `{detail}` with Retry-After, from the
 *   #ratelimit fault or once `createLimitPerMinute` creates were made within a minute.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
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
} from './emulator-kit';

type Status = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

interface Prediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  deadline?: number;
  polls: number;
  faults: Set<Fault>;
  jobFaults: JobFaults;
  status: Status;
  logs: string;
  output?: string | string[] | null;
  fileIds: string[];
  error?: string;
  dataRemoved: boolean;
  webhook?: string;
  webhookEvents?: string[];
}

export interface WebhookDelivery {
  webhookId: string;
  event: string;
  status: string;
  attempt: number;
  httpStatus: number | undefined;
}

/** Official models the emulator serves, with a version hash each. */
export const REPLICATE_EMULATOR_MODELS: Record<string, string> = {
  'google/veo-3': 'a'.repeat(64),
  'google/veo-3.1-fast': 'b'.repeat(64),
  'minimax/video-01': 'c'.repeat(64),
  'bytedance/seedance-1-lite': 'd'.repeat(64),
  'luma/ray': 'e'.repeat(64),
  /** A community model reached only through its version. */
  'acme/tiny-video': '0123456789abcdef'.repeat(4),
};

const MAX_WAIT_S = 60;

export function parseCancelAfter(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match?.[1] || !match[2]) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function problem(status: number, title: string, detail: string): unknown {
  return { type: `https://replicate.com/docs/reference/http#${status}`, title, detail, status };
}

export class ReplicateEmulator extends EmulatorBase {
  readonly predictions = new Map<string, Prediction>();
  /** Models whose output is an array of URIs instead of one string. */
  readonly arrayOutputModels = new Set<string>();
  retentionMs = 3_600_000;
  createLimitPerMinute = Number.POSITIVE_INFINITY;
  retryAfterSeconds = 3;
  /** Multiplies Prefer: wait seconds (tests use small values). */
  waitScale = 1;
  readonly webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  /** Seconds of the last `Prefer: wait` create (after the 60 s cap), for tests. */
  lastPreferWait: number | undefined;
  /** Last Cancel-After header received, for tests. */
  lastCancelAfter: string | undefined;
  private recentCreates: number[] = [];
  /** Extra attempts after a non-2xx webhook delivery. */
  webhookRetries = 3;
  webhookRetryDelayMs = 30;
  readonly webhookDeliveries: WebhookDelivery[] = [];
  /** Extra `owner/name` entries the text-to-video collection lists (release-monitor tests). */
  readonly extraCollectionModels: string[] = [];
  /** `owner/name` entries the collection leaves out (a model Replicate stopped listing). */
  readonly hiddenCollectionModels = new Set<string>();
  /** The next collection answers fail with this status, one per call (e.g. 500, 503). */
  readonly collectionFailures: number[] = [];
  private readonly pendingDeliveries = new Set<Promise<void>>();
  /**
   * Awaited before the prediction list is answered (tests: a list call that is slow while other
   * creates finish). Called once per list request; the list is read after it settles.
   */
  beforeList: (() => Promise<void>) | undefined;

  constructor(options: EmulatorOptions = {}) {
    super({ ...options, apiKey: options.apiKey ?? 'r8_emulatorToken0123456789abcdef' });
  }

  override start(): Promise<string> {
    return super.start((request, response, url, body) => this.route(request, response, url, body));
  }

  /** Expired Replicate delivery URLs answer 404. */
  override serveFile(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    expiredStatus = 404,
  ): boolean {
    return super.serveFile(request, response, url, expiredStatus);
  }

  private authorized(request: IncomingMessage): boolean {
    const auth = String(request.headers.authorization ?? '');
    return auth === `Bearer ${this.options.apiKey}` || auth === `Token ${this.options.apiKey}`;
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: unknown,
  ): Promise<void> {
    if (!this.authorized(request)) {
      return sendJson(
        response,
        401,
        problem(401, 'Unauthenticated', 'You did not pass a valid authentication token'),
      );
    }
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const official = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path);
    if (method === 'POST' && official?.[1] && official[2])
      return this.create(request, response, body, `${official[1]}/${official[2]}`);
    if (method === 'POST' && path === '/v1/predictions')
      return this.create(request, response, body, undefined);
    if (method === 'GET' && path === '/v1/predictions') {
      await this.beforeList?.();
      const results = [...this.predictions.values()]
        .reverse()
        .map((prediction) => this.render(prediction));
      return sendJson(response, 200, { next: null, previous: null, results });
    }
    const cancel = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(path);
    if (method === 'POST' && cancel?.[1]) return this.cancel(response, cancel[1]);
    const get = /^\/v1\/predictions\/([^/]+)$/.exec(path);
    if (method === 'GET' && get?.[1]) return this.retrieve(request, response, get[1]);
    if (method === 'GET' && path === '/v1/collections/text-to-video')
      return this.collection(response);
    if (method === 'GET' && path === '/v1/webhooks/default/secret')
      return sendJson(response, 200, { key: this.webhookSecret });
    return sendJson(
      response,
      404,
      problem(404, 'Not found', `The requested resource ${path} could not be found`),
    );
  }

  private async create(
    request: IncomingMessage,
    response: ServerResponse,
    body: unknown,
    modelFromPath: string | undefined,
  ): Promise<void> {
    const data = (body ?? {}) as Record<string, unknown>;
    const input = (data.input && typeof data.input === 'object' ? data.input : {}) as Record<
      string,
      unknown
    >;
    const prompt = typeof input.prompt === 'string' ? input.prompt : '';
    const faults = this.takeFaults(prompt);
    if (faults.has('reset')) return resetConnection(request);
    if (faults.has('slow')) await delay(this.options.slowMs);
    if (faults.has('auth'))
      return sendJson(
        response,
        401,
        problem(401, 'Unauthenticated', 'You did not pass a valid authentication token'),
      );
    const now = this.now();
    this.recentCreates = this.recentCreates.filter((at) => now - at < 60_000);
    if (faults.has('ratelimit') || this.recentCreates.length >= this.createLimitPerMinute) {
      return sendJson(
        response,
        429,
        { detail: `Request was throttled. Your rate limit resets in ~${this.retryAfterSeconds}s.` },
        { 'retry-after': String(this.retryAfterSeconds) },
      );
    }
    if (faults.has('5xx'))
      return sendJson(
        response,
        500,
        problem(500, 'Internal server error', 'An unexpected error occurred. Please try again.'),
      );
    if (faults.has('credits'))
      return sendJson(
        response,
        402,
        problem(
          402,
          'Insufficient credit',
          'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit.',
        ),
      );
    let model: string | undefined = modelFromPath;
    let version: string | undefined;
    if (modelFromPath) {
      version = REPLICATE_EMULATOR_MODELS[modelFromPath];
      if (!version || modelFromPath === 'acme/tiny-video') {
        return sendJson(
          response,
          404,
          problem(
            404,
            'Model not found',
            `The model ${modelFromPath} does not exist or is not an official model; run it by version instead`,
          ),
        );
      }
    } else {
      const requested = typeof data.version === 'string' ? data.version : '';
      const byHash = Object.entries(REPLICATE_EMULATOR_MODELS).find(
        ([, hash]) => hash === requested || requested.endsWith(`:${hash}`),
      );
      const byName = REPLICATE_EMULATOR_MODELS[requested];
      if (byHash) [model, version] = byHash;
      else if (byName) [model, version] = [requested, byName];
      else
        return sendJson(
          response,
          422,
          problem(
            422,
            'Invalid version or not permitted',
            `The specified version does not exist (or perhaps you don't have permission to use it?)`,
          ),
        );
    }
    if (faults.has('invalid') || typeof input.prompt !== 'string') {
      return sendJson(response, 422, {
        ...(problem(422, 'Input validation failed', 'input: prompt is required') as object),
        invalid_fields: [{ type: 'required', field: 'prompt', description: 'prompt is required' }],
      });
    }
    const cancelAfterHeader = request.headers['cancel-after'];
    let deadline: number | undefined;
    if (typeof cancelAfterHeader === 'string') {
      this.lastCancelAfter = cancelAfterHeader;
      const ms = parseCancelAfter(cancelAfterHeader);
      if (ms === undefined)
        return sendJson(
          response,
          400,
          problem(
            400,
            'Invalid Cancel-After header',
            `Could not parse duration "${cancelAfterHeader}"`,
          ),
        );
      deadline = now + ms;
    }
    this.stats.creates += 1;
    this.recentCreates.push(now);
    const prediction: Prediction = {
      id: randomBytes(13)
        .toString('base64url')
        .toLowerCase()
        .replace(/[^a-z0-9]/g, 'x')
        .slice(0, 26),
      model: model as string,
      version: version as string,
      input,
      createdAt: now,
      polls: 0,
      faults,
      jobFaults: jobFaultsOf(prompt),
      status: 'starting',
      logs: '',
      fileIds: [],
      dataRemoved: false,
      ...(deadline === undefined ? {} : { deadline }),
      ...(typeof data.webhook === 'string' ? { webhook: data.webhook } : {}),
      ...(Array.isArray(data.webhook_events_filter)
        ? { webhookEvents: data.webhook_events_filter.map(String) }
        : {}),
    };
    this.predictions.set(prediction.id, prediction);
    this.emit(prediction, 'start');
    const prefer = request.headers.prefer;
    if (typeof prefer === 'string' && /^wait(=\d+)?$/.test(prefer.trim())) {
      const seconds = Math.min(MAX_WAIT_S, Number(prefer.split('=')[1] ?? MAX_WAIT_S));
      this.lastPreferWait = seconds;
      const until = Date.now() + seconds * 1000 * this.waitScale;
      let clientGone = false;
      response.once('close', () => (clientGone = true));
      // The prediction runs on whether or not the client waits for it.
      while (!this.terminal(prediction) && Date.now() < until && !clientGone) {
        await delay(20);
        prediction.polls += 1;
        this.advance(prediction);
      }
    }
    // The prediction exists (and is billed) even when the answer is mangled on its way back.
    if (faults.has('html-create')) return sendHtml(response, 200);
    if (faults.has('gateway-create')) return sendGatewayTimeout(response);
    sendJson(response, 201, this.render(prediction));
  }

  private terminal(prediction: Prediction): boolean {
    return ['succeeded', 'failed', 'canceled', 'aborted'].includes(prediction.status);
  }

  private advance(prediction: Prediction): void {
    const now = this.now();
    if (!this.terminal(prediction)) {
      if (prediction.deadline !== undefined && now >= prediction.deadline) {
        prediction.status = prediction.status === 'starting' ? 'aborted' : 'canceled';
        prediction.completedAt = now;
        this.emit(prediction, 'completed');
        return;
      }
      let next: 'starting' | 'processing' | 'done';
      if (this.options.queueMs === 0 && this.options.runMs === 0) {
        next = prediction.polls <= 1 ? 'starting' : prediction.polls === 2 ? 'processing' : 'done';
      } else {
        const elapsed = now - prediction.createdAt;
        next =
          elapsed < this.options.queueMs
            ? 'starting'
            : elapsed < this.options.queueMs + this.options.runMs
              ? 'processing'
              : 'done';
      }
      if (next === 'starting') return;
      if (prediction.startedAt === undefined) prediction.startedAt = now;
      if (next === 'processing' || prediction.jobFaults.hang) {
        prediction.status = 'processing';
        const percent =
          this.options.runMs > 0
            ? Math.min(99, Math.floor(((now - prediction.startedAt) / this.options.runMs) * 100))
            : 50;
        prediction.logs += `Generating video...\n${percent}%|${'█'.repeat(Math.floor(percent / 10))}| step\n`;
        this.emit(prediction, 'logs');
        return;
      }
      prediction.completedAt = now;
      prediction.logs += '100%|██████████| done\n';
      if (prediction.faults.has('policy')) {
        prediction.status = 'failed';
        prediction.error =
          'NSFW content detected. Try running it again, or try a different prompt. (E005)';
        this.emit(prediction, 'completed');
        return;
      }
      if (prediction.faults.has('fail')) {
        prediction.status = 'failed';
        prediction.error = 'CUDA error: an illegal memory access was encountered';
        this.emit(prediction, 'completed');
        return;
      }
      prediction.status = 'succeeded';
      const options = {
        expired: prediction.faults.has('expire'),
        truncate: false,
        faults: prediction.jobFaults.download,
      };
      const first = `replicate-${prediction.id}-0`;
      prediction.fileIds.push(first);
      const url = this.publishFile(first, options);
      if (this.arrayOutputModels.has(prediction.model)) {
        const second = `replicate-${prediction.id}-1`;
        prediction.fileIds.push(second);
        prediction.output = [url, this.publishFile(second, options)];
      } else {
        prediction.output = url;
      }
      this.emit(prediction, 'output');
      this.emit(prediction, 'completed');
      return;
    }
    if (
      !prediction.dataRemoved &&
      prediction.completedAt !== undefined &&
      now - prediction.completedAt >= this.retentionMs
    ) {
      prediction.dataRemoved = true;
      prediction.output = null;
      prediction.input = {};
      prediction.logs = '';
      for (const id of prediction.fileIds) this.expireFile(id);
    }
  }

  private render(prediction: Prediction): Record<string, unknown> {
    const base = `${this.baseUrl}/v1/predictions/${prediction.id}`;
    const iso = (ms: number | undefined): string | null =>
      ms === undefined ? null : new Date(ms).toISOString();
    return {
      id: prediction.id,
      model: prediction.model,
      version: prediction.model === 'acme/tiny-video' ? prediction.version : 'hidden',
      input: prediction.input,
      logs: prediction.logs,
      output:
        prediction.status === 'succeeded' || prediction.dataRemoved
          ? (prediction.output ?? null)
          : null,
      data_removed: prediction.dataRemoved,
      error: prediction.error ?? null,
      status: prediction.status,
      source: 'api',
      created_at: iso(prediction.createdAt),
      started_at: iso(prediction.startedAt),
      completed_at: iso(prediction.completedAt),
      ...(prediction.deadline === undefined ? {} : { deadline: iso(prediction.deadline) }),
      metrics:
        prediction.status === 'succeeded' &&
        prediction.startedAt !== undefined &&
        prediction.completedAt !== undefined
          ? {
              predict_time: Math.max(0.5, (prediction.completedAt - prediction.startedAt) / 1000),
              total_time: Math.max(0.5, (prediction.completedAt - prediction.createdAt) / 1000),
            }
          : {},
      urls: {
        get: base,
        cancel: `${base}/cancel`,
        web: `https://replicate.com/p/${prediction.id}`,
        stream: `${this.baseUrl}/stream/${prediction.id}`,
      },
      webhook: null,
      webhook_events_filter: ['start', 'completed'],
    };
  }

  private retrieve(request: IncomingMessage, response: ServerResponse, id: string): void {
    const prediction = this.predictions.get(id);
    if (!prediction)
      return sendJson(
        response,
        404,
        problem(404, 'Not found', 'The requested resource could not be found'),
      );
    this.stats.polls += 1;
    if (this.pollFault(prediction.jobFaults, request, response)) return;
    prediction.polls += 1;
    this.advance(prediction);
    sendJson(response, 200, this.render(prediction));
  }

  private cancel(response: ServerResponse, id: string): void {
    const prediction = this.predictions.get(id);
    if (!prediction)
      return sendJson(
        response,
        404,
        problem(404, 'Not found', 'The requested resource could not be found'),
      );
    this.stats.cancels += 1;
    if (!this.terminal(prediction)) {
      prediction.status = 'canceled';
      prediction.completedAt = this.now();
      this.emit(prediction, 'completed');
    }
    sendJson(response, 200, this.render(prediction));
  }

  /** Waits for every webhook delivery started so far (tests). */
  async flushWebhooks(): Promise<void> {
    while (this.pendingDeliveries.size > 0) await Promise.all([...this.pendingDeliveries]);
  }

  /** Signs a webhook body the way Replicate does (Standard Webhooks). */
  signWebhook(webhookId: string, timestamp: number, body: string): string {
    const key = Buffer.from(this.webhookSecret.slice('whsec_'.length), 'base64');
    return `v1,${createHmac('sha256', key).update(`${webhookId}.${timestamp}.${body}`).digest('base64')}`;
  }

  private emit(prediction: Prediction, event: 'start' | 'output' | 'logs' | 'completed'): void {
    if (!prediction.webhook) return;
    const filter = prediction.webhookEvents ?? ['output', 'completed'];
    if (!filter.includes(event)) return;
    const url = prediction.webhook;
    const body = JSON.stringify(this.render(prediction));
    const webhookId = `msg_${randomBytes(12).toString('hex')}`;
    const status = prediction.status;
    const delivery = (async () => {
      for (let attempt = 1; attempt <= 1 + this.webhookRetries; attempt += 1) {
        const timestamp = Math.floor(this.now() / 1000);
        let httpStatus: number | undefined;
        try {
          const answer = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': webhookId,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': this.signWebhook(webhookId, timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(5000),
          });
          httpStatus = answer.status;
          await answer.arrayBuffer().catch(() => undefined);
        } catch {
          httpStatus = undefined;
        }
        this.webhookDeliveries.push({ webhookId, event, status, attempt, httpStatus });
        if (httpStatus !== undefined && httpStatus >= 200 && httpStatus < 300) return;
        await delay(this.webhookRetryDelayMs);
      }
    })();
    this.pendingDeliveries.add(delivery);
    void delivery.finally(() => this.pendingDeliveries.delete(delivery));
  }

  private collection(response: ServerResponse): void {
    const failure = this.collectionFailures.shift();
    if (failure !== undefined)
      return sendJson(
        response,
        failure,
        problem(failure, 'Internal Server Error', 'Something went wrong on our end.'),
      );
    const extra = this.extraCollectionModels.map(
      (name, index) => [name, index.toString(16).padStart(64, 'e')] as const,
    );
    const models = [...Object.entries(REPLICATE_EMULATOR_MODELS), ...extra]
      .filter(([name]) => name !== 'acme/tiny-video' && !this.hiddenCollectionModels.has(name))
      .map(([name, hash]) => {
        const [owner, model] = name.split('/');
        return {
          url: `https://replicate.com/${name}`,
          owner,
          name: model,
          description: `${name} video model`,
          visibility: 'public',
          run_count: 1000,
          latest_version: { id: hash },
        };
      });
    if (!this.hiddenCollectionModels.has('newco/brand-new-video'))
      models.push({
        url: 'https://replicate.com/newco/brand-new-video',
        owner: 'newco',
        name: 'brand-new-video',
        description: 'new',
        visibility: 'public',
        run_count: 1,
        latest_version: { id: 'f'.repeat(64) },
      });
    sendJson(response, 200, {
      name: 'Generate videos',
      slug: 'text-to-video',
      description: 'Models that create and edit videos',
      models,
    });
  }
}
