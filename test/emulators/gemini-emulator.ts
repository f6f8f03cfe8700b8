/**
 * A local emulator of Google Veo on the Gemini API (v1beta), faithful to provider-apis.md §4/§7:
 * x-goog-api-key auth, POST models/{m}:predictLongRunning → {name:"models/{m}/operations/{id}"},
 * GET /v1beta/{name} → {name, done:false} until ready, then a result, an RAI-filtered result or
 * done:true with error{code,message}; the file uri needs the key and answers 302 to the bytes;
 * files expire after 2 days. Errors are {"error":{code, message, status, details?}}.
 *
 * Job progress: with queueMs/runMs of 0 each poll advances (first poll pending, second done);
 * otherwise the clock decides.
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
} from './emulator-kit';

interface VeoModelRule {
  durations: number[];
  resolutions: string[];
  /** 1080p only at 8 s (Veo 3.1). */
  hdOnlyAt8: boolean;
}

const MODEL_RULES: Record<string, VeoModelRule> = {
  'veo-3.1-generate-preview': {
    durations: [4, 6, 8],
    resolutions: ['720p', '1080p'],
    hdOnlyAt8: true,
  },
  'veo-3.1-fast-generate-preview': {
    durations: [4, 6, 8],
    resolutions: ['720p', '1080p'],
    hdOnlyAt8: true,
  },
  'veo-3.0-generate-001': { durations: [8], resolutions: ['720p', '1080p'], hdOnlyAt8: false },
  'veo-3.0-fast-generate-001': { durations: [8], resolutions: ['720p', '1080p'], hdOnlyAt8: false },
  'veo-2.0-generate-001': { durations: [5, 6, 7, 8], resolutions: ['720p'], hdOnlyAt8: false },
};

/** Models the list call returns; includes non-video ones so the filter is exercised. */
const LISTED_MODELS = [
  {
    name: 'models/gemini-2.5-flash',
    displayName: 'Gemini 2.5 Flash',
    supportedGenerationMethods: ['generateContent', 'countTokens'],
  },
  {
    name: 'models/text-embedding-004',
    displayName: 'Text Embedding 004',
    supportedGenerationMethods: ['embedContent'],
  },
  ...Object.keys(MODEL_RULES).map((id) => ({
    name: `models/${id}`,
    displayName: id,
    supportedGenerationMethods: ['predictLongRunning'],
  })),
  {
    name: 'models/veo-3.1-lite-generate-preview',
    displayName: 'Veo 3.1 Lite',
    supportedGenerationMethods: ['predictLongRunning'],
  },
  {
    name: 'models/imagen-4.0-generate-001',
    displayName: 'Imagen 4',
    supportedGenerationMethods: ['predict'],
  },
];

/**
 * Catalogue faults for the release-monitor tests, each used by the next GET /v1beta/models call:
 * `error` → 503 UNAVAILABLE, `empty` → `{}`, `malformed` → `models` is not a list, `truncated` →
 * the JSON cut in half, `partial` → the first page without its nextPageToken.
 */
export type GeminiCatalogueFault = 'error' | 'empty' | 'malformed' | 'truncated' | 'partial';

interface VeoJob {
  name: string;
  model: string;
  createdAt: number;
  polls: number;
  outcome: 'success' | 'fail' | 'policy' | 'empty';
  fileId: string;
  fileFaults: { truncate: boolean; expired: boolean };
  jobFaults: JobFaults;
}

export interface GeminiEmulatorOptions extends EmulatorOptions {
  /** Page size for GET /v1beta/models (to exercise nextPageToken). Default 4. */
  listPageSize?: number;
  /** Test aid, off by default (Google never does this): echo the caller's key in error messages, to prove adapters scrub it. */
  echoKeyInErrors?: boolean;
}

export class GeminiEmulator extends EmulatorBase {
  /** Seconds the 429 asks the client to wait. */
  retryDelaySeconds = 17;
  readonly jobs = new Map<string, VeoJob>();
  /** Every create body received, newest last. */
  readonly createBodies: unknown[] = [];
  private readonly listPageSize: number;
  private readonly echoKey: boolean;
  /** Extra entries the models call lists (the release-monitor tests add ids between calls). */
  readonly extraModels: Array<{
    name: string;
    displayName?: string;
    supportedGenerationMethods?: string[];
  }> = [];
  /** Model names (`models/...`) the models call leaves out. */
  readonly hiddenModels = new Set<string>();
  /** Bad answers for the next models calls (one page each), in order. */
  readonly catalogueFaults: GeminiCatalogueFault[] = [];
  /** GET /v1beta/models calls answered (one per page). */
  catalogueCalls = 0;
  /**
   * Endless pagination: the last page's nextPageToken points back at the first page, so a
   * client that follows tokens blindly walks the same pages forever (a vendor paging bug).
   */
  catalogueLoops = false;

  constructor(options: GeminiEmulatorOptions = {}) {
    super({ outputTtlMs: 2 * 24 * 3600_000, ...options });
    this.listPageSize = options.listPageSize ?? 4;
    this.echoKey = options.echoKeyInErrors ?? false;
  }

  override start(): Promise<string> {
    return super.start((request, response, url, body) => this.route(request, response, url, body));
  }

  /** Marks a job's file as expired (as if the 2 days had passed). */
  expireJobFile(name: string): void {
    const job = this.jobs.get(name);
    if (job) this.expireFile(job.fileId);
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: unknown,
  ): Promise<void> {
    const path = decodeURIComponent(url.pathname);
    if (!path.startsWith('/v1beta/'))
      return googleError(
        response,
        404,
        'NOT_FOUND',
        `The requested URL ${path} was not found on this server.`,
      );
    const key = headerValue(request, 'x-goog-api-key') ?? url.searchParams.get('key') ?? undefined;
    if (key === undefined) {
      return googleError(
        response,
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (key !== this.options.apiKey) {
      return googleError(
        response,
        400,
        'INVALID_ARGUMENT',
        `API key not valid. Please pass a valid API key.${this.echoKey ? ` (got ${key})` : ''}`,
        [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
          },
        ],
      );
    }
    const create = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/.exec(path);
    if (create?.[1] && request.method === 'POST')
      return this.create(request, response, create[1], body);
    const operation = /^\/v1beta\/(models\/[^/]+\/operations\/[^/]+)$/.exec(path);
    if (operation?.[1] && request.method === 'GET')
      return this.poll(request, response, operation[1]);
    const file = /^\/v1beta\/files\/([\w-]+):download$/.exec(path);
    if (file?.[1] && request.method === 'GET') {
      response.writeHead(302, { location: `${this.baseUrl}/files/${file[1]}.mp4` });
      response.end();
      return;
    }
    if (path === '/v1beta/models' && request.method === 'GET') return this.list(response, url);
    return googleError(
      response,
      404,
      'NOT_FOUND',
      `Method not found: ${request.method ?? 'GET'} ${path}`,
    );
  }

  private list(response: ServerResponse, url: URL): void {
    const start = Number(url.searchParams.get('pageToken') ?? '0') || 0;
    const size = Math.min(
      Number(url.searchParams.get('pageSize') ?? '50') || 50,
      this.listPageSize,
    );
    const listed = [...LISTED_MODELS, ...this.extraModels].filter(
      (model) => !this.hiddenModels.has(model.name),
    );
    const page = listed.slice(start, start + size);
    const next =
      start + size < listed.length ? String(start + size) : this.catalogueLoops ? '0' : undefined;
    this.catalogueCalls += 1;
    const fault = this.catalogueFaults.shift();
    if (fault === 'error')
      return googleError(response, 503, 'UNAVAILABLE', 'The service is currently unavailable.');
    if (fault === 'empty') return sendJson(response, 200, {});
    if (fault === 'malformed')
      return sendJson(response, 200, { models: 'temporarily unavailable' });
    if (fault === 'truncated') {
      const text = JSON.stringify({ models: page, nextPageToken: next });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(text.slice(0, Math.floor(text.length / 2)));
      return;
    }
    sendJson(response, 200, {
      models: page,
      ...(next === undefined || fault === 'partial' ? {} : { nextPageToken: next }),
    });
  }

  private async create(
    request: IncomingMessage,
    response: ServerResponse,
    model: string,
    body: unknown,
  ): Promise<void> {
    const payload = (body ?? {}) as { instances?: unknown; parameters?: Record<string, unknown> };
    this.createBodies.push(body);
    const instances = Array.isArray(payload.instances)
      ? (payload.instances as Array<Record<string, unknown>>)
      : undefined;
    const prompt =
      typeof instances?.[0]?.prompt === 'string' ? (instances[0].prompt as string) : undefined;
    const faults = this.takeFaults(prompt);
    if (faults.has('slow')) await delay(this.options.slowMs);
    if (faults.has('reset')) return resetConnection(request);
    if (faults.has('auth'))
      return googleError(response, 403, 'PERMISSION_DENIED', 'The caller does not have permission');
    if (faults.has('ratelimit') || this.overRateLimit()) {
      return googleError(
        response,
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric: 'generativelanguage.googleapis.com/predict_long_running_requests',
                quotaId: 'PredictLongRunningRequestsPerMinutePerProjectPerModel',
              },
            ],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.RetryInfo',
            retryDelay: `${this.retryDelaySeconds}s`,
          },
        ],
      );
    }
    if (faults.has('5xx'))
      return googleError(
        response,
        503,
        'UNAVAILABLE',
        'The model is overloaded. Please try again later.',
      );
    if (faults.has('credits'))
      return googleError(
        response,
        402,
        'FAILED_PRECONDITION',
        'Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing.',
      );
    if (faults.has('invalid')) {
      const echo = this.echoKey ? ` (key ${headerValue(request, 'x-goog-api-key') ?? ''})` : '';
      return googleError(
        response,
        400,
        'INVALID_ARGUMENT',
        `Request contains an invalid argument.${echo}`,
      );
    }
    const rules = MODEL_RULES[model];
    if (!rules)
      return googleError(
        response,
        404,
        'NOT_FOUND',
        `models/${model} is not found for API version v1beta, or is not supported for predictLongRunning. Call ListModels to see the list of available models and their supported methods.`,
      );
    const problem = validate(rules, instances, prompt, payload.parameters);
    if (problem) return googleError(response, 400, 'INVALID_ARGUMENT', problem);
    this.stats.creates += 1;
    const name = `models/${model}/operations/${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const outcome: VeoJob['outcome'] = faults.has('policy')
      ? 'policy'
      : faults.has('fail')
        ? 'fail'
        : /#empty\b/i.test(prompt ?? '')
          ? 'empty'
          : 'success';
    this.jobs.set(name, {
      name,
      model,
      createdAt: this.now(),
      polls: 0,
      outcome,
      fileId: randomUUID().replace(/-/g, ''),
      fileFaults: { truncate: false, expired: faults.has('expire') },
      jobFaults: jobFaultsOf(prompt),
    });
    // The operation exists (and is billed) even when the answer is mangled on its way back.
    if (faults.has('html-create')) return sendHtml(response, 200);
    if (faults.has('gateway-create')) return sendGatewayTimeout(response);
    sendJson(response, 200, { name });
  }

  private poll(request: IncomingMessage, response: ServerResponse, name: string): void {
    const job = this.jobs.get(name);
    if (!job) return googleError(response, 404, 'NOT_FOUND', `Operation ${name} not found.`);
    this.stats.polls += 1;
    if (this.pollFault(job.jobFaults, request, response)) return;
    job.polls += 1;
    const timed = this.options.queueMs + this.options.runMs > 0;
    const done = timed
      ? this.now() - job.createdAt >= this.options.queueMs + this.options.runMs
      : job.polls >= 2;
    if (!done || job.jobFaults.hang)
      return sendJson(response, 200, {
        name,
        metadata: {
          '@type':
            'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningMetadata',
        },
      });
    if (job.outcome === 'fail') {
      return sendJson(response, 200, {
        name,
        done: true,
        error: {
          code: 13,
          message: 'Video generation failed due to an internal error. Please try again.',
        },
      });
    }
    const responseType =
      'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse';
    if (job.outcome === 'policy') {
      return sendJson(response, 200, {
        name,
        done: true,
        response: {
          '@type': responseType,
          generateVideoResponse: {
            raiMediaFilteredCount: 1,
            raiMediaFilteredReasons: [
              "We encountered an issue with the audio for your prompt. You weren't charged for this request.",
            ],
          },
        },
      });
    }
    if (job.outcome === 'empty')
      return sendJson(response, 200, {
        name,
        done: true,
        response: { '@type': responseType, generateVideoResponse: {} },
      });
    this.publishFile(job.fileId, {
      truncate: job.fileFaults.truncate,
      expired: job.fileFaults.expired,
      faults: job.jobFaults.download,
    });
    sendJson(response, 200, {
      name,
      done: true,
      response: {
        '@type': responseType,
        generateVideoResponse: {
          generatedSamples: [
            { video: { uri: `${this.baseUrl}/v1beta/files/${job.fileId}:download?alt=media` } },
          ],
        },
      },
    });
  }
}

function validate(
  rules: VeoModelRule,
  instances: Array<Record<string, unknown>> | undefined,
  prompt: string | undefined,
  parameters: Record<string, unknown> | undefined,
): string | undefined {
  if (!instances || instances.length !== 1) return '`instances` must hold exactly one instance.';
  if (!prompt) return 'instances[0].prompt is required.';
  const image = instances[0]?.image as
    { bytesBase64Encoded?: unknown; mimeType?: unknown } | undefined;
  if (
    image !== undefined &&
    (typeof image.bytesBase64Encoded !== 'string' || typeof image.mimeType !== 'string')
  ) {
    return 'instances[0].image needs bytesBase64Encoded and mimeType.';
  }
  const p = parameters ?? {};
  for (const vertexOnly of ['generateAudio', 'outputGcsUri', 'storageUri', 'fps', 'mask']) {
    if (vertexOnly in p) return `${vertexOnly} parameter is not supported in Gemini API.`;
  }
  if (p.aspectRatio !== undefined && p.aspectRatio !== '16:9' && p.aspectRatio !== '9:16')
    return `Unsupported aspect ratio: ${String(p.aspectRatio)}. Supported: 16:9, 9:16.`;
  const duration = p.durationSeconds === undefined ? 8 : Number(p.durationSeconds);
  if (!rules.durations.includes(duration))
    return `The number value for \`durationSeconds\` is out of bound. Please provide a value within [${rules.durations.join(', ')}].`;
  if (p.resolution !== undefined && !rules.resolutions.includes(String(p.resolution)))
    return `Unsupported resolution: ${String(p.resolution)}.`;
  if (rules.hdOnlyAt8 && p.resolution === '1080p' && duration !== 8)
    return '1080p resolution is only supported for 8s duration videos.';
  return undefined;
}

function googleError(
  response: ServerResponse,
  code: number,
  status: string,
  message: string,
  details?: unknown[],
): void {
  sendJson(response, code, {
    error: { code, message, status, ...(details === undefined ? {} : { details }) },
  });
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
