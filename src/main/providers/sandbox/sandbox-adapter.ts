/**
 * The sandbox provider: no network, no keys. It simulates queueing, generation time, cost and
 * failures, deterministically per prompt, seed and model, and returns real short H.264 clips
 * shipped in resources/sandbox-clips. Everything it produces is labelled as simulated.
 *
 * A job's whole fate is encoded in its id (start time, queue and generation durations, outcome),
 * so a job survives a restart of the console exactly like a vendor-side job would.
 */
import { execFile } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { AppError, NoSuchModelError, ProviderError } from '../../../shared/errors';
import {
  SPEC_VERSION,
  type CostEstimate,
  type DownloadRange,
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
import { toWebStream } from '../../web-stream';
import { similarModelIds } from '../model-suggestions';

const SOURCE = { source: 'Sandbox: simulated prices for trying the console', asOf: '2026-11-01' };

/**
 * The sandbox returns what it offers. A request for an offered resolution (540p, 720p) starts
 * from a clip at that resolution (25 fps, audio: resources/sandbox-clips/hd); a request that
 * names no resolution from the small native clips (480x270, 24 fps). The shipped clips are 4 s
 * 16:9 with audio; any other duration, aspect ratio or a silent request is rendered from them
 * with ffmpeg on download (looped to the duration, scaled and centre-cropped to the aspect at the
 * same short side, small bitrate), once per variant, into `renderDir`. Without ffmpeg (or
 * without `renderDir`) the 4 s 16:9 clip is returned as is, and the compliance check says so.
 */
const BASE_CAPABILITIES = {
  textToVideo: true,
  imageToVideo: true,
  durationsSeconds: [4, 5, 8],
  defaultDurationSeconds: 4,
  resolutions: ['540p', '720p'],
  aspectRatios: ['16:9', '9:16', '1:1'],
  audio: true,
  seed: true,
} as const;

interface SandboxModelProfile {
  info: ModelInfo;
  /** Base queue time, ms. */
  queueMs: number;
  /** Base generation time, ms. */
  generationMs: number;
  /** Fraction of prompts that fail (deterministic by prompt hash). */
  failureRate: number;
  clips: string[];
}

function profile(
  modelId: string,
  displayName: string,
  usdPerSecond: number,
  queueMs: number,
  generationMs: number,
  failureRate: number,
  clips: string[],
): SandboxModelProfile {
  return {
    info: {
      provider: 'sandbox',
      modelId,
      displayName,
      lifecycle: 'active',
      capabilities: {
        ...BASE_CAPABILITIES,
        durationsSeconds: [...BASE_CAPABILITIES.durationsSeconds],
        resolutions: [...BASE_CAPABILITIES.resolutions],
        aspectRatios: [...BASE_CAPABILITIES.aspectRatios],
      },
      pricing: { usdPerSecond, ...SOURCE },
      simulated: true,
    },
    queueMs,
    generationMs,
    failureRate,
    clips,
  };
}

/** Every model draws from all clips, so blind review cannot tell sandbox models apart by look. */
const ALL_CLIPS = ['clip-a.mp4', 'clip-b.mp4', 'clip-c.mp4', 'clip-d.mp4'];
/** The same pictures at each offered resolution: `hd/<clip>-<resolution>.mp4`. */
const HD_CLIPS = ['clip-a', 'clip-c', 'clip-d'];

export const SANDBOX_MODELS: readonly SandboxModelProfile[] = [
  profile('sandbox-fast', 'Sandbox Fast', 0.05, 300, 1200, 0, ALL_CLIPS),
  profile('sandbox-pro', 'Sandbox Pro', 0.12, 500, 2200, 0, ALL_CLIPS),
  profile('sandbox-flaky', 'Sandbox Flaky', 0.03, 400, 1500, 0.34, ALL_CLIPS),
];

/**
 * The model the sandbox "releases" when a release is simulated (Models → Release monitor →
 * Simulate a release): until then it is in no list and cannot be asked for.
 */
export const SANDBOX_UPCOMING_MODEL: SandboxModelProfile = profile(
  'sandbox-next',
  'Sandbox Next',
  0.08,
  400,
  1800,
  0,
  ALL_CLIPS,
);

export interface SandboxAdapterConfig {
  clipsDir: string;
  /**
   * Where a simulated release is remembered (JSON), so it survives a restart like a vendor's
   * catalogue would; undefined = in memory only.
   */
  releaseFile?: string | undefined;
  /** Where rendered variants (other durations, aspects, silent) are kept; undefined = none. */
  renderDir?: string | undefined;
  /** ffmpeg for rendering variants (default `ffmpeg` on PATH). */
  ffmpegPath?: string | undefined;
  now: () => number;
  /** Multiplies every simulated duration (0 = instant; tests use small values). Default 1. */
  timeScale?: number;
}

interface DecodedJob {
  modelId: string;
  startedAt: number;
  queueMs: number;
  generationMs: number;
  outcome: 'success' | 'policy' | 'failure';
  clip: string;
  costUsd: number;
}

/** What a clip must become when it is not the shipped 4 s 16:9 clip with audio. */
interface RenderVariant {
  durationSeconds: number;
  aspectRatio: string;
  audio: boolean;
}

const SHIPPED: RenderVariant = { durationSeconds: 4, aspectRatio: '16:9', audio: true };

function variantOf(request: GenerationRequest): RenderVariant | null {
  const caps = BASE_CAPABILITIES;
  const durationSeconds =
    request.durationSeconds !== undefined &&
    (caps.durationsSeconds as readonly number[]).includes(request.durationSeconds)
      ? request.durationSeconds
      : SHIPPED.durationSeconds;
  const aspectRatio =
    request.aspectRatio !== undefined &&
    (caps.aspectRatios as readonly string[]).includes(request.aspectRatio)
      ? request.aspectRatio
      : SHIPPED.aspectRatio;
  const audio = request.audio !== false;
  if (
    durationSeconds === SHIPPED.durationSeconds &&
    aspectRatio === SHIPPED.aspectRatio &&
    audio === SHIPPED.audio
  ) {
    return null;
  }
  return { durationSeconds, aspectRatio, audio };
}

/** `?duration=8&aspect=9x16&audio=0` for a variant; '' for the shipped clip. */
function variantQuery(variant: RenderVariant | null): string {
  if (!variant) return '';
  return `?duration=${variant.durationSeconds}&aspect=${variant.aspectRatio.replace(':', 'x')}&audio=${variant.audio ? 1 : 0}`;
}

const CLIP_URL =
  /^sandbox:\/\/clips\/((?:hd\/)?clip-[a-z](?:-540p|-720p)?\.mp4)(?:\?duration=(4|5|8)&aspect=(16x9|9x16|1x1)&audio=([01]))?$/;

/** Even width x height with the given short side and aspect "W:H". */
function frameSize(shortSide: number, aspectRatio: string): { width: number; height: number } {
  const [w, h] = aspectRatio.split(':').map(Number) as [number, number];
  const even = (value: number): number => Math.round(value / 2) * 2;
  return w >= h
    ? { width: even((shortSide * w) / h), height: shortSide }
    : { width: shortSide, height: even((shortSide * h) / w) };
}

export class SandboxAdapter implements VideoProviderAdapter {
  readonly specVersion = SPEC_VERSION;
  readonly provider = 'sandbox' as const;
  private readonly cancelled = new Set<string>();
  private releasedInMemory = false;
  private readonly timeScale: number;

  constructor(private readonly config: SandboxAdapterConfig) {
    this.timeScale = config.timeScale ?? 1;
  }

  models(): ModelInfo[] {
    return this.profiles().map((entry) => entry.info);
  }

  /** True once the upcoming model was released (see simulateRelease). */
  released(): boolean {
    if (this.releasedInMemory) return true;
    const file = this.config.releaseFile;
    if (!file || !existsSync(file)) return false;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { released?: unknown };
      const released =
        Array.isArray(saved.released) &&
        saved.released.includes(SANDBOX_UPCOMING_MODEL.info.modelId);
      // A release is never taken back: remember it and stop reading the file.
      if (released) this.releasedInMemory = true;
      return released;
    } catch {
      return false;
    }
  }

  /** Releases the upcoming simulated model: from now on it is listed and can be benchmarked. */
  simulateRelease(): ModelInfo {
    if (this.released()) {
      throw new AppError(
        'conflict',
        `The sandbox already released ${SANDBOX_UPCOMING_MODEL.info.displayName} (${SANDBOX_UPCOMING_MODEL.info.modelId}); there is no further simulated release.`,
      );
    }
    this.releasedInMemory = true;
    const file = this.config.releaseFile;
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        `${JSON.stringify({ released: [SANDBOX_UPCOMING_MODEL.info.modelId], at: this.config.now() })}\n`,
      );
    }
    return SANDBOX_UPCOMING_MODEL.info;
  }

  private profiles(): readonly SandboxModelProfile[] {
    return this.released() ? [...SANDBOX_MODELS, SANDBOX_UPCOMING_MODEL] : SANDBOX_MODELS;
  }

  model(modelId: string): ModelInfo {
    return this.profileOf(modelId).info;
  }

  checkRequest(request: GenerationRequest): SpecWarning[] {
    return checkRequestAgainstCapabilities(this.model(request.modelId).capabilities, request);
  }

  estimateCost(request: GenerationRequest): CostEstimate {
    const info = this.model(request.modelId);
    return estimateFromPricing(info.pricing, info.capabilities, request);
  }

  async start(request: GenerationRequest, options: StartOptions = {}): Promise<StartResult> {
    options.signal?.throwIfAborted();
    const entry = this.profileOf(request.modelId);
    const warnings = this.checkRequest(request);
    const digest = hash(`${request.modelId}\n${request.prompt}\n${request.seed ?? 0}`);
    const roll = parseInt(digest.slice(0, 8), 16) / 0xffffffff;
    const jitter = 0.75 + (parseInt(digest.slice(8, 12), 16) / 0xffff) * 0.5;
    let outcome: DecodedJob['outcome'] = roll < entry.failureRate ? 'failure' : 'success';
    if (/#policy\b/i.test(request.prompt)) outcome = 'policy';
    if (/#fail\b/i.test(request.prompt)) outcome = 'failure';
    const slow = /#slow\b/i.test(request.prompt) ? 10 : 1;
    const pick = parseInt(digest.slice(12, 14), 16);
    const resolution = request.resolution;
    const clip =
      resolution !== undefined &&
      (BASE_CAPABILITIES.resolutions as readonly string[]).includes(resolution)
        ? `hd/${HD_CLIPS[pick % HD_CLIPS.length] ?? 'clip-a'}-${resolution}.mp4`
        : (entry.clips[pick % entry.clips.length] ?? 'clip-a.mp4');
    const costUsd = outcome === 'success' ? this.estimateCost(request).usd : 0;
    const variant = variantOf(request);
    const job: DecodedJob = {
      modelId: request.modelId,
      startedAt: this.config.now(),
      queueMs: Math.round(entry.queueMs * jitter * this.timeScale),
      generationMs: Math.round(entry.generationMs * jitter * slow * this.timeScale),
      outcome,
      clip: `${clip}${variantQuery(variant)}`,
      costUsd: Math.round(costUsd * 1e6) / 1e6,
    };
    const jobId = `sbx_${Buffer.from(JSON.stringify(job)).toString('base64url')}`;
    options.onJobId?.(jobId);
    return { jobId, warnings };
  }

  async status(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    signal?.throwIfAborted();
    const job = this.decode(jobId);
    if (this.cancelled.has(jobId)) return { state: 'cancelled' };
    const elapsed = this.config.now() - job.startedAt;
    if (elapsed < job.queueMs) {
      return {
        state: 'pending',
        queuePosition: 1,
        pollAfterMs: Math.max(50, job.queueMs - elapsed),
      };
    }
    if (elapsed < job.queueMs + job.generationMs) {
      const progress = (elapsed - job.queueMs) / job.generationMs;
      return {
        state: 'pending',
        started: true,
        progress: Math.min(0.99, progress),
        pollAfterMs: 250,
      };
    }
    if (job.outcome === 'policy') {
      return {
        state: 'failed',
        error: {
          code: 'content_policy',
          message:
            'The sandbox refused this prompt as a simulated content-policy decision (#policy).',
          retryable: false,
        },
      };
    }
    if (job.outcome === 'failure') {
      return {
        state: 'failed',
        error: {
          code: 'provider_unavailable',
          message: 'The sandbox simulated a generation failure on the provider side.',
          retryable: false,
        },
      };
    }
    return {
      state: 'succeeded',
      outputs: [{ url: `sandbox://clips/${job.clip}`, contentType: 'video/mp4' }],
      costUsd: job.costUsd,
    };
  }

  async cancel(jobId: string): Promise<void> {
    this.decode(jobId);
    this.cancelled.add(jobId);
  }

  async download(
    output: VideoOutput,
    signal?: AbortSignal,
    range?: DownloadRange,
  ): Promise<DownloadResult> {
    signal?.throwIfAborted();
    const match = CLIP_URL.exec(output.url);
    if (!match?.[1]) {
      throw new ProviderError('bad_output', `The sandbox cannot serve ${output.url}.`, {
        provider: 'sandbox',
      });
    }
    const shipped = join(this.config.clipsDir, match[1]);
    const file =
      match[2] === undefined
        ? shipped
        : await this.render(
            shipped,
            {
              durationSeconds: Number(match[2]),
              aspectRatio: match[3]!.replace('x', ':'),
              audio: match[4] === '1',
            },
            signal,
          );
    const size = statSync(file).size;
    const offset = Math.min(size, Math.max(0, range?.offset ?? 0));
    const stream = toWebStream(createReadStream(file, { start: offset }));
    return {
      body: stream,
      contentType: 'video/mp4',
      contentLength: size - offset,
      offset,
      totalBytes: size,
      resumable: true,
    };
  }

  /**
   * The shipped clip rendered to the variant, cached per variant, in two cheap steps: the 4 s
   * clip re-encoded to the aspect (or without audio) when that differs, then looped to the
   * duration by stream copy (no re-encoding). Falls back to the shipped clip when there is
   * nowhere to render or no ffmpeg to run; any other ffmpeg failure is a bad_output error.
   */
  private async render(
    shipped: string,
    variant: RenderVariant,
    signal?: AbortSignal,
  ): Promise<string> {
    const renderDir = this.config.renderDir;
    if (!renderDir) return shipped;
    const base = shipped
      .slice(this.config.clipsDir.length + 1)
      .replace(/[/\\]/g, '_')
      .replace(/\.mp4$/, '');
    const shortSide = /-540p\.mp4$/.test(shipped) ? 540 : /-720p\.mp4$/.test(shipped) ? 720 : 270;
    const { width, height } = frameSize(shortSide, variant.aspectRatio);
    try {
      let shaped = shipped;
      if (variant.aspectRatio !== SHIPPED.aspectRatio || !variant.audio) {
        shaped = await this.ffmpegOnce(
          renderDir,
          `${base}-${width}x${height}${variant.audio ? '' : '-silent'}.mp4`,
          (out) => [
            ...['-i', shipped],
            ...[
              '-vf',
              `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},setsar=1`,
            ],
            ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '32', '-pix_fmt', 'yuv420p'],
            ...(variant.audio ? ['-c:a', 'copy'] : ['-an']),
            ...['-movflags', '+faststart', out],
          ],
          signal,
        );
      }
      if (variant.durationSeconds === SHIPPED.durationSeconds) return shaped;
      return await this.ffmpegOnce(
        renderDir,
        `${base}-${width}x${height}-${variant.durationSeconds}s${variant.audio ? '' : '-silent'}.mp4`,
        (out) => [
          ...['-stream_loop', '-1', '-i', shaped, '-t', String(variant.durationSeconds)],
          ...['-c', 'copy', '-movflags', '+faststart', out],
        ],
        signal,
      );
    } catch (error) {
      signal?.throwIfAborted();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return shipped;
      throw new ProviderError(
        'bad_output',
        `The sandbox could not render a ${variant.durationSeconds} s ${variant.aspectRatio} clip with ffmpeg: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        { provider: 'sandbox' },
      );
    }
  }

  /** Runs ffmpeg into `dir/name` unless that file exists (written to a temp name, then renamed). */
  private async ffmpegOnce(
    dir: string,
    name: string,
    args: (out: string) => string[],
    signal?: AbortSignal,
  ): Promise<string> {
    const target = join(dir, name);
    if (existsSync(target)) return target;
    mkdirSync(dir, { recursive: true });
    const partial = join(dir, `.${randomUUID()}.part.mp4`);
    try {
      await new Promise<void>((resolve, reject) => {
        execFile(
          this.config.ffmpegPath ?? 'ffmpeg',
          ['-hide_banner', '-loglevel', 'error', '-y', ...args(partial)],
          { timeout: 60_000, ...(signal ? { signal } : {}) },
          (error) => (error ? reject(error) : resolve()),
        );
      });
      renameSync(partial, target);
      return target;
    } finally {
      rmSync(partial, { force: true });
    }
  }

  async listModels(): Promise<ModelInfo[]> {
    return this.models();
  }

  private profileOf(modelId: string): SandboxModelProfile {
    const entry = this.profiles().find((candidate) => candidate.info.modelId === modelId);
    if (!entry)
      throw new NoSuchModelError(
        'sandbox',
        modelId,
        similarModelIds(
          modelId,
          this.profiles().map((profile) => profile.info.modelId),
        ),
      );
    return entry;
  }

  private decode(jobId: string): DecodedJob {
    try {
      if (!jobId.startsWith('sbx_')) throw new Error('prefix');
      const job = JSON.parse(
        Buffer.from(jobId.slice(4), 'base64url').toString('utf8'),
      ) as DecodedJob;
      if (typeof job.startedAt !== 'number' || typeof job.clip !== 'string')
        throw new Error('shape');
      return job;
    } catch {
      throw new ProviderError('invalid_request', 'The sandbox does not know this job.', {
        provider: 'sandbox',
        status: 404,
      });
    }
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
