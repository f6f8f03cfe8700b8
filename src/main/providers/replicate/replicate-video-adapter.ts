/**
 * Replicate adapter (provider-apis.md §3).
 *
 * - Base https://api.replicate.com, `Authorization: Bearer <token>`.
 * - Create: official models via POST /v1/models/{owner}/{name}/predictions {input}; a model id
 *   pinned to a version (`owner/name:<hash>`, or providerOptions.replicate.version) via
 *   POST /v1/predictions {version, input}. providerOptions.replicate.cancelAfter (e.g. "30m")
 *   becomes the `Cancel-After` header: the prediction is `aborted` if it has not started by then
 *   (unbilled) or `canceled` if it was running.
 * - Sync mode: the create sends `Prefer: wait=60` (providerOptions.replicate.wait: 1–60 s, or
 *   false), so Replicate answers when the prediction ends (one request, no poll lag) or, once the
 *   wait expires, with the prediction as it stands; then polling takes over.
 * - Poll GET /v1/predictions/{id}; cancel POST /v1/predictions/{id}/cancel.
 * - Statuses: starting, processing, succeeded, failed, canceled, aborted. Output is a URI string
 *   or an array of them. metrics.predict_time → billedSeconds (the API reports no cost).
 * - Retention: API predictions lose inputs/outputs after 1 h (`data_removed: true`, output
 *   null) → expired_output.
 * - Errors are RFC 7807 `{title, detail, status}`; 429 is `{detail}` with Retry-After.
 * - listModels: GET /v1/collections/text-to-video, merged with the known table.
 */
import { ProviderError, type ProviderErrorClass } from '../../../shared/errors';
import { z } from 'zod';
import type {
  GenerationRequest,
  JobLookup,
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
  replicateCollectionModelSchema,
  replicateCollectionSchema,
  replicateCreatedSchema,
  replicatePredictionSchema,
  replicateProblemSchema,
  type ReplicatePrediction,
} from './replicate-api-schemas';
import {
  REPLICATE_MODELS,
  REPLICATE_PRICE_AS_OF,
  REPLICATE_VERSIONED_ID,
  findReplicateModel,
  type ReplicateModelEntry,
} from './replicate-models';

export const REPLICATE_DEFAULT_BASE_URL = 'https://api.replicate.com';
/** Replicate's longest sync-mode wait (`Prefer: wait=N`, N in 1–60). */
export const REPLICATE_MAX_WAIT_SECONDS = 60;
/** The official SDK's poll interval (replicate.wait, 500 ms): Replicate's usual status cadence. */
export const REPLICATE_POLL_CADENCE_MS = 500;

/** GET /v1/predictions: {next, previous, results}; only what matching needs is read. */
const replicateListSchema = z.object({
  next: z.string().nullish(),
  results: z.array(
    z.looseObject({
      id: z.string(),
      model: z.string().nullish(),
      created_at: z.string().nullish(),
      input: z.looseObject({ prompt: z.unknown().optional() }).nullish(),
    }),
  ),
});

export type ReplicateAdapterSettings = VendorAdapterSettings;

export function classifyReplicateHttp(
  response: HttpResponse,
): { errorClass: ProviderErrorClass; message: string; vendorCode?: string } | undefined {
  const parsed = replicateProblemSchema.safeParse(response.json);
  if (!parsed.success || (!parsed.data.detail && !parsed.data.title)) return undefined;
  const { title, detail } = parsed.data;
  const message = title && detail ? `${title}: ${detail}` : (detail ?? title ?? '');
  let errorClass: ProviderErrorClass;
  if (response.status === 401 || response.status === 403) errorClass = 'auth';
  else if (response.status === 402 || response.status === 429) errorClass = 'quota';
  else if (response.status === 408 || response.status === 504) errorClass = 'timeout';
  else if (response.status >= 500) errorClass = 'provider_unavailable';
  else if (/nsfw|sensitive|safety|content policy/i.test(message)) errorClass = 'content_policy';
  else errorClass = 'invalid_request';
  return { errorClass, message, ...(parsed.data.type ? { vendorCode: parsed.data.type } : {}) };
}

/** Classifies a failed prediction's error text. */
export function classifyReplicateFailure(message: string): {
  errorClass: ProviderErrorClass;
  retryable: boolean;
} {
  if (/nsfw|sensitive|safety|flagged|content policy|E005/i.test(message))
    return { errorClass: 'content_policy', retryable: false };
  if (/invalid|validation|must be|not allowed|unsupported/i.test(message))
    return { errorClass: 'invalid_request', retryable: false };
  if (/timed out|timeout/i.test(message)) return { errorClass: 'timeout', retryable: true };
  return { errorClass: 'provider_unavailable', retryable: true };
}

/** The last "NN%" in the logs (tqdm-style progress), as 0..1. */
export function progressFromLogs(logs: string | null | undefined): number | undefined {
  if (!logs) return undefined;
  const matches = [...logs.matchAll(/(\d{1,3})%/g)];
  const last = matches.at(-1)?.[1];
  if (last === undefined) return undefined;
  const value = Number(last);
  return value >= 0 && value <= 100 ? value / 100 : undefined;
}

export class ReplicateVideoAdapter extends VendorVideoAdapter<'replicate'> {
  readonly pollCadenceMs = REPLICATE_POLL_CADENCE_MS;

  constructor(settings: ReplicateAdapterSettings) {
    super(settings, {
      provider: 'replicate',
      defaultBaseUrl: REPLICATE_DEFAULT_BASE_URL,
      authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
      classify: classifyReplicateHttp,
    });
  }

  models(): ModelInfo[] {
    return REPLICATE_MODELS.map((entry) => entry.info);
  }

  /** Known official models, or any version-pinned `owner/name:<hash>` community model. */
  model(modelId: string): ModelInfo {
    return this.entry(modelId).info;
  }

  private entry(modelId: string): ReplicateModelEntry {
    return this.known(findReplicateModel(modelId), modelId);
  }

  checkRequest(request: GenerationRequest): SpecWarning[] {
    const warnings = checkRequestAgainstCapabilities(
      this.model(request.modelId).capabilities,
      request,
    );
    const wait = request.providerOptions?.replicate?.wait;
    if (
      wait !== undefined &&
      wait !== false &&
      !(typeof wait === 'number' && Number.isFinite(wait) && wait >= 0)
    ) {
      warnings.push({
        setting: 'providerOptions',
        message: `wait "${String(wait)}" is not a number of seconds (1–60) or false; the default 60 s wait is used`,
      });
    }
    const cancelAfter = request.providerOptions?.replicate?.cancelAfter;
    if (cancelAfter !== undefined && this.cancelAfterHeader(cancelAfter) === undefined) {
      warnings.push({
        setting: 'providerOptions',
        message: `cancelAfter "${String(cancelAfter)}" is not a duration such as "90s", "30m" or "1h"; it is not sent`,
      });
    }
    return warnings;
  }

  private cancelAfterHeader(value: unknown): string | undefined {
    if (typeof value === 'number' && Number.isFinite(value) && value > 0)
      return `${Math.ceil(value)}s`;
    if (typeof value === 'string' && /^\d+(\.\d+)?(ms|s|m|h)$/.test(value.trim()))
      return value.trim();
    return undefined;
  }

  /** Route, body and extra headers for the create call. Exposed for tests. */
  buildCreate(request: GenerationRequest): {
    path: string;
    body: Record<string, unknown>;
    headers: Record<string, string>;
  } {
    const entry = this.entry(request.modelId);
    const names = entry.inputs;
    const input: Record<string, unknown> = { prompt: request.prompt };
    if (request.durationSeconds !== undefined) input[names.duration] = request.durationSeconds;
    if (request.aspectRatio !== undefined) input[names.aspectRatio] = request.aspectRatio;
    if (request.resolution !== undefined) input[names.resolution] = request.resolution;
    if (request.seed !== undefined) input[names.seed] = request.seed;
    if (request.audio !== undefined) input[names.audio] = request.audio;
    if (request.imageUrl !== undefined) input[names.image ?? 'image'] = request.imageUrl;
    const options = request.providerOptions?.replicate ?? {};
    if (options.input && typeof options.input === 'object') Object.assign(input, options.input);
    const headers: Record<string, string> = {};
    const wait = this.waitSeconds(request);
    if (wait > 0) headers.prefer = `wait=${wait}`;
    const cancelAfter = this.cancelAfterHeader(options.cancelAfter);
    if (cancelAfter !== undefined) headers['cancel-after'] = cancelAfter;
    const body: Record<string, unknown> = { input };
    for (const key of ['webhook', 'webhook_events_filter'] as const)
      if (options[key] !== undefined) body[key] = options[key];
    const pinned = REPLICATE_VERSIONED_ID.exec(entry.info.modelId);
    const version = typeof options.version === 'string' ? options.version : pinned?.[3];
    if (version !== undefined)
      return { path: '/v1/predictions', body: { version, ...body }, headers };
    const [owner, name] = entry.info.modelId.split('/');
    return {
      path: `/v1/models/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}/predictions`,
      body,
      headers,
    };
  }

  /**
   * Creates the prediction in sync mode (`Prefer: wait=N`, N from providerOptions.replicate.wait,
   * default 60 s, `false` or 0 = no wait): Replicate holds the answer until the prediction ends or
   * the wait expires, so a job shorter than the wait is known done with this one request. The
   * answer's status comes back as `status` (pending when the wait expired: poll as usual).
   */
  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    options.signal?.throwIfAborted();
    const warnings = this.checkRequest(request);
    const { path, body, headers } = this.buildCreate(request);
    const held = headers.prefer !== undefined;
    let answer;
    try {
      answer = await this.http.jsonAnswer(replicateCreatedSchema, path, {
        method: 'POST',
        body,
        extraHeaders: headers,
        signal: options.signal,
        // The answer may be held for the whole wait: allow it, plus the usual margin.
        ...(held ? { headersTimeoutMs: (this.waitSeconds(request) + 30) * 1000 } : {}),
      });
    } catch (error) {
      // A 5xx to a held create may come from a proxy or gateway that gave up waiting after
      // Replicate had already made (and will bill) the prediction: never resend it blindly; the
      // runner looks for it in the prediction list instead.
      if (
        held &&
        error instanceof ProviderError &&
        error.status !== undefined &&
        error.status >= 500 &&
        !error.outcomeUnknown
      )
        throw new ProviderError(error.errorClass, error.message, {
          provider: error.provider,
          status: error.status,
          ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
          retryable: false,
          outcomeUnknown: true,
          cause: error,
        });
      throw error;
    }
    const { value: prediction, response } = answer;
    const jobId = this.acceptedJobId(prediction.id);
    options.onJobId?.(jobId);
    const result: StartResult = { jobId, warnings };
    const full = replicatePredictionSchema.safeParse(response.json);
    if (full.success) {
      try {
        const status = this.toJobStatus(full.data);
        // Sync mode may answer file outputs as data: URIs; only http(s) URLs are downloaded,
        // so such an answer is left to the first poll, which returns the https URL.
        if (
          status.state !== 'succeeded' ||
          status.outputs.every((output) => /^https?:\/\//i.test(output.url))
        )
          result.status = status;
      } catch {
        // An unknown status: leave it to the polls.
      }
    }
    return result;
  }

  /** Seconds of `Prefer: wait` for this request: 1–60, or 0 for none (providerOptions.replicate.wait). */
  waitSeconds(request: GenerationRequest): number {
    const wanted = request.providerOptions?.replicate?.wait;
    if (wanted === false || wanted === 0) return 0;
    if (typeof wanted === 'number' && Number.isFinite(wanted) && wanted > 0)
      return Math.min(REPLICATE_MAX_WAIT_SECONDS, Math.max(1, Math.ceil(wanted)));
    return REPLICATE_MAX_WAIT_SECONDS;
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    const { value: prediction } = await this.http.jsonAnswer(
      replicatePredictionSchema,
      `/v1/predictions/${encodeURIComponent(jobId)}`,
      { signal },
    );
    return this.toJobStatus(prediction);
  }

  toJobStatus(prediction: ReplicatePrediction): JobStatus {
    switch (prediction.status) {
      case 'starting':
        return { state: 'pending', started: false };
      case 'processing': {
        const status: JobStatus = { state: 'pending', started: true };
        const progress = progressFromLogs(prediction.logs);
        if (progress !== undefined) status.progress = progress;
        return status;
      }
      case 'succeeded': {
        const urls = outputUrls(prediction.output);
        if (urls.length === 0) {
          if (prediction.data_removed) {
            return this.failedJob(
              'expired_output',
              "Replicate has deleted this prediction's output (API predictions keep outputs for 1 hour); it can no longer be downloaded.",
              false,
            );
          }
          return this.failedJob(
            'bad_output',
            'Replicate reported success but the prediction has no video output.',
            false,
          );
        }
        const result: JobStatus = { state: 'succeeded', outputs: urls.map((url) => ({ url })) };
        const billed = countable(prediction.metrics?.predict_time);
        if (billed !== undefined) result.billedSeconds = billed;
        return result;
      }
      case 'failed': {
        const text =
          errorText(prediction.error) ??
          'Replicate reported the prediction as failed without details.';
        const { errorClass, retryable } = classifyReplicateFailure(text);
        return this.failedJob(errorClass, `Replicate: ${text}`, retryable);
      }
      case 'canceled':
        return { state: 'cancelled' };
      case 'aborted':
        return this.failedJob(
          'timeout',
          'Replicate aborted the prediction: its Cancel-After deadline passed before it started (not billed).',
          true,
          'aborted',
        );
      default:
        throw this.unknownStatus('prediction', prediction.status);
    }
  }

  /**
   * GET /v1/predictions (newest first, paginated by `next`): every prediction of this model with
   * this whole input (prompt, duration, aspect, resolution, seed, audio, image: a prediction of
   * the same prompt with other settings is another generation's), created since `createdAfter`,
   * that no other generation owns. Replicate takes no client reference on a prediction, so two
   * predictions of the same input cannot be told apart: both are returned.
   */
  async findJobs(lookup: JobLookup, signal?: AbortSignal): Promise<string[]> {
    const model = this.entry(lookup.request.modelId).info.modelId.split(':')[0];
    const sent = this.buildCreate(lookup.request).body.input as Record<string, unknown>;
    const sameInput = (input: Record<string, unknown> | undefined): boolean =>
      input !== undefined &&
      Object.entries(sent).every(
        ([key, value]) => JSON.stringify(input[key]) === JSON.stringify(value),
      );
    const found: string[] = [];
    let path: string | undefined = '/v1/predictions';
    for (let page = 0; page < 5 && path; page += 1) {
      const answer: { value: z.output<typeof replicateListSchema> } = await this.http.jsonAnswer(
        replicateListSchema,
        path,
        { signal },
      );
      const list = answer.value;
      for (const item of list.results) {
        const created = item.created_at ? Date.parse(item.created_at) : Number.NaN;
        if (created < lookup.createdAfter) return found;
        if (lookup.exclude.has(item.id)) continue;
        if (item.model && model && item.model !== model) continue;
        if (sameInput(item.input as Record<string, unknown> | undefined)) found.push(item.id);
      }
      path = list.next ?? undefined;
    }
    return found;
  }

  async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
    await this.http.request(`/v1/predictions/${encodeURIComponent(jobId)}/cancel`, {
      method: 'POST',
      signal,
    });
  }

  /** The text-to-video collection, merged with the known table. */
  override async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const { value: collection } = await this.http.jsonAnswer(
      replicateCollectionSchema,
      '/v1/collections/text-to-video',
      { signal, maxBodyBytes: CATALOGUE_MAX_BODY_BYTES },
    );
    const out: ModelInfo[] = [];
    const asOf = new Date((this.settings.now ?? Date.now)()).toISOString().slice(0, 10);
    for (const item of collection.models) {
      const parsed = replicateCollectionModelSchema.safeParse(item);
      if (!parsed.success) continue;
      const id = `${parsed.data.owner}/${parsed.data.name}`;
      if (out.some((model) => model.modelId === id)) continue;
      const known = REPLICATE_MODELS.find((entry) => entry.info.modelId === id);
      out.push(
        known?.info ?? {
          provider: 'replicate',
          modelId: id,
          displayName: id,
          lifecycle: 'active',
          capabilities: structuredClone(UNKNOWN_TEXT_TO_VIDEO_CAPABILITIES),
          pricing: {
            source: `Listed in Replicate's text-to-video collection on ${asOf}; price on the model page`,
            asOf: asOf || REPLICATE_PRICE_AS_OF,
          },
          simulated: false,
        },
      );
    }
    return out;
  }
}

function outputUrls(output: unknown): string[] {
  const list = Array.isArray(output)
    ? output
    : output === undefined || output === null
      ? []
      : [output];
  const urls: string[] = [];
  for (const item of list) {
    if (typeof item === 'string' && /^(https?:|data:)/.test(item)) urls.push(item);
    else if (
      item &&
      typeof item === 'object' &&
      typeof (item as { url?: unknown }).url === 'string'
    )
      urls.push((item as { url: string }).url);
  }
  return urls;
}

function errorText(error: unknown): string | undefined {
  if (typeof error === 'string' && error.length > 0) return error;
  if (error && typeof error === 'object') {
    const record = error as Record<string, unknown>;
    if (typeof record.detail === 'string') return record.detail;
    if (typeof record.message === 'string') return record.message;
    return shortJson(error, 300);
  }
  return undefined;
}

export function createReplicateAdapter(settings: ReplicateAdapterSettings): VideoProviderAdapter {
  return new ReplicateVideoAdapter(settings);
}
