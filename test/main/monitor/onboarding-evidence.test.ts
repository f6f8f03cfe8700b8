/**
 * The onboarding board believes only evidence the console's records back: a smoke run with a
 * successful generation of the model, enough blind votes to rank it, and production stability
 * read from the watch (a real SQLite, a real sandbox run, votes through the review service).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MIN_RANKING_VOTES } from '../../../src/main/monitor/evidence-checks';
import {
  HISTORY_END,
  startPrometheus,
  type PrometheusFixture,
} from '../../helpers/prometheus-server';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const models = [
  { provider: 'sandbox', modelId: 'sandbox-fast' },
  { provider: 'sandbox', modelId: 'sandbox-pro' },
] as const;

/** Free on the fast sandbox model only; premium on the other. */
const SANDBOX_ONLY_CONFIG = {
  schemaVersion: 1,
  tiers: {
    free: {
      requestKinds: ['text-to-video'],
      strategy: 'fallback',
      targets: [{ provider: 'sandbox', model: 'sandbox-fast', timeoutSeconds: 60, retries: 0 }],
      breaker: { failureRate: 0.5, minimumRequests: 20, cooldownSeconds: 60 },
      limits: { maxSeconds: 5, maxResolution: '720p', dailyQuota: 3 },
      defaults: { durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' },
    },
    premium: {
      requestKinds: ['text-to-video'],
      strategy: 'fallback',
      targets: [{ provider: 'sandbox', model: 'sandbox-pro', timeoutSeconds: 60, retries: 0 }],
      breaker: { failureRate: 0.3, minimumRequests: 50, cooldownSeconds: 30 },
      limits: { maxSeconds: 10, maxResolution: '1080p', dailyQuota: 50 },
      defaults: { durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' },
    },
  },
  flags: {},
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

let prom: PrometheusFixture | undefined;
let promCleanup: (() => void) | undefined;
afterAll(async () => {
  await prom?.stop();
  promCleanup?.();
});

describe('onboarding evidence', () => {
  it('refuses runs, votes and clean days the records do not back, then accepts real ones', async () => {
    const services = testServices({ sandboxTimeScale: 0.002, analyseVideos: false });
    cleanup = services.cleanup;
    const { card } = services.monitor.board.ensureCard({
      ...models[0],
      displayName: 'Sandbox fast',
      checkId: null,
      eventId: null,
    });
    const advance = (evidence: unknown) =>
      services.monitor.board.advance({ cardId: card.id, evidence });

    await expect(
      advance({ stage: 'validated', runId: 'run-that-never-was', parameters: '5 s, 720p' }),
    ).rejects.toThrow(/no benchmark run "run-that-never-was"/);

    // A run of only the other model holds no generation of this one.
    const other = services.bench.startRun({
      suiteId: 'smoke',
      models: [models[1]],
      budgetUsd: 5,
    });
    await services.bench.waitForRun(other.runId);
    await expect(
      advance({ stage: 'validated', runId: other.runId, parameters: '5 s, 720p' }),
    ).rejects.toThrow(/no successful generation of sandbox\/sandbox-fast/);

    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models: [...models],
      budgetUsd: 5,
    });
    await services.bench.waitForRun(runId);
    const validated = await advance({ stage: 'validated', runId, parameters: '5 s, 720p' });
    expect(validated.stage).toBe('validated');

    // Benchmarked needs enough votes on this model.
    await expect(advance({ stage: 'benchmarked', runId, voteCount: 0 })).rejects.toThrow(
      /0 blind votes; ranking it needs at least 10/,
    );
    for (let index = 0; index < MIN_RANKING_VOTES; index += 1) {
      const pair = services.review.nextPair();
      if (!pair) throw new Error('no pair to vote on');
      services.review.castVote(pair.token, index % 3 === 0 ? 'tie' : 'a', undefined);
    }
    await expect(advance({ stage: 'benchmarked', runId, voteCount: 500 })).rejects.toThrow(
      /You entered 500 votes, but the console holds 10/,
    );
    await advance({ stage: 'benchmarked', runId, voteCount: MIN_RANKING_VOTES });

    // Placed: a config version signed into dev that routes the model.
    await expect(advance({ stage: 'placed', configVersion: 1, tier: 'premium' })).rejects.toThrow(
      /Config version 1 cannot be read from dev/,
    );
    const generated = await services.publishing.generateKey('evidence test', 'evidence passphrase');
    await services.publishing.initTrust(generated.unlocked, {
      dev: 1,
      staging: 1,
      production: 1,
      trust: 1,
    });
    const saved = services.routing.saveDraft(SANDBOX_ONLY_CONFIG, 0);
    expect(saved.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    await services.publishing.publishDraft({ draftRevision: saved.revision, expectFromVersion: 0 });
    await expect(advance({ stage: 'placed', configVersion: 1, tier: 'nope' })).rejects.toThrow(
      /has no tier "nope"/,
    );
    await expect(advance({ stage: 'placed', configVersion: 1, tier: 'premium' })).rejects.toThrow(
      /does not route tier "premium" to sandbox\/sandbox-fast/,
    );
    await advance({ stage: 'placed', configVersion: 1, tier: 'free' });
    await expect(
      advance({ stage: 'rolling_out', configVersion: 1, environment: 'production' }),
    ).rejects.toThrow(/cannot be read from production/);
    await advance({ stage: 'rolling_out', configVersion: 1, environment: 'dev' });

    // No Prometheus is configured: stability cannot be granted, and the reason says so.
    await services.publishing.promote({ target: 'staging', expectFromVersion: 0 });
    await services.publishing.promote({ target: 'production', expectFromVersion: 0 });
    await expect(advance({ stage: 'stable', configVersion: 1, cleanDays: 7 })).rejects.toThrow(
      /Production metrics for tier "free" could not be read, so stability is not granted/,
    );
    expect(services.monitor.board.get(card.id).stage).toBe('rolling_out');
  }, 120_000);
});

describe('onboarding evidence: the stable path and a rollback', () => {
  it('grants "stable" from production metrics in a real Prometheus, and "rolled back" only for a rollback in the history', async () => {
    const temp = tempDir('aideon-stable-prom-');
    promCleanup = temp.cleanup;
    prom = await startPrometheus({ dir: temp.dir });
    // The console's clock runs from the end of Prometheus's 8 days of production history.
    const startedAt = Date.now();
    const services = testServices({
      sandboxTimeScale: 0.002,
      analyseVideos: false,
      now: () => HISTORY_END * 1000 + (Date.now() - startedAt),
    });
    cleanup = services.cleanup;
    const { card } = services.monitor.board.ensureCard({
      ...models[0],
      displayName: 'Sandbox fast',
      checkId: null,
      eventId: null,
    });
    const advance = (evidence: unknown) =>
      services.monitor.board.advance({ cardId: card.id, evidence });

    const { runId } = services.bench.startRun({
      suiteId: 'smoke',
      models: [...models],
      budgetUsd: 5,
    });
    await services.bench.waitForRun(runId);
    await advance({ stage: 'validated', runId, parameters: '5 s, 720p' });
    for (let index = 0; index < MIN_RANKING_VOTES; index += 1) {
      const pair = services.review.nextPair();
      if (!pair) throw new Error('no pair to vote on');
      services.review.castVote(pair.token, 'a', undefined);
    }
    await advance({ stage: 'benchmarked', runId, voteCount: MIN_RANKING_VOTES });

    const generated = await services.publishing.generateKey('stable test', 'stable passphrase');
    await services.publishing.initTrust(generated.unlocked, {
      dev: 1,
      staging: 1,
      production: 1,
      trust: 1,
    });
    const saved = services.routing.saveDraft(SANDBOX_ONLY_CONFIG, 0);
    await services.publishing.publishDraft({ draftRevision: saved.revision, expectFromVersion: 0 });
    await advance({ stage: 'placed', configVersion: 1, tier: 'free' });
    await services.publishing.promote({ target: 'staging', expectFromVersion: 0 });
    await services.publishing.promote({ target: 'production', expectFromVersion: 0 });
    await advance({ stage: 'rolling_out', configVersion: 1, environment: 'production' });

    // Production's Prometheus: tier "free" has been clean for the last 8 days.
    services.watch.saveSettings({
      environments: { production: { prometheusUrl: prom.url } },
      guardWindow: '3h',
      tiers: [
        { tier: 'free', minSuccessRate: 0.9, maxP95LatencySeconds: 120, maxCostPerVideoUsd: 0.5 },
      ],
    });
    const stability = await services.watch.getStability({ tier: 'free', env: 'production' });
    expect(stability.count).toBeGreaterThanOrEqual(7);
    await expect(advance({ stage: 'stable', configVersion: 1, cleanDays: 30 })).rejects.toThrow(
      new RegExp(
        `Production shows ${stability.count} consecutive clean days for tier "free", not 30`,
      ),
    );
    const stable = await advance({ stage: 'stable', configVersion: 1, cleanDays: 7 });
    expect(stable.stage).toBe('stable');

    // Rolled back: the history must hold a rollback of a version that routed the model.
    await expect(
      advance({ stage: 'rolled_back', configVersion: 1, reason: 'error rate 4%' }),
    ).rejects.toThrow(/no rollback of config version 1/);
    const changed = services.routing.saveDraft(
      {
        ...SANDBOX_ONLY_CONFIG,
        tiers: {
          ...SANDBOX_ONLY_CONFIG.tiers,
          free: {
            ...SANDBOX_ONLY_CONFIG.tiers.free,
            limits: { ...SANDBOX_ONLY_CONFIG.tiers.free.limits, dailyQuota: 5 },
          },
        },
      },
      saved.revision,
    );
    await services.publishing.publishDraft({
      draftRevision: changed.revision,
      expectFromVersion: 1,
    });
    await services.publishing.rollback({ environment: 'dev', expectFromVersion: 2 });
    // Version 2 was rolled back (by version 3); version 1 was not.
    await expect(
      advance({ stage: 'rolled_back', configVersion: 1, reason: 'error rate 4%' }),
    ).rejects.toThrow(/no rollback of config version 1/);
    const back = await advance({ stage: 'rolled_back', configVersion: 2, reason: 'error rate 4%' });
    expect(back.stage).toBe('rolled_back');
  }, 240_000);
});
