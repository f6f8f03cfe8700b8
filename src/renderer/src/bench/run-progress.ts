/** Per-run and per-model progress: counts, spend so far and a rough time remaining. */
import type { GenerationRecord, GenerationState, RunSummary } from '../../../shared/domain';
import type { ModelRef } from '../../../shared/providers/video-provider-spec';

export const ACTIVE_STATES: ReadonlySet<GenerationState> = new Set([
  'queued',
  'submitting',
  'submitted',
  'downloading',
]);

export interface ModelProgress {
  provider: ModelRef['provider'];
  modelId: string;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Queued or running now. */
  active: number;
  spentUsd: number;
  estimatedUsd: number;
  /** Seconds until this model's generations are done; null when unknown or finished. */
  remainingSeconds: number | null;
}

/**
 * Time remaining from the pace so far: elapsed × (left / done). Unknown until something is
 * done, and null once nothing is left.
 */
export function remainingSeconds(
  startedAt: number | null,
  done: number,
  total: number,
  now: number,
): number | null {
  if (startedAt === null || done <= 0 || done >= total) return null;
  const elapsed = Math.max(0, now - startedAt) / 1000;
  return (elapsed / done) * (total - done);
}

export function modelProgress(
  run: RunSummary,
  generations: readonly GenerationRecord[],
  now: number,
): ModelProgress[] {
  return run.models.map((ref) => {
    const own = generations.filter(
      (generation) => generation.provider === ref.provider && generation.modelId === ref.modelId,
    );
    let done = 0;
    let succeeded = 0;
    let failed = 0;
    let cancelled = 0;
    let active = 0;
    let spentUsd = 0;
    let estimatedUsd = 0;
    let startedAt: number | null = null;
    for (const generation of own) {
      estimatedUsd += generation.estimatedCostUsd;
      spentUsd += generation.costUsd ?? 0;
      if (ACTIVE_STATES.has(generation.state)) active += 1;
      else done += 1;
      if (generation.state === 'succeeded') succeeded += 1;
      if (generation.state === 'failed') failed += 1;
      if (generation.state === 'cancelled') cancelled += 1;
      if (generation.submittedAt !== null)
        startedAt =
          startedAt === null ? generation.submittedAt : Math.min(startedAt, generation.submittedAt);
    }
    return {
      provider: ref.provider,
      modelId: ref.modelId,
      total: own.length,
      done,
      succeeded,
      failed,
      cancelled,
      active,
      spentUsd,
      estimatedUsd,
      remainingSeconds:
        run.state === 'running'
          ? remainingSeconds(startedAt ?? run.createdAt, done, own.length, now)
          : null,
    };
  });
}

/** The whole run's time remaining: the slowest model decides. */
export function runRemainingSeconds(
  run: RunSummary,
  models: readonly ModelProgress[],
  now: number,
): number | null {
  if (run.state !== 'running') return null;
  const known = models
    .map((model) => model.remainingSeconds)
    .filter((s): s is number => s !== null);
  const overall = remainingSeconds(run.createdAt, run.done, run.total, now);
  if (overall !== null) known.push(overall);
  return known.length > 0 ? Math.max(...known) : null;
}
