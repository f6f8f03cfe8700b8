/**
 * Budget and quota per tier are typed in once, in the routing config (`tiers.<tier>.budget`),
 * and the production watch reads them from there: from the config live in the watched
 * environment, else from the saved draft. A budget still in the watch settings from before is
 * ignored (and listed, so it can be copied over). The console's real services: SQLite, the
 * routing draft, sandbox evidence, passphrase keys, a directory store; Prometheus is a closed
 * port here (usage is then unknown, never 0), since only the limits are under test
 * (watch-prometheus.test.ts reads real usage against the same limits).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import type { SeriesReport } from '../../../src/shared/watch/watch-types';
import { testServices } from '../../helpers/services';

const PASS = 'budget passphrase';

function config(budget: Record<string, number> | undefined): Record<string, unknown> {
  return {
    schemaVersion: 1,
    tiers: {
      free: {
        requestKinds: ['text-to-video'],
        strategy: 'fallback',
        targets: [{ provider: 'sandbox', model: 'sandbox-fast', timeoutSeconds: 60, retries: 0 }],
        limits: { maxSeconds: 5, dailyQuota: 3 },
        ...(budget ? { budget } : {}),
      },
    },
  };
}

async function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      server.close(() => resolve(address.port));
    });
  });
}

const limits = (report: SeriesReport) =>
  Object.fromEntries(report.budget.items.map((item) => [item.kind, item.limit]));

describe('the watch reads budget and quota per tier from the routing config', () => {
  let services: ReturnType<typeof testServices>;
  beforeAll(async () => {
    services = testServices();
    // Evidence for sandbox-fast, so the routing checks let the config be signed.
    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 1,
    });
    expect((await services.bench.waitForRun(runId)).state).toBe('finished');
    const port = await closedPort();
    // Old watch settings that still carry a budget of their own: readable, but no longer used.
    services.watch.saveSettings({
      environments: {
        dev: { prometheusUrl: `http://127.0.0.1:${port}` },
        production: { prometheusUrl: `http://127.0.0.1:${port}` },
      },
      tiers: [{ tier: 'free', minSuccessRate: 0.9, budget: { dailyUsd: 999, monthlyUsd: 9999 } }],
    });
  }, 120_000);
  afterAll(async () => {
    await services?.cleanup();
  });

  const series = (env: 'dev' | 'production') =>
    services.watch.getSeries({ tier: 'free', env, from: Date.now() - 3_600_000, to: Date.now() });

  it('nothing published: the saved draft’s budget; the old watch-settings budget is ignored but listed', async () => {
    const saved = services.routing.saveDraft(
      config({ dailyUsd: 25, dailyRequests: 500 }),
      services.routing.getDraft().revision,
    );
    const report = await series('production');
    expect(report.budget.from).toEqual({
      kind: 'draft',
      env: 'production',
      version: null,
      revision: saved.revision,
      problem: null,
    });
    expect(limits(report)).toEqual({ daily_usd: 25, daily_requests: 500 });
    // Prometheus cannot be read: usage is unknown, never 0 or "under budget".
    expect(report.budget.items.every((item) => item.used === null && !item.over)).toBe(true);
    expect(report.budget.problems[0]?.kind).toBe('unreachable');

    expect(await services.watch.getBudgets('production')).toEqual({
      from: report.budget.from,
      tiers: [{ tier: 'free', budget: { dailyUsd: 25, dailyRequests: 500 } }],
      legacy: [{ tier: 'free', budget: { dailyUsd: 999, monthlyUsd: 9999 } }],
    });
    // The old settings still load with their values (nothing lost), they are just not read.
    expect(services.watch.getSettings().tiers[0]?.budget).toEqual({
      dailyUsd: 999,
      monthlyUsd: 9999,
    });
  });

  it('published: each environment’s live config wins over the draft; no budget there = none', async () => {
    const kid = (await services.publishing.generateKey('alice laptop', PASS)).unlocked[0];
    await services.publishing.initTrust([kid as string], {
      dev: 1,
      staging: 1,
      production: 1,
      trust: 1,
    });
    const draft = services.routing.getDraft();
    await services.publishing.publishDraft({ draftRevision: draft.revision, expectFromVersion: 0 });
    await services.publishing.promote({ target: 'staging', expectFromVersion: 0 });
    await services.publishing.promote({ target: 'production', expectFromVersion: 0 });

    // A new budget in the draft, published to dev only.
    const next = services.routing.saveDraft(config({ monthlyUsd: 40 }), draft.revision);
    expect(next.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    await services.publishing.publishDraft({ draftRevision: next.revision, expectFromVersion: 1 });

    const production = await series('production');
    expect(production.budget.from).toMatchObject({ kind: 'published', version: 1 });
    expect(limits(production)).toEqual({ daily_usd: 25, daily_requests: 500 });
    const dev = await series('dev');
    expect(dev.budget.from).toMatchObject({ kind: 'published', env: 'dev', version: 2 });
    expect(limits(dev)).toEqual({ monthly_usd: 40 });

    // A tier whose live config sets no budget has none (the old watch settings do not stand in).
    const none = services.routing.saveDraft(config(undefined), next.revision);
    await services.publishing.publishDraft({ draftRevision: none.revision, expectFromVersion: 2 });
    expect(limits(await series('dev'))).toEqual({});
  });

  it('the routing checks refuse a bad budget, naming the field', () => {
    const checked = services.routing.check(config({ dailyUsd: -5 }));
    expect(checked.ok).toBe(false);
    expect(
      checked.problems.find((problem) => problem.path.startsWith('tiers.free.budget')),
    ).toMatchObject({ path: 'tiers.free.budget.dailyUsd', severity: 'error' });
  });

  it('watch:get-budgets answers in the contract shape (outputs checked)', async () => {
    const ipc = createAppDispatcher(services, { checkOutputs: true });
    const answer = await ipc.dispatch('watch:get-budgets', { env: 'production' });
    expect(answer).toMatchObject({
      ok: true,
      value: {
        from: { kind: 'published', env: 'production', version: 1 },
        tiers: [{ tier: 'free', budget: { dailyUsd: 25, dailyRequests: 500 } }],
        legacy: [{ tier: 'free' }],
      },
    });
    expect(await ipc.dispatch('watch:get-budgets', { env: 'moon' })).toMatchObject({
      ok: false,
      error: { code: 'validation' },
    });
  });
});
