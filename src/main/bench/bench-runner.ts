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
import { AppError, ProviderError, serializeError, type SerializedError } from '../../shared/errors';
import type { GenerationOutcome, RunPlan, RunSummary } from '../../shared/domain';
import {
  PROVIDER_LABELS,
  formatModelRef,
  type GenerationRequest,
  type GenerationSettings,
  type ModelRef,
  type VideoOutput,
} from '../../shared/providers/video-provider-spec';
import type { EventBus } from '../events';
import type { MediaStore } from '../media/media-store';
import { nextPollDelay, type PollPolicy } from '../providers/http/polling';
import { withRetry } from '../providers/http/retry';
import { analysisColumns, analysisErrorColumns } from '../media/analysis-columns';
import { analyseVideo, ffmpegAvailability } from '../media/video-analysis';
import { downloadVideo } from '../media/download-video';
import type { ProviderRegistry } from '../providers/registry';
import type { WritableDb } from '../store/db';
import {
  findCachedSuccess,
  getGenerationRow,
  getRunSummary,
  getSuite,
  insertRun,
  knownJobIds,
  listGenerationRows,
  listQueuedRows,
  listRunIdsInState,
  recordMedia,
  runSpend,
  setRunState,
  toGenerationRecord,
  updateGeneration,
  type GenerationPatch,
  type GenerationRow,
  type NewGeneration,
} from './bench-repository';

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
  /** A generation that takes longer than this is cancelled at the vendor and marked timed out. Default 15 min. */
  generationTimeoutMs?: number;
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
}

interface ActiveGeneration {
  controller: AbortController;
  provider: string;
  reservedUsd: number;
}

interface RunState {
  runId: string;
  budgetUsd: number;
  allowCache: boolean;
  active: Map<string, ActiveGeneration>;
  cancelled: boolean;
  done: Promise<void>;
}

export class BenchRunner {
  private readonly runs = new Map<string, RunState>();
  private globalInFlight = 0;
  private readonly providerInFlight = new Map<string, number>();
  private readonly wakeups = new Set<() => void>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly modelInFlight = new Map<string, number>();
  private readonly pendingRunEmits = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: BenchRunnerDeps) {}

  plan(input: PlanInput): RunPlan {
    const suite = getSuite(this.deps.db, input.suiteId);
    if (!suite) throw new AppError('not_found', `There is no suite "${input.suiteId}".`);
    const seen = new Set<string>();
    const lines = input.models.map((ref) => {
      const key = formatModelRef(ref);
      if (seen.has(key)) throw new AppError('validation', `models: ${key} is listed twice.`);
      seen.add(key);
      const { adapter, model } = this.deps.registry.resolve(ref);
      let cost = 0;
      const warnings = new Set<string>();
      for (const prompt of suite.definition.prompts) {
        const request = buildRequest(
          ref.modelId,
          prompt.text,
          prompt.imageUrl,
          suite.definition.settings,
        );
        cost += adapter.estimateCost(request).usd;
        for (const warning of adapter.checkRequest(request))
          warnings.add(`${warning.setting}: ${warning.message}`);
      }
      return {
        provider: ref.provider,
        modelId: ref.modelId,
        displayName: model.displayName,
        generations: suite.definition.prompts.length,
        estimatedCostUsd: round(cost),
        simulated: model.simulated,
        warnings: [...warnings],
      };
    });
    const estimatedCostUsd = round(lines.reduce((sum, line) => sum + line.estimatedCostUsd, 0));
    const generations = lines.reduce((sum, line) => sum + line.generations, 0);
    const concurrency = this.deps.globalConcurrency ?? 4;
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
      withinBudget:
        input.budgetUsd === undefined ? false : estimatedCostUsd <= input.budgetUsd + 1e-9,
    };
  }

  startRun(input: StartInput): { runId: string; plan: RunPlan } {
    const plan = this.plan(input);
    if (!plan.withinBudget) {
      throw new AppError(
        'budget_exceeded',
        `This run is estimated at $${plan.estimatedCostUsd.toFixed(2)}, over the $${input.budgetUsd.toFixed(2)} budget. Raise the budget or choose fewer models or prompts.`,
      );
    }
    const suite = getSuite(this.deps.db, plan.suiteId, plan.suiteVersion);
    if (!suite) throw new AppError('not_found', `There is no suite "${plan.suiteId}".`);
    const runId = `run_${randomUUID()}`;
    const createdAt = this.deps.now();
    const generations: NewGeneration[] = [];
    for (const prompt of suite.definition.prompts) {
      for (const ref of input.models) {
        const { adapter, model } = this.deps.registry.resolve(ref);
        const request = buildRequest(
          ref.modelId,
          prompt.text,
          prompt.imageUrl,
          suite.definition.settings,
        );
        generations.push({
          id: `gen_${randomUUID()}`,
          promptId: prompt.id,
          prompt: prompt.text,
          category: prompt.category,
          imageUrl: prompt.imageUrl,
          provider: ref.provider,
          modelId: ref.modelId,
          settings: suite.definition.settings,
          requestKey: requestKey(ref, request),
          estimatedCostUsd: adapter.estimateCost(request).usd,
          simulated: model.simulated,
        });
      }
    }
    const name =
      input.name ??
      `${suite.definition.name} · ${input.models.map((ref) => this.deps.registry.resolve(ref).model.displayName).join(' vs ')}`;
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
      },
      generations,
    );
    this.deps.log(
      `run ${runId} started: ${generations.length} generations, estimate $${plan.estimatedCostUsd.toFixed(2)}`,
    );
    this.drive(runId, input.budgetUsd, input.allowCache ?? false);
    return { runId, plan };
  }

  /** Picks up every run that was running when the console stopped. */
  resumeAll(): string[] {
    const ids = listRunIdsInState(this.deps.db, 'running');
    for (const runId of ids) {
      if (this.runs.has(runId)) continue;
      const summary = getRunSummary(this.deps.db, runId);
      if (!summary) continue;
      for (const row of listGenerationRows(this.deps.db, runId)) {
        if (row.state === 'submitting') {
          this.finish(row, 'submit_unknown', {
            code: 'provider_unavailable',
            message:
              'The console stopped while this request was being submitted, so it is not known whether the provider received it. It was not sent again; check the provider dashboard.',
            retryable: false,
          });
        }
      }
      this.deps.log(`run ${runId} resumed`);
      this.drive(runId, summary.budgetUsd, false);
    }
    return ids;
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

  async cancelRun(runId: string): Promise<number> {
    const state = this.runs.get(runId);
    const summary = getRunSummary(this.deps.db, runId);
    if (!summary) throw new AppError('not_found', `There is no run "${runId}".`);
    let count = 0;
    const rows = listGenerationRows(this.deps.db, runId).filter((row) => row.outcome === null);
    if (state) state.cancelled = true;
    for (const row of rows) {
      if (await this.cancelOne(row)) count += 1;
    }
    if (!state) {
      setRunState(this.deps.db, runId, 'cancelled', this.deps.now());
      this.emitRun(runId, true);
    }
    this.wake();
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
    for (const state of this.runs.values()) {
      state.cancelled = true;
      for (const active of state.active.values())
        active.controller.abort(new AppError('cancelled', 'The console is shutting down.'));
    }
    this.wake();
    await Promise.allSettled([...this.runs.values()].map((state) => state.done));
    for (const timer of this.pendingRunEmits.values()) clearTimeout(timer);
    this.pendingRunEmits.clear();
  }

  private async cancelOne(row: GenerationRow): Promise<boolean> {
    if (row.outcome !== null) return false;
    const active = this.runs.get(row.run_id)?.active.get(row.id);
    if (row.vendor_job_id) {
      try {
        await this.deps.registry
          .adapter(row.provider as ModelRef['provider'])
          .cancel(row.vendor_job_id);
      } catch (error) {
        this.deps.log(
          `cancel of ${row.id} at ${row.provider} failed: ${serializeError(error).message}`,
        );
      }
    }
    this.finish(row, 'cancelled', {
      code: 'cancelled',
      message: 'Cancelled by the admin.',
      retryable: false,
    });
    active?.controller.abort(new AppError('cancelled', 'Cancelled by the admin.'));
    return true;
  }

  private drive(runId: string, budgetUsd: number, allowCache: boolean): void {
    const state: RunState = {
      runId,
      budgetUsd,
      allowCache,
      active: new Map(),
      cancelled: false,
      done: Promise.resolve(),
    };
    this.runs.set(runId, state);
    state.done = this.loop(state)
      .catch((error: unknown) =>
        this.deps.log(`run ${runId} stopped on an error: ${serializeError(error).message}`),
      )
      .finally(() => {
        this.runs.delete(runId);
      });
  }

  private async loop(state: RunState): Promise<void> {
    const tasks = new Set<Promise<void>>();
    // Jobs already at the vendor are polled again first; they are never re-submitted.
    for (const row of listGenerationRows(this.deps.db, state.runId)) {
      if (row.outcome !== null) continue;
      if (row.state === 'submitted' || row.state === 'downloading') {
        tasks.add(this.track(tasks, this.execute(state, row)));
      }
    }
    // The queue is read once; a row is re-read just before it is submitted, so a cancel made
    // meanwhile (from any window or process) is respected.
    const queue = listQueuedRows(this.deps.db, state.runId);
    for (;;) {
      if (state.cancelled) break;
      const index = queue.findIndex((row) => this.hasCapacity(row.provider, row.model_id));
      if (queue.length === 0) break;
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
      tasks.add(this.track(tasks, this.execute(state, next)));
    }
    await Promise.allSettled([...tasks]);
    const summary = getRunSummary(this.deps.db, state.runId);
    if (summary && summary.done === summary.total) {
      const cancelled = listGenerationRows(this.deps.db, state.runId).some(
        (row) => row.outcome === 'cancelled',
      );
      setRunState(
        this.deps.db,
        state.runId,
        state.cancelled && cancelled ? 'cancelled' : 'finished',
        this.deps.now(),
      );
      this.emitRun(state.runId, true);
      this.deps.log(
        `run ${state.runId} ${state.cancelled && cancelled ? 'cancelled' : 'finished'}`,
      );
    }
  }

  private track(tasks: Set<Promise<void>>, task: Promise<void>): Promise<void> {
    const wrapped = task.finally(() => {
      tasks.delete(wrapped);
      this.wake();
    });
    return wrapped;
  }

  /** A provider that answered 429 gets no new submissions until its Retry-After has passed. */
  private pauseProvider(provider: string, ms: number): void {
    const until = this.deps.now() + ms;
    if ((this.pausedUntil.get(provider) ?? 0) < until) this.pausedUntil.set(provider, until);
    const timer = setTimeout(() => this.wake(), ms + 5);
    timer.unref?.();
  }

  private hasCapacity(provider: string, modelId: string): boolean {
    if ((this.pausedUntil.get(provider) ?? 0) > this.deps.now()) return false;
    const global = this.deps.globalConcurrency ?? 4;
    const perProvider =
      this.deps.providerConcurrency?.[provider] ?? (provider === 'sandbox' ? 4 : 2);
    const perModel = this.deps.modelConcurrency?.[`${provider}:${modelId}`] ?? Infinity;
    return (
      this.globalInFlight < global &&
      (this.providerInFlight.get(provider) ?? 0) < perProvider &&
      (this.modelInFlight.get(`${provider}:${modelId}`) ?? 0) < perModel
    );
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
    };
    state.active.set(initial.id, active);
    this.globalInFlight += 1;
    this.providerInFlight.set(
      initial.provider,
      (this.providerInFlight.get(initial.provider) ?? 0) + 1,
    );
    const modelKey = `${initial.provider}:${initial.model_id}`;
    this.modelInFlight.set(modelKey, (this.modelInFlight.get(modelKey) ?? 0) + 1);
    const timeoutMs = this.deps.generationTimeoutMs ?? 15 * 60 * 1000;
    const timer = setTimeout(
      () =>
        controller.abort(
          new ProviderError('timeout', `No result after ${Math.round(timeoutMs / 1000)} s.`, {
            provider: initial.provider,
          }),
        ),
      timeoutMs,
    );
    timer.unref?.();
    try {
      await this.executeSteps(state, initial, controller.signal);
    } catch (error) {
      const row = getGenerationRow(this.deps.db, initial.id);
      if (row && row.outcome === null) {
        const reason = controller.signal.aborted ? controller.signal.reason : error;
        if (AppError.isInstance(reason) && reason.code === 'cancelled') {
          // Shutdown: leave the row as it is; it resumes on the next start.
        } else {
          const serialized = serializeError(reason);
          if (serialized.code === 'internal') {
            this.deps.log(
              `generation ${row.id} failed inside the console: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
            );
          }
          if (serialized.code === 'timeout' && row.vendor_job_id) {
            await this.deps.registry
              .adapter(row.provider as ModelRef['provider'])
              .cancel(row.vendor_job_id)
              .catch(() => undefined);
          }
          this.finish(row, outcomeFor(serialized, row.state), serialized);
        }
      }
    } finally {
      clearTimeout(timer);
      state.active.delete(initial.id);
      this.globalInFlight -= 1;
      this.providerInFlight.set(
        initial.provider,
        (this.providerInFlight.get(initial.provider) ?? 1) - 1,
      );
      this.modelInFlight.set(modelKey, (this.modelInFlight.get(modelKey) ?? 1) - 1);
    }
  }

  private async executeSteps(
    state: RunState,
    initial: GenerationRow,
    signal: AbortSignal,
  ): Promise<void> {
    const adapter = this.deps.registry.adapter(initial.provider as ModelRef['provider']);
    let row = initial;
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
      const submittedAt = this.deps.now();
      this.patch(row.id, { state: 'submitting', submitted_at: submittedAt });
      let persisted = false;
      const persistJobId = (jobId: string): void => {
        if (persisted) return;
        persisted = true;
        this.patch(row.id, { state: 'submitted', vendor_job_id: jobId });
      };
      // A create whose answer was lost is sent again only after the vendor's own list shows it
      // never arrived; without such a list it is never sent again (submit_unknown).
      for (let round = 0; ; round += 1) {
        try {
          // Retry only where the vendor answered with a retryable error (so no job exists):
          // a rate limit pauses the whole provider for its Retry-After, not just this request.
          const started = await withRetry(
            () => {
              signal.throwIfAborted();
              return adapter.start(request, { signal, onJobId: persistJobId });
            },
            {
              sleep: (ms, abort) => this.deps.sleep(ms, abort),
              signal,
              maxRetries: this.deps.submitRetries ?? 2,
              initialDelayMs: this.deps.retryInitialDelayMs ?? 1000,
              shouldRetry: (error) =>
                !persisted &&
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
          break;
        } catch (error) {
          if (persisted || !ProviderError.isInstance(error)) throw error;
          const failure = error as ProviderError;
          if (!failure.outcomeUnknown) {
            // The vendor refused it, or it never reached the vendor: no job, nothing paid for.
            this.finish(
              getGenerationRow(this.deps.db, row.id) ?? row,
              outcomeFor(serializeError(failure), 'queued'),
              serializeError(failure),
            );
            return;
          }
          const found = await this.reconcile(row, request, submittedAt, failure, signal);
          if (found === 'absent' && round === 0) continue;
          if (typeof found === 'string') {
            persistJobId(found);
            break;
          }
          return;
        }
      }
      row = getGenerationRow(this.deps.db, row.id) ?? row;
    }
    let outputs: VideoOutput[] | null = row.outputs
      ? (JSON.parse(row.outputs) as VideoOutput[])
      : null;
    if (row.state === 'submitted') {
      outputs = await this.poll(row, signal);
      if (!outputs) return;
      row = getGenerationRow(this.deps.db, row.id) ?? row;
    }
    if (!outputs || outputs.length === 0) {
      throw new ProviderError('bad_output', 'The provider reported success but sent no video.', {
        provider: row.provider,
      });
    }
    const output = outputs[0] as VideoOutput;
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
    recordMedia(this.deps.db, media, this.deps.now());
    // The total runs from submission to the video being stored; analysis is the console's own work.
    const finishedAt = this.deps.now();
    this.patch(row.id, { download_ms: finishedAt - downloadStart, media_id: media.id });
    const analysed = await this.analyse(row, media.id, signal);
    if (analysed === 'bad_output') return;
    this.patch(row.id, {
      state: 'succeeded',
      outcome: 'success',
      finished_at: finishedAt,
      progress: 1,
    });
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
    const label = PROVIDER_LABELS[row.provider as ModelRef['provider']] ?? row.provider;
    const when = new Date(submittedAt).toISOString().replace('T', ' ').slice(0, 19);
    this.deps.log(
      `submission of ${row.id} to ${row.provider} has an unknown outcome: ${failure.message}`,
    );
    if (adapter.findJob) {
      try {
        // The vendor's list may lag behind its create call: look twice, a moment apart.
        for (let check = 0; check < 2; check += 1) {
          await this.deps.sleep(this.deps.reconcileDelayMs ?? 3000, signal);
          const jobId = await adapter.findJob(
            {
              request,
              createdAfter: submittedAt - 120_000,
              exclude: knownJobIds(this.deps.db, row.provider, submittedAt - 24 * 3600_000),
            },
            signal,
          );
          if (jobId !== undefined) {
            this.deps.log(
              `submission of ${row.id} found at ${row.provider} as ${jobId}; polling it`,
            );
            return jobId;
          }
        }
        this.deps.log(
          `submission of ${row.id} is not in ${row.provider}'s job list: it was not created; sending it once more`,
        );
        return 'absent';
      } catch (error) {
        signal.throwIfAborted();
        this.deps.log(
          `${row.provider}'s job list could not be read: ${serializeError(error).message}`,
        );
      }
    }
    const check = adapter.findJob
      ? `${label}'s job list could not be read to check.`
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
   * ffprobe + ffmpeg checks on the downloaded video. A video that does not decode is a
   * `bad_output` failure, not a success; missing ffmpeg or a slow analysis only leave a note.
   */
  private async analyse(
    row: GenerationRow,
    mediaId: string,
    signal: AbortSignal,
  ): Promise<'ok' | 'bad_output'> {
    const tools = this.deps.mediaTools;
    if (!tools) return 'ok';
    const availability = await ffmpegAvailability({ ...tools, log: this.deps.log });
    if (!availability.available) {
      this.patch(row.id, analysisErrorColumns(availability.message ?? 'ffmpeg is not available.'));
      return 'ok';
    }
    const settings = JSON.parse(row.settings) as GenerationSettings;
    try {
      const analysis = await analyseVideo(this.deps.media.pathOf(mediaId), settings, {
        ...tools,
        signal,
        now: this.deps.now,
      });
      this.patch(row.id, analysisColumns(analysis));
      return 'ok';
    } catch (error) {
      signal.throwIfAborted();
      const serialized = serializeError(error);
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

  /** Polls until the job ends; returns outputs on success, null when it ended otherwise. */
  private async poll(row: GenerationRow, signal: AbortSignal): Promise<VideoOutput[] | null> {
    const adapter = this.deps.registry.adapter(row.provider as ModelRef['provider']);
    const jobId = row.vendor_job_id as string;
    let attempt = 0;
    let startedAt = row.started_at;
    let lastProgress = row.progress;
    let transientFailures = 0;
    for (;;) {
      signal.throwIfAborted();
      let status;
      try {
        status = await adapter.status(jobId, signal);
        transientFailures = 0;
      } catch (error) {
        const serialized = serializeError(error);
        if (!serialized.retryable || transientFailures >= 8 || signal.aborted) throw error;
        transientFailures += 1;
        await this.deps.sleep(
          serialized.retryAfterMs ?? Math.min(30000, 1000 * 2 ** transientFailures),
          signal,
        );
        continue;
      }
      const now = this.deps.now();
      if (status.state === 'pending') {
        const patch: GenerationPatch = {};
        if ((status.started || status.progress !== undefined) && startedAt === null) {
          startedAt = now;
          patch.started_at = now;
        }
        if (status.progress !== undefined && status.progress !== lastProgress) {
          lastProgress = status.progress;
          patch.progress = status.progress;
        }
        if (Object.keys(patch).length > 0) this.patch(row.id, patch);
        await this.deps.sleep(
          nextPollDelay(attempt, status.pollAfterMs, this.deps.pollPolicy),
          signal,
        );
        attempt += 1;
        continue;
      }
      if (status.state === 'succeeded') {
        this.patch(row.id, {
          state: 'downloading',
          started_at: startedAt ?? row.submitted_at,
          completed_at: now,
          outputs: JSON.stringify(status.outputs),
          cost_usd: status.costUsd ?? row.estimated_cost_usd,
        });
        return status.outputs;
      }
      const current = getGenerationRow(this.deps.db, row.id) ?? row;
      if (startedAt !== null && current.started_at === null)
        this.patch(row.id, { started_at: startedAt, completed_at: now });
      if (status.state === 'cancelled') {
        this.finish(current, 'cancelled', {
          code: 'cancelled',
          message: 'The provider reports this job was cancelled.',
          retryable: false,
        });
      } else {
        this.finish(current, outcomeFor(status.error, 'submitted'), status.error, status.costUsd);
      }
      return null;
    }
  }

  private finish(
    row: GenerationRow,
    outcome: GenerationOutcome,
    error: SerializedError,
    billedUsd?: number,
  ): void {
    const current = getGenerationRow(this.deps.db, row.id);
    if (!current || current.outcome !== null) return;
    this.patch(row.id, {
      state: outcome === 'cancelled' ? 'cancelled' : 'failed',
      outcome,
      error_code: error.code,
      error_message: error.message,
      finished_at: this.deps.now(),
      cost_usd: billedUsd ?? current.cost_usd ?? 0,
    });
  }

  private patch(id: string, patch: GenerationPatch): void {
    updateGeneration(this.deps.db, id, patch);
    const row = getGenerationRow(this.deps.db, id);
    if (!row) return;
    this.deps.bus.emit('bench:generation-updated', toGenerationRecord(row));
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
    const summary = getRunSummary(this.deps.db, runId);
    if (summary) this.deps.bus.emit('bench:run-updated', summary);
  }
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
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
