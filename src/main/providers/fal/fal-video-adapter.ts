/**
 * fal's queue API (provider-apis.md §6).
 *
 * - Submit: POST {base}/{owner}/{app}[/{path}], header `Authorization: Key …` → IN_QUEUE with
 *   request_id. The job id is `{owner}/{app}/requests/{request_id}` (the queue path without the
 *   app's subpath, as fal's status and result routes take it), so it can be polled after a restart.
 * - Status: GET {jobId}/status?logs=1 → 202 IN_QUEUE (queue_position) / IN_PROGRESS, 200 COMPLETED.
 * - There is no FAILED status: a failed job is COMPLETED and its error (422 {detail:[…]} or a 5xx
 *   with error_type / X-Fal-Error-Type) appears only on GET {jobId}. So status() fetches the result
 *   on COMPLETED and turns such an error into a failed JobStatus.
 * - Status stream: GET {jobId}/status/stream (server-sent events, each event the status JSON)
 *   stays open until COMPLETED: followStatus waits on it in one request (fal-js streamStatus).
 * - Cancel: PUT {jobId}/cancel → 202 CANCELLATION_REQUESTED, or ALREADY_COMPLETED (a no-op).
 * - fal does not report a cost per request; costUsd stays undefined.
 */
import { ProviderError, type ProviderErrorClass } from '../../../shared/errors';
import type {
  CostEstimate,
  GenerationRequest,
  JobStatus,
  ModelInfo,
  SpecWarning,
  StartOptions,
  StartResult,
  VideoProviderAdapter,
} from '../../../shared/providers/video-provider-spec';
import { checkRequestAgainstCapabilities, estimateFromPricing } from '../capabilities';
import { extractMessage, type HttpResponse } from '../http/http-client';
import { scrub } from '../http/scrub';
import type { VendorAdapterSettings } from '../http/vendor-http';
import { RecentIds } from '../recent-ids';
import { queuePlace } from '../vendor-figures';
import { VendorVideoAdapter } from '../vendor-video-adapter';
import {
  falCancelResponseSchema,
  falErrorBodySchema,
  falStatusResponseSchema,
  falSubmitResponseSchema,
  falVideoResultSchema,
  type FalErrorBody,
  type FalStatusResponse,
} from './fal-api-schemas';
import { FAL_MODELS, findFalModel, type FalModelSpec } from './fal-models';

export const FAL_DEFAULT_BASE_URL = 'https://queue.fal.run';
const PROVIDER = 'fal';
const NAMESPACES = new Set(['workflows', 'comfy']);

export type FalAdapterSettings = VendorAdapterSettings;

/** "fal-ai/veo3.1/image-to-video" → "fal-ai/veo3.1" (namespaced ids keep three segments). */
export function falAppPath(modelId: string): string {
  const parts = modelId.split('/').filter(Boolean);
  const take = NAMESPACES.has(parts[0] ?? '') ? 3 : 2;
  if (parts.length < take)
    throw new ProviderError(
      'invalid_request',
      `"${modelId}" is not a fal endpoint id (owner/app[/path]).`,
      { provider: PROVIDER },
    );
  return parts.slice(0, take).join('/');
}

const JOB_ID = /^((?:(?:workflows|comfy)\/)?[^/]+\/[^/]+)\/requests\/([\w-]+)$/;

export function parseFalJobId(jobId: string): { app: string; requestId: string } {
  const match = JOB_ID.exec(jobId);
  if (!match?.[1] || !match[2]) {
    throw new ProviderError(
      'invalid_request',
      `"${jobId.slice(0, 160)}" is not a fal job id ({owner}/{app}/requests/{request_id}).`,
      { provider: PROVIDER },
    );
  }
  return { app: match[1], requestId: match[2] };
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function detailTypes(body: FalErrorBody | undefined): string[] {
  return Array.isArray(body?.detail)
    ? body.detail.map((item) => item.type ?? '').filter(Boolean)
    : [];
}

const POLICY = /content_policy|content policy|nsfw|flagged|safety/i;

/** Reads fal's error bodies for calls that fail outright (submit, status, cancel). */
export function classifyFalError(
  response: HttpResponse,
): { errorClass: ProviderErrorClass; message: string; vendorCode?: string } | undefined {
  const parsed = falErrorBodySchema.safeParse(response.json);
  const body = parsed.success ? parsed.data : undefined;
  const message = extractMessage(response.json) ?? response.text.slice(0, 300);
  const errorType = body?.error_type ?? header(response, 'x-fal-error-type');
  const types = detailTypes(body);
  const vendorCode = errorType ?? types[0];
  const withCode = vendorCode === undefined ? {} : { vendorCode };
  if (response.status === 403 && /exhausted balance|top up|locked/i.test(message))
    return { errorClass: 'quota', message, ...withCode };
  if (
    types.some((type) => POLICY.test(type)) ||
    (errorType !== undefined && POLICY.test(errorType))
  )
    return { errorClass: 'content_policy', message, ...withCode };
  if (errorType === 'request_timeout' || errorType === 'startup_timeout')
    return { errorClass: 'timeout', message, ...withCode };
  return undefined;
}

/** fal's client polls the queue status every 500 ms (pollInterval): the vendor's usual status cadence, for the poll schedule. */
export const FAL_POLL_CADENCE_MS = 500;

export class FalVideoAdapter extends VendorVideoAdapter<'fal'> {
  readonly pollCadenceMs = FAL_POLL_CADENCE_MS;

  /** Jobs this process asked fal to cancel (fal shows them as COMPLETED with an error); the latest 1,000. */
  private readonly cancelled = new RecentIds();

  constructor(settings: FalAdapterSettings) {
    super(settings, {
      provider: PROVIDER,
      defaultBaseUrl: FAL_DEFAULT_BASE_URL,
      authHeaders: (apiKey) => ({ authorization: `Key ${apiKey}` }),
      classify: classifyFalError,
    });
  }

  models(): ModelInfo[] {
    return FAL_MODELS.map((entry) => structuredClone(entry.info));
  }

  model(modelId: string): ModelInfo {
    return structuredClone(this.spec(modelId).info);
  }

  checkRequest(request: GenerationRequest): SpecWarning[] {
    const spec = this.spec(request.modelId);
    return checkRequestAgainstCapabilities(spec.info.capabilities, request);
  }

  override estimateCost(request: GenerationRequest): CostEstimate {
    const spec = this.spec(request.modelId);
    const audio = request.audio ?? (spec.info.capabilities.audio && spec.audioDefault);
    return estimateFromPricing(spec.info.pricing, spec.info.capabilities, { ...request, audio });
  }

  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    const spec = this.spec(request.modelId);
    const warnings = this.checkRequest(request);
    const app = falAppPath(spec.info.modelId);
    const { value: submitted } = await this.http.jsonAnswer(
      falSubmitResponseSchema,
      `/${spec.info.modelId}`,
      {
        method: 'POST',
        body: this.input(spec, request),
        signal: options.signal,
      },
    );
    const requestId = this.acceptedJobId(submitted.request_id, {
      pattern: { test: /^[\w-]+$/, says: 'it is not a fal request id (letters, digits, _ and -)' },
    });
    const jobId = `${app}/requests/${requestId}`;
    options.onJobId?.(jobId);
    return { jobId, warnings };
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    const { app, requestId } = parseFalJobId(jobId);
    const base = `/${app}/requests/${encodeURIComponent(requestId)}`;
    const { value: status } = await this.http.jsonAnswer(
      falStatusResponseSchema,
      `${base}/status`,
      {
        query: { logs: 1 },
        okStatuses: (code) => code === 200 || code === 202,
        signal,
      },
    );
    if (status.status === 'IN_QUEUE' || status.status === 'IN_PROGRESS') return pendingOf(status);
    // Followed until it ends or its deadline (job-watch.ts), not given up as a bad answer.
    if (status.status !== 'COMPLETED') throw this.unknownStatus('request', status.status);
    if (status.error)
      return this.failed(jobId, status.error, status.error_type ?? undefined, undefined);
    return this.result(jobId, base, signal);
  }

  /**
   * Waits on fal's SSE status stream (one request for the whole wait): each pending status goes
   * to `onPending`; at COMPLETED the result is fetched as in status(). A stream that closes or
   * breaks before COMPLETED returns the last pending status (the caller looks again); one that
   * cannot be opened (an error answer, not an event stream) throws, and the caller polls. With
   * `maxOpenMs`, a stream still open after that long (kept alive by heartbeats without ever
   * telling the end) is closed and the last pending status returned, as for an early close.
   */
  async followStatus(
    jobId: string,
    options: {
      signal?: AbortSignal;
      onPending?: (status: Extract<JobStatus, { state: 'pending' }>) => void;
      maxOpenMs?: number;
    },
  ): Promise<JobStatus> {
    const { app, requestId } = parseFalJobId(jobId);
    const base = `/${app}/requests/${encodeURIComponent(requestId)}`;
    const bound =
      options.maxOpenMs === undefined ? undefined : AbortSignal.timeout(options.maxOpenMs);
    const signal =
      bound === undefined
        ? options.signal
        : options.signal === undefined
          ? bound
          : AbortSignal.any([options.signal, bound]);
    let last: Extract<JobStatus, { state: 'pending' }> = { state: 'pending' };
    let events: AsyncIterable<string>;
    try {
      events = await this.http.events(`${base}/status/stream`, { query: { logs: 0 }, signal });
    } catch (error) {
      // Not opened within the bound (the caller's own abort still throws): nothing known yet.
      if (bound?.aborted && !options.signal?.aborted) return last;
      throw error;
    }
    let completed: FalStatusResponse | undefined;
    try {
      for await (const data of events) {
        let json: unknown;
        try {
          json = JSON.parse(data);
        } catch {
          continue; // not a status event
        }
        const parsed = falStatusResponseSchema.safeParse(json);
        if (!parsed.success) continue;
        if (parsed.data.status === 'COMPLETED') {
          completed = parsed.data;
          break; // closes the stream
        }
        last = pendingOf(parsed.data);
        options.onPending?.(last);
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // Broken after it opened, or open past the bound: what is known so far; the caller looks
      // again.
    }
    if (!completed) return last;
    if (completed.error)
      return this.failed(jobId, completed.error, completed.error_type ?? undefined, undefined);
    // A failure here (a 429 or 5xx on the result) throws: the caller goes on by polling.
    return this.result(jobId, base, options.signal);
  }

  async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
    const { app, requestId } = parseFalJobId(jobId);
    const { json, response } = await this.http.json(
      `/${app}/requests/${encodeURIComponent(requestId)}/cancel`,
      {
        method: 'PUT',
        // 400 ALREADY_COMPLETED is an answer, not an error: there is nothing left to cancel.
        okStatuses: (status) => (status >= 200 && status < 300) || status === 400,
        signal,
      },
    );
    const parsed = falCancelResponseSchema.safeParse(json);
    const state = parsed.success ? parsed.data.status : undefined;
    if (response.status === 400 && state !== 'ALREADY_COMPLETED')
      throw this.http.httpError(response, classifyFalError);
    if (state === 'CANCELLATION_REQUESTED' || response.status === 202) this.cancelled.add(jobId);
  }

  // fal media URLs are public CDN links: download (inherited) sends no key. The queue API has no
  // model list for video apps: listModels (inherited) returns the known table.

  private spec(modelId: string): FalModelSpec {
    return this.known(findFalModel(modelId), modelId);
  }

  private input(spec: FalModelSpec, request: GenerationRequest): Record<string, unknown> {
    const input: Record<string, unknown> = { prompt: request.prompt };
    if (request.durationSeconds !== undefined) {
      const seconds = request.durationSeconds;
      input.duration =
        spec.durationStyle === 'suffix-s'
          ? `${seconds}s`
          : spec.durationStyle === 'string'
            ? String(seconds)
            : seconds;
    }
    if (request.aspectRatio !== undefined) input.aspect_ratio = request.aspectRatio;
    if (request.resolution !== undefined) input.resolution = request.resolution;
    if (request.seed !== undefined) input.seed = request.seed;
    if (request.audio !== undefined && spec.info.capabilities.audio)
      input.generate_audio = request.audio;
    if (request.imageUrl !== undefined && spec.imageField)
      input[spec.imageField] = request.imageUrl;
    Object.assign(input, request.providerOptions?.[PROVIDER] ?? {});
    return input;
  }

  /** GET {jobId}: the output, or the error of a job that COMPLETED as a failure. */
  private async result(jobId: string, base: string, signal?: AbortSignal): Promise<JobStatus> {
    const response = await this.http.request(base, {
      okStatuses: () => true,
      signal,
    });
    if (response.status >= 200 && response.status < 300) {
      if (response.json === undefined) {
        // Not JSON at all (a proxy's page, an empty or cut-off body): this says nothing of the
        // job, which fal has finished and billed. Ending it as bad_output lost a paid video to
        // one bad answer; the next look reads the result again.
        const type = scrub(
          String(response.headers['content-type'] || 'no content type').split(';')[0] ?? '',
          [this.settings.apiKey],
        ).slice(0, 60);
        throw new ProviderError(
          'provider_unavailable',
          `fal answered GET ${base} with HTTP ${response.status} and a body that is not JSON (${type}); the result is read again at the next look.`,
          { provider: PROVIDER, status: response.status, retryable: true },
        );
      }
      const parsed = falVideoResultSchema.safeParse(response.json);
      if (!parsed.success) {
        return this.failedJob(
          'bad_output',
          'fal completed the request but its result holds no video URL.',
          false,
        );
      }
      const data = parsed.data as {
        video?: { url: string; content_type?: string | null };
        videos?: Array<{ url: string; content_type?: string | null }>;
      };
      const files = data.video ? [data.video] : (data.videos ?? []);
      return {
        state: 'succeeded',
        outputs: files.map((file) => ({
          url: file.url,
          contentType: file.content_type ?? 'video/mp4',
        })),
      };
    }
    const body = falErrorBodySchema.safeParse(response.json);
    const errorType =
      (body.success ? body.data.error_type : undefined) ?? header(response, 'x-fal-error-type');
    const isJobFailure =
      response.status === 422 ||
      errorType !== undefined ||
      (response.status === 400 && this.cancelled.has(jobId)) ||
      (response.status === 400 && /cancel/i.test(response.text));
    if (!isJobFailure) throw this.http.httpError(response, classifyFalError); // transient (429, plain 5xx) or a bad id (404)
    return this.failed(
      jobId,
      extractMessage(response.json) ?? response.text.slice(0, 300),
      errorType,
      response,
    );
  }

  private failed(
    jobId: string,
    message: string,
    errorType: string | undefined,
    response: HttpResponse | undefined,
  ): JobStatus {
    if (this.cancelled.has(jobId) || /cancel/i.test(`${errorType ?? ''} ${message}`))
      return { state: 'cancelled' };
    const custom = response ? classifyFalError(response) : undefined;
    let code: ProviderErrorClass =
      custom?.errorClass ?? (response?.status === 422 ? 'invalid_request' : 'provider_unavailable');
    if (!custom && errorType !== undefined) {
      if (POLICY.test(errorType)) code = 'content_policy';
      else if (/timeout/i.test(errorType)) code = 'timeout';
    }
    const parsedBody = response ? falErrorBodySchema.safeParse(response.json) : undefined;
    const vendorCode =
      custom?.vendorCode ??
      errorType ??
      (parsedBody?.success ? detailTypes(parsedBody.data)[0] : undefined);
    const prefix = response
      ? `fal completed the request with HTTP ${response.status}`
      : 'fal completed the request with an error';
    return this.failedJob(
      code,
      `${prefix}: ${message || 'no details'}`,
      code === 'provider_unavailable' || code === 'timeout',
      vendorCode,
    );
  }
}

function pendingOf(status: FalStatusResponse): Extract<JobStatus, { state: 'pending' }> {
  // Past the queue: running, or a step fal added after it (an unknown status on the stream).
  if (status.status !== 'IN_QUEUE') return { state: 'pending', started: true };
  const place = queuePlace(status.queue_position);
  return { state: 'pending', ...(place === undefined ? {} : { queuePosition: place }) };
}

export function createFalAdapter(settings: FalAdapterSettings): VideoProviderAdapter {
  return new FalVideoAdapter(settings);
}
