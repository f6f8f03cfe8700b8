/**
 * Plans, runs and resumes benchmark runs (suite × models).
 *
 * Money rules: the plan shows the estimated cost before anything starts; a run whose estimate
 * exceeds its budget does not start; while running, nothing new is submitted once actual spend
 * plus what is in flight would pass the budget. A vendor job id is persisted the moment the
 * vendor answers, so a crash never leads to a second paid submission: after a restart, submitted
 * jobs are polled again, and a submission whose answer was lost is marked `submit_unknown`
 * instead of being sent again.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AppError,
  isPaymentRequired,
  ProviderError,
  serializeError,
  type SerializedError,
} from '../../shared/errors';
import type { GenerationOutcome, RunPlan, RunSummary } from '../../shared/domain';
import { providerLabel } from '../../shared/providers/provider-ids';
import {
  PROVIDER_LABELS,
  formatModelRef,
  type GenerationRequest,
  type GenerationSettings,
  type JobStatus,
  type ModelInfo,
  type ModelRef,
  type SpecWarning,
  type VideoOutput,
  type VideoProviderAdapter,
} from '../../shared/providers/video-provider-spec';
import type { EventBus } from '../events';
import type { MediaStore } from '../media/media-store';
import {
  DURATION_HISTORY,
  DurationHistory,
  type PollPolicy,
  type TypicalDuration,
} from '../providers/http/polling';
import { watchJob } from '../providers/job-watch';
import { estimateFromPricing } from '../providers/capabilities';
import { formatMoney } from '../../shared/format';
import { withRetry } from '../providers/http/retry';
import { analysisColumns, analysisErrorColumns } from '../media/analysis-columns';
import { ffmpegAvailability } from '../media/video-analysis';
import { downloadVideo } from '../media/download-video';
import { runAnalysisEnabled, setRunAnalysis, VideoAnalyser } from '../media/video-analyser';
import { defaultTimeoutSeconds, timeoutSecondsSchema } from '../../shared/bench/generation-timeout';
import type { ProviderRegistry } from '../providers/registry';
import { jobIdProblem, shownJobId, UnusableJobIdError } from '../providers/job-id-check';
import type { WritableDb } from '../store/db';
import {
  DEFAULT_BUSY_PATIENCE_MS,
  busyLogGate,
  isDatabaseBusy,
  retryWhileBusy,
  SHORT_BUSY_WAIT_MS,
  withBusyTimeout,
  withoutBusyWait,
} from '../store/busy-retry';
import {
  acquireRunLease,
  claimForSubmission,
  describeLease,
  processAlive,
  releaseRunLease,
  renewRunLease,
  type LeaseOwner,
  type RunLease,
} from './run-lease';
import { hostname } from 'node:os';
import {
  findCachedSuccess,
  getGenerationRow,
  getRunSummary,
  getSuite,
  insertRun,
  type RunViewer,
  knownJobIds,
  unresolvedTwins,
  listGenerationRows,
  listQueuedRows,
  listRunIdsInState,
  recentDurations,
  recordMedia,
  runSpend,
  setRunState,
  toGenerationRecord,
  updateGeneration,
  type GenerationPatch,
  type GenerationRow,
  type NewGeneration,
  runAllowsCache,
  runTimeoutSeconds,
  setRunTimeoutSeconds,
} from './bench-repository';
import { withAdvice } from './generation-advice';
import { noSuchSuite } from './suite-service';
import { unboundedPriceModels } from '../../shared/bench/plan-cost';

/** First wait before a download that failed on the console's disk is tried again; doubles. */
/**
 * Longest pause of a provider's new submissions after a 429 on a create, ms: the longest wait
 * withRetry gives the request that met it (4 × its 30 s cap). A vendor's Retry-After may ask for
 * days (an HTTP date, a daily cap) or overflow the timer (which then fires at once): the run then
 * tries again after this, and a create still refused ends `quota` after its retries, instead of
 * queued generations waiting for ever.
 */
export const RATE_LIMIT_PAUSE_MAX_MS = 120_000;
const STORAGE_RETRY_MS = 5_000;
const STORAGE_RETRY_MAX_MS = 5 * 60_000;
/** How often a stop or cancel is checked during that wait. */
const STORAGE_RETRY_STEP_MS = 1_000;
/** A stop waits this long at most for such writes still waiting for the lock. */
const STOP_WAITS_FOR_WRITES_MS = 15_000;
/** Wait before a claim (the write before a create) that found the database locked is tried again. */
const CLAIM_RETRY_MS = 500;

export interface BenchRunnerDeps {
  db: WritableDb;
  registry: ProviderRegistry;
  media: MediaStore;
  bus: EventBus;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  log: (line: string) => void;
  /** Concurrency across all runs. Default 4. */
  globalConcurrency?: number;
  /** Concurrency per model, keyed `provider:modelId`; default no limit beyond the provider's. */
  modelConcurrency?: Partial<Record<string, number>>;
  /** Concurrency per provider. Default 2 (sandbox: 4). */
  providerConcurrency?: Partial<Record<string, number>>;
  /** How often to poll when the vendor gives no hint; default DEFAULT_POLL_POLICY. */
  pollPolicy?: PollPolicy;
  /** ffmpeg/ffprobe for video checks; `undefined` = no analysis. */
  mediaTools?: { ffmpegPath: string; ffprobePath: string; timeoutMs?: number };
  /**
   * ffmpeg analyses at once, across all runs, outside the generations' concurrency slots.
   * Default max(1, cores − 1).
   */
  analysisConcurrency?: number;
  /** Retries of a submission the vendor refused with a retryable error. Default 2. */
  submitRetries?: number;
  /** First backoff before such a retry, ms. Default 1000. */
  retryInitialDelayMs?: number;
  /** Retries of a failed video download (5xx, reset, truncated, HTML instead of video). Default 3. */
  downloadRetries?: number;
  /** First backoff before such a retry, ms. Default 500. */
  downloadRetryDelayMs?: number;
  /** Wait before looking for a create whose answer was lost in the vendor's job list, ms. Default 3000. */
  reconcileDelayMs?: number;
  /**
   * How long a write of a submitted generation (its vendor job id, cost, stored video, outcome)
   * is tried again while another process holds SQLite's write lock past the busy timeout, ms.
   * The generation goes on meanwhile with what is known in memory. Default 10 minutes.
   */
  busyPatienceMs?: number;
  /**
   * A generation that takes longer than this is cancelled at the vendor and marked timed out.
   * A run's own `timeoutSeconds` wins; default: the model's (defaultTimeoutSeconds).
   */
  generationTimeoutMs?: number;
  /**
   * How often a driven run is checked against SQLite for changes made elsewhere (a cancel from
   * another window or process), ms. Default 2000.
   */
  checkIntervalMs?: number;
  /**
   * This process's claim on the runs it drives (one process per run). Default: a random owner
   * id, this pid and host name, a 30 s lease, and a pid check for holders on this host.
   */
  lease?: {
    owner?: LeaseOwner;
    /** How long a lease lasts without a heartbeat, ms. Default 30000. */
    ttlMs?: number;
    isProcessAlive?: (pid: number) => boolean;
  };
}

/** What `resume` did: runs now driven here, and runs another process is still driving. */
export interface ResumeResult {
  resumed: string[];
  drivenElsewhere: { runId: string; lease: RunLease; message: string }[];
}

export interface PlanInput {
  suiteId: string;
  models: ModelRef[];
  budgetUsd?: number | undefined;
}

export interface StartInput extends PlanInput {
  name?: string | undefined;
  budgetUsd: number;
  /** Answer identical earlier requests from the cache (costs nothing). Default false. */
  allowCache?: boolean | undefined;
  /** Check each downloaded video with ffprobe/ffmpeg. Default true. */
  analysis?: boolean | undefined;
  /**
   * Generation timeout, seconds (1 s … 6 h), stored with the run (runs.timeout_seconds).
   * Default: each model's (defaultTimeoutSeconds).
   */
  timeoutSeconds?: number | undefined;
}

interface ActiveGeneration {
  controller: AbortController;
  provider: string;
  reservedUsd: number;
  /** Its create request is in flight (or its lost answer is being looked up): never aborted. */
  creating: boolean;
  /** Cancelled while creating: the job the create made is cancelled once its id is known. */
  cancelRequested: boolean;
  /**
   * The vendor job id once the create answered: known here before (and even without) its write
   * to SQLite, which may wait for the database's write lock.
   */
  jobId?: string;
  /**
   * Its timeout passed while creating (the create is not aborted, like a cancel's): the job the
   * create made is cancelled once its id is known and the generation ends `timeout`.
   */
  timedOut?: ProviderError;
  /** Its video is being downloaded (paid), whether or not the database says so yet. */
  downloading?: boolean;
}

interface RunState {
  runId: string;
  budgetUsd: number;
  allowCache: boolean;
  /** Whether downloaded videos are analysed (runs.analysis). */
  analysis: boolean;
  /** The run's generation timeout, seconds (runs.timeout_seconds); null = each model's default. */
  timeoutSeconds: number | null;
  /** Analyses waiting or running, by generation id; the run finishes after them. */
  analysing: Map<string, { controller: AbortController; done: Promise<void> }>;
  active: Map<string, ActiveGeneration>;
  /** The admin cancelled the run (here or from another process): it ends as `cancelled`. */
  cancelled: boolean;
  /** The console is shutting down: the run stays `running` and resumes on the next start. */
  stopping: boolean;
  /** Aborted the moment the run is cancelled or stops being driven here (see halt()). */
  halted: AbortController;
  done: Promise<void>;
}

const CANCELLED_BY_ADMIN: SerializedError = {
  code: 'cancelled',
  message: 'Cancelled by the admin.',
  retryable: false,
};

/** Marks a run cancelled or stopping and aborts what waits on its `halted` signal. */
function halt(state: RunState, why: 'cancelled' | 'stopping'): void {
  state[why] = true;
  state.halted.abort();
}

export class BenchRunner {
  private readonly runs = new Map<string, RunState>();
  private globalInFlight = 0;
  private readonly providerInFlight = new Map<string, number>();
  private readonly wakeups = new Set<() => void>();
  /** A provider's new submissions wait until `until`; a create sent after `since` and accepted lifts it. */
  private readonly pausedUntil = new Map<string, { until: number; since: number }>();
  private readonly modelInFlight = new Map<string, number>();
  /**
   * Downloads of paid videos waiting for a slot after a disk failure (their providers). They go
   * before new submissions: a new job is not claimed while one of these waits for a slot it could
   * take, or the retry could wait behind a whole queue until the vendor's output link expired.
   */
  private readonly retriesWaiting = new Map<symbol, string>();
  /**
   * Generations whose job the vendor last reported in a status the adapter does not know: what
   * their timeout message adds (it is why no result came).
   */
  private readonly unknownStatusNotes = new Map<string, string>();
  private readonly pendingRunEmits = new Map<string, ReturnType<typeof setTimeout>>();
  private checkTimer: ReturnType<typeof setInterval> | undefined;
  /** Video analysis: its own bounded queue and a cache by content hash; null = no ffmpeg. */
  readonly analyser: VideoAnalyser | null;
  /** Recent job durations per `provider:modelId`, for the poll schedule. */
  private readonly durations = new DurationHistory();

  private readonly owner: LeaseOwner;
  private readonly takenOver = new Set<string>();
  /** Downloads that failed on the console's own disk, per generation: how often in a row. */
  private readonly storageFailures = new Map<string, number>();
  private readonly stopFollowing = new Set<() => void>();
  private readonly leaseTtlMs: number;
  /** How long a write that must not be lost waits for SQLite's write lock, ms. */
  readonly busyPatienceMs: number;
  private readonly isProcessAlive: (pid: number) => boolean;
  /**
   * Writes of a generation waiting for SQLite's write lock (see save()), by generation id: the
   * last of its chain, which resolves true once all are written, false once one was given up.
   */
  private readonly unsaved = new Map<
    string,
    { runId: string | undefined; done: Promise<boolean> }
  >();

  constructor(private readonly deps: BenchRunnerDeps) {
    this.analyser = deps.mediaTools
      ? new VideoAnalyser({
          db: deps.db,
          ...deps.mediaTools,
          concurrency: deps.analysisConcurrency,
          now: deps.now,
        })
      : null;
    this.owner = deps.lease?.owner ?? {
      ownerId: `owner_${randomUUID()}`,
      pid: process.pid,
      host: hostname(),
    };
    this.leaseTtlMs = deps.lease?.ttlMs ?? 30_000;
    this.busyPatienceMs = deps.busyPatienceMs ?? DEFAULT_BUSY_PATIENCE_MS;
    this.isProcessAlive = deps.lease?.isProcessAlive ?? processAlive;
  }

  /** Who reads run summaries here: runs whose lease another process holds say so. */
  viewer(): RunViewer {
    return {
      ownerId: this.owner.ownerId,
      host: this.owner.host,
      now: this.deps.now(),
      isProcessAlive: this.isProcessAlive,
    };
  }

  plan(input: PlanInput): RunPlan {
    const suite = getSuite(this.deps.db, input.suiteId);
    if (!suite) throw noSuchSuite(this.deps.db, input.suiteId);
    const seen = new Set<string>();
    const lines = input.models.map((ref) => {
      const key = formatModelRef(ref);
      if (seen.has(key)) throw new AppError('validation', `models: ${key} is listed twice.`);
      seen.add(key);
      const { adapter, model } = this.deps.registry.resolve(ref);
      let cost = 0;
      let priceUnknown = false;
      const warnings = new Set<string>();
      const skipped: { promptId: string; reason: string }[] = [];
      for (const prompt of suite.definition.prompts) {
        const mismatch = inputMismatch(model, prompt.imageUrl);
        if (mismatch) {
          skipped.push({ promptId: prompt.id, reason: mismatch });
          continue;
        }
        const request = buildRequest(
          ref.modelId,
          prompt.text,
          prompt.imageUrl,
          suite.definition.settings,
        );
        const estimate = this.budgetEstimate(adapter, model, request);
        cost += estimate.usd;
        if (estimate.priceUnknown) {
          priceUnknown = true;
          warnings.add(
            estimate.usd > 0
              ? `price: no price is known for this model, so each clip is counted at ${formatMoney(estimate.usd)} (the highest price of any model the console knows, for this clip: an upper bound, not its price) until the vendor reports what it billed; the budget holds either way`
              : 'price: no price is known for this model and no known price bounds it, so no budget could be held: a run with it is refused',
          );
        }
        for (const warning of adapter.checkRequest(request))
          warnings.add(planWarningText(warning, request, model));
      }
      return {
        provider: ref.provider,
        modelId: ref.modelId,
        displayName: model.displayName,
        generations: suite.definition.prompts.length - skipped.length,
        estimatedCostUsd: round(cost),
        priceUnknown,
        ...(model.pricing.entered
          ? { priceEntered: { by: model.pricing.entered.by, at: model.pricing.entered.at } }
          : {}),
        simulated: model.simulated,
        warnings: [...warnings],
        skipped,
      };
    });
    const estimatedCostUsd = round(lines.reduce((sum, line) => sum + line.estimatedCostUsd, 0));
    const generations = lines.reduce((sum, line) => sum + line.generations, 0);
    const concurrency = this.globalLimit;
    const expectedDurationSeconds = Math.ceil(
      (generations / concurrency) * (lines.every((line) => line.simulated) ? 3 : 120),
    );
    return {
      suiteId: suite.id,
      suiteName: suite.definition.name,
      suiteVersion: suite.version,
      generations,
      estimatedCostUsd,
      expectedDurationSeconds,
      models: lines,
      budgetUsd: input.budgetUsd ?? null,
      // A model whose clips count $0 for want of any known price would pass every budget while
      // its vendor bills them: such a plan fits no budget (startRun says why).
      withinBudget:
        input.budgetUsd === undefined || unboundedPriceModels(lines).length > 0
          ? false
          : estimatedCostUsd <= input.budgetUsd + 1e-9,
    };
  }

  /**
   * What one generation counts against the budget before the vendor says what it billed. A real
   * model with no recorded price (most of Replicate's models, whose API reports no cost either)
   * would count $0 and pass every budget while the vendor bills each prediction: it is counted
   * at the highest price of any real model the console knows, for the same clip, so the budget
   * holds; the plan says so. A vendor-reported cost replaces the estimate as usual. A price an
   * admin entered for the model (registry.resolve gives it) is the model's price here.
   */
  private budgetEstimate(
    adapter: VideoProviderAdapter,
    model: ModelInfo,
    request: GenerationRequest,
  ): { usd: number; priceUnknown: boolean } {
    const usd = this.deps.registry.estimateCost(adapter, model, request).usd;
    if (usd > 0 || model.simulated) return { usd, priceUnknown: false };
    let ceiling = 0;
    for (const known of this.deps.registry.allModels()) {
      if (known.simulated) continue;
      const other = estimateFromPricing(known.pricing, known.capabilities, {
        ...request,
        modelId: known.modelId,
      }).usd;
      if (other > ceiling) ceiling = other;
    }
    return { usd: ceiling, priceUnknown: true };
  }

  startRun(input: StartInput): { runId: string; plan: RunPlan } {
    if (input.timeoutSeconds !== undefined) {
      const checked = timeoutSecondsSchema.safeParse(input.timeoutSeconds);
      if (!checked.success)
        throw new AppError('validation', checked.error.issues[0]?.message ?? 'Bad timeoutSeconds.');
    }
    const plan = this.plan(input);
    const unbounded = unboundedPriceModels(plan.models);
    if (unbounded.length > 0) {
      const names = unbounded.map((line) => `${line.provider}:${line.modelId}`).join(', ');
      throw new AppError(
        'budget_exceeded',
        `No price is known for ${names}, and no known price bounds ${unbounded.length === 1 ? 'it' : 'them'}: the console would count ${unbounded.length === 1 ? 'its' : 'their'} clips at $0 while the vendor bills them, so the budget could not be held. Leave ${unbounded.length === 1 ? 'it' : 'them'} out of the run.`,
      );
    }
    if (!plan.withinBudget) {
      throw new AppError(
        'budget_exceeded',
        `This run is estimated at $${plan.estimatedCostUsd.toFixed(2)}, over the $${input.budgetUsd.toFixed(2)} budget. Raise the budget or choose fewer models or prompts.`,
      );
    }
    const suite = getSuite(this.deps.db, plan.suiteId, plan.suiteVersion);
    if (!suite) throw noSuchSuite(this.deps.db, plan.suiteId);
    const runId = `run_${randomUUID()}`;
    const createdAt = this.deps.now();
    const generations: NewGeneration[] = [];
    const unsupported = new Map<string, string>();
    for (const prompt of suite.definition.prompts) {
      for (const ref of input.models) {
        const { adapter, model } = this.deps.registry.resolve(ref);
        const request = buildRequest(
          ref.modelId,
          prompt.text,
          prompt.imageUrl,
          suite.definition.settings,
        );
        const id = `gen_${randomUUID()}`;
        const mismatch = inputMismatch(model, prompt.imageUrl);
        if (mismatch) unsupported.set(id, mismatch);
        generations.push({
          id,
          promptId: prompt.id,
          prompt: prompt.text,
          category: prompt.category,
          imageUrl: prompt.imageUrl,
          provider: ref.provider,
          modelId: ref.modelId,
          settings: suite.definition.settings,
          requestKey: requestKey(ref, request),
          estimatedCostUsd: mismatch ? 0 : this.budgetEstimate(adapter, model, request).usd,
          simulated: model.simulated,
        });
      }
    }
    const name =
      input.name ??
      `${suite.definition.name} · ${input.models.map((ref) => this.deps.registry.resolve(ref).model.displayName).join(' vs ')}`;
    // The run, its settings and this process's lease in one write: a database locked by another
    // process refuses all of it (nothing sent, nothing half-written), never leaves a run that
    // no lease holds for another console to pick up.
    try {
      this.deps.db
        .transaction(() => {
          insertRun(
            this.deps.db,
            {
              id: runId,
              name,
              suiteId: suite.id,
              suiteVersion: suite.version,
              models: input.models,
              budgetUsd: input.budgetUsd,
              estimatedCostUsd: plan.estimatedCostUsd,
              createdAt,
              allowCache: input.allowCache ?? false,
            },
            generations,
          );
          if (input.analysis === false) setRunAnalysis(this.deps.db, runId, false);
          if (input.timeoutSeconds !== undefined)
            setRunTimeoutSeconds(this.deps.db, runId, input.timeoutSeconds);
          this.acquire(runId);
        })
        .immediate();
    } catch (error) {
      if (!isDatabaseBusy(error)) throw error;
      throw new AppError(
        'conflict',
        'The run was not started: the database is locked by another program (another console on the same data folder, or a backup). Nothing was sent; try again in a moment.',
        { retryable: true, cause: error },
      );
    }
    this.deps.log(
      `run ${runId} started: ${generations.length} generations, estimate $${plan.estimatedCostUsd.toFixed(2)}`,
    );
    // What the model cannot take is never sent (a vendor would answer 400, or ignore the input).
    for (const [id, reason] of unsupported) {
      const row = getGenerationRow(this.deps.db, id);
      if (row)
        this.finish(row, 'skipped_unsupported', {
          code: 'unsupported_model',
          message: `Not sent: ${reason}.`,
          retryable: false,
        });
    }
    this.drive(runId, input.budgetUsd, input.allowCache ?? false);
    return { runId, plan };
  }

  /** Picks up every run that was running when the console stopped; see resume(). */
  resumeAll(): string[] {
    return this.resume().resumed;
  }

  /**
   * Picks up every `running` run that no live process drives: its lease is taken first, so a
   * run another process is driving is left alone (and reported), and only a run whose driver
   * is gone has its interrupted submissions marked `submit_unknown`. Submitted jobs are polled
   * again, never sent again; they hold their concurrency slots from the start, beyond the limits
   * if need be, so nothing new is submitted until fewer than the limit are in flight.
   */
  resume(): ResumeResult {
    const result: ResumeResult = { resumed: [], drivenElsewhere: [] };
    // The runs resumed here submit nothing new before all their jobs at the vendor hold their
    // slots (see loop()): one run's queue must not fill slots another run's jobs already use.
    let slotsHeld = (): void => undefined;
    const ready = new Promise<void>((resolve) => (slotsHeld = resolve));
    try {
      this.resumeRuns(result, ready);
    } finally {
      slotsHeld();
    }
    return result;
  }

  private resumeRuns(result: ResumeResult, ready: Promise<void>): void {
    for (const runId of listRunIdsInState(this.deps.db, 'running')) {
      if (this.runs.has(runId)) continue;
      const summary = getRunSummary(this.deps.db, runId);
      if (!summary) continue;
      const claim = this.acquire(runId);
      if (!claim.acquired) {
        result.drivenElsewhere.push({
          runId,
          lease: claim.holder,
          message: `Run ${runId} is being driven by another console: ${describeLease(claim.holder, this.deps.now())}. It was left alone; cancel it with \`aideon bench cancel ${runId}\`, or resume it after that process has stopped.`,
        });
        continue;
      }
      for (const row of listGenerationRows(this.deps.db, runId)) {
        // Where the vendor can list its jobs, the run's loop looks for these first (adopt).
        if (row.state === 'submitting' && !this.canFindJobs(row.provider)) {
          this.finish(row, 'submit_unknown', {
            code: 'provider_unavailable',
            message:
              'The console stopped while this request was being submitted, so it is not known whether the provider received it. It was not sent again; check the provider dashboard.',
            retryable: false,
          });
        }
      }
      this.deps.log(
        `run ${runId} resumed${claim.previous && claim.previous.ownerId !== this.owner.ownerId ? ` (taken over from process ${claim.previous.pid} on ${claim.previous.host})` : ''}`,
      );
      result.resumed.push(runId);
      // Started with the cache: its queued identical requests are still answered from it.
      this.drive(runId, summary.budgetUsd, runAllowsCache(this.deps.db, runId), ready);
    }
  }

  /**
   * For long-lived consoles (app, browser mode): every interval, takes over runs whose driver
   * died (its lease lapsed) and re-announces runs another process drives, so open windows follow
   * their progress. Returns a stop function; stop() also ends it.
   */
  followOtherProcesses(intervalMs = 2000): () => void {
    // A database another process holds is tried again at the next tick, logged once meanwhile.
    const tickLog = busyLogGate(this.deps.log);
    const tick = (): void => {
      if (!this.deps.db.open) return;
      try {
        const { drivenElsewhere } = this.resume();
        for (const busy of drivenElsewhere) this.emitRun(busy.runId, true);
        tickLog.succeeded("checking other processes' runs");
      } catch (error) {
        tickLog.failed(
          `checking other processes' runs failed: ${serializeError(error).message}`,
          error,
        );
      }
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref?.();
    const stop = (): void => {
      clearInterval(timer);
      this.stopFollowing.delete(stop);
    };
    this.stopFollowing.add(stop);
    return stop;
  }

  private acquire(runId: string): ReturnType<typeof acquireRunLease> {
    return acquireRunLease(this.deps.db, runId, this.owner, {
      now: this.deps.now(),
      ttlMs: this.leaseTtlMs,
      isProcessAlive: this.isProcessAlive,
    });
  }

  /** Resolves when the run has no more work (finished or cancelled). */
  async waitForRun(runId: string): Promise<RunSummary> {
    await this.runs.get(runId)?.done;
    const summary = getRunSummary(this.deps.db, runId);
    if (!summary) throw new AppError('not_found', `There is no run "${runId}".`);
    return summary;
  }

  isActive(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** This process stopped driving the run because another one took its lease over. */
  wasTakenOver(runId: string): boolean {
    return this.takenOver.has(runId);
  }

  /**
   * Cancels a run: it is marked `cancelled` at once (so every window and process sees it), queued
   * generations are dropped, running ones are cancelled at the provider, and the run is only
   * reported back once every generation has an outcome. A finished run is left as it is.
   */
  async cancelRun(runId: string): Promise<number> {
    const summary = getRunSummary(this.deps.db, runId);
    if (!summary) throw new AppError('not_found', `There is no run "${runId}".`);
    if (summary.state === 'finished') return 0;
    const state = this.runs.get(runId);
    // Written before the run is halted here: a busy database (another process's lock) answers
    // the admin's cancel with a retryable error and changes nothing, instead of a run halted in
    // this process yet still `running` on disk (resumed, and sent on, at the next start).
    if (summary.state !== 'cancelled')
      setRunState(this.deps.db, runId, 'cancelled', this.deps.now());
    if (state) halt(state, 'cancelled');
    this.emitRun(runId, true);
    let count = 0;
    const rows = listGenerationRows(this.deps.db, runId).filter((row) => row.outcome === null);
    for (const row of rows) {
      if (await this.cancelOne(row)) count += 1;
    }
    this.wake();
    await state?.done;
    this.emitRun(runId, true);
    return count;
  }

  /** Cancels one model's unfinished generations in a run; the rest of the run goes on. */
  async cancelModel(runId: string, provider: string, modelId: string): Promise<number> {
    if (!getRunSummary(this.deps.db, runId))
      throw new AppError('not_found', `There is no run "${runId}".`);
    let count = 0;
    for (const row of listGenerationRows(this.deps.db, runId)) {
      if (
        row.provider === provider &&
        row.model_id === modelId &&
        row.outcome === null &&
        (await this.cancelOne(row))
      )
        count += 1;
    }
    this.wake();
    return count;
  }

  async cancelGeneration(generationId: string): Promise<boolean> {
    const row = getGenerationRow(this.deps.db, generationId);
    if (!row) throw new AppError('not_found', `There is no generation "${generationId}".`);
    const cancelled = await this.cancelOne(row);
    this.wake();
    return cancelled;
  }

  /** Stops driving runs (on shutdown); runs stay `running` and resume on the next start. */
  async stop(): Promise<void> {
    for (const stop of [...this.stopFollowing]) stop();
    for (const state of this.runs.values()) {
      halt(state, 'stopping');
      for (const active of state.active.values())
        active.controller.abort(new AppError('cancelled', 'The console is shutting down.'));
      for (const analysing of state.analysing.values())
        analysing.controller.abort(new AppError('cancelled', 'The console is shutting down.'));
    }
    this.wake();
    await Promise.allSettled([...this.runs.values()].map((state) => state.done));
    // A job id, cost or stored video still waiting for the database's write lock: given a
    // moment to get through before the console closes the database (the row stays as it was
    // otherwise, so the next start treats it as it would after a crash).
    if (this.unsaved.size > 0) {
      const writes = Promise.allSettled([...this.unsaved.values()].map((entry) => entry.done));
      const cap = new AbortController();
      await Promise.race([
        writes,
        this.deps.sleep(STOP_WAITS_FOR_WRITES_MS, cap.signal).catch(() => undefined),
      ]);
      cap.abort();
      for (const [id] of this.unsaved)
        this.deps.log(
          `generation ${id}: a write was still waiting for the database when the console stopped; it is checked again on the next start`,
        );
    }
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.checkTimer = undefined;
    for (const timer of this.pendingRunEmits.values()) clearTimeout(timer);
    this.pendingRunEmits.clear();
  }

  private async cancelOne(listed: GenerationRow): Promise<boolean> {
    // Read again: an earlier cancel of the same call may have taken a while.
    const row = getGenerationRow(this.deps.db, listed.id) ?? listed;
    if (row.outcome !== null) return false;
    const active = this.runs.get(row.run_id)?.active.get(row.id);
    if (active?.creating) {
      // The create may have reached the vendor: aborting it would leave a job made and billed
      // there that nothing cancels (Runway cannot list jobs). It finishes; executeSteps then
      // cancels the job it made, or ends a lost answer as submit_unknown.
      active.cancelRequested = true;
      return true;
    }
    // Its job id or its video may still wait for the database (locked by another process):
    // what is known here counts.
    const jobId = row.vendor_job_id ?? active?.jobId ?? null;
    const rowState = active?.downloading
      ? 'downloading'
      : row.state === 'submitting' && jobId !== null
        ? 'submitted'
        : row.state;
    if (rowState === 'downloading' && this.runs.has(row.run_id)) {
      // Paid already: the vendor made the video and billed it, so a cancel saves nothing, and
      // the vendor's cancel may delete the finished task with its output (Runway). This process
      // drives the run: the download (or its retry) goes on and the generation ends with its
      // video; the run itself is cancelled, so nothing new is sent.
      return false;
    }
    this.runs
      .get(row.run_id)
      ?.analysing.get(row.id)
      ?.controller.abort(new AppError('cancelled', 'Cancelled by the admin.'));
    // A `downloading` job is finished at the vendor: its cancel would only delete the output.
    const confirmed =
      jobId !== null && rowState !== 'downloading' ? await this.cancelAtVendor(row, jobId) : true;
    // A job left running at the vendor before its result was seen may be billed: its estimate
    // stays counted (billing_unknown). Once `downloading`, its cost is known already.
    void this.finish(
      row,
      'cancelled',
      CANCELLED_BY_ADMIN,
      undefined,
      !confirmed && rowState === 'submitted',
      jobId !== null && row.vendor_job_id === null ? { vendor_job_id: jobId } : {},
    );
    active?.controller.abort(new AppError('cancelled', 'Cancelled by the admin.'));
    return true;
  }

  /** `ready`: what the run's queue waits for before it submits anything (see loop()). */
  private drive(
    runId: string,
    budgetUsd: number,
    allowCache: boolean,
    ready?: Promise<void>,
  ): void {
    const state: RunState = {
      runId,
      budgetUsd,
      allowCache,
      analysis: runAnalysisEnabled(this.deps.db, runId),
      timeoutSeconds: runTimeoutSeconds(this.deps.db, runId),
      analysing: new Map(),
      active: new Map(),
      cancelled: false,
      stopping: false,
      halted: new AbortController(),
      done: Promise.resolve(),
    };
    this.runs.set(runId, state);
    this.checkTimer ??= setInterval(
      () => this.checkDriven(),
      Math.max(50, Math.min(this.deps.checkIntervalMs ?? 2000, this.leaseTtlMs / 3)),
    );
    this.checkTimer.unref?.();
    state.done = this.loop(state, ready)
      .catch((error: unknown) =>
        this.deps.log(`run ${runId} stopped on an error: ${serializeError(error).message}`),
      )
      .finally(() => {
        this.runs.delete(runId);
        try {
          if (this.deps.db.open) releaseRunLease(this.deps.db, runId, this.owner.ownerId);
        } catch (error) {
          // Locked by another process: the lease lapses by itself (this process's pid is checked).
          this.deps.log(
            `run ${runId}: its lease was not released: ${serializeError(error).message}`,
          );
        }
        if (this.runs.size === 0 && this.checkTimer) {
          clearInterval(this.checkTimer);
          this.checkTimer = undefined;
        }
      });
  }

  /**
   * The heartbeat of the runs driven here: renews their leases (a run whose lease another
   * process took over is dropped at once, its rows left for that process), and picks up what
   * other windows or processes wrote: a run marked `cancelled` stops submitting, and a
   * generation that got an outcome elsewhere is cancelled at the provider and no longer followed.
   */
  private checkDriven(): void {
    if (!this.deps.db.open) return;
    try {
      this.checkDrivenRuns();
    } catch (error) {
      // A timer: an error thrown here would end the process. The next tick tries again.
      this.deps.log(`checking the runs driven here failed: ${serializeError(error).message}`);
    }
  }

  private checkDrivenRuns(): void {
    for (const state of this.runs.values()) {
      if (state.stopping || !this.holdsLease(state)) continue;
      const summary = getRunSummary(this.deps.db, state.runId);
      if (summary?.state === 'cancelled' && !state.cancelled) {
        halt(state, 'cancelled');
        this.deps.log(`run ${state.runId} was cancelled elsewhere; stopping it here`);
      }
      for (const [id, active] of state.active) {
        const row = getGenerationRow(this.deps.db, id);
        if (!row || row.outcome === null || active.controller.signal.aborted) continue;
        if (active.creating) {
          // Cancelled elsewhere mid-create: not aborted (see cancelOne); its job is cancelled
          // once the create answers.
          active.cancelRequested = true;
          continue;
        }
        const jobId = row.vendor_job_id ?? active.jobId;
        if (jobId) {
          void this.deps.registry
            .adapter(row.provider as ModelRef['provider'])
            .cancel(jobId)
            .catch((error: unknown) =>
              this.deps.log(
                `cancel of ${id} at ${row.provider} failed: ${serializeError(error).message}`,
              ),
            );
        }
        active.controller.abort(new AppError('cancelled', 'Cancelled by the admin.'));
      }
    }
    this.wake();
  }

  private canFindJobs(provider: string): boolean {
    try {
      return this.deps.registry.adapter(provider as ModelRef['provider']).findJobs !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * A generation a stopped or crashed console left mid-create (`submitting`), at a vendor that
   * lists its jobs: found there, it is adopted and polled (the video is not lost); shown absent
   * twice, it was never created and goes back to the queue; otherwise `submit_unknown`. Never
   * sent again blindly.
   */
  private async adoptInterrupted(state: RunState, row: GenerationRow): Promise<void> {
    // Stopping or cancelling the run ends the look-up at once (its sleeps and requests).
    const controller = state.halted;
    try {
      const failure = new ProviderError(
        'provider_unavailable',
        'The console stopped while this request was being submitted, so it is not known whether the provider received it.',
        { provider: row.provider, outcomeUnknown: true, retryable: false },
      );
      const found = await this.reconcile(
        row,
        requestOf(row),
        row.submitted_at ?? this.deps.now(),
        failure,
        controller.signal,
      );
      // Awaited: the loop reads the row next to decide whether to follow the job.
      if (found === 'absent') await this.patch(row.id, { state: 'queued' });
      else if (found !== 'unknown')
        await this.patch(row.id, { state: 'submitted', vendor_job_id: found });
    } catch (error) {
      // Stopped meanwhile: the row stays `submitting` for the next start.
      if (!controller.signal.aborted) throw error;
    }
  }

  private async loop(state: RunState, ready?: Promise<void>): Promise<void> {
    const tasks = new Set<Promise<void>>();
    const rows = listGenerationRows(this.deps.db, state.runId).filter(
      (row) => row.outcome === null,
    );
    // Jobs already at the vendor are polled again first; they are never re-submitted and never
    // wait for a slot (their output links expire; following them adds no work at the vendor).
    // They do take their slots at once, beyond the limits if need be, before anything of any
    // run is submitted: nothing new goes out until the jobs in flight are below the limits.
    for (const row of rows) {
      if (row.state === 'submitted' || row.state === 'downloading') {
        tasks.add(this.track(tasks, this.execute(state, row)));
      }
    }
    // Left mid-create by a console that stopped: looked for at the vendor before the queue
    // goes on, each holding its slot meanwhile (the job may well be there).
    const interrupted = rows.filter((row) => row.state === 'submitting');
    const holding = new Set(interrupted);
    for (const row of holding) this.takeSlot(row.provider, row.model_id);
    try {
      // Resumed with other runs: every one of them holds its slots before this queue goes on.
      if (ready) await ready;
      for (const row of interrupted) {
        if (!state.stopping) await this.adoptInterrupted(state, row);
        holding.delete(row);
        this.releaseSlot(row.provider, row.model_id);
        // Found at the vendor: polled from now on, in the slot just released (one step).
        const adopted = getGenerationRow(this.deps.db, row.id);
        if (adopted?.outcome === null && adopted.state === 'submitted' && !state.stopping)
          tasks.add(this.track(tasks, this.execute(state, adopted)));
        this.wake();
      }
    } finally {
      for (const row of holding) this.releaseSlot(row.provider, row.model_id);
    }
    // The queue is read once; a row is re-read just before it is submitted, so a cancel made
    // meanwhile (from any window or process) is respected.
    const queue = listQueuedRows(this.deps.db, state.runId);
    for (;;) {
      if (state.cancelled || state.stopping) break;
      if (queue.length === 0) break;
      const index = this.firstReady(queue);
      if (index < 0) {
        await this.waitForCapacity();
        continue;
      }
      const [candidate] = queue.splice(index, 1);
      const next = candidate && getGenerationRow(this.deps.db, candidate.id);
      if (!next || next.state !== 'queued' || state.active.has(next.id)) continue;
      const reserved = [...state.active.values()].reduce(
        (sum, active) => sum + active.reservedUsd,
        0,
      );
      if (
        runSpend(this.deps.db, state.runId) + reserved + next.estimated_cost_usd >
        state.budgetUsd + 1e-9
      ) {
        if (state.active.size > 0) {
          // Wait for in-flight work: its actual cost may come in under the estimate.
          queue.splice(index, 0, next);
          await this.waitForCapacity();
          continue;
        }
        this.finish(next, 'skipped_budget', {
          code: 'budget_exceeded',
          message: `Not submitted: the run's $${state.budgetUsd.toFixed(2)} budget would be exceeded.`,
          retryable: false,
        });
        continue;
      }
      let claimedAt: number | null;
      try {
        claimedAt = this.claim(state, next);
      } catch (error) {
        if (!isDatabaseBusy(error)) throw error;
        // The database is locked by another process: nothing was sent; tried again shortly.
        queue.splice(index, 0, next);
        await this.deps.sleep(CLAIM_RETRY_MS, state.halted.signal).catch(() => undefined);
        continue;
      }
      if (claimedAt === null) {
        if (state.stopping) break;
        continue;
      }
      // The claim made the row `submitting` with this submission time (durably, in SQLite).
      next.submitted_at = claimedAt;
      tasks.add(this.track(tasks, this.execute(state, next)));
    }
    await Promise.allSettled([...tasks]);
    if (state.stopping || !this.holdsLease(state)) return;
    // Analyses run outside the generation slots; the run is finished only once they are done.
    while (state.analysing.size > 0) {
      await Promise.allSettled([...state.analysing.values()].map((entry) => entry.done));
    }
    // Writes still waiting for the database's lock (job ids, costs, videos) go in first.
    await this.settledRun(state.runId, state.halted.signal);
    if (state.stopping) return;
    const summary = getRunSummary(this.deps.db, state.runId);
    if (!summary) return;
    if (state.cancelled || summary.state === 'cancelled') {
      // cancelRun marked the run and finishes its generations; nothing may turn it back.
      this.emitRun(state.runId, true);
      this.deps.log(`run ${state.runId} cancelled`);
      return;
    }
    if (summary.done === summary.total) {
      await retryWhileBusy(
        this.deps.db,
        () => setRunState(this.deps.db, state.runId, 'finished', this.deps.now()),
        {
          now: this.deps.now,
          // A stop ends the wait: the run stays `running` and is finished on the next start.
          sleep: (ms) => this.deps.sleep(ms, state.halted.signal),
          patienceMs: this.busyPatienceMs,
        },
      );
      this.emitRun(state.runId, true);
      this.deps.log(`run ${state.runId} finished`);
    }
  }

  /**
   * Claims a queued generation for submission under this process's lease (it becomes
   * `submitting`, with its submission time); returns that time, or null when it was not claimed.
   * A run whose lease another process took over is dropped here (its rows are that process's now).
   */
  private claim(state: RunState, row: GenerationRow): number | null {
    const now = this.deps.now();
    // A short busy wait: a claim that meets the lock is tried again shortly (the caller's loop).
    const claimed = withBusyTimeout(this.deps.db, SHORT_BUSY_WAIT_MS, () =>
      claimForSubmission(this.deps.db, state.runId, row.id, this.owner.ownerId, {
        now,
        ttlMs: this.leaseTtlMs,
      }),
    );
    if (!claimed) this.holdsLease(state);
    return claimed ? now : null;
  }

  /** Renews the run's lease; when another process holds it now, stops driving the run here. */
  private holdsLease(state: RunState): boolean {
    let renewed: boolean;
    try {
      // A short busy wait: a heartbeat missed now is made at the next one.
      renewed = withBusyTimeout(this.deps.db, SHORT_BUSY_WAIT_MS, () =>
        renewRunLease(this.deps.db, state.runId, this.owner.ownerId, {
          now: this.deps.now(),
          ttlMs: this.leaseTtlMs,
        }),
      );
    } catch (error) {
      // The database is locked by another process: the lease cannot be renewed (nor taken over
      // by anyone) now; the next heartbeat tries again. A claim renews it in the same write.
      if (isDatabaseBusy(error)) return true;
      throw error;
    }
    if (renewed) return true;
    if (!state.stopping) {
      halt(state, 'stopping');
      this.takenOver.add(state.runId);
      this.deps.log(`run ${state.runId}: another process took it over; stopped driving it here`);
      for (const active of state.active.values())
        active.controller.abort(
          new AppError('cancelled', 'Another console process took this run over.'),
        );
    }
    return false;
  }

  private track(tasks: Set<Promise<void>>, task: Promise<void>): Promise<void> {
    const wrapped = task.finally(() => {
      tasks.delete(wrapped);
      this.wake();
    });
    return wrapped;
  }

  /**
   * A provider that answered 429 gets no new submissions until its Retry-After has passed, at
   * most RATE_LIMIT_PAUSE_MAX_MS, or until a create sent after the 429 is accepted (the retry of
   * the refused request: the vendor takes work again).
   */
  private pauseProvider(provider: string, askedMs: number): void {
    const ms = Math.max(0, Math.min(askedMs, RATE_LIMIT_PAUSE_MAX_MS));
    if (askedMs > RATE_LIMIT_PAUSE_MAX_MS)
      this.deps.log(
        `${providerLabel(provider)} asked for a wait of ${Math.round(askedMs / 1000)} s before new requests (Retry-After); new submissions to it pause for ${RATE_LIMIT_PAUSE_MAX_MS / 1000} s at most`,
      );
    const now = this.deps.now();
    const until = now + ms;
    const current = this.pausedUntil.get(provider);
    if ((current?.until ?? 0) < until) this.pausedUntil.set(provider, { until, since: now });
    const timer = setTimeout(() => this.wake(), ms + 5);
    timer.unref?.();
  }

  /** A create sent at `sentAt` was accepted: a pause that began before it is over. */
  private createAccepted(provider: string, sentAt: number): void {
    const pause = this.pausedUntil.get(provider);
    if (pause === undefined || sentAt < pause.since) return;
    this.pausedUntil.delete(provider);
    this.wake();
  }

  private pausedAt(provider: string, now: number): boolean {
    return (this.pausedUntil.get(provider)?.until ?? 0) > now;
  }

  /**
   * The first queued row that may be submitted now, or -1. Every wake-up with all slots taken
   * used to walk the whole queue (1,000 generations: ~180 ms of the main thread); now that is
   * one comparison, and each model of a longer walk is asked about once.
   */
  private firstReady(queue: readonly GenerationRow[]): number {
    if (this.globalInFlight >= this.globalLimit) return -1;
    const ready = new Map<string, boolean>();
    return queue.findIndex((row) => {
      const key = `${row.provider}:${row.model_id}`;
      let answer = ready.get(key);
      if (answer === undefined) {
        answer = this.hasCapacity(row.provider, row.model_id) && !this.retryGoesFirst(row.provider);
        ready.set(key, answer);
      }
      return answer;
    });
  }

  /** Generations in flight at once, all providers together. */
  private get globalLimit(): number {
    return this.deps.globalConcurrency ?? 4;
  }

  private hasCapacity(provider: string, modelId: string): boolean {
    if (this.pausedAt(provider, this.deps.now())) return false;
    const global = this.globalLimit;
    const perProvider =
      this.deps.providerConcurrency?.[provider] ?? (provider === 'sandbox' ? 4 : 2);
    const perModel = this.deps.modelConcurrency?.[`${provider}:${modelId}`] ?? Infinity;
    return (
      this.globalInFlight < global &&
      (this.providerInFlight.get(provider) ?? 0) < perProvider &&
      (this.modelInFlight.get(`${provider}:${modelId}`) ?? 0) < perModel
    );
  }

  /**
   * Counts a generation in flight (globally, for its provider and its model) whatever the
   * limits; hasCapacity() is what keeps new work out while they are reached.
   */
  private takeSlot(provider: string, modelId: string): void {
    const modelKey = `${provider}:${modelId}`;
    this.globalInFlight += 1;
    this.providerInFlight.set(provider, (this.providerInFlight.get(provider) ?? 0) + 1);
    this.modelInFlight.set(modelKey, (this.modelInFlight.get(modelKey) ?? 0) + 1);
  }

  /** Gives a slot back; whoever waits for one is woken by the caller. */
  private releaseSlot(provider: string, modelId: string): void {
    const modelKey = `${provider}:${modelId}`;
    this.globalInFlight -= 1;
    this.providerInFlight.set(provider, (this.providerInFlight.get(provider) ?? 1) - 1);
    this.modelInFlight.set(modelKey, (this.modelInFlight.get(modelKey) ?? 1) - 1);
  }

  /**
   * True while a download retry waits for a slot that a new job of `provider` would take: one of
   * the same provider, or of any provider not paused (it may be waiting for a global slot).
   */
  private retryGoesFirst(provider: string): boolean {
    const now = this.deps.now();
    for (const waiting of this.retriesWaiting.values())
      if (waiting === provider || !this.pausedAt(waiting, now)) return true;
    return false;
  }

  private waitForCapacity(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.wakeups.delete(wake);
        resolve();
      };
      this.wakeups.add(wake);
    });
  }

  private wake(): void {
    for (const wake of [...this.wakeups]) wake();
  }

  private async execute(state: RunState, initial: GenerationRow): Promise<void> {
    const controller = new AbortController();
    const active: ActiveGeneration = {
      controller,
      provider: initial.provider,
      reservedUsd: initial.estimated_cost_usd,
      creating: false,
      cancelRequested: false,
    };
    state.active.set(initial.id, active);
    this.takeSlot(initial.provider, initial.model_id);
    const timeoutMs =
      state.timeoutSeconds !== null
        ? state.timeoutSeconds * 1000
        : (this.deps.generationTimeoutMs ?? defaultTimeoutSeconds(initial.provider) * 1000);
    const timer = setTimeout(() => {
      const note = this.unknownStatusNotes.get(initial.id);
      const timedOut = new ProviderError(
        'timeout',
        `No result after ${Math.round(timeoutMs / 1000)} s.${note === undefined ? '' : ` ${note}`}`,
        { provider: initial.provider },
      );
      // The create may have reached the vendor: aborting it would leave a job made and billed
      // there that nothing cancels (Runway cannot list jobs). It finishes; executeSteps then
      // cancels the job it made and ends the generation `timeout` (see cancelOne).
      if (active.creating) active.timedOut = timedOut;
      // Paid and downloading: the video exists and is billed; giving up on it now would only
      // lose it. The download keeps its own limits (stall timeout, retries, expired links).
      else if (
        active.downloading ||
        getGenerationRow(this.deps.db, initial.id)?.state === 'downloading'
      )
        return;
      else controller.abort(timedOut);
    }, timeoutMs);
    timer.unref?.();
    /** The video is paid for and still at the vendor, but the disk failed: try again later. */
    let retryAfterMs: number | undefined;
    try {
      await this.executeSteps(state, initial, controller.signal, this.deps.now() + timeoutMs);
      this.storageFailures.delete(initial.id);
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      const shutdown = AppError.isInstance(reason) && reason.code === 'cancelled';
      // Decided on the row as written: its writes still waiting for the database's lock (its job
      // id, cost) go in first. Not on a shutdown, which leaves the row as it is (see stop()).
      if (!shutdown) await this.settled(initial.id);
      const row = getGenerationRow(this.deps.db, initial.id);
      if (row && row.outcome === null) {
        if (shutdown) {
          // Shutdown: leave the row as it is; it resumes on the next start.
        } else if (
          AppError.isInstance(reason) &&
          reason.code === 'storage_failed' &&
          row.state === 'downloading'
        ) {
          // Not the vendor's fault and not lost: the row stays `downloading` (a restart resumes
          // it too) and says why; a URL that expires meanwhile ends it as expired_output.
          const failures = (this.storageFailures.get(row.id) ?? 0) + 1;
          this.storageFailures.set(row.id, failures);
          retryAfterMs = Math.min(STORAGE_RETRY_MS * 2 ** (failures - 1), STORAGE_RETRY_MAX_MS);
          const message = `${reason.message} The video is kept at the vendor; its download will be tried again in ${Math.round(retryAfterMs / 1000)} s (or when the console next starts).`;
          this.patch(row.id, { error_code: reason.code, error_message: message });
          this.deps.log(`generation ${row.id}: ${message} Media folder: ${this.deps.media.root}`);
        } else {
          const serialized = serializeError(reason);
          if (serialized.code === 'internal') {
            this.deps.log(
              `generation ${row.id} failed inside the console: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
            );
          }
          // The job the create made, even when its id could not be written (the database
          // locked for longer than busyPatienceMs): the row is ended with it, never without.
          const jobId = row.vendor_job_id ?? active.jobId ?? null;
          const rowState = row.state === 'submitting' && jobId !== null ? 'submitted' : row.state;
          // Given up on while the job is at the vendor (its timeout, its status calls failing
          // after every retry, the key refused while following it): cancelled there; where it
          // cannot be (Together, Gemini, a failed cancel) it runs on and is billed, so its
          // estimate stays counted against the budget (billing_unknown). So does a job left there
          // by a failure inside the console: nothing follows it any more, and the vendor bills it.
          // (A job the vendor itself reports failed or cancelled is ended in poll(), not here.)
          const confirmed =
            jobId !== null &&
            rowState === 'submitted' &&
            serialized.code !== 'internal' &&
            serialized.code !== 'cancelled'
              ? await this.cancelAtVendor(row, jobId)
              : serialized.code !== 'internal';
          await this.finish(
            row,
            outcomeFor(serialized, rowState),
            serialized,
            undefined,
            !confirmed && rowState === 'submitted',
            jobId !== null && row.vendor_job_id === null ? { vendor_job_id: jobId } : {},
          );
        }
      }
    } finally {
      clearTimeout(timer);
      this.unknownStatusNotes.delete(initial.id);
      state.active.delete(initial.id);
      this.releaseSlot(initial.provider, initial.model_id);
      // The slot is free now, even when this generation goes on to wait for a retry.
      this.wake();
    }
    if (retryAfterMs !== undefined) await this.downloadAgainLater(state, initial.id, retryAfterMs);
  }

  /**
   * Waits (in steps, so a stop or cancel is noticed) and runs a generation whose download failed
   * on the console's disk again; the run stays driven meanwhile. The retry takes a slot like any
   * other work: it waits while the provider's or the model's concurrency limit is reached.
   */
  private async downloadAgainLater(state: RunState, id: string, delayMs: number): Promise<void> {
    for (let waited = 0; waited < delayMs; waited += STORAGE_RETRY_STEP_MS) {
      if (state.stopping || state.cancelled) return;
      await this.deps.sleep(Math.min(STORAGE_RETRY_STEP_MS, delayMs - waited));
    }
    const waiting = Symbol(id);
    try {
      for (;;) {
        if (state.stopping || state.cancelled) return;
        // Re-read each time: a cancel made while waiting is respected.
        const row = getGenerationRow(this.deps.db, id);
        if (!row || row.outcome !== null || row.state !== 'downloading') return;
        // Checked and taken in one synchronous step (execute counts the slot before it awaits).
        if (this.hasCapacity(row.provider, row.model_id)) {
          this.retriesWaiting.delete(waiting);
          const task = this.execute(state, row);
          this.wake(); // new work of other providers may go again
          return await task;
        }
        this.retriesWaiting.set(waiting, row.provider);
        await this.waitForCapacity();
      }
    } finally {
      this.retriesWaiting.delete(waiting);
      // The queue may have been held back for this retry.
      this.wake();
    }
  }

  private async executeSteps(
    state: RunState,
    initial: GenerationRow,
    signal: AbortSignal,
    deadlineAt: number,
  ): Promise<void> {
    const adapter = this.deps.registry.adapter(initial.provider as ModelRef['provider']);
    let row = initial;
    /** The status the create answered with, when it carried one (Replicate's Prefer: wait). */
    let initialStatus: JobStatus | undefined;
    /** Submitted by this call (not a job picked up again after a restart). */
    let submittedHere = false;
    if (row.state === 'queued') {
      if (state.allowCache) {
        const cached = findCachedSuccess(this.deps.db, row.request_key, row.run_id);
        if (cached?.media_id) {
          const now = this.deps.now();
          this.patch(row.id, {
            state: 'succeeded',
            outcome: 'success',
            cached: 1,
            cost_usd: 0,
            media_id: cached.media_id,
            submitted_at: now,
            finished_at: now,
            progress: 1,
          });
          return;
        }
      }
      const request = requestOf(row);
      // claim() wrote `submitting` and the submission time before this point (crash safety: a
      // restart finds the row mid-create and looks for the job instead of sending it again).
      const submittedAt = row.submitted_at ?? this.deps.now();
      this.emitGeneration(row.id);
      let persisted = false;
      /** The job the create made (kept here too: a cancel from elsewhere may end the row). */
      let createdJobId: string | undefined;
      // Neither a cancel (see cancelOne) nor the timeout (see execute) aborts the create; a
      // shutdown does.
      const active = state.active.get(row.id);
      const persistJobId = (jobId: string): void => {
        if (persisted) return;
        persisted = true;
        createdJobId = jobId;
        if (active) active.jobId = jobId;
        // The job exists (and is billed) from now on. When another process holds the database's
        // write lock, this write waits (see save()) while the job is followed with the id kept
        // here; the row stays `submitting` meanwhile, so a crash leaves what any interrupted
        // create leaves: looked for in the vendor's list, else submit_unknown with its estimate
        // counted. Never sent again.
        void this.save(row.id, `its job id ${jobId}`, () => {
          if (
            !updateGeneration(
              this.deps.db,
              row.id,
              { state: 'submitted', vendor_job_id: jobId },
              { onlyUnfinished: true },
            )
          )
            // Ended elsewhere meanwhile (a cancel): it still records the job made for it.
            updateGeneration(this.deps.db, row.id, { vendor_job_id: jobId });
        });
      };
      if (active) active.creating = true;
      // A create whose answer was lost is sent again only after the vendor's own list shows it
      // never arrived; without such a list it is never sent again (submit_unknown).
      for (let round = 0; ; round += 1) {
        if (active?.cancelRequested) {
          // Cancelled before this (re)send: no job exists (the last one was refused or absent).
          this.finish(
            getGenerationRow(this.deps.db, row.id) ?? row,
            'cancelled',
            CANCELLED_BY_ADMIN,
          );
          return;
        }
        if (active?.timedOut) {
          // Timed out before this (re)send: no job exists (the last one was refused or absent).
          this.finish(
            getGenerationRow(this.deps.db, row.id) ?? row,
            'timeout',
            serializeError(active.timedOut),
          );
          return;
        }
        try {
          // Retry only where the vendor answered with a retryable error (so no job exists):
          // a rate limit pauses the whole provider for its Retry-After, not just this request.
          let sentAt = this.deps.now();
          const started = await withRetry(
            () => {
              signal.throwIfAborted();
              if (active?.cancelRequested)
                throw new ProviderError('cancelled', CANCELLED_BY_ADMIN.message, {
                  provider: row.provider,
                });
              if (active?.timedOut) throw active.timedOut;
              sentAt = this.deps.now();
              return adapter.start(request, { signal, onJobId: persistJobId });
            },
            {
              sleep: (ms, abort) => this.deps.sleep(ms, abort),
              signal,
              maxRetries: this.deps.submitRetries ?? 2,
              initialDelayMs: this.deps.retryInitialDelayMs ?? 1000,
              shouldRetry: (error) =>
                !persisted &&
                !active?.cancelRequested &&
                !active?.timedOut &&
                ProviderError.isInstance(error) &&
                !(error as ProviderError).outcomeUnknown,
              onRetry: (error) => {
                if (error.code === 'quota')
                  this.pauseProvider(row.provider, error.retryAfterMs ?? 30000);
                this.deps.log(
                  `retrying submission of ${row.id} at ${row.provider}: ${error.message}`,
                );
              },
            },
          );
          persistJobId(started.jobId);
          this.createAccepted(row.provider, sentAt);
          initialStatus = started.status;
          submittedHere = true;
          break;
        } catch (error) {
          if (persisted || !ProviderError.isInstance(error)) throw error;
          // Shutting down while the create was in flight (e.g. held by Replicate's Prefer: wait):
          // leave the row `submitting`; the next start looks for the job and adopts it. A run
          // cancelled meanwhile is not resumed: its create is settled now (below) instead.
          if (state.stopping && !active?.cancelRequested) throw error;
          let failure = error as ProviderError;
          if (state.stopping) {
            // Aborted by the shutdown after a cancel: it may have reached the vendor. Looked up
            // (bounded) where the vendor lists jobs, else submit_unknown; never sent again.
            failure = new ProviderError(
              'provider_unavailable',
              'The console shut down while this request was being submitted, so it is not known whether the provider received it.',
              { provider: row.provider, outcomeUnknown: true, retryable: false },
            );
            const found = await this.reconcile(
              row,
              request,
              submittedAt,
              failure,
              AbortSignal.timeout(15_000),
            ).catch(() => 'unknown' as const);
            if (found === 'unknown') return;
            if (found === 'absent') {
              this.finish(
                getGenerationRow(this.deps.db, row.id) ?? row,
                'cancelled',
                CANCELLED_BY_ADMIN,
              );
              return;
            }
            persistJobId(found);
            break;
          }
          // Aborted while the create was in flight (e.g. held by Replicate's Prefer: wait) other
          // than by a cancel or the timeout: the job may exist without its id here; find it and
          // cancel it.
          if (signal.aborted) await this.cancelOrphan(row, request, submittedAt);
          if (!failure.outcomeUnknown) {
            // The vendor refused it, or it never reached the vendor: no job, nothing paid for.
            // Refused for the account (the key, payment), not for the prompt: it says nothing
            // about the model (counted, not rated).
            const refused = serializeError(failure);
            this.finish(
              getGenerationRow(this.deps.db, row.id) ?? row,
              isAccountRefusal(refused) ? 'account_refused' : outcomeFor(refused, 'queued'),
              refused,
            );
            return;
          }
          if (UnusableJobIdError.is(failure)) {
            // The job exists at the vendor with an id no status call can carry (a vendor's job
            // list would give the same id): neither followed nor sent again; the admin checks.
            const when = new Date(submittedAt).toISOString().replace('T', ' ').slice(0, 19);
            this.deps.log(`submission of ${row.id} to ${row.provider}: ${failure.message}`);
            this.finish(getGenerationRow(this.deps.db, row.id) ?? row, 'submit_unknown', {
              code: failure.code,
              message: `${failure.message} It was made around ${when} UTC.`.slice(0, 1000),
              retryable: false,
            });
            return;
          }
          const found = await this.reconcile(row, request, submittedAt, failure, signal);
          // Left to the admin (submit_unknown), with what to check.
          if (found === 'unknown') return;
          if (found === 'absent') {
            if (round === 0) continue; // a cancel made meanwhile ends it at the loop's top
            // Sent twice, and twice the vendor's list shows no job: nothing was made or billed.
            this.finish(getGenerationRow(this.deps.db, row.id) ?? row, 'failure', {
              code: failure.code,
              message: `${failure.message} It was sent twice and both times the job list shows it was not created, so nothing was billed.`,
              retryable: true,
            });
            return;
          }
          persistJobId(found);
          break;
        }
      }
      // Only a `break` gets here (the create answered, or its job was found); every other way
      // out of the loop ends the generation.
      if (active) active.creating = false;
      row = getGenerationRow(this.deps.db, row.id) ?? row;
      if (createdJobId !== undefined && row.vendor_job_id === null && row.outcome === null)
        // Its id is still waiting for the database: followed with the id known here.
        row = { ...row, state: 'submitted', vendor_job_id: createdJobId };
      if ((active?.cancelRequested || active?.timedOut) && createdJobId !== undefined) {
        // Cancelled, or timed out, while the create was in flight: its job is cancelled at once.
        // Where the vendor cannot cancel (or the cancel fails) it runs on, billed: its estimate
        // is counted. An admin's cancel wins over the timeout.
        const confirmed = await this.cancelAtVendor(row, createdJobId);
        if (row.outcome === null) {
          if (active.cancelRequested || !active.timedOut)
            this.finish(row, 'cancelled', CANCELLED_BY_ADMIN, undefined, !confirmed);
          else this.finish(row, 'timeout', serializeError(active.timedOut), undefined, !confirmed);
        } else {
          // Cancelled from another process meanwhile: the row gets its job's id (and its cost).
          const jobId = createdJobId;
          void this.save(row.id, `its job id ${jobId}`, () => {
            updateGeneration(this.deps.db, row.id, {
              vendor_job_id: jobId,
              ...(confirmed ? {} : { billing_unknown: 1 }),
            });
          });
        }
        return;
      }
    }
    if (row.state === 'downloading' && row.media_id && this.deps.media.has(row.media_id)) {
      // Stored before a restart, analysis not finished: only the analysis is left to do.
      const storedAt =
        row.completed_at !== null && row.download_ms !== null
          ? row.completed_at + row.download_ms
          : this.deps.now();
      this.scheduleAnalysis(state, row, row.media_id, storedAt);
      return;
    }
    let outputs: VideoOutput[] | null = row.outputs
      ? (JSON.parse(row.outputs) as VideoOutput[])
      : null;
    if (row.state === 'submitted') {
      outputs = await this.poll(row, signal, initialStatus, submittedHere, deadlineAt);
      if (!outputs) return;
      // Its writes may still wait for the database: then the row as known here goes on.
      if (!this.unsaved.has(row.id)) row = getGenerationRow(this.deps.db, row.id) ?? row;
    }
    if (!outputs || outputs.length === 0) {
      throw new ProviderError('bad_output', 'The provider reported success but sent no video.', {
        provider: row.provider,
      });
    }
    const output = outputs[0] as VideoOutput;
    const downloading = state.active.get(row.id);
    if (downloading) downloading.downloading = true;
    const downloadStart = this.deps.now();
    // The video is paid for: a glitch on its URL is retried (resumed where the server allows).
    const { media } = await downloadVideo({
      fetch: (abort, range) => adapter.download(output, abort, range),
      media: this.deps.media,
      signal,
      sleep: this.deps.sleep,
      provider: row.provider,
      ...(this.deps.downloadRetries === undefined ? {} : { retries: this.deps.downloadRetries }),
      ...(this.deps.downloadRetryDelayMs === undefined
        ? {}
        : { initialDelayMs: this.deps.downloadRetryDelayMs }),
      log: (line) => this.deps.log(`generation ${row.id}: ${line}`),
    });
    // The total runs from submission to the video being stored; analysis is the console's own work.
    const finishedAt = this.deps.now();
    const stored: GenerationPatch = {
      download_ms: finishedAt - downloadStart,
      media_id: media.id,
      // A disk failure noted on an earlier attempt is over.
      ...(row.error_code === null && row.error_message === null
        ? {}
        : { error_code: null, error_message: null }),
    };
    if (!state.analysis) {
      // No analysis: the video's location and the success are one transaction (one commit).
      void this.commit(row.id, 'its stored video', () => {
        recordMedia(this.deps.db, media, finishedAt);
        updateGeneration(this.deps.db, row.id, {
          ...stored,
          ...analysisErrorColumns('Not analysed: video analysis was turned off for this run.'),
        });
        updateGeneration(this.deps.db, row.id, successColumns(finishedAt), {
          onlyUnfinished: true,
        });
      });
      return;
    }
    void this.commit(row.id, 'its stored video', () => {
      recordMedia(this.deps.db, media, finishedAt);
      updateGeneration(this.deps.db, row.id, stored);
    });
    // The generation's slot is released now; the analysis waits in its own queue.
    this.scheduleAnalysis(state, row, media.id, finishedAt);
  }

  /**
   * The vendor's jobs of this exact input not owned by another generation, and the other
   * generations of the same input still being submitted. Both are read before and after the
   * vendor's answer: a twin that learns its id while the list call is in flight has its job
   * removed from the candidates (the list was asked to exclude only the ids known before), and
   * counts as a twin, so its job is never adopted or cancelled as ours.
   */
  private async lookUpJobs(
    findJobs: NonNullable<VideoProviderAdapter['findJobs']>,
    row: GenerationRow,
    request: GenerationRequest,
    submittedAt: number,
    signal: AbortSignal,
  ): Promise<{ candidates: string[]; twins: string[] }> {
    const knownSince = submittedAt - 24 * 3600_000;
    const twinsBefore = unresolvedTwins(this.deps.db, row, submittedAt - 120_000);
    const found = await findJobs(
      {
        request,
        createdAfter: submittedAt - 120_000,
        exclude: knownJobIds(this.deps.db, row.provider, knownSince),
      },
      signal,
    );
    const knownAfter = knownJobIds(this.deps.db, row.provider, knownSince);
    const twinsAfter = unresolvedTwins(this.deps.db, row, submittedAt - 120_000);
    return {
      candidates: found.filter((id) => !knownAfter.has(id)),
      twins: [...new Set([...twinsBefore, ...twinsAfter])],
    };
  }

  /**
   * Cancels a generation's job at its vendor. True only when the vendor took the cancel: at a
   * vendor without a cancel call (cannotCancel: Together, Gemini), or when the call failed, the
   * job runs on there and is billed when it ends; the caller then counts its estimate.
   */
  private async cancelAtVendor(row: GenerationRow, jobId: string): Promise<boolean> {
    try {
      const adapter = this.deps.registry.adapter(row.provider as ModelRef['provider']);
      await adapter.cancel(jobId);
      return adapter.cannotCancel !== true;
    } catch (error) {
      this.deps.log(
        `cancel of ${row.id} at ${row.provider} failed: ${serializeError(error).message}`,
      );
      return false;
    }
  }

  /**
   * A create that was cancelled while in flight may have made a job at the vendor whose id never
   * arrived. Where the vendor lists jobs, the job matching this request (created since the
   * submission, owned by no other generation) is cancelled; best effort, within 15 s.
   */
  private async cancelOrphan(
    row: GenerationRow,
    request: GenerationRequest,
    submittedAt: number,
  ): Promise<void> {
    const adapter = this.deps.registry.adapter(row.provider as ModelRef['provider']);
    if (!adapter.findJobs) return;
    const signal = AbortSignal.timeout(15_000);
    try {
      const { candidates: jobIds, twins } = await this.lookUpJobs(
        adapter.findJobs.bind(adapter),
        row,
        request,
        submittedAt,
        signal,
      );
      const [jobId] = jobIds;
      if (jobId === undefined) return;
      if (jobIds.length > 1 || twins.length > 0) {
        // Another generation of the same input may own it: cancelling it could stop theirs.
        this.deps.log(
          `submission of ${row.id} was cancelled in flight; ${row.provider} has ${jobIds.length} job(s) of the same input (${jobIds.join(', ')}) that another generation may own, so none was cancelled`,
        );
        return;
      }
      await adapter.cancel(jobId, signal);
      this.patch(row.id, { vendor_job_id: jobId });
      this.deps.log(
        `submission of ${row.id} was cancelled in flight; its job ${jobId} at ${row.provider} was cancelled too`,
      );
    } catch (error) {
      this.deps.log(
        `submission of ${row.id} was cancelled in flight; its job at ${row.provider} could not be checked: ${serializeError(error).message}`,
      );
    }
  }

  /**
   * A create whose outcome is unknown (HTTP 2xx with an unreadable body, a connection lost after
   * the request went out). Where the vendor lists jobs, the list decides: the job found is
   * adopted (its id returned), or `'absent'` (never created, safe to send once more). Elsewhere,
   * or when the list cannot be read, the generation ends as `submit_unknown`, with what to check.
   */
  private async reconcile(
    row: GenerationRow,
    request: GenerationRequest,
    submittedAt: number,
    failure: ProviderError,
    signal: AbortSignal,
  ): Promise<string | 'absent' | 'unknown'> {
    const adapter = this.deps.registry.adapter(row.provider as ModelRef['provider']);
    const label = providerLabel(row.provider);
    const when = new Date(submittedAt).toISOString().replace('T', ' ').slice(0, 19);
    this.deps.log(
      `submission of ${row.id} to ${row.provider} has an unknown outcome: ${failure.message}`,
    );
    let listProblem: string | undefined;
    if (adapter.findJobs) {
      let candidates: string[] = [];
      let twins: string[] = [];
      try {
        // The vendor's list may lag behind its create call: look twice, a moment apart. While
        // another generation of the same input is still being submitted, its job may be the
        // one found: wait for it to learn its id (it is then excluded), a bounded while.
        let seen = false;
        for (let check = 0; check < TWIN_WAIT_CHECKS; check += 1) {
          await this.deps.sleep(this.deps.reconcileDelayMs ?? 3000, signal);
          ({ candidates, twins } = await this.lookUpJobs(
            adapter.findJobs.bind(adapter),
            row,
            request,
            submittedAt,
            signal,
          ));
          const [only] = candidates;
          // A job whose id cannot be followed is not adopted (nor sent again): see below.
          if (
            only !== undefined &&
            candidates.length === 1 &&
            twins.length === 0 &&
            jobIdProblem(only, { slashes: true }) === undefined
          ) {
            this.deps.log(
              `submission of ${row.id} found at ${row.provider} as ${only}; polling it`,
            );
            return only;
          }
          if (candidates.length > 0) seen = true;
          // Looked twice: wait longer only for a twin to learn its id, and only when a job was
          // found (nothing found twice: it was never created).
          if (check >= 1 && (twins.length === 0 || !seen)) break;
        }
        if (!seen) {
          this.deps.log(
            `submission of ${row.id} is not in ${row.provider}'s job list: it was not created; sending it once more`,
          );
          return 'absent';
        }
      } catch (error) {
        signal.throwIfAborted();
        const serialized = serializeError(error);
        this.deps.log(`${row.provider}'s job list could not be read: ${serialized.message}`);
        // A list that was read but cannot settle it (e.g. a job of the same prompt with other
        // settings) says why; a list that could not be read at all says that.
        if (serialized.code === 'bad_output') listProblem = serialized.message;
        candidates = [];
      }
      if (candidates.length > 0) {
        // Jobs of this exact input exist, but more than one, or another generation of the same
        // input may own the one found: adopting could take its video (and leave ours unpaid-for
        // in the list), resending could pay twice. Neither: the admin decides.
        const ids = candidates.slice(0, 10).map(shownJobId);
        const estimate = row.estimated_cost_usd;
        this.deps.log(
          `submission of ${row.id} to ${row.provider} is ambiguous: ${candidates.length} job(s) of the same input (${ids.join(', ')})${twins.length > 0 ? ` while ${twins.length} other generation(s) of it were being submitted` : ''}; none adopted, not sent again`,
        );
        this.finish(getGenerationRow(this.deps.db, row.id) ?? row, 'submit_unknown', {
          code: failure.code,
          message:
            `Submitted, outcome unknown: check ${label}. ${failure.message} ${label} lists ${candidates.length === 1 ? 'a job' : `${candidates.length} jobs`} made for this exact input around ${when} UTC (${ids.join(', ')}), ${twins.length > 0 ? 'and another generation of the same input was being submitted at the same time' : 'and nothing tells them apart'}, so the console adopted none and did not send it again. Its estimated $${estimate.toFixed(2)} counts against the run's budget. Check ${candidates.length === 1 ? 'it' : 'them'} in your ${label} dashboard.`.slice(
              0,
              1000,
            ),
          retryable: false,
        });
        return 'unknown';
      }
    }
    const check = adapter.findJobs
      ? (listProblem ?? `${label}'s job list could not be read to check.`)
      : `${label} offers no way to list jobs, so the console cannot check by itself.`;
    this.finish(getGenerationRow(this.deps.db, row.id) ?? row, 'submit_unknown', {
      code: failure.code,
      message:
        `${failure.message} It was not sent again, since ${label} may have accepted (and billed) it: look for a job made around ${when} UTC in your ${label} dashboard. ${check}`.slice(
          0,
          1000,
        ),
      retryable: false,
    });
    return 'unknown';
  }

  /**
   * Queues the analysis of a stored video outside the generation's slot; the generation
   * succeeds (or becomes bad_output) when it is done. The run waits for it before finishing.
   */
  private scheduleAnalysis(
    state: RunState,
    row: GenerationRow,
    mediaId: string,
    finishedAt: number,
  ): void {
    const entry = { controller: new AbortController(), done: Promise.resolve() };
    const controller = entry.controller;
    // Registered before the work starts, so the entry is gone once it has finished.
    state.analysing.set(row.id, entry);
    entry.done = (async () => {
      try {
        const analysed = state.analysis
          ? await this.analyse(row, mediaId, controller.signal)
          : this.skipAnalysis(row);
        if (analysed === 'bad_output') return;
        const current = getGenerationRow(this.deps.db, row.id);
        if (!current || current.outcome !== null) return; // cancelled meanwhile
        this.patch(row.id, successColumns(finishedAt));
      } catch (error) {
        // Cancelled or shutting down: the row stays as it is and resumes with its stored video.
        if (!controller.signal.aborted)
          this.deps.log(`analysis of ${row.id} stopped: ${serializeError(error).message}`);
      } finally {
        if (state.analysing.get(row.id) === entry) state.analysing.delete(row.id);
      }
    })();
  }

  private skipAnalysis(row: GenerationRow): 'ok' {
    this.patch(
      row.id,
      analysisErrorColumns('Not analysed: video analysis was turned off for this run.'),
    );
    return 'ok';
  }

  /**
   * ffprobe + ffmpeg checks on the downloaded video (cached by content hash, bounded queue).
   * A video that does not decode is a `bad_output` failure, not a success; missing ffmpeg or a
   * slow analysis only leave a note.
   */
  private async analyse(
    row: GenerationRow,
    mediaId: string,
    signal: AbortSignal,
  ): Promise<'ok' | 'bad_output'> {
    const tools = this.deps.mediaTools;
    const analyser = this.analyser;
    if (!tools || !analyser) return 'ok';
    const availability = await ffmpegAvailability({ ...tools, log: this.deps.log });
    if (!availability.available) {
      this.patch(row.id, analysisErrorColumns(availability.message ?? 'ffmpeg is not available.'));
      return 'ok';
    }
    const settings = JSON.parse(row.settings) as GenerationSettings;
    try {
      const { analysis } = await analyser.analyse(
        mediaId,
        this.deps.media.pathOf(mediaId),
        settings,
        signal,
      );
      this.patch(row.id, analysisColumns(analysis));
      return 'ok';
    } catch (error) {
      signal.throwIfAborted();
      const serialized = namingDownloadedFile(serializeError(error), mediaId, row.provider);
      if (serialized.code === 'bad_output') {
        this.patch(row.id, { ...analysisErrorColumns(serialized.message), media_id: mediaId });
        this.finish(getGenerationRow(this.deps.db, row.id) ?? row, 'bad_output', serialized);
        return 'bad_output';
      }
      this.patch(
        row.id,
        analysisErrorColumns(`The video could not be analysed: ${serialized.message}`),
      );
      return 'ok';
    }
  }

  /**
   * Follows the job until it ends (watchJob: the poll schedule is shaped by the model's recent
   * durations); returns outputs on success, null when it ended otherwise.
   */
  private async poll(
    row: GenerationRow,
    signal: AbortSignal,
    initial: JobStatus | undefined,
    submittedHere: boolean,
    deadlineAt: number,
  ): Promise<VideoOutput[] | null> {
    const adapter = this.deps.registry.adapter(row.provider as ModelRef['provider']);
    const jobId = row.vendor_job_id as string;
    const modelKey = `${row.provider}:${row.model_id}`;
    const submittedAt = row.submitted_at ?? this.deps.now();
    let startedAt = row.started_at;
    let lastProgress = row.progress;
    /** The rate-limit note shown on the row, as last written. */
    let waiting = row.waiting;
    /** Pending-status columns not written yet (see onPending), and when the row was last written. */
    let held: GenerationPatch = {};
    let lastWriteAt = submittedAt;
    const label = providerLabel(row.provider);
    const watched = await watchJob(adapter, jobId, {
      signal,
      now: this.deps.now,
      sleep: this.deps.sleep,
      submittedAt,
      policy: this.deps.pollPolicy,
      typical: this.typicalDuration(modelKey),
      initial,
      firstLookAtOnce: !submittedHere,
      deadlineAt,
      onRateLimited: (waitMs) => {
        // Shown while it lasts; written only when the text changes (the wait grows, capped).
        const note = `Rate limited by ${label}, waiting ${Math.max(1, Math.round(waitMs / 1000))} s; the job keeps running there.`;
        if (note === waiting) return;
        waiting = note;
        // Display only: when the database is busy it goes with the next write instead.
        if (this.tryPatch(row.id, { waiting: note })) delete held.waiting;
        else held.waiting = note;
      },
      onUnknownStatus: (error) => {
        // Followed on as pending until the job ends or its timeout, which then says why.
        const status = error.unknownStatus;
        this.unknownStatusNotes.set(
          row.id,
          `${label} last reported the job in a status this console does not know ("${status}"); it may still finish there.`,
        );
        const note = `${label} reports a status this console does not know ("${status}"); the job is followed until it ends or its timeout.`;
        if (note === waiting) return;
        waiting = note;
        if (this.tryPatch(row.id, { waiting: note })) delete held.waiting;
        else held.waiting = note;
      },
      onPending: (status, now) => {
        // Display only (a crash loses nothing that recovery needs): held in memory and written
        // at most every PENDING_WRITE_INTERVAL_MS, the rest with the job's final status.
        this.unknownStatusNotes.delete(row.id);
        if (waiting !== null) {
          waiting = null;
          held.waiting = null;
        }
        if ((status.started || status.progress !== undefined) && startedAt === null) {
          startedAt = now;
          held.started_at = now;
        }
        if (status.progress !== undefined && status.progress !== lastProgress) {
          lastProgress = status.progress;
          held.progress = status.progress;
        }
        if (
          Object.keys(held).length > 0 &&
          now - lastWriteAt >= PENDING_WRITE_INTERVAL_MS &&
          // When the database is busy they are kept for the next write.
          this.tryPatch(row.id, held)
        ) {
          held = {};
          lastWriteAt = now;
        }
      },
    });
    const { status } = watched;
    const now = watched.seenAt;
    if (waiting !== null) held.waiting = null;
    if (status.state === 'succeeded') {
      this.durations.record(
        modelKey,
        watched.lastPendingAt - submittedAt,
        watched.seenAt - submittedAt,
      );
      // Paid: its cost and its video's links must not be lost (a busy database makes it wait).
      void this.patch(row.id, {
        ...held,
        state: 'downloading',
        // With its job id, in case that write was given up on (a database locked for long).
        vendor_job_id: jobId,
        started_at: startedAt ?? row.submitted_at,
        completed_at: now,
        outputs: JSON.stringify(status.outputs),
        cost_usd: status.costUsd ?? row.estimated_cost_usd,
      });
      return status.outputs;
    }
    if (Object.keys(held).length > 0) this.patch(row.id, held);
    const current = getGenerationRow(this.deps.db, row.id) ?? row;
    if (startedAt !== null && current.started_at === null)
      this.patch(row.id, { started_at: startedAt, completed_at: now });
    // With its job id, in case that write was given up on (a database locked for long).
    if (status.state === 'cancelled') {
      void this.finish(
        current,
        'cancelled',
        {
          code: 'cancelled',
          message: 'The provider reports this job was cancelled.',
          retryable: false,
        },
        undefined,
        false,
        { vendor_job_id: jobId },
      );
    } else {
      void this.finish(
        current,
        outcomeFor(status.error, 'submitted'),
        status.error,
        status.costUsd,
        false,
        { vendor_job_id: jobId },
      );
    }
    return null;
  }

  /**
   * Recent submission → completion times of a model: from this process's jobs, seeded once from
   * the database (the last DURATION_HISTORY successes of that model).
   */
  private typicalDuration(modelKey: string): TypicalDuration | undefined {
    if (!this.durations.has(modelKey)) {
      const separator = modelKey.indexOf(':');
      for (const elapsed of recentDurations(
        this.deps.db,
        modelKey.slice(0, separator),
        modelKey.slice(separator + 1),
        DURATION_HISTORY,
      ))
        this.durations.seed(modelKey, elapsed);
      if (!this.durations.has(modelKey)) return undefined;
    }
    return this.durations.typical(modelKey);
  }

  /**
   * `billingUnknown`: the job was left at the vendor with no confirmed cancel; it may be billed,
   * so its estimate counts against the budget like a submit_unknown create's (migration 0255).
   */
  private finish(
    row: GenerationRow,
    outcome: GenerationOutcome,
    error: SerializedError,
    billedUsd?: number,
    billingUnknown = false,
    also: GenerationPatch = {},
  ): Promise<boolean> {
    // Read when written: after the generation's earlier writes (its cost, say) are in.
    return this.save(row.id, `its outcome (${outcome})`, () => {
      const current = getGenerationRow(this.deps.db, row.id);
      if (!current || current.outcome !== null) return;
      updateGeneration(
        this.deps.db,
        row.id,
        {
          ...also,
          state: outcome === 'cancelled' ? 'cancelled' : 'failed',
          outcome,
          error_code: error.code,
          // Which vendor, and what to do (cancelled, skipped and unknown outcomes say it already).
          error_message: ADVISED_OUTCOMES.has(outcome)
            ? withAdvice(row.provider, error.code, error.message)
            : error.message,
          finished_at: this.deps.now(),
          cost_usd: billedUsd ?? current.cost_usd ?? 0,
          ...(billingUnknown ? { billing_unknown: 1 } : {}),
        },
        { onlyUnfinished: true },
      );
    });
  }

  private patch(id: string, patch: GenerationPatch): Promise<boolean> {
    // An outcome is final: a cancel made elsewhere is never overwritten by a late vendor answer.
    return this.save(id, `columns ${Object.keys(patch).join(', ')}`, () => {
      updateGeneration(this.deps.db, id, patch, {
        onlyUnfinished: patch.state !== undefined || patch.outcome !== undefined,
      });
    });
  }

  /**
   * A write for display only (progress, a rate-limit note): done only when the database is free
   * at once and no write of the generation waits before it; false otherwise (keep it for later).
   */
  private tryPatch(id: string, patch: GenerationPatch): boolean {
    if (this.unsaved.has(id)) return false;
    try {
      withoutBusyWait(this.deps.db, () =>
        updateGeneration(this.deps.db, id, patch, {
          onlyUnfinished: patch.state !== undefined || patch.outcome !== undefined,
        }),
      );
    } catch (error) {
      if (isDatabaseBusy(error)) return false;
      throw error;
    }
    this.emitGeneration(id);
    return true;
  }

  /** Several writes to one generation as one transaction (one commit), then its events. */
  private commit(id: string, what: string, writes: () => void): Promise<boolean> {
    return this.save(id, what, () => this.deps.db.transaction(writes).immediate());
  }

  /**
   * A write of one generation that must not be lost (its job id, cost, stored video, outcome).
   * Done at once when it can. When another process holds SQLite's write lock past the busy
   * timeout (SQLITE_BUSY), it is tried again with backoff for busyPatienceMs, in the background
   * and after the generation's earlier waiting writes (in their order), while the caller goes on
   * with what it knows. Resolves true once written; false when given up (logged). Any other
   * error is thrown at once, as before.
   */
  private save(id: string, what: string, write: () => void): Promise<boolean> {
    const earlier = this.unsaved.get(id);
    if (!earlier) {
      try {
        // A short busy wait: the connection's own (5 s) would stop the whole thread (every poll,
        // download and, in the desktop app, every window's request) while another process holds
        // the lock; a write that meets the lock goes to saveLater and the run goes on.
        withBusyTimeout(this.deps.db, SHORT_BUSY_WAIT_MS, write);
      } catch (error) {
        if (!isDatabaseBusy(error)) throw error;
        this.deps.log(
          `generation ${id}: ${what} waits for the database, locked by another process; trying again`,
        );
        return this.saveLater(id, what, write, undefined);
      }
      this.emitGeneration(id);
      return Promise.resolve(true);
    }
    return this.saveLater(id, what, write, earlier.done);
  }

  private saveLater(
    id: string,
    what: string,
    write: () => void,
    after: Promise<boolean> | undefined,
  ): Promise<boolean> {
    const attempt = async (): Promise<boolean> => {
      try {
        await retryWhileBusy(this.deps.db, write, {
          now: this.deps.now,
          sleep: (ms) => this.deps.sleep(ms),
          patienceMs: this.busyPatienceMs,
          // Just failed (busy) when nothing was waiting before it.
          tryAtOnce: after !== undefined,
        });
      } catch (error) {
        this.deps.log(
          `generation ${id}: ${what} could not be written (${error instanceof Error ? error.message : String(error)}); the generation is left as the database has it, for the next start to pick up`,
        );
        return false;
      }
      if (this.deps.db.open) this.emitGeneration(id);
      return true;
    };
    const done = after ? after.then(attempt) : attempt();
    let runId: string | undefined;
    try {
      runId = getGenerationRow(this.deps.db, id)?.run_id;
    } catch {
      runId = undefined;
    }
    const entry = { runId, done };
    this.unsaved.set(id, entry);
    void done.finally(() => {
      if (this.unsaved.get(id) === entry) this.unsaved.delete(id);
    });
    return done;
  }

  /** Resolves once the generation's writes waiting for the database lock are in (or given up). */
  private async settled(id: string): Promise<void> {
    let entry = this.unsaved.get(id);
    while (entry) {
      await entry.done;
      const next = this.unsaved.get(id);
      if (next === entry) return;
      entry = next;
    }
  }

  /** The same for every generation of a run; a stop or cancel (`halted`) ends the wait. */
  private async settledRun(runId: string, halted: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => {
      if (halted.aborted) resolve();
      else halted.addEventListener('abort', () => resolve(), { once: true });
    });
    for (;;) {
      const waiting = [...this.unsaved.values()].filter((entry) => entry.runId === runId);
      if (waiting.length === 0 || halted.aborted) return;
      await Promise.race([Promise.allSettled(waiting.map((entry) => entry.done)), aborted]);
    }
  }

  /** The generation's row as it is now, to whoever listens (nobody: nothing is read). */
  private emitGeneration(id: string): void {
    const generationListened = this.deps.bus.hasListeners('bench:generation-updated');
    if (!generationListened && !this.deps.bus.hasListeners('bench:run-updated')) return;
    if (!generationListened) {
      // Only run summaries are listened to (the CLI): the run of a generation in flight is
      // known, and reading the row back after every write cost ~5% of a benchmark's main thread.
      for (const [runId, state] of this.runs)
        if (state.active.has(id)) {
          this.emitRun(runId);
          return;
        }
    }
    const row = getGenerationRow(this.deps.db, id);
    if (!row) return;
    if (generationListened) this.deps.bus.emit('bench:generation-updated', toGenerationRecord(row));
    this.emitRun(row.run_id);
  }

  /**
   * Run summaries aggregate every generation of the run, so they are coalesced: at most one
   * per run every 200 ms while it runs (progress bars do not need more), always one at the end.
   */
  private emitRun(runId: string, immediate = false): void {
    if (!immediate) {
      if (this.pendingRunEmits.has(runId)) return;
      const timer = setTimeout(() => {
        this.pendingRunEmits.delete(runId);
        this.emitRun(runId, true);
      }, 200);
      timer.unref?.();
      this.pendingRunEmits.set(runId, timer);
      return;
    }
    const pending = this.pendingRunEmits.get(runId);
    if (pending) {
      clearTimeout(pending);
      this.pendingRunEmits.delete(runId);
    }
    if (!this.deps.db.open) return;
    const summary = getRunSummary(this.deps.db, runId, this.viewer());
    if (summary) this.deps.bus.emit('bench:run-updated', summary);
  }
}

/**
 * Why a model cannot take a prompt at all, from the capabilities its adapter declares: a prompt
 * without a reference image for an image-to-video-only model, or one with an image for a
 * text-to-video-only model. null when it can.
 */
export function inputMismatch(
  model: { displayName: string; capabilities: { textToVideo: boolean; imageToVideo: boolean } },
  imageUrl: string | undefined,
): string | null {
  if (imageUrl === undefined && !model.capabilities.textToVideo)
    return `${model.displayName} is image-to-video only and this prompt has no reference image`;
  if (imageUrl !== undefined && !model.capabilities.imageToVideo)
    return `${model.displayName} is text-to-video only and cannot take this prompt's reference image`;
  return null;
}

/**
 * Pending statuses (started, progress, a rate-limit note cleared) of one generation are written
 * at most this often, ms; they are for display, and the last of them goes with the final status.
 */
export const PENDING_WRITE_INTERVAL_MS = 1000;

/** The columns of a generation that ended with its video stored (and analysed, where on). */
function successColumns(finishedAt: number): GenerationPatch {
  return { state: 'succeeded', outcome: 'success', finished_at: finishedAt, progress: 1 };
}

/**
 * A vendor refusing the account rather than the prompt: the key (401/403) or payment (402).
 * A rate limit (429, also `quota`) clears by waiting and is not one.
 */
function isAccountRefusal(error: SerializedError): boolean {
  return error.code === 'auth' || isPaymentRequired(error.code, error.message);
}

function outcomeFor(error: SerializedError, state: string): GenerationOutcome {
  switch (error.code) {
    case 'content_policy':
      return 'policy_refusal';
    case 'timeout':
      return state === 'submitting' ? 'submit_unknown' : 'timeout';
    case 'bad_output':
    case 'expired_output':
      return 'bad_output';
    case 'cancelled':
      return 'cancelled';
    case 'budget_exceeded':
      return 'skipped_budget';
    default:
      return 'failure';
  }
}

export function buildRequest(
  modelId: string,
  prompt: string,
  imageUrl: string | undefined,
  settings: GenerationSettings,
): GenerationRequest {
  const request: GenerationRequest = { modelId, prompt, ...settings };
  if (imageUrl !== undefined) request.imageUrl = imageUrl;
  return request;
}

/**
 * Looks at the vendor's job list while a twin (another generation of the same input) is still
 * being submitted: 20 looks, a minute at the default 3 s apart (Replicate holds a create up to
 * 60 s), before a lost create whose job cannot be told from the twin's is left to the admin.
 */
const TWIN_WAIT_CHECKS = 20;

/** Outcomes whose message gets the vendor's name and what to do (generation-advice.ts). */
const ADVISED_OUTCOMES = new Set<GenerationOutcome>([
  'failure',
  'account_refused',
  'bad_output',
  'policy_refusal',
  'timeout',
]);

/**
 * The analysis names the file it read by its name in the media store, the video's SHA-256: the
 * admin reads "the file downloaded from <vendor>" instead (a hash says nothing about what failed).
 */
function namingDownloadedFile(
  error: SerializedError,
  mediaId: string,
  provider: string,
): SerializedError {
  if (!error.message.includes(mediaId)) return error;
  const label = PROVIDER_LABELS[provider as ModelRef['provider']] ?? provider;
  const named = error.message.split(mediaId).join(`the file downloaded from ${label}`);
  return { ...error, message: `${named.charAt(0).toUpperCase()}${named.slice(1)}` };
}

function requestOf(row: GenerationRow): GenerationRequest {
  return buildRequest(
    row.model_id,
    row.prompt,
    row.image_url ?? undefined,
    JSON.parse(row.settings) as GenerationSettings,
  );
}

/** Identifies identical requests (provider, model, prompt, seed, settings) for the cache. */
export function requestKey(ref: ModelRef, request: GenerationRequest): string {
  const canonical = JSON.stringify([
    ref.provider,
    ref.modelId,
    request.prompt,
    request.imageUrl ?? null,
    request.seed ?? null,
    request.durationSeconds ?? null,
    request.aspectRatio ?? null,
    request.resolution ?? null,
    request.audio ?? null,
    // Appended only when set, so keys of earlier requests (which had no fps) stay the same.
    ...(request.fps === undefined ? [] : [request.fps]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The setting a capability warning is about, in the plan's words. */
const SETTING_WORDS: Record<string, string> = {
  durationSeconds: 'clip length',
  aspectRatio: 'aspect ratio',
  imageUrl: 'reference image',
  fps: 'frame rate',
};

/**
 * A capability warning as the plan shows it: "clip length: 4 s is not offered; this model offers
 * 6 s; the estimate counts 6 s, what the vendor may make and bill".
 */
function planWarningText(
  warning: SpecWarning,
  request: GenerationRequest,
  model: {
    capabilities: { durationsSeconds: readonly number[] };
    pricing: { usdPerSecond?: number | undefined };
  },
): string {
  const setting = SETTING_WORDS[warning.setting] ?? warning.setting;
  const asked = request.durationSeconds;
  const counted =
    asked === undefined ? undefined : Math.max(asked, ...model.capabilities.durationsSeconds);
  // Only a price per second depends on the length (estimateFromPricing counts the same).
  const note =
    warning.setting === 'durationSeconds' &&
    model.pricing.usdPerSecond !== undefined &&
    counted !== undefined &&
    counted !== asked
      ? `; the estimate counts ${counted} s, what the vendor may make and bill`
      : '';
  return `${setting}: ${warning.message}${note}`;
}
