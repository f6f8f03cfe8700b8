import { afterEach, describe, expect, it } from 'vitest';
import {
  getGenerationRow,
  listGenerationRows,
  updateGeneration,
} from '../../../src/main/bench/bench-repository';
import { type SandboxAdapter } from '../../../src/main/providers/sandbox/sandbox-adapter';
import { ProviderError } from '../../../src/shared/errors';
import type {
  GenerationRequest,
  StartOptions,
} from '../../../src/shared/providers/video-provider-spec';
import { sleep } from '../../../src/main/services';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const models = [
  { provider: 'sandbox' as const, modelId: 'sandbox-fast' },
  { provider: 'sandbox' as const, modelId: 'sandbox-pro' },
];

/** Counts submissions by wrapping the sandbox adapter's start. */
function countStarts(services: ReturnType<typeof testServices>): { count: () => number } {
  const adapter = services.registry.adapter('sandbox') as SandboxAdapter;
  const original = adapter.start.bind(adapter);
  let count = 0;
  adapter.start = (request: GenerationRequest, options?: StartOptions) => {
    count += 1;
    return original(request, options);
  };
  return { count: () => count };
}

describe('bench runner on the sandbox', () => {
  it('plans before spending: generations, cost per model and in total, budget fit', () => {
    const services = testServices();
    cleanups.push(services.cleanup);
    const plan = services.bench.plan({ suiteId: 'smoke', models, budgetUsd: 1 });
    expect(plan.generations).toBe(6);
    expect(plan.models.map((line) => line.estimatedCostUsd)).toEqual([0.6, 1.44]);
    expect(plan.estimatedCostUsd).toBeCloseTo(2.04, 6);
    expect(plan.withinBudget).toBe(false);
    expect(services.bench.plan({ suiteId: 'smoke', models, budgetUsd: 3 }).withinBudget).toBe(true);
  });

  it('refuses to start a run whose estimate is over budget, creating nothing', () => {
    const services = testServices();
    cleanups.push(services.cleanup);
    expect(() => services.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 1 })).toThrow(
      /over the \$1\.00 budget/,
    );
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 });
  });

  it('runs suite × models to the end: timings, costs, videos in the media store, progress events', async () => {
    const services = testServices();
    cleanups.push(services.cleanup);
    const events: string[] = [];
    services.bus.on('bench:generation-updated', (generation) => events.push(generation.state));
    const { runId } = services.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 5 });
    const run = await services.bench.waitForRun(runId);
    expect(run.state).toBe('finished');
    expect(run.succeeded).toBe(6);
    expect(run.spentUsd).toBeCloseTo(2.04, 6);
    const rows = listGenerationRows(services.db, runId);
    for (const row of rows) {
      expect(row.outcome).toBe('success');
      expect(row.media_id).toMatch(/^[a-f0-9]{64}$/);
      expect(services.media.has(row.media_id as string)).toBe(true);
      expect(row.finished_at! - row.submitted_at!).toBeGreaterThanOrEqual(0);
      expect(row.vendor_job_id).toMatch(/^sbx_/);
    }
    expect(events).toEqual(
      expect.arrayContaining(['submitting', 'submitted', 'downloading', 'succeeded']),
    );
  });

  it('records policy refusals and failures as outcomes, not crashes', async () => {
    const services = testServices();
    cleanups.push(services.cleanup);
    services.db
      .prepare(
        "UPDATE suites SET definition = json_set(definition, '$.prompts[0].text', 'a riot scene #policy', '$.prompts[1].text', 'x #fail') WHERE id = 'smoke'",
      )
      .run();
    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models: [models[0]!],
      budgetUsd: 5,
    });
    await services.bench.waitForRun(runId);
    const outcomes = listGenerationRows(services.db, runId).map((row) => row.outcome);
    expect(outcomes).toEqual(['policy_refusal', 'failure', 'success']);
    const refused = listGenerationRows(services.db, runId)[0]!;
    expect(refused.cost_usd).toBe(0);
    expect(refused.error_code).toBe('content_policy');
  });

  it('survives a restart: finished results kept, submitted jobs polled again, nothing submitted twice', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = testServices({ dataDir: dir, sandboxTimeScale: 0.5 });
    const firstStarts = countStarts(first);
    const { runId } = first.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 5 });
    // Wait until some jobs are at the vendor, then stop the console.
    await new Promise<void>((resolve) => {
      const off = first.bus.on('bench:generation-updated', (generation) => {
        if (generation.state === 'submitted') {
          off();
          resolve();
        }
      });
    });
    await first.close();
    const submittedBefore = listGenerationRowsAfterClose(dir, runId).filter(
      (row) => row.vendor_job_id !== null,
    );
    expect(submittedBefore.length).toBeGreaterThan(0);
    expect(firstStarts.count()).toBeGreaterThan(0);

    const second = testServices({ dataDir: dir, sandboxTimeScale: 0.02 });
    cleanups.push(() => second.close());
    const secondStarts = countStarts(second);
    expect(second.bench.resumeAll()).toEqual([runId]);
    const run = await second.bench.waitForRun(runId);
    expect(run.state).toBe('finished');
    expect(run.succeeded).toBe(6);
    // Every generation was submitted exactly once across both processes.
    expect(firstStarts.count() + secondStarts.count()).toBe(6);
    const rows = listGenerationRows(second.db, runId);
    for (const before of submittedBefore) {
      expect(rows.find((row) => row.id === before.id)?.vendor_job_id).toBe(before.vendor_job_id);
    }
  });

  it('never re-submits a generation whose submission was interrupted: it is marked submit_unknown', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = testServices({ dataDir: dir, sandboxTimeScale: 1 });
    const { runId } = first.bench.startRun({
      suiteId: 'smoke',
      models: [models[0]!],
      budgetUsd: 5,
    });
    await first.close();
    // Simulate a crash between "submitting" and the vendor's answer.
    const target = listGenerationRowsAfterClose(dir, runId)[0]!;
    const reopened = testServices({ dataDir: dir });
    cleanups.push(() => reopened.close());
    updateGeneration(reopened.db, target.id, { state: 'submitting', vendor_job_id: null });
    const starts = countStarts(reopened);
    reopened.bench.resumeAll();
    await reopened.bench.waitForRun(runId);
    const row = getGenerationRow(reopened.db, target.id)!;
    expect(row.outcome).toBe('submit_unknown');
    expect(row.error_message).toMatch(/not sent again/);
    expect(starts.count()).toBe(0);
  });

  it('cancels a whole run: queued work never starts, running jobs are cancelled at the provider', async () => {
    const services = testServices({ sandboxTimeScale: 5 });
    cleanups.push(services.cleanup);
    const { runId } = services.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cancelled = await services.bench.cancelRun(runId);
    expect(cancelled).toBe(6);
    const run = await services.bench.waitForRun(runId);
    expect(run.state).toBe('cancelled');
    expect(listGenerationRows(services.db, runId).every((row) => row.outcome === 'cancelled')).toBe(
      true,
    );
  });

  it('answers identical requests from the cache when allowed, at no cost', async () => {
    const services = testServices();
    cleanups.push(services.cleanup);
    const first = services.bench.startRun({ suiteId: 'smoke', models: [models[0]!], budgetUsd: 5 });
    await services.bench.waitForRun(first.runId);
    const starts = countStarts(services);
    const second = services.bench.startRun({
      suiteId: 'smoke',
      models: [models[0]!],
      budgetUsd: 5,
      allowCache: true,
    });
    const run = await services.bench.waitForRun(second.runId);
    expect(run.succeeded).toBe(3);
    expect(run.spentUsd).toBe(0);
    expect(starts.count()).toBe(0);
    expect(listGenerationRows(services.db, second.runId).every((row) => row.cached === 1)).toBe(
      true,
    );
  });

  it('stops submitting when actual spend reaches the budget', async () => {
    const services = testServices({ benchConcurrency: 1 });
    cleanups.push(services.cleanup);
    // The vendor bills 50% more than the price table says, as a real bill can.
    const adapter = services.registry.adapter('sandbox') as SandboxAdapter;
    const status = adapter.status.bind(adapter);
    adapter.status = async (jobId, signal) => {
      const answer = await status(jobId, signal);
      return answer.state === 'succeeded'
        ? { ...answer, costUsd: (answer.costUsd ?? 0) * 1.5 }
        : answer;
    };
    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models: [models[0]!],
      budgetUsd: 0.6,
    });
    const run = await services.bench.waitForRun(runId);
    expect(run.spentUsd).toBeCloseTo(0.6, 6);
    expect(listGenerationRows(services.db, runId).map((row) => row.outcome)).toEqual([
      'success',
      'success',
      'skipped_budget',
    ]);
  });
});

function listGenerationRowsAfterClose(dir: string, runId: string) {
  const services = testServices({ dataDir: dir });
  const rows = listGenerationRows(services.db, runId);
  services.db.close();
  return rows;
}

describe('cancel one model', () => {
  it("cancels one model's generations and lets the other model finish", async () => {
    const services = testServices({ sandboxTimeScale: 1 });
    cleanups.push(services.cleanup);
    const { runId } = services.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 5 });
    const cancelled = await services.bench.cancelModel(runId, 'sandbox', 'sandbox-pro');
    expect(cancelled).toBe(3);
    const run = await services.bench.waitForRun(runId);
    const rows = listGenerationRows(services.db, runId);
    expect(
      rows
        .filter((row) => row.model_id === 'sandbox-pro')
        .every((row) => row.outcome === 'cancelled'),
    ).toBe(true);
    expect(
      rows
        .filter((row) => row.model_id === 'sandbox-fast')
        .every((row) => row.outcome === 'success'),
    ).toBe(true);
    expect(run.state).toBe('finished');
  });
});

describe('rate limits of the status call', () => {
  it('a long 429 episode waits (shown as rate limited) instead of abandoning the paid job', async () => {
    // Waits are shortened (the schedule itself is what job-watch.test.ts checks on a fake clock).
    const services = testServices({ sleep: (ms, signal) => sleep(Math.min(ms, 2), signal) });
    cleanups.push(services.cleanup);
    // The first 30 status calls are rate limited (far more than the 8 failures in a row a
    // glitch may have), half without Retry-After: every job still ends with its video.
    const adapter = services.registry.adapter('sandbox') as SandboxAdapter;
    const original = adapter.status.bind(adapter);
    let calls = 0;
    adapter.status = (jobId: string, signal?: AbortSignal) => {
      calls += 1;
      if (calls <= 30)
        return Promise.reject(
          new ProviderError('quota', 'Request was throttled.', {
            provider: 'sandbox',
            status: 429,
            ...(calls % 2 === 0 ? { retryAfterMs: 5 } : {}),
          }),
        );
      return original(jobId, signal);
    };
    const waiting: string[] = [];
    services.bus.on('bench:generation-updated', (generation) => {
      if (generation.waiting) waiting.push(generation.waiting);
    });
    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models: [models[0]!],
      budgetUsd: 5,
    });
    const run = await services.bench.waitForRun(runId);
    expect(run.succeeded).toBe(3);
    expect(calls).toBeGreaterThan(30);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((text) => /^Rate limited by .+, waiting \d+ s/.test(text))).toBe(true);
    // Once the job answers again the note is gone.
    for (const row of listGenerationRows(services.db, runId)) expect(row.waiting).toBeNull();
  });
});

describe('concurrency limits', () => {
  it('never runs more of one model at once than its own limit', async () => {
    const services = testServices({
      sandboxTimeScale: 0.5,
      modelConcurrency: { 'sandbox:sandbox-pro': 1 },
    });
    cleanups.push(services.cleanup);
    // A generation holds its slot from submission until its video is stored (or it ends);
    // the analysis of the stored video runs outside the slot.
    const holding = new Set<string>();
    let peak = 0;
    services.bus.on('bench:generation-updated', (generation) => {
      if (generation.modelId !== 'sandbox-pro') return;
      if (generation.state === 'submitting') {
        holding.add(generation.id);
        peak = Math.max(peak, holding.size);
      }
      if (generation.media !== null || generation.outcome !== null) holding.delete(generation.id);
    });
    const { runId } = services.bench.startRun({ suiteId: 'smoke', models, budgetUsd: 5 });
    const run = await services.bench.waitForRun(runId);
    expect(run.succeeded).toBe(6);
    expect(peak).toBe(1);
  });
});
