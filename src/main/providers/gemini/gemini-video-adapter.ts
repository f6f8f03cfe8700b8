/**
 * Google Veo on the Gemini API.
 *
 * - Create: POST /v1beta/models/{model}:predictLongRunning, header x-goog-api-key. The job id is
 *   the operation name `models/<model>/operations/<id>`.
 * - Poll: GET /v1beta/{name} → {done:false} | {done:true, response.generateVideoResponse...}
 *   | {done:true, error{code,message}}. An RAI-filtered result (raiMediaFilteredCount/Reasons,
 *   no samples) is a failed job with code content_policy; Google does not charge for it.
 * - Download: GET the sample uri with the key; it answers 302 to the bytes. Files are kept 2 days.
 * - Cancel: the Gemini API documents no cancel for Veo operations, so cancel() is a no-op (the
 *   job runs to completion at Google and is billed if it succeeds).
 * - Errors: {"error":{code, message, status, details}}; a 429 carries google.rpc.RetryInfo.
 */
import type { z } from 'zod';
import { ProviderError, type ProviderErrorClass } from '../../../shared/errors';
import type {
  DownloadRange,
  DownloadResult,
  GenerationRequest,
  JobStatus,
  ModelInfo,
  SpecWarning,
  StartOptions,
  StartResult,
  VideoOutput,
  VideoProviderAdapter,
} from '../../../shared/providers/video-provider-spec';
import { checkRequestAgainstCapabilities } from '../capabilities';
import {
  CATALOGUE_MAX_BODY_BYTES,
  type HttpResponse,
  type RequestOptions,
} from '../http/http-client';
import { scrub } from '../http/scrub';
import type { VendorAdapterSettings } from '../http/vendor-http';
import { VendorVideoAdapter } from '../vendor-video-adapter';
import {
  GEMINI_OPERATION_NAME as OPERATION_NAME,
  geminiCreateResponseSchema,
  geminiErrorBodySchema,
  geminiModelListSchema,
  geminiOperationSchema,
  type GeminiOperation,
} from './gemini-api-schemas';
import { GEMINI_MODELS, UNKNOWN_VEO_CAPABILITIES, findGeminiModel } from './gemini-models';

/** Pages of GET /v1beta/models read at most (1000 models a page). */
const GEMINI_LIST_MAX_PAGES = 20;

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
const PROVIDER = 'gemini';
/** Largest reference image fetched from an https URL, bytes. */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export type GeminiAdapterSettings = VendorAdapterSettings;

/** google.rpc.Code → the console's error classes. */
const RPC_STATUS_CLASS: Record<string, ProviderErrorClass> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  NOT_FOUND: 'invalid_request',
  ALREADY_EXISTS: 'invalid_request',
  PERMISSION_DENIED: 'auth',
  UNAUTHENTICATED: 'auth',
  RESOURCE_EXHAUSTED: 'quota',
  DEADLINE_EXCEEDED: 'timeout',
  UNAVAILABLE: 'provider_unavailable',
  INTERNAL: 'provider_unavailable',
  UNKNOWN: 'provider_unavailable',
  ABORTED: 'provider_unavailable',
  DATA_LOSS: 'bad_output',
  CANCELLED: 'cancelled',
};
const RPC_CODE_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};
const SAFETY_WORDS = /responsible ai|usage guidelines|safety|blocked|prohibited|rai /i;

function rpcReason(details: unknown[] | undefined): string | undefined {
  for (const detail of details ?? []) {
    if (
      detail &&
      typeof detail === 'object' &&
      typeof (detail as { reason?: unknown }).reason === 'string'
    ) {
      return (detail as { reason: string }).reason;
    }
  }
  return undefined;
}

/** google.rpc.RetryInfo {retryDelay:"17s"} → ms. */
export function readRetryDelayMs(body: unknown): number | undefined {
  const parsed = geminiErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  for (const detail of parsed.data.error.details ?? []) {
    const delay =
      detail && typeof detail === 'object'
        ? (detail as { retryDelay?: unknown }).retryDelay
        : undefined;
    if (typeof delay === 'string') {
      const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (match?.[1]) return Math.round(Number(match[1]) * 1000);
    }
  }
  return undefined;
}

export function classifyGeminiError(
  response: HttpResponse,
): { errorClass: ProviderErrorClass; message: string; vendorCode?: string } | undefined {
  const parsed = geminiErrorBodySchema.safeParse(response.json);
  if (!parsed.success) return undefined;
  const { status, message, details } = parsed.data.error;
  const reason = rpcReason(details);
  const text = message ?? status ?? 'no details';
  const vendorCode = status ?? (reason === undefined ? undefined : reason);
  const base = vendorCode === undefined ? {} : { vendorCode };
  if (reason === 'API_KEY_INVALID' || /api key not valid/i.test(text))
    return { errorClass: 'auth', message: text, ...base };
  if (response.status === 400 && SAFETY_WORDS.test(text))
    return { errorClass: 'content_policy', message: text, ...base };
  const byStatus = status === undefined ? undefined : RPC_STATUS_CLASS[status];
  if (byStatus === undefined || byStatus === 'cancelled')
    return { errorClass: classifyByHttp(response.status), message: text, ...base };
  return { errorClass: byStatus, message: text, ...base };
}

function classifyByHttp(status: number): ProviderErrorClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402 || status === 429) return 'quota';
  if (status === 504 || status === 408) return 'timeout';
  if (status >= 500) return 'provider_unavailable';
  return 'invalid_request';
}

/** Gemini's docs poll a Veo operation every 10 s: the vendor's usual status cadence, for the poll schedule. */
export const GEMINI_POLL_CADENCE_MS = 10000;

export class GeminiVideoAdapter extends VendorVideoAdapter<'gemini'> {
  readonly pollCadenceMs = GEMINI_POLL_CADENCE_MS;
  /** No cancel endpoint: a job given up on runs on and is billed (see cancel()). */
  readonly cannotCancel = true;

  constructor(settings: GeminiAdapterSettings) {
    super(settings, {
      provider: PROVIDER,
      defaultBaseUrl: GEMINI_DEFAULT_BASE_URL,
      authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
    });
  }

  models(): ModelInfo[] {
    return GEMINI_MODELS.map((model) => structuredClone(model));
  }

  model(modelId: string): ModelInfo {
    return structuredClone(this.known(findGeminiModel(modelId), modelId));
  }

  checkRequest(request: GenerationRequest): SpecWarning[] {
    const model = this.model(request.modelId);
    const warnings = checkRequestAgainstCapabilities(model.capabilities, request);
    const duration = request.durationSeconds ?? model.capabilities.defaultDurationSeconds;
    if (request.resolution === '1080p' && model.modelId.startsWith('veo-3.1') && duration !== 8) {
      warnings.push({
        setting: 'resolution',
        message: `1080p is offered only for 8 s clips on ${model.displayName}; Google rejects ${duration} s at 1080p`,
      });
    }
    if (request.audio === false && model.capabilities.audio) {
      warnings.push({
        setting: 'audio',
        message: `${model.displayName} always generates audio on the Gemini API; it cannot be turned off (and is included in the price)`,
      });
    }
    if (
      request.imageUrl !== undefined &&
      !/^data:[^;,]+;base64,/.test(request.imageUrl) &&
      !/^https:\/\//.test(request.imageUrl)
    ) {
      warnings.push({
        setting: 'imageUrl',
        message: 'the reference image must be an https URL or a base64 data: URI',
      });
    }
    return warnings;
  }

  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    const model = this.model(request.modelId);
    const warnings = this.checkRequest(request);
    const instance: Record<string, unknown> = { prompt: request.prompt };
    if (request.imageUrl !== undefined)
      instance.image = await this.loadImage(request.imageUrl, options.signal);
    const parameters: Record<string, unknown> = {};
    if (request.aspectRatio !== undefined) parameters.aspectRatio = request.aspectRatio;
    if (request.durationSeconds !== undefined) parameters.durationSeconds = request.durationSeconds;
    if (request.resolution !== undefined) parameters.resolution = request.resolution;
    if (request.seed !== undefined) parameters.seed = request.seed;
    Object.assign(parameters, request.providerOptions?.[PROVIDER] ?? {});
    const operation = await this.call(
      geminiCreateResponseSchema,
      `/v1beta/models/${encodeURIComponent(model.modelId)}:predictLongRunning`,
      {
        method: 'POST',
        body: { instances: [instance], parameters },
        signal: options.signal,
      },
    );
    // An operation name is a path (models/…/operations/…).
    const jobId = this.acceptedJobId(operation.name, { slashes: true });
    options.onJobId?.(jobId);
    return { jobId, warnings };
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    if (!OPERATION_NAME.test(jobId)) {
      throw new ProviderError(
        'invalid_request',
        `"${jobId.slice(0, 120)}" is not a Gemini operation name (models/<model>/operations/<id>).`,
        { provider: PROVIDER },
      );
    }
    const operation = await this.call(
      geminiOperationSchema,
      `/v1beta/${jobId.split('/').map(encodeURIComponent).join('/')}`,
      { signal },
    );
    return operationToStatus(operation, [this.settings.apiKey]);
  }

  /** The Gemini API has no documented cancel for Veo operations; nothing is sent. */
  async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!OPERATION_NAME.test(jobId)) {
      throw new ProviderError('invalid_request', 'Not a Gemini operation name.', {
        provider: PROVIDER,
      });
    }
  }

  override async download(
    output: VideoOutput,
    signal?: AbortSignal,
    range?: DownloadRange,
  ): Promise<DownloadResult> {
    // The file uri needs the key; send it only to the Gemini API host itself.
    const withAuth =
      sameOrigin(output.url, this.http.config.baseUrl) ||
      /^https:\/\/generativelanguage\.googleapis\.com\//.test(output.url);
    return this.http.download(output.url, {
      withAuth,
      signal,
      ...(range ? { offset: range.offset } : {}),
    });
  }

  override async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const found: ModelInfo[] = [];
    const seenIds = new Set<string>();
    // A page token that comes back (pages that loop) or a list longer than the page cap would
    // give a list with repeats or a silently cut tail: refused, never returned as the list.
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; ; page += 1) {
      if (page === GEMINI_LIST_MAX_PAGES)
        throw new ProviderError(
          'provider_unavailable',
          `The Gemini models list still had more pages after ${GEMINI_LIST_MAX_PAGES}; the list was not used (try again later).`,
          { provider: PROVIDER, retryable: true },
        );
      const list = await this.call(geminiModelListSchema, '/v1beta/models', {
        query: { pageSize: 1000, pageToken },
        signal,
        maxBodyBytes: CATALOGUE_MAX_BODY_BYTES,
      });
      for (const entry of list.models ?? []) {
        if (!(entry.supportedGenerationMethods ?? []).includes('predictLongRunning')) continue;
        const id = entry.name.replace(/^models\//, '');
        // A name with no id ("" or "models/") names no model: skipped like an entry that does
        // not parse, never listed as a model with an empty id.
        if (!id || seenIds.has(id)) continue;
        seenIds.add(id);
        const known = findGeminiModel(id);
        found.push(
          known
            ? structuredClone(known)
            : {
                provider: PROVIDER,
                modelId: id,
                displayName: entry.displayName ?? id,
                lifecycle: 'preview',
                capabilities: structuredClone(UNKNOWN_VEO_CAPABILITIES),
                pricing: {
                  source:
                    'listed by the Gemini API models call; not in the price table, price unknown',
                  asOf: new Date((this.settings.now ?? Date.now)()).toISOString().slice(0, 10),
                },
                simulated: false,
              },
        );
      }
      pageToken = list.nextPageToken || undefined;
      if (!pageToken) break;
      if (seenTokens.has(pageToken))
        throw new ProviderError(
          'provider_unavailable',
          `The Gemini models list sent the same page token twice (its pages loop), so the list was not used; it is read again at the next check.`,
          { provider: PROVIDER, retryable: true },
        );
      seenTokens.add(pageToken);
    }
    return found;
  }

  /** A JSON call whose answer must match `schema`; it also reads google.rpc.RetryInfo from a 429 body. */
  private async call<Schema extends z.ZodType>(
    schema: Schema,
    path: string,
    options: RequestOptions,
  ): Promise<z.output<Schema>> {
    let retryDelay: number | undefined;
    try {
      const { value } = await this.http.jsonAnswer(schema, path, {
        ...options,
        classify: (response) => {
          retryDelay = readRetryDelayMs(response.json);
          return classifyGeminiError(response);
        },
      });
      return value;
    } catch (error) {
      if (
        error instanceof ProviderError &&
        error.retryAfterMs === undefined &&
        retryDelay !== undefined
      ) {
        throw new ProviderError(error.errorClass, error.message, {
          provider: PROVIDER,
          ...(error.status === undefined ? {} : { status: error.status }),
          ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
          retryable: error.retryable,
          retryAfterMs: retryDelay,
        });
      }
      throw error;
    }
  }

  private async loadImage(
    imageUrl: string,
    signal?: AbortSignal,
  ): Promise<{ bytesBase64Encoded: string; mimeType: string }> {
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(imageUrl);
    if (data?.[1] && data[2] !== undefined)
      return { bytesBase64Encoded: data[2], mimeType: data[1] };
    if (!/^https:\/\//.test(imageUrl)) {
      throw new ProviderError(
        'invalid_request',
        'The reference image must be an https URL or a base64 data: URI for Veo.',
        { provider: PROVIDER },
      );
    }
    const file = await this.http.download(imageUrl, { signal }).catch((error: unknown) => {
      if (error instanceof ProviderError && error.errorClass !== 'cancelled') {
        throw new ProviderError(
          'invalid_request',
          `The reference image could not be fetched (${error.status === undefined ? 'network error' : `HTTP ${error.status}`}).`,
          {
            provider: PROVIDER,
            ...(error.status === undefined ? {} : { status: error.status }),
            retryable: error.retryable,
          },
        );
      }
      throw error;
    });
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of file.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > MAX_IMAGE_BYTES)
        throw new ProviderError('invalid_request', 'The reference image is larger than 20 MB.', {
          provider: PROVIDER,
        });
      chunks.push(chunk);
    }
    return {
      bytesBase64Encoded: Buffer.concat(chunks).toString('base64'),
      mimeType: file.contentType,
    };
  }
}

function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/**
 * Maps a Veo long-running operation to the console's JobStatus. `secrets` are scrubbed from a
 * failure's text before it is cut to length (cut first, the start of a key could stay behind).
 */
export function operationToStatus(
  operation: GeminiOperation,
  secrets: readonly string[] = [],
): JobStatus {
  const shown = (text: string): string => scrub(text, [...secrets]).slice(0, 600);
  if (operation.done !== true) return { state: 'pending' };
  if (operation.error) {
    const code = operation.error.code;
    const statusName =
      operation.error.status ??
      (code === undefined
        ? undefined
        : (RPC_CODE_NAMES[code] ?? (code >= 100 ? undefined : 'UNKNOWN')));
    const message = operation.error.message ?? 'The Veo job failed without a message.';
    if (statusName === 'CANCELLED') return { state: 'cancelled' };
    let errorClass: ProviderErrorClass =
      (statusName === undefined ? undefined : RPC_STATUS_CLASS[statusName]) ??
      (code !== undefined && code >= 100 ? classifyByHttp(code) : 'provider_unavailable');
    if (SAFETY_WORDS.test(message)) errorClass = 'content_policy';
    const vendorCode = statusName ?? (code === undefined ? undefined : String(code));
    return {
      state: 'failed',
      error: {
        code: errorClass,
        message: shown(`Veo failed the job: ${message}`),
        retryable:
          errorClass === 'provider_unavailable' ||
          errorClass === 'timeout' ||
          errorClass === 'quota',
        ...(vendorCode === undefined ? {} : { vendorCode }),
      },
    };
  }
  const result = operation.response?.generateVideoResponse;
  const outputs: VideoOutput[] = [];
  for (const sample of result?.generatedSamples ?? []) {
    const uri = sample.video?.uri;
    if (uri)
      outputs.push({
        url: uri,
        contentType: sample.video?.mimeType ?? sample.video?.encoding ?? 'video/mp4',
      });
  }
  if (outputs.length > 0) return { state: 'succeeded', outputs };
  const filteredCount = result?.raiMediaFilteredCount ?? 0;
  const reasons = result?.raiMediaFilteredReasons ?? [];
  if (filteredCount > 0 || reasons.length > 0) {
    return {
      state: 'failed',
      error: {
        code: 'content_policy',
        message: shown(
          `Google's safety filters removed the video (not charged)${reasons.length ? `: ${reasons.join(' ')}` : '.'}`,
        ),
        retryable: false,
        vendorCode: 'RAI_MEDIA_FILTERED',
      },
    };
  }
  return {
    state: 'failed',
    error: {
      code: 'bad_output',
      message: 'Veo reported the job done but returned no video.',
      retryable: false,
    },
  };
}

export function createGeminiAdapter(settings: GeminiAdapterSettings): VideoProviderAdapter {
  return new GeminiVideoAdapter(settings);
}
