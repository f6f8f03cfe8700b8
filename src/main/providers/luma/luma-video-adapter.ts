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
import { ProviderError, type ProviderErrorClass } from '../../../shared/errors';
import canonicalize from 'canonicalize';
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
import { checkRequestAgainstCapabilities } from '../capabilities';
import { extractMessage, type HttpResponse } from '../http/http-client';
import type { VendorAdapterSettings } from '../http/vendor-http';
import { RecentIds } from '../recent-ids';
import { VendorVideoAdapter } from '../vendor-video-adapter';
import {
  LUMA_GENERATION_ID as GENERATION_ID,
  lumaCreatedSchema,
  lumaGenerationSchema,
  type LumaGeneration,
} from './luma-api-schemas';
import { LUMA_MODELS, findLumaModel } from './luma-models';

export const LUMA_DEFAULT_BASE_URL = 'https://api.lumalabs.ai/dream-machine/v1';
const PROVIDER = 'luma';

export type LumaAdapterSettings = VendorAdapterSettings;

/** GET /generations: {generations, has_more, count}; only what matching needs is read. */
const lumaListSchema = z.looseObject({
  generations: z.array(
    z.looseObject({
      id: z.string(),
      model: z.string().nullish(),
      created_at: z.string().nullish(),
      request: z.looseObject({ prompt: z.unknown().optional() }).nullish(),
    }),
  ),
  has_more: z.boolean().nullish(),
});

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

/** Luma's SDK has no poller; the reference client is a 3 s loop: the vendor's usual status cadence, for the poll schedule. */
export const LUMA_POLL_CADENCE_MS = 3000;

export class LumaVideoAdapter extends VendorVideoAdapter<'luma'> {
  readonly pollCadenceMs = LUMA_POLL_CADENCE_MS;

  /** Generations this process deleted (a later GET answers 404); the latest 1,000. */
  private readonly deleted = new RecentIds();

  constructor(settings: LumaAdapterSettings) {
    super(settings, {
      provider: PROVIDER,
      defaultBaseUrl: LUMA_DEFAULT_BASE_URL,
      authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
      classify: classifyLumaError,
    });
  }

  models(): ModelInfo[] {
    return LUMA_MODELS.map((model) => structuredClone(model));
  }

  model(modelId: string): ModelInfo {
    return structuredClone(this.known(findLumaModel(modelId), modelId));
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

  // estimateCost (inherited): Luma's default resolution is 720p, the table's base price.

  /** The create body (POST /generations/video). Exposed for tests. */
  buildCreate(request: GenerationRequest): Record<string, unknown> {
    const model = this.model(request.modelId);
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
    return body;
  }

  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    const warnings = this.checkRequest(request);
    if (request.imageUrl !== undefined && !/^https:\/\//.test(request.imageUrl)) {
      throw new ProviderError(
        'invalid_request',
        'Luma needs the reference image as an https URL; a data: URI cannot be sent.',
        { provider: PROVIDER },
      );
    }
    const body = this.buildCreate(request);
    const { value: created } = await this.http.jsonAnswer(lumaCreatedSchema, '/generations/video', {
      method: 'POST',
      body,
      signal: options.signal,
    });
    const jobId = this.acceptedJobId(created.id, {
      pattern: {
        test: GENERATION_ID,
        says: 'it is not a Luma generation id (letters, digits, _ and -, at most 100)',
      },
    });
    options.onJobId?.(jobId);
    return { jobId, warnings };
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    this.checkId(jobId);
    try {
      const { value: generation } = await this.http.jsonAnswer(
        lumaGenerationSchema,
        `/generations/${jobId}`,
        { signal },
      );
      return this.toStatus(generation);
    } catch (error) {
      if (error instanceof ProviderError && error.status === 404 && this.deleted.has(jobId))
        return { state: 'cancelled' };
      throw error;
    }
  }

  /**
   * GET /generations?limit&offset (newest first): every generation of this model created since
   * `createdAfter` that no other generation owns and whose echoed `request` agrees with every
   * field this request sends (model, prompt, aspect ratio, resolution, duration, keyframes,
   * provider options). Luma may store the request in another form, so each field is compared in
   * canonical form (RFC 8785: keys sorted, null fields dropped), and a field the echo leaves out
   * agrees. Luma takes no client reference (a `callback_url` marker would need a public
   * endpoint), so generations of the same input cannot be told apart: all are returned.
   *
   * A generation of the same model and prompt whose echo disagrees on a field (another duration,
   * say) is most likely another's, but could be ours stored in a form not foreseen: it is never
   * taken as proof the create was lost. It is returned after the matches, so the caller, seeing
   * more than one id, adopts none and sends nothing again; when it is the only one found,
   * findJobs throws (the outcome cannot be told), which the caller also ends as unknown.
   */
  async findJobs(lookup: JobLookup, signal?: AbortSignal): Promise<string[]> {
    const sent = this.buildCreate(lookup.request);
    const canonical = (value: unknown): string | undefined =>
      canonicalize(withoutNulls(value) ?? null);
    const agrees = (echoed: Record<string, unknown>, key: string, value: unknown): boolean => {
      const mine = withoutNulls(value);
      const theirs = withoutNulls(echoed[key]);
      // A field the echo leaves out (or nulls) agrees: Luma may not echo every field it takes.
      if (theirs === undefined || mine === undefined) return true;
      return canonical(theirs) === canonical(mine);
    };
    const found: string[] = [];
    const near: string[] = [];
    const limit = 50;
    scan: for (let page = 0; page < 5; page += 1) {
      const { value: list } = await this.http.jsonAnswer(lumaListSchema, '/generations', {
        query: { limit, offset: page * limit },
        signal,
      });
      for (const item of list.generations) {
        const created = item.created_at ? Date.parse(item.created_at) : Number.NaN;
        if (created < lookup.createdAfter) break scan;
        if (lookup.exclude.has(item.id)) continue;
        if (item.model && item.model !== sent.model) continue;
        const echoed = item.request;
        if (echoed === null || echoed === undefined) continue;
        if (!agrees(echoed, 'model', sent.model) || !agrees(echoed, 'prompt', sent.prompt))
          continue;
        if (Object.entries(sent).every(([key, value]) => agrees(echoed, key, value)))
          found.push(item.id);
        else near.push(item.id);
      }
      if (!list.has_more) break;
    }
    if (found.length === 0 && near.length === 1) {
      throw new ProviderError(
        'bad_output',
        `Luma lists a generation of this model and prompt with other settings (${near[0]}); it cannot be told whether it is this submission.`,
        { provider: PROVIDER, retryable: false },
      );
    }
    return [...found, ...near];
  }

  async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
    this.checkId(jobId);
    await this.http.request(`/generations/${jobId}`, {
      method: 'DELETE',
      // 404: already gone, nothing to stop.
      okStatuses: (status) => (status >= 200 && status < 300) || status === 404,
      signal,
    });
    this.deleted.add(jobId);
  }

  // Luma assets are public CDN URLs: download (inherited) sends no key. Luma has no model list
  // call: listModels (inherited) returns the known table.

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
          return this.failedJob(
            'bad_output',
            'Luma marked the generation completed but gave no video URL.',
            false,
          );
        return { state: 'succeeded', outputs: [{ url: video, contentType: 'video/mp4' }] };
      }
      case 'failed': {
        const reason = generation.failure_reason ?? 'no reason given';
        const code = classifyFailureReason(reason);
        return this.failedJob(
          code,
          `Luma failed the generation: ${reason}`,
          code === 'provider_unavailable' || code === 'timeout',
        );
      }
      default:
        // Followed until it ends or its deadline (job-watch.ts), not given up as a bad answer.
        throw this.unknownStatus('generation', generation.state);
    }
  }
}

export function createLumaAdapter(settings: LumaAdapterSettings): VideoProviderAdapter {
  return new LumaVideoAdapter(settings);
}

/** `value` without null or undefined fields (at any depth); undefined when it is null itself. */
function withoutNulls(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => withoutNulls(item) ?? null);
  if (typeof value === 'object') {
    const kept = Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => [key, withoutNulls(inner)] as const)
      .filter(([, inner]) => inner !== undefined);
    return Object.fromEntries(kept);
  }
  return value;
}
