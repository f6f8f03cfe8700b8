/**
 * Runway adapter (provider-apis.md §2).
 *
 * - Base https://api.dev.runwayml.com (api.runwayml.com answers 401); every call sends
 *   `Authorization: Bearer <key>` and `X-Runway-Version: 2024-11-06`.
 * - Create: POST /v1/text_to_video, or /v1/image_to_video when the request has an image;
 *   poll GET /v1/tasks/{id}; cancel DELETE /v1/tasks/{id} (cancels a running task, deletes a
 *   finished one).
 * - Statuses: PENDING, THROTTLED (over the concurrency limit, queued automatically), RUNNING
 *   (progress 0–1), SUCCEEDED (output[] URLs expiring in 24–48 h), FAILED (failure, failureCode;
 *   SAFETY.* → content_policy), CANCELLED. Runway asks for polls no more often than every 5 s.
 * - Cost: `cost.credits` on terminal tasks, converted at $0.01 per credit.
 */
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
import type { ErrorClassifier, HttpResponse } from '../http/http-client';
import type { VendorAdapterSettings } from '../http/vendor-http';
import { countable } from '../vendor-figures';
import { VendorVideoAdapter } from '../vendor-video-adapter';
import {
  runwayCreateSchema,
  runwayErrorBodySchema,
  runwayTaskSchema,
  type RunwayTask,
} from './runway-api-schemas';
import {
  RUNWAY_MODELS,
  RUNWAY_PIXEL_RATIOS,
  RUNWAY_USD_PER_CREDIT,
  findRunwayModel,
  type RunwayModelExtra,
} from './runway-models';

export const RUNWAY_DEFAULT_BASE_URL = 'https://api.dev.runwayml.com';
export const RUNWAY_API_VERSION = '2024-11-06';
/**
 * Runway: expect task updates at most every 5 s (SDK docstring). Queued and throttled tasks are
 * looked at no more often than that; it is also Runway's cadence for the poll schedule.
 */
export const RUNWAY_MIN_POLL_MS = 5000;
const PROMPT_LIMIT = 1000;

export type RunwayAdapterSettings = VendorAdapterSettings;

export function classifyRunwayHttp(response: HttpResponse): ReturnType<ErrorClassifier> {
  const parsed = runwayErrorBodySchema.safeParse(response.json);
  if (!parsed.success || !parsed.data.error) return undefined;
  const body = parsed.data;
  const issues = (body.issues ?? []).map(
    (issue) => `${(issue.path ?? []).join('.') || '(body)'}: ${issue.message ?? issue.code ?? ''}`,
  );
  const message = issues.length > 0 ? `${body.error}: ${issues.join('; ')}` : (body.error ?? '');
  if (/enough credits/i.test(message))
    return { errorClass: 'quota', message, vendorCode: 'INSUFFICIENT_CREDITS', retryable: false };
  if (/SAFETY|content moderation/i.test(message)) return { errorClass: 'content_policy', message };
  if (response.status === 401) return { errorClass: 'auth', message };
  if (response.status === 402 || response.status === 429) return { errorClass: 'quota', message };
  if (response.status === 504) return { errorClass: 'timeout', message };
  if (response.status >= 500) return { errorClass: 'provider_unavailable', message };
  return { errorClass: 'invalid_request', message };
}

/** Runway task failure codes (docs errors/task-failures). */
export function classifyRunwayFailure(failureCode: string | undefined): {
  errorClass: ProviderErrorClass;
  retryable: boolean;
} {
  const code = failureCode ?? '';
  if (/^SAFETY\./.test(code) || /^INPUT_PREPROCESSING\.SAFETY/.test(code))
    return { errorClass: 'content_policy', retryable: false };
  if (/^INTERNAL\.BAD_OUTPUT/.test(code)) return { errorClass: 'bad_output', retryable: true };
  if (/^ASSET\.INVALID/.test(code) || (/^INPUT/.test(code) && !/INTERNAL/.test(code)))
    return { errorClass: 'invalid_request', retryable: false };
  return { errorClass: 'provider_unavailable', retryable: true };
}

export class RunwayVideoAdapter extends VendorVideoAdapter<'runway'> {
  readonly pollCadenceMs = RUNWAY_MIN_POLL_MS;
  readonly minPollIntervalMs = RUNWAY_MIN_POLL_MS;
  readonly reportsProgress = true;

  constructor(settings: RunwayAdapterSettings) {
    super(settings, {
      provider: 'runway',
      defaultBaseUrl: RUNWAY_DEFAULT_BASE_URL,
      authHeaders: (apiKey) => ({
        authorization: `Bearer ${apiKey}`,
        'x-runway-version': RUNWAY_API_VERSION,
      }),
      classify: classifyRunwayHttp,
    });
  }

  models(): ModelInfo[] {
    return RUNWAY_MODELS.map((entry) => entry.info);
  }

  model(modelId: string): ModelInfo {
    return this.entry(modelId).info;
  }

  private entry(modelId: string): { info: ModelInfo; extra: RunwayModelExtra } {
    return this.known(findRunwayModel(modelId), modelId);
  }

  /** The pixel ratio Runway gets; an unmappable request is passed through unchanged (and warned). */
  ratioFor(request: GenerationRequest): string {
    const { info } = this.entry(request.modelId);
    const resolution = request.resolution ?? info.capabilities.resolutions[0] ?? '720p';
    const aspect = request.aspectRatio ?? '16:9';
    const explicit = request.providerOptions?.runway?.ratio;
    if (typeof explicit === 'string') return explicit;
    return RUNWAY_PIXEL_RATIOS[`${aspect}@${resolution}`] ?? aspect;
  }

  checkRequest(request: GenerationRequest): SpecWarning[] {
    const { info, extra } = this.entry(request.modelId);
    const isPixelRatio =
      request.aspectRatio !== undefined &&
      [...extra.textRatios, ...extra.imageRatios].includes(request.aspectRatio);
    const warnings = checkRequestAgainstCapabilities(
      info.capabilities,
      isPixelRatio ? { ...request, aspectRatio: undefined } : request,
    ).filter((warning) => !(warning.setting === 'resolution' && isPixelRatio));
    const allowed = request.imageUrl === undefined ? extra.textRatios : extra.imageRatios;
    const ratio = this.ratioFor(request);
    if (
      allowed.length > 0 &&
      !allowed.includes(ratio) &&
      !warnings.some(
        (warning) => warning.setting === 'aspectRatio' || warning.setting === 'resolution',
      )
    ) {
      warnings.push({
        setting: 'aspectRatio',
        message: `${request.aspectRatio ?? '16:9'} at ${request.resolution ?? info.capabilities.resolutions[0]} (${ratio}) is not offered for ${request.imageUrl === undefined ? 'text' : 'image'}-to-video; this model offers ${allowed.join(', ')}`,
      });
    }
    if ([...request.prompt].length > PROMPT_LIMIT) {
      warnings.push({
        setting: 'prompt',
        message: `Runway accepts at most ${PROMPT_LIMIT} characters of prompt text; Runway will reject this prompt`,
      });
    }
    return warnings;
  }

  /** The route and body for the create call. Exposed for tests. */
  buildCreate(request: GenerationRequest): { path: string; body: Record<string, unknown> } {
    const { info, extra } = this.entry(request.modelId);
    const body: Record<string, unknown> = {
      model: info.modelId,
      promptText: request.prompt,
      ratio: this.ratioFor(request),
    };
    const duration =
      request.durationSeconds ??
      (extra.durationRequired ? info.capabilities.defaultDurationSeconds : undefined);
    if (duration !== undefined) body.duration = duration;
    if (request.seed !== undefined) body.seed = request.seed;
    if (request.audio !== undefined && extra.audioFlag) body.audio = request.audio;
    if (request.imageUrl !== undefined) body.promptImage = request.imageUrl;
    const options = { ...(request.providerOptions?.runway ?? {}) };
    delete options.ratio;
    Object.assign(body, options);
    return {
      path: request.imageUrl === undefined ? '/v1/text_to_video' : '/v1/image_to_video',
      body,
    };
  }

  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    options.signal?.throwIfAborted();
    const warnings = this.checkRequest(request);
    const { path, body } = this.buildCreate(request);
    const { value: task } = await this.http.jsonAnswer(runwayCreateSchema, path, {
      method: 'POST',
      body,
      signal: options.signal,
    });
    const jobId = this.acceptedJobId(task.id);
    options.onJobId?.(jobId);
    return { jobId, warnings };
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    const { value: task } = await this.http.jsonAnswer(
      runwayTaskSchema,
      `/v1/tasks/${encodeURIComponent(jobId)}`,
      { signal },
    );
    return this.toJobStatus(task);
  }

  toJobStatus(task: RunwayTask): JobStatus {
    switch (task.status) {
      case 'PENDING':
        return { state: 'pending', started: false, pollAfterMs: RUNWAY_MIN_POLL_MS };
      case 'THROTTLED':
        return {
          state: 'pending',
          started: false,
          throttled: true,
          pollAfterMs: RUNWAY_MIN_POLL_MS,
        };
      case 'RUNNING': {
        // Running: no hint, the schedule (the model's typical duration) decides when to look.
        const status: JobStatus = { state: 'pending', started: true };
        if (typeof task.progress === 'number')
          status.progress = Math.min(1, Math.max(0, task.progress));
        return status;
      }
      case 'SUCCEEDED': {
        const outputs: VideoOutput[] = (task.output ?? [])
          .map((url, index) => ({ url, source: { jobId: task.id, index } }))
          .filter((output) => output.url.length > 0);
        // Credits past what a double holds in dollars (1e308) or below 0 are not counted.
        const billed =
          task.cost && countable(task.cost.credits) !== undefined
            ? countable(Math.round(task.cost.credits * RUNWAY_USD_PER_CREDIT * 1e6) / 1e6)
            : undefined;
        if (outputs.length === 0) {
          // Succeeded is billed: the credits Runway says it charged count, video or not.
          return this.failedJob(
            'bad_output',
            'Runway reported the task as succeeded but sent no output URL.',
            false,
            undefined,
            billed,
          );
        }
        const result: JobStatus = { state: 'succeeded', outputs };
        if (billed !== undefined) result.costUsd = billed;
        return result;
      }
      case 'FAILED': {
        const code = task.failureCode ?? undefined;
        const { errorClass, retryable } = classifyRunwayFailure(code);
        const text = task.failure ?? 'Runway reported the task as failed without details.';
        return this.failedJob(
          errorClass,
          `Runway: ${text}${code ? ` (${code})` : ''}`,
          retryable,
          code,
        );
      }
      case 'CANCELLED':
        return { state: 'cancelled' };
      default:
        throw this.unknownStatus('task', task.status);
    }
  }

  /**
   * Downloads an output. Runway's links expire (24–48 h) and every GET of the task signs fresh
   * ones: a link that answers expired (403/404/410) is replaced by the fresh link of the same
   * output, once, so a paid video that waited past its link's lifetime is not lost.
   */
  override async download(
    output: VideoOutput,
    signal?: AbortSignal,
    range?: DownloadRange,
  ): Promise<DownloadResult> {
    try {
      return await super.download(output, signal, range);
    } catch (error) {
      const source = output.source;
      if (!source || !ProviderError.isInstance(error) || error.code !== 'expired_output')
        throw error;
      // The refresh is a second chance, not a new question: when the task cannot be read now
      // (gone, a bad answer), the download's own error (expired) is what the admin is told,
      // not the status call's ("Runway refused the request: change the prompt").
      const status = await this.status(source.jobId, signal).catch((refresh: unknown) => {
        if (signal?.aborted) throw refresh;
        throw error;
      });
      // By the output's place in Runway's list (outputs without a URL are dropped from ours).
      const fresh =
        status.state === 'succeeded'
          ? status.outputs.find((candidate) => candidate.source?.index === source.index)
          : undefined;
      if (!fresh || fresh.url === output.url) throw error;
      return super.download(fresh, signal, range);
    }
  }

  /** DELETE /v1/tasks/{id}: cancels a pending or running task. A task Runway no longer knows is already gone. */
  async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.http.request(`/v1/tasks/${encodeURIComponent(jobId)}`, {
        method: 'DELETE',
        signal,
      });
    } catch (error) {
      if (ProviderError.isInstance(error) && (error as ProviderError).status === 404) return;
      throw error;
    }
  }

  // Runway has no model list call: listModels (inherited) returns the known table.
}

export function createRunwayAdapter(settings: RunwayAdapterSettings): VideoProviderAdapter {
  return new RunwayVideoAdapter(settings);
}
