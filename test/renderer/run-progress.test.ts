import { describe, expect, it } from 'vitest';
import type { GenerationRecord, RunSummary } from '../../src/shared/domain';
import {
  modelProgress,
  remainingSeconds,
  runRemainingSeconds,
} from '../../src/renderer/src/bench/run-progress';

const run: RunSummary = {
  id: 'run_1',
  name: 'Smoke',
  suiteId: 'smoke',
  suiteName: 'Smoke',
  suiteVersion: 1,
  models: [
    { provider: 'sandbox', modelId: 'fast' },
    { provider: 'sandbox', modelId: 'pro' },
  ],
  state: 'running',
  budgetUsd: 5,
  estimatedCostUsd: 2,
  spentUsd: 0.4,
  countedUsd: 0.4,
  unknownOutcomes: 0,
  total: 4,
  done: 2,
  succeeded: 1,
  failed: 1,
  createdAt: 1_000,
  finishedAt: null,
};

function generation(
  modelId: string,
  state: GenerationRecord['state'],
  costUsd: number | null,
  submittedAt: number | null,
): GenerationRecord {
  return {
    id: `${modelId}-${state}-${submittedAt}`,
    runId: 'run_1',
    promptId: 'p',
    prompt: 'p',
    category: 'general',
    provider: 'sandbox',
    modelId,
    state,
    outcome: null,
    errorCode: null,
    errorMessage: null,
    progress: null,
    queueMs: null,
    generationMs: null,
    downloadMs: null,
    totalMs: null,
    estimatedCostUsd: 0.25,
    costUsd,
    cached: false,
    simulated: true,
    media: null,
    submittedAt,
    finishedAt: null,
    analysis: null,
  };
}

describe('run progress', () => {
  it('estimates time left from the pace so far, and only while something is left', () => {
    expect(remainingSeconds(0, 1, 4, 10_000)).toBe(30);
    expect(remainingSeconds(0, 0, 4, 10_000)).toBeNull();
    expect(remainingSeconds(0, 4, 4, 10_000)).toBeNull();
    expect(remainingSeconds(null, 1, 4, 10_000)).toBeNull();
  });

  it('counts, spends and estimates per model', () => {
    const generations = [
      generation('fast', 'succeeded', 0.2, 2_000),
      generation('fast', 'submitted', null, 2_000),
      generation('pro', 'failed', 0.2, 3_000),
      generation('pro', 'cancelled', 0, 3_000),
    ];
    const [fast, pro] = modelProgress(run, generations, 12_000);
    expect(fast).toMatchObject({
      modelId: 'fast',
      total: 2,
      done: 1,
      succeeded: 1,
      active: 1,
      spentUsd: 0.2,
      estimatedUsd: 0.5,
      remainingSeconds: 10,
    });
    expect(pro).toMatchObject({
      done: 2,
      failed: 1,
      cancelled: 1,
      active: 0,
      remainingSeconds: null,
    });
    // The whole run: the slowest estimate (model or overall pace) decides.
    expect(runRemainingSeconds(run, [fast!, pro!], 12_000)).toBe(11);
    expect(runRemainingSeconds({ ...run, state: 'finished' }, [fast!, pro!], 12_000)).toBeNull();
  });
});
