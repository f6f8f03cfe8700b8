/**
 * Together AI video adapter (provider-apis.md §1).
 *
 * - Create: POST {base}/v2/videos; poll: GET {base}/v2/videos/{id}. Base defaults to
 *   https://api.together.ai (the host the TS SDK uses since 2026-05-11).
 * - Statuses: queued, in_progress, completed, failed, cancelled (all five; the TS SDK types only
 *   know three). Create may answer with the whole job or only `{id}` (v1 SDK); job errors may be
 *   in `error{code,message}` or, in the older shape, in `info.errors`.
 * - Cost: `outputs.cost` (dollars). Together has no cancel endpoint, so `cancel` is a documented
 *   no-op: the job keeps running at Together and is still billed.
 * - listModels: GET {base}/v1/models (a bare array mixing every model type); video entries are
 *   merged with the known table.
 */
import type { ProviderErrorClass } from '../../../shared/errors';
import type {
  GenerationRequest,
  JobStatus,
  ModelInfo,
  SpecWarning,
  StartOptions,
  StartResult,
  VideoProviderAdapter,
} from '../../../shared/providers/video-provider-spec';
import {
  UNKNOWN_TEXT_TO_VIDEO_CAPABILITIES,
  checkRequestAgainstCapabilities,
} from '../capabilities';
import { CATALOGUE_MAX_BODY_BYTES, type HttpResponse } from '../http/http-client';
import type { VendorAdapterSettings } from '../http/vendor-http';
import { countable, shortJson } from '../vendor-figures';
import { VendorVideoAdapter } from '../vendor-video-adapter';
import {
  togetherCreateSchema,
  togetherErrorBodySchema,
  togetherModelListSchema,
  togetherModelSchema,
  togetherVideoJobSchema,
  type TogetherModel,
  type TogetherVideoJob,
} from './together-api-schemas';
import { TOGETHER_MODELS, findTogetherModel } from './together-models';

export const TOGETHER_DEFAULT_BASE_URL = 'https://api.together.ai';

/** `baseUrl` is the root URL without a version segment; default https://api.together.ai. */
export type TogetherAdapterSettings = VendorAdapterSettings;

/** Reads Together's `{"error":{message,type,param,code}}` body into an error class. */
export function classifyTogetherHttp(
  response: HttpResponse,
): { errorClass: ProviderErrorClass; message: string; vendorCode?: string } | undefined {
  const parsed = togetherErrorBodySchema.safeParse(response.json);
  const body = parsed.success ? parsed.data : undefined;
  const code = body?.error?.code ?? body?.error?.type ?? body?.error_type ?? undefined;
  const vendorCode = code === undefined || code === null ? undefined : String(code);
  const message = body?.error?.message ?? undefined;
  const text = `${vendorCode ?? ''} ${message ?? ''}`;
  let errorClass: ProviderErrorClass | undefined;
  if (response.status === 401) errorClass = 'auth';
  else if (response.status === 402) errorClass = 'quota';
  else if (response.status === 429) errorClass = 'quota';
  else if (/content[_ ]?policy|moderation|safety|nsfw/i.test(text)) errorClass = 'content_policy';
  else if ([400, 403, 404, 415, 422].includes(response.status)) errorClass = 'invalid_request';
  if (errorClass === undefined && message === undefined) return undefined;
  return {
    errorClass:
      errorClass ??
      (response.status === 504
        ? 'timeout'
        : response.status >= 500
          ? 'provider_unavailable'
          : 'invalid_request'),
    message: message ?? response.text.slice(0, 300),
    ...(vendorCode === undefined ? {} : { vendorCode }),
  };
}

/** Classifies a failed job's error text. Together's `failed` mixes user errors with outages. */
export function classifyTogetherJobFailure(
  code: string | undefined,
  message: string,
): { errorClass: ProviderErrorClass; retryable: boolean } {
  const text = `${code ?? ''} ${message}`;
  if (/content[_ ]?policy|moderation|safety|nsfw|flagged|prohibited/i.test(text))
    return { errorClass: 'content_policy', retryable: false };
  if (/invalid|validation|not supported|unsupported|must be|required/i.test(text))
    return { errorClass: 'invalid_request', retryable: false };
  if (/timeout|timed out/i.test(text)) return { errorClass: 'timeout', retryable: true };
  return { errorClass: 'provider_unavailable', retryable: true };
}

function errorTextOf(job: TogetherVideoJob): { code?: string; message?: string } {
  const error = job.error;
  if (typeof error === 'string') return { message: error };
  if (error && (error.message || error.code !== undefined)) {
    return {
      ...(error.code === undefined || error.code === null ? {} : { code: String(error.code) }),
      ...(error.message ? { message: error.message } : {}),
    };
  }
  const errors = job.info?.errors;
  if (errors === undefined || errors === null) return {};
  const list = Array.isArray(errors) ? errors : [errors];
  const parts = list
    .map((item) => {
      if (typeof item === 'string') return item;
      if (item && typeof item === 'object') {
        const record = item as Record<string, unknown>;
        return typeof record.message === 'string' ? record.message : shortJson(record, 300);
      }
      return String(item);
    })
    .filter((part) => part.length > 0);
  return parts.length > 0 ? { message: parts.join('; ') } : {};
}

/** Together's SDK has no poller; the reference client is a 5 s loop: the vendor's usual status cadence, for the poll schedule. */
export const TOGETHER_POLL_CADENCE_MS = 5000;

export class TogetherVideoAdapter extends VendorVideoAdapter<'together'> {
  readonly pollCadenceMs = TOGETHER_POLL_CADENCE_MS;
  /** No cancel endpoint: a job given up on runs on and is billed (see cancel()). */
  readonly cannotCancel = true;

  constructor(settings: TogetherAdapterSettings) {
    super(settings, {
      provider: 'together',
      defaultBaseUrl: TOGETHER_DEFAULT_BASE_URL,
      authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
      classify: classifyTogetherHttp,
    });
  }

  models(): ModelInfo[] {
    return [...TOGETHER_MODELS];
  }

  model(modelId: string): ModelInfo {
    return this.known(findTogetherModel(modelId), modelId);
  }

  checkRequest(request: GenerationRequest): SpecWarning[] {
    const info = this.model(request.modelId);
    const warnings = checkRequestAgainstCapabilities(info.capabilities, request);
    if (info.lifecycle === 'retired') {
      warnings.unshift({
        setting: 'prompt',
        message: `${info.modelId} is retired (OpenAI's Sora API shut down on 2026-09-24); Together will reject it`,
      });
    }
    return warnings;
  }

  /** The JSON body for POST /v2/videos. Exposed for tests. */
  buildBody(request: GenerationRequest): Record<string, unknown> {
    const info = this.model(request.modelId);
    const body: Record<string, unknown> = { model: info.modelId, prompt: request.prompt };
    if (request.durationSeconds !== undefined) body.seconds = String(request.durationSeconds);
    if (request.aspectRatio !== undefined) body.ratio = request.aspectRatio;
    if (request.resolution !== undefined) body.resolution = request.resolution;
    if (request.seed !== undefined) body.seed = request.seed;
    if (request.audio !== undefined) body.generate_audio = request.audio;
    if (request.fps !== undefined) body.fps = request.fps;
    if (request.imageUrl !== undefined)
      body.media = { frame_images: [{ input_image: request.imageUrl, frame: 'first' }] };
    const extra = request.providerOptions?.together;
    if (extra) Object.assign(body, extra);
    return body;
  }

  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    options.signal?.throwIfAborted();
    const warnings = this.checkRequest(request);
    const body = this.buildBody(request);
    const { value: created } = await this.http.jsonAnswer(togetherCreateSchema, '/v2/videos', {
      method: 'POST',
      body,
      signal: options.signal,
    });
    const jobId = this.acceptedJobId(created.id);
    options.onJobId?.(jobId);
    return { jobId, warnings };
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    const { value: job } = await this.http.jsonAnswer(
      togetherVideoJobSchema,
      `/v2/videos/${encodeURIComponent(jobId)}`,
      { signal },
    );
    return this.toJobStatus(job);
  }

  toJobStatus(job: TogetherVideoJob): JobStatus {
    const status = (job.status ?? '').toLowerCase();
    switch (status) {
      case 'queued':
      case 'pending':
        return { state: 'pending', started: false };
      case 'in_progress':
      case 'running':
        return { state: 'pending', started: true };
      case 'completed':
      case 'succeeded': {
        const url = job.outputs?.video_url;
        const cost = job.outputs?.cost;
        // A cost that is not a finite amount of 0 or more (a negative one, "abc") is not counted.
        const billed = countable(typeof cost === 'string' && cost.trim() ? Number(cost) : cost);
        if (!url) {
          // Completed is billed: what Together says it charged counts, video or not.
          return this.failedJob(
            'bad_output',
            'Together reported the video as completed but sent no video_url.',
            false,
            undefined,
            billed,
          );
        }
        const result: JobStatus = { state: 'succeeded', outputs: [{ url }] };
        if (billed !== undefined) result.costUsd = billed;
        return result;
      }
      case 'failed':
      case 'error': {
        const { code, message } = errorTextOf(job);
        const text = message ?? 'Together reported the job as failed without details.';
        const { errorClass, retryable } = classifyTogetherJobFailure(code, text);
        return this.failedJob(errorClass, `Together: ${text}`, retryable, code);
      }
      case 'cancelled':
      case 'canceled':
        return { state: 'cancelled' };
      default:
        throw this.unknownStatus('job', job.status);
    }
  }

  /**
   * Together has no cancel endpoint (neither SDK has one; provider-apis.md §1a). This is a no-op:
   * the job keeps running and is billed; the caller stops polling.
   */
  async cancel(_jobId: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
  }

  override async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const { value: list } = await this.http.jsonAnswer(togetherModelListSchema, '/v1/models', {
      signal,
      maxBodyBytes: CATALOGUE_MAX_BODY_BYTES,
    });
    const out: ModelInfo[] = [];
    const seen = new Set<string>();
    for (const item of list) {
      const parsed = togetherModelSchema.safeParse(item);
      if (!parsed.success) continue;
      const model = parsed.data;
      const known = findTogetherModel(model.id);
      if ((model.type ?? '').toLowerCase() !== 'video' && !known) continue;
      if (seen.has(model.id)) continue;
      seen.add(model.id);
      out.push(known ? { ...known, modelId: model.id } : this.fromCatalogue(model));
    }
    return out;
  }

  private fromCatalogue(model: TogetherModel): ModelInfo {
    const base = model.pricing?.base;
    const asOf = new Date((this.settings.now ?? Date.now)()).toISOString().slice(0, 10);
    return {
      provider: 'together',
      modelId: model.id,
      displayName: model.display_name ?? model.id,
      lifecycle: 'active',
      capabilities: structuredClone(UNKNOWN_TEXT_TO_VIDEO_CAPABILITIES),
      pricing: {
        ...(typeof base === 'number' && base > 0 ? { usdPerClip: base } : {}),
        source:
          typeof base === 'number' && base > 0
            ? 'Together GET /v1/models pricing.base (assumed per clip)'
            : 'Together GET /v1/models lists no price for this model',
        asOf,
      },
      simulated: false,
    };
  }
}

export function createTogetherAdapter(settings: TogetherAdapterSettings): VideoProviderAdapter {
  return new TogetherVideoAdapter(settings);
}
