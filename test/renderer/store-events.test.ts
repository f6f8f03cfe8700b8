// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GenerationRecord, RunDetail, RunSummary } from '../../src/shared/domain';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import {
  handleGenerationUpdated,
  handleRunUpdated,
  loadRun,
  resetActions,
  subscribeToEvents,
} from '../../src/renderer/src/store/actions';
import { resetAppStore, useAppStore } from '../../src/renderer/src/store/store';

const run: RunSummary = {
  id: 'run-1',
  name: 'Smoke',
  suiteId: 'smoke',
  suiteName: 'Smoke (3 prompts)',
  suiteVersion: 1,
  models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
  state: 'running',
  budgetUsd: 5,
  estimatedCostUsd: 0.6,
  spentUsd: 0,
  countedUsd: 0,
  unknownOutcomes: 0,
  total: 1,
  done: 0,
  succeeded: 0,
  failed: 0,
  createdAt: 1_700_000_000_000,
  finishedAt: null,
};

const generation: GenerationRecord = {
  id: 'gen-1',
  runId: 'run-1',
  promptId: 'smoke-01',
  prompt: 'A fox in snow',
  analysis: null,
  category: 'animals',
  provider: 'sandbox',
  modelId: 'sandbox-fast',
  state: 'queued',
  outcome: null,
  errorCode: null,
  errorMessage: null,
  progress: null,
  queueMs: null,
  generationMs: null,
  downloadMs: null,
  totalMs: null,
  estimatedCostUsd: 0.2,
  costUsd: null,
  cached: false,
  simulated: true,
  media: null,
  submittedAt: null,
  finishedAt: null,
};

/** A fake transport: answers get-run from `detail`, and lets the test fire events. */
function fakeTransport(detail: () => RunDetail) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const invoke = vi.fn(async (channel: string) => {
    if (channel === 'bench:get-run') return { ok: true as const, value: detail() };
    if (channel === 'bench:list-runs') return { ok: true as const, value: [detail().run] };
    return {
      ok: false as const,
      error: { code: 'not_found' as const, message: 'no', retryable: false },
    };
  });
  const transport: Transport = {
    kind: 'browser',
    invoke,
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    mediaUrl: (id) => `/media/${id}`,
  };
  const emit = (event: string, payload: unknown): void => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  return { transport, invoke, emit };
}

describe('store updates from events', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    resetAppStore();
    resetActions();
  });
  afterEach(() => {
    vi.useRealTimers();
    setClient(null);
  });

  it('patches a generation from bench:generation-updated into the open run', async () => {
    let current: RunDetail = { run, generations: [generation] };
    const { transport, emit } = fakeTransport(() => current);
    const client = createClient(transport);
    setClient(client);
    subscribeToEvents(client);
    await loadRun('run-1');
    expect(useAppStore.getState().runDetails['run-1']?.generations[0]?.state).toBe('queued');

    const running = { ...generation, state: 'submitted' as const, progress: 0.4 };
    current = { run, generations: [running] };
    emit('bench:generation-updated', running);

    const updated = useAppStore.getState().runDetails['run-1']?.generations[0];
    expect(updated).toMatchObject({ state: 'submitted', progress: 0.4 });
  });

  it('replaces a run summary from bench:run-updated in the list and the open run', async () => {
    const { transport } = fakeTransport(() => ({ run, generations: [] }));
    setClient(createClient(transport));
    useAppStore.setState({ runs: [run] });
    await loadRun('run-1');

    handleRunUpdated({ ...run, done: 1, succeeded: 1, spentUsd: 0.2 });

    const state = useAppStore.getState();
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]).toMatchObject({ done: 1, succeeded: 1, spentUsd: 0.2 });
    expect(state.runDetails['run-1']?.run.done).toBe(1);
  });

  it('throttles the refetch of a run during a burst of events', async () => {
    const { transport, invoke } = fakeTransport(() => ({ run, generations: [generation] }));
    setClient(createClient(transport));
    await loadRun('run-1');
    invoke.mockClear();

    for (let index = 0; index < 50; index += 1) {
      handleGenerationUpdated({ ...generation, state: 'submitted', progress: index / 50 });
    }
    await vi.advanceTimersByTimeAsync(5000);

    const getRunCalls = invoke.mock.calls.filter(([channel]) => channel === 'bench:get-run');
    expect(getRunCalls.length).toBeGreaterThanOrEqual(1);
    expect(getRunCalls.length).toBeLessThanOrEqual(2);
  });

  it('ignores generations of runs that are not open', () => {
    handleGenerationUpdated({ ...generation, runId: 'other' });
    expect(useAppStore.getState().runDetails).toEqual({});
  });
});
