/**
 * The console's video-provider spec: what every adapter (sandbox, Together, Runway, Replicate,
 * Gemini Veo, fal, Luma) implements. Pure TypeScript and zod; web-standard types only
 * (AbortSignal, ReadableStream), so both main and renderer can import the data types.
 *
 * Conventions: a field that is `undefined` means "the provider's default". Units are in the
 * field name or its JSDoc. Vendor-specific knobs go in `providerOptions[provider]`.
 */
import { z } from 'zod';
import type { SerializedError } from '../errors';

export const SPEC_VERSION = 'v1' as const;

import { PROVIDER_IDS, type ProviderId } from './provider-ids';

export { PROVIDER_IDS, PROVIDER_LABELS, type ProviderId } from './provider-ids';
export const providerIdSchema = z.enum(PROVIDER_IDS);

/** How a model is priced. All amounts in US dollars. */
const basePricingSchema = z.object({
  /** Dollars per second of output video; `undefined` when priced per clip. */
  usdPerSecond: z.number().nonnegative().optional(),
  /** Dollars per clip regardless of length; `undefined` when priced per second. */
  usdPerClip: z.number().nonnegative().optional(),
  /** Extra dollars per second when audio is generated; `undefined` = audio costs nothing extra. */
  audioUsdPerSecond: z.number().nonnegative().optional(),
  /** Multipliers by resolution label (e.g. {"1080p": 1.5}); `undefined` = same price everywhere. */
  resolutionMultiplier: z.record(z.string(), z.number().positive()).optional(),
  /** Where the figure comes from (doc page, SDK source, third-party) and when it was read. */
  source: z.string(),
  /** ISO date the price was read. */
  asOf: z.string(),
});

/**
 * How a model is priced. `entered` is set when an admin entered the price in the console (see
 * shared/providers/model-price.ts): the figures above are then derived from it.
 */
export const pricingSchema = basePricingSchema.extend({
  entered: z
    .object({
      /** Who entered it (the console's actor name) and when (ms since the epoch). */
      by: z.string(),
      at: z.number(),
      /** The figures as entered: dollars per second of video or per clip. */
      unit: z.enum(['second', 'clip']),
      usd: z.number().positive(),
      resolutionPrices: z.record(z.string(), z.number().positive()).optional(),
      audioUsdPerSecond: z.number().positive().optional(),
      /** The built-in table's price it overrides; null = the table had none. */
      replaces: basePricingSchema.nullable(),
    })
    .optional(),
});
export type Pricing = z.infer<typeof pricingSchema>;

export const modelCapabilitiesSchema = z.object({
  textToVideo: z.boolean(),
  imageToVideo: z.boolean(),
  /** Durations the model accepts, in whole seconds. */
  durationsSeconds: z.array(z.number().positive()),
  /** Duration used when the request leaves it undefined, in seconds. */
  defaultDurationSeconds: z.number().positive(),
  /** Resolution labels such as "540p", "720p", "1080p". */
  resolutions: z.array(z.string()),
  /** Aspect ratios as "W:H", e.g. "16:9". */
  aspectRatios: z.array(z.string()),
  /** Whether the model can generate an audio track. */
  audio: z.boolean(),
  /** Whether a seed is honoured (same seed, same prompt → same video). */
  seed: z.boolean(),
  /**
   * Frame rates (frames per second) the model can be asked for, inclusive, and the rate it uses
   * when none is asked; `undefined` = the model's frame rate is fixed and cannot be asked for.
   */
  fps: z
    .object({
      min: z.number().positive(),
      max: z.number().positive(),
      default: z.number().positive(),
    })
    .optional(),
});
export type ModelCapabilities = z.infer<typeof modelCapabilitiesSchema>;

export const modelLifecycleSchema = z.enum(['active', 'preview', 'deprecated', 'retired']);
export type ModelLifecycle = z.infer<typeof modelLifecycleSchema>;

export const modelInfoSchema = z.object({
  provider: providerIdSchema,
  /** The vendor's model id, exactly as the vendor spells it (ids may be mixed-case). */
  modelId: z.string().min(1),
  displayName: z.string(),
  lifecycle: modelLifecycleSchema,
  capabilities: modelCapabilitiesSchema,
  pricing: pricingSchema,
  /** True for the offline sandbox: results are simulated and must be labelled so. */
  simulated: z.boolean(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** A reference to a model, written `provider:modelId` on the command line. */
export const modelRefSchema = z.object({ provider: providerIdSchema, modelId: z.string().min(1) });
export type ModelRef = z.infer<typeof modelRefSchema>;

export function formatModelRef(ref: ModelRef): string {
  return `${ref.provider}:${ref.modelId}`;
}

export function parseModelRef(text: string): ModelRef {
  const index = text.indexOf(':');
  if (index <= 0 || index === text.length - 1) {
    throw new Error(
      `"${text}" is not a model reference; write it as provider:model, e.g. sandbox:sandbox-fast`,
    );
  }
  const provider = providerIdSchema.safeParse(text.slice(0, index));
  if (!provider.success) {
    throw new Error(
      `Unknown provider "${text.slice(0, index)}"; known providers: ${PROVIDER_IDS.join(', ')}`,
    );
  }
  return { provider: provider.data, modelId: text.slice(index + 1) };
}

export const generationSettingsSchema = z.object({
  /** Length of the clip in seconds; `undefined` = the model's default duration. */
  durationSeconds: z.number().positive().max(120).optional(),
  /** "W:H", e.g. "16:9"; `undefined` = provider default. */
  aspectRatio: z
    .string()
    .regex(/^\d+:\d+$/, 'must look like 16:9')
    .optional(),
  /** Resolution label such as "720p"; `undefined` = provider default. */
  resolution: z
    .string()
    .regex(/^\d+p$|^4k$/i, 'must look like 720p')
    .optional(),
  /** Integer seed; `undefined` = random at the vendor. */
  seed: z.number().int().nonnegative().optional(),
  /** Generate an audio track; `undefined` = provider default (usually none). */
  audio: z.boolean().optional(),
  /**
   * Frames per second; only models whose capabilities list `fps` accept it (others warn).
   * `undefined` = the model's default rate.
   */
  fps: z.number().int().min(1).max(120).optional(),
});
export type GenerationSettings = z.infer<typeof generationSettingsSchema>;

export const generationRequestSchema = generationSettingsSchema.extend({
  modelId: z.string().min(1),
  prompt: z.string().min(1).max(32000),
  /** Reference image for image-to-video: an https URL or a data: URI. */
  imageUrl: z.string().optional(),
  /** Vendor-specific knobs keyed by provider id. */
  providerOptions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
export type GenerationRequest = z.infer<typeof generationRequestSchema>;

/** A warning about a request the model cannot fully honour; the request is not silently changed. */
export interface SpecWarning {
  setting: keyof GenerationSettings | 'imageUrl' | 'prompt' | 'providerOptions';
  message: string;
}

export interface StartResult {
  /** The vendor's job id (an opaque string; for Gemini the operation name). */
  jobId: string;
  warnings: SpecWarning[];
  /**
   * The job's status as the create call answered it, where that answer carries one (e.g.
   * Replicate's `Prefer: wait`, which holds the create until the job ends or the wait expires);
   * `undefined` = not known yet, poll.
   */
  status?: JobStatus;
}

export interface VideoOutput {
  /** Where the vendor serves the file. Expires: download at once. */
  url: string;
  /** MIME type when the vendor states it. */
  contentType?: string;
  /**
   * The vendor job this output came from and its place among the job's outputs, where a status
   * call gives fresh links (Runway signs them for 24–48 h): an expired link is replaced by one.
   */
  source?: { jobId: string; index: number };
}

export type JobStatus =
  | {
      state: 'pending';
      /** 0..1 when the vendor reports progress. */
      progress?: number;
      /** Position in the vendor's queue, when reported. */
      queuePosition?: number;
      /** Vendor said the job is waiting for capacity (Runway THROTTLED). */
      throttled?: boolean;
      /** The vendor's hint for when to poll next, in ms. */
      pollAfterMs?: number;
      /** Vendor reports the job has started generating (end of queueing). */
      started?: boolean;
    }
  | {
      state: 'succeeded';
      outputs: VideoOutput[];
      /** Cost in dollars as reported by the vendor; `undefined` = vendor does not report it. */
      costUsd?: number;
      /** Seconds billed by the vendor (e.g. Replicate predict_time), when reported. */
      billedSeconds?: number;
    }
  | {
      state: 'failed';
      error: SerializedError & { vendorCode?: string };
      /** What the vendor billed for the failed job, when it says (0 = not charged). */
      costUsd?: number;
    }
  | { state: 'cancelled' };

export interface CostEstimate {
  usd: number;
  /** How the figure was reached, in words, e.g. "8 s × $0.40/s". */
  basis: string;
}

export interface DownloadResult {
  /** Streams the bytes; the caller writes them to the media store. */
  body: ReadableStream<Uint8Array>;
  contentType: string;
  /** Declared size of this answer's body in bytes, when the server sent Content-Length. */
  contentLength?: number;
  /**
   * Byte of the file at which `body` starts: the offset asked for when the server answered 206,
   * else 0 (the whole file). `undefined` = 0.
   */
  offset?: number;
  /** Size of the whole file when the server states it (Content-Length of a 200, Content-Range total of a 206). */
  totalBytes?: number;
  /** The server takes `Range` requests (it said `Accept-Ranges: bytes` or answered 206). */
  resumable?: boolean;
}

/** Where a download starts (a resume after a broken transfer). */
export interface DownloadRange {
  /** First byte wanted; sent as `Range: bytes=<offset>-`. */
  offset: number;
}

export interface StartOptions {
  signal?: AbortSignal;
  /**
   * Called with the vendor job id the moment the vendor answers, before anything else
   * (the caller persists it, so a crash can never cause a second paid submission).
   */
  onJobId?: (jobId: string) => void;
}

/** What to look for when a create's outcome is unknown (see VideoProviderAdapter.findJobs). */
export interface JobLookup {
  request: GenerationRequest;
  /** Only jobs created at or after this time (ms since the epoch) can be the one. */
  createdAfter: number;
  /** Job ids already accounted for (other generations); never returned. */
  exclude: ReadonlySet<string>;
}

/** One vendor's adapter. Every method honours its AbortSignal. */
export interface VideoProviderAdapter {
  readonly specVersion: typeof SPEC_VERSION;
  readonly provider: ProviderId;
  /**
   * The vendor's usual status cadence in ms (its docs' or SDK's poll interval); the poll
   * schedule looks more often than this only where the model's jobs usually end.
   * `undefined` = no such figure (the adaptive schedule's own bounds apply).
   */
  readonly pollCadenceMs?: number;
  /**
   * The vendor's minimum interval between two status calls for one job, ms (e.g. Runway: its
   * tasks update at most every 5 s). Every caller's poll loop (watchJob) honours it, whatever
   * the schedule, a hint or a retry would ask. `undefined` = no minimum.
   */
  readonly minPollIntervalMs?: number;
  /**
   * Running jobs report progress (0–1) that grows about evenly with time (Runway), so two looks
   * estimate when the job ends and the next look goes just after it. `undefined` = no.
   */
  readonly reportsProgress?: boolean;
  /**
   * The vendor has no cancel call (Together, Gemini): `cancel` sends nothing, and a job the
   * console gives up on runs on there and is billed when it ends. `undefined` = cancel stops it.
   */
  readonly cannotCancel?: boolean;
  /** The models this adapter knows (its price and capability table). */
  models(): ModelInfo[];
  /** Throws NoSuchModelError for an unknown model id. */
  model(modelId: string): ModelInfo;
  /** Warnings for settings the model cannot honour; nothing is changed. */
  checkRequest(request: GenerationRequest): SpecWarning[];
  estimateCost(request: GenerationRequest): CostEstimate;
  start(request: GenerationRequest, options?: StartOptions): Promise<StartResult>;
  status(jobId: string, signal?: AbortSignal): Promise<JobStatus>;
  /**
   * Follows the job over the vendor's push channel (fal: the SSE status stream) in one request:
   * calls `onPending` with each pending status as it arrives and resolves with the final status
   * once the job ends, or with the last pending status when the channel closed before the end
   * (the caller looks again). Throws when the channel cannot be used at all (not offered, an
   * error answer); the caller then polls `status`. `undefined` = the vendor has no such channel.
   * `maxOpenMs` bounds one open: a channel still open after that long (kept alive without ever
   * telling the end) is closed and the last pending status returned.
   */
  followStatus?(
    jobId: string,
    options: {
      signal?: AbortSignal;
      onPending?: (status: Extract<JobStatus, { state: 'pending' }>) => void;
      maxOpenMs?: number;
    },
  ): Promise<JobStatus>;
  cancel(jobId: string, signal?: AbortSignal): Promise<void>;
  /** Streams an output; with `range`, from that byte on where the server supports it. */
  download(
    output: VideoOutput,
    signal?: AbortSignal,
    range?: DownloadRange,
  ): Promise<DownloadResult>;
  /** The vendor's live catalogue where it has a list call; otherwise the known model table. */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /**
   * Where the vendor lets you list your jobs: the ids of every job matching `lookup` (a create
   * whose answer was lost), newest first; empty when the vendor's list has none. Every field the
   * create sends must match, not the prompt alone. More than one id means the jobs cannot be
   * told apart (two generations of the same input): the caller must adopt none of them. A job
   * that may be this one though it does not fully match (same model and prompt, a setting
   * echoed differently) is never left out to make the answer empty: it is returned after the
   * matches, so the count says ambiguous, or, when it is the only one, findJobs throws (the
   * outcome cannot be told; the caller ends the create as unknown, never sends it again). Absent
   * where the vendor has no list call (then an unknown create stays unknown).
   */
  findJobs?(lookup: JobLookup, signal?: AbortSignal): Promise<string[]>;
}
