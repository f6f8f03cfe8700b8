/**
 * Luma Dream Machine (provider-apis.md §6).
 *
 * - Create: POST {base}/generations/video, `Authorization: Bearer …` → 201 Generation {id, state}.
 * - Poll: GET /generations/{id}: queued → dreaming → completed (assets.video) | failed
 *   (failure_reason).
 * - Cancel: DELETE /generations/{id} (Luma's only way to stop a generation; it also deletes it,
 *   so a later GET answers 404, which this adapter reads as cancelled for ids it deleted).
 * - Errors: {"detail": "…"}. Luma reports no cost per generation; costUsd stays undefined.
 * - Reference images: keyframes.frame0 {type:"image", url}; Luma takes https URLs only.
 */
import type { Dispatcher } from 'undici';
import { NoSuchModelError, ProviderError, type ProviderErrorClass } from '../../../shared/errors';
import {
  SPEC_VERSION,
  type CostEstimate,
  type DownloadResult,
  type GenerationRequest,
  type JobStatus,
  type ModelInfo,
  type SpecWarning,
  type StartOptions,
  type StartResult,
  type VideoOutput,
  type VideoProviderAdapter,
} from '../../../shared/providers/video-provider-spec';
import { checkRequestAgainstCapabilities, estimateFromPricing } from '../capabilities';
import { HttpClient, extractMessage, scrub, type HttpResponse } from '../http/http-client';
import { lumaGenerationSchema, type LumaGeneration } from './luma-api-schemas';
import { LUMA_MODELS, findLumaModel } from './luma-models';

export const LUMA_DEFAULT_BASE_URL = 'https://api.lumalabs.ai/dream-machine/v1';
const PROVIDER = 'luma';
const GENERATION_ID = /^[\w-]{1,100}$/;

export interface LumaAdapterSettings {
  apiKey: string;
  baseUrl?: string;
  dispatcher: Dispatcher;
  now?: () => number;
}

const POLICY = /moderat|not allowed|content polic|safety|nsfw|inappropriate|flagged/i;
const CREDITS = /insufficient credits|not enough credits|out of credits|balance/i;

export function classifyLumaError(
  response: HttpResponse,
): { errorClass: ProviderErrorClass; message: string; vendorCode?: string } | undefined {
  const message = extractMessage(response.json);
  if (message === undefined) return undefined;
  if (
    response.status >= 400 &&
    response.status < 500 &&
    response.status !== 429 &&
    POLICY.test(message)
  )
    return { errorClass: 'content_policy', message };
  if (
    (response.status === 400 || response.status === 402 || response.status === 403) &&
    CREDITS.test(message)
  )
    return { errorClass: 'quota', message };
  return undefined;
}

/** Classifies a failed generation's failure_reason. */
export function classifyFailureReason(reason: string): ProviderErrorClass {
  if (POLICY.test(reason)) return 'content_policy';
  if (/timed? ?out|timeout/i.test(reason)) return 'timeout';
  if (/invalid|unsupported|must be|too long/i.test(reason)) return 'invalid_request';
  return 'provider_unavailable';
}

export class LumaVideoAdapter implements VideoProviderAdapter {
  readonly specVersion = SPEC_VERSION;
  readonly provider = 'luma' as const;
  private readonly http: HttpClient;
  /** Generations this process deleted (a later GET answers 404). */
  private readonly deleted = new Set<string>();

  constructor(private readonly settings: LumaAdapterSettings) {
    this.http = new HttpClient({
      provider: PROVIDER,
      baseUrl: (settings.baseUrl ?? LUMA_DEFAULT_BASE_URL).replace(/\/$/, ''),
      dispatcher: settings.dispatcher,
      headers: () => ({ authorization: `Bearer ${settings.apiKey}` }),
      secrets: () => [settings.apiKey],
      ...(settings.now === undefined ? {} : { now: settings.now }),
    });
  }

  models(): ModelInfo[] {
    return LUMA_MODELS.map((model) => structuredClone(model));
  }

  model(modelId: string): ModelInfo {
    const model = findLumaModel(modelId);
    if (!model) throw new NoSuchModelError(PROVIDER, modelId);
    return structuredClone(model);
  }

  checkRequest(request: GenerationRequest): SpecWarning[] {
    const warnings = checkRequestAgainstCapabilities(
      this.model(request.modelId).capabilities,
      request,
    );
    if (request.imageUrl !== undefined && !/^https:\/\//.test(request.imageUrl)) {
      warnings.push({
        setting: 'imageUrl',
        message: 'Luma takes the reference image as an https URL only (no data: URIs or uploads)',
      });
    }
    return warnings;
  }

  estimateCost(request: GenerationRequest): CostEstimate {
    const model = this.model(request.modelId);
    // Luma's default resolution is 720p, the table's base price.
    return estimateFromPricing(model.pricing, model.capabilities, request);
  }

  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    const model = this.model(request.modelId);
    const warnings = this.checkRequest(request);
    if (request.imageUrl !== undefined && !/^https:\/\//.test(request.imageUrl)) {
      throw new ProviderError(
        'invalid_request',
        'Luma needs the reference image as an https URL; a data: URI cannot be sent.',
        { provider: PROVIDER },
      );
    }
    const body: Record<string, unknown> = {
      generation_type: 'video',
      model: model.modelId,
      prompt: request.prompt,
    };
    if (request.aspectRatio !== undefined) body.aspect_ratio = request.aspectRatio;
    if (request.resolution !== undefined) body.resolution = request.resolution;
    if (request.durationSeconds !== undefined) body.duration = `${request.durationSeconds}s`;
    if (request.imageUrl !== undefined)
      body.keyframes = { frame0: { type: 'image', url: request.imageUrl } };
    Object.assign(body, request.providerOptions?.[PROVIDER] ?? {});
    const { json } = await this.http.json('/generations/video', {
      method: 'POST',
      body,
      classify: classifyLumaError,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const parsed = lumaGenerationSchema.safeParse(json);
    const id = parsed.success ? parsed.data.id : (json as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || !GENERATION_ID.test(id)) {
      throw new ProviderError(
        'provider_unavailable',
        'luma accepted the generation but its answer has no id.',
        { provider: PROVIDER, retryable: false },
      );
    }
    options.onJobId?.(id);
    return { jobId: id, warnings };
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    this.checkId(jobId);
    let json: unknown;
    try {
      ({ json } = await this.http.json(`/generations/${jobId}`, {
        classify: classifyLumaError,
        ...(signal === undefined ? {} : { signal }),
      }));
    } catch (error) {
      if (error instanceof ProviderError && error.status === 404 && this.deleted.has(jobId))
        return { state: 'cancelled' };
      throw error;
    }
    const parsed = lumaGenerationSchema.safeParse(json);
    if (!parsed.success) {
      throw new ProviderError(
        'provider_unavailable',
        `luma answered the generation poll with an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
        {
          provider: PROVIDER,
          retryable: true,
        },
      );
    }
    return this.toStatus(parsed.data);
  }

  async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
    this.checkId(jobId);
    await this.http.request(`/generations/${jobId}`, {
      method: 'DELETE',
      // 404: already gone, nothing to stop.
      okStatuses: (status) => (status >= 200 && status < 300) || status === 404,
      classify: classifyLumaError,
      ...(signal === undefined ? {} : { signal }),
    });
    this.deleted.add(jobId);
  }

  async download(output: VideoOutput, signal?: AbortSignal): Promise<DownloadResult> {
    // Luma assets are public CDN URLs; the key is not sent.
    return this.http.download(output.url, signal === undefined ? {} : { signal });
  }

  /** Luma has no model list call; the known table is returned. */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    signal?.throwIfAborted();
    return this.models();
  }

  private checkId(jobId: string): void {
    if (!GENERATION_ID.test(jobId)) {
      throw new ProviderError(
        'invalid_request',
        `"${jobId.slice(0, 120)}" is not a Luma generation id.`,
        { provider: PROVIDER },
      );
    }
  }

  private toStatus(generation: LumaGeneration): JobStatus {
    switch (generation.state) {
      case 'queued':
        return { state: 'pending' };
      case 'dreaming':
        return { state: 'pending', started: true };
      case 'completed': {
        const video = generation.assets?.video;
        if (!video)
          return {
            state: 'failed',
            error: {
              code: 'bad_output',
              message: 'Luma marked the generation completed but gave no video URL.',
              retryable: false,
            },
          };
        return { state: 'succeeded', outputs: [{ url: video, contentType: 'video/mp4' }] };
      }
      case 'failed': {
        const reason = generation.failure_reason ?? 'no reason given';
        const code = classifyFailureReason(reason);
        return {
          state: 'failed',
          error: {
            code,
            message: scrub(`Luma failed the generation: ${reason}`, [this.settings.apiKey]).slice(
              0,
              600,
            ),
            retryable: code === 'provider_unavailable' || code === 'timeout',
          },
        };
      }
    }
  }
}

export function createLumaAdapter(settings: LumaAdapterSettings): VideoProviderAdapter {
  return new LumaVideoAdapter(settings);
}
