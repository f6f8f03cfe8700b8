/**
 * The production watch against a REAL Prometheus (Debian's package) loaded with 8 days of
 * generated history (test/helpers/prometheus-server.ts): guards, stability, views, the CLI
 * check, the bake loop with a fake RolloutControl, and every way a metrics answer can be bad.
 */
import { createServer, type Server } from 'node:http';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  watchSettingsSchema,
  type WatchEnv,
  type WatchSettings,
  type WatchSettingsInput,
} from '../../../src/shared/watch/watch-settings';
import type { RolloutStep } from '../../../src/shared/watch/watch-types';
import { bakeStep, type WatchNotification } from '../../../src/main/watch/bake-loop';
import { evaluateGuards, type RolloutControl } from '../../../src/main/watch/guards';
import { PrometheusClient } from '../../../src/main/watch/prometheus-client';
import { computeStability } from '../../../src/main/watch/stability';
import { tierSeries } from '../../../src/main/watch/views';
import { watchCheck } from '../../../src/main/watch/watch-cli';
import { WatchService } from '../../../src/main/watch/watch-service';
import {
  CONFIG_CHANGE_AT,
  HISTORY_END,
  REGRESSION_FROM,
  startPrometheus,
  type PrometheusFixture,
} from '../../helpers/prometheus-server';
import { tempDir } from '../../helpers/temp-dir';

const END_MS = HISTORY_END * 1000;
const HOUR = 3600000;

let prom: PrometheusFixture;
let cleanup: () => void;
let junk: Server;
let junkUrl: string;
let closedUrl: string;
const dispatcher = new Agent({ connect: { timeout: 2000 } });

function settingsFor(url: string, overrides: Partial<WatchSettingsInput> = {}): WatchSettings {
  return watchSettingsSchema.parse({
    environments: { production: { prometheusUrl: url } },
    guardWindow: '3h',
    tiers: [
      {
        tier: 'free',
        minSuccessRate: 0.9,
        maxP95LatencySeconds: 120,
        maxCostPerVideoUsd: 0.5,
        expected: [
          { provider: 'together', model: 'wan-2.1' },
          { provider: 'fal', model: 'ltx-video' },
        ],
      },
      {
        tier: 'premium',
        minSuccessRate: 0.92,
        maxP95LatencySeconds: 200,
        maxCostPerVideoUsd: 4,
      },
    ],
    ...overrides,
  });
}

/** The tiers' budget and quota live in the routing config (tiers.<tier>.budget), not here. */
const ROUTING = {
  schemaVersion: 1,
  tiers: {
    free: {
      targets: [{ provider: 'together', model: 'wan-2.1' }],
      budget: { dailyUsd: 2000, monthlyUsd: 20000, dailyRequests: 100000 },
    },
    premium: { targets: [{ provider: 'gemini', model: 'veo-3' }], budget: { dailyUsd: 100 } },
  },
};
const PUBLISHED_42 = {
  kind: 'published' as const,
  env: 'production' as const,
  version: 42,
  revision: null,
  problem: null,
};
const budgetOf = (tier: 'free' | 'premium') => ({
  limits: ROUTING.tiers[tier].budget,
  from: PUBLISHED_42,
});

const client = (url: string): PrometheusClient =>
  new PrometheusClient({ baseUrl: url, dispatcher });

beforeAll(async () => {
  const temp = tempDir('aideon-watch-');
  cleanup = temp.cleanup;
  prom = await startPrometheus({ dir: temp.dir });
  console.log(
    `prometheus fixture: generate ${prom.timings.generateMs.toFixed(0)} ms, blocks ${prom.timings.blocksMs.toFixed(0)} ms (${(prom.timings.bytes / 1e6).toFixed(1)} MB OpenMetrics${prom.timings.cached ? ', cached' : ''}), start ${prom.timings.startMs.toFixed(0)} ms`,
  );
  // A tiny server that answers junk in several ways.
  junk = createServer((request, response) => {
    const path = request.url ?? '';
    if (path.startsWith('/html')) {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>not prometheus</html>');
    } else if (path.startsWith('/shape')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: 'oops' }] },
        }),
      );
    } else if (path.startsWith('/number')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'healthy'] }] },
        }),
      );
    } else if (path.startsWith('/bad-gateway')) {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('upstream down');
    } else {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"success","data":');
    }
  });
  await new Promise<void>((resolve) => junk.listen(0, '127.0.0.1', resolve));
  const address = junk.address();
  junkUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // A port nobody listens on.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const probeAddress = probe.address();
  closedUrl = `http://127.0.0.1:${typeof probeAddress === 'object' && probeAddress ? probeAddress.port : 1}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}, 120000);

afterAll(async () => {
  await prom?.stop();
  await new Promise<void>((resolve) => (junk ? junk.close(() => resolve()) : resolve()));
  await dispatcher.close();
  cleanup?.();
});

const step42: RolloutStep = {
  version: 42,
  flag: 'video-routing',
  percent: 50,
  startedAt: END_MS - 2 * HOUR,
};

describe('guards against the real Prometheus', () => {
  it('the regressed model breaches success rate and p95 latency; the healthy ones pass', async () => {
    const settings = settingsFor(prom.url);
    const report = await evaluateGuards(
      { settings, source: client(prom.url), now: () => END_MS },
      'production',
      step42,
    );
    expect(report.status).toBe('breach');
    expect(report.problems).toEqual([]);
    const kling = report.guards.filter((guard) => guard.model === 'kling-2.1');
    const klingSuccess = kling.find((guard) => guard.guard === 'success_rate');
    const klingLatency = kling.find((guard) => guard.guard === 'p95_latency');
    expect(klingSuccess?.status).toBe('breach');
    expect(klingSuccess?.value).toBeGreaterThan(0.7);
    expect(klingSuccess?.value).toBeLessThan(0.86);
    expect(klingLatency?.status).toBe('breach');
    expect(klingLatency?.value).toBeGreaterThan(240);
    expect(klingLatency?.critical).toBe(true);
    expect(kling.find((guard) => guard.guard === 'cost_per_video')?.status).toBe('pass');
    const others = report.guards.filter((guard) => guard.model !== 'kling-2.1');
    // 4 healthy models × 3 guards, all pass.
    expect(others).toHaveLength(12);
    for (const guard of others) expect(guard.status, guard.message).toBe('pass');
    const wanSuccess = others.find((g) => g.model === 'wan-2.1' && g.guard === 'success_rate');
    expect(wanSuccess?.value).toBeGreaterThan(0.94);
    expect(report.counts).toEqual({ pass: 13, breach: 2, no_data: 0, error: 0 });
  });

  it('before the regression every guard passes', async () => {
    const report = await evaluateGuards(
      {
        settings: settingsFor(prom.url),
        source: client(prom.url),
        now: () => REGRESSION_FROM * 1000,
      },
      'production',
      null,
    );
    expect(report.status).toBe('pass');
    expect(report.counts.pass).toBe(15);
  });

  it('relative guards: against the other providers of the tier and against the step before', async () => {
    const peers = settingsFor(prom.url, {
      // veo costs far more per video than its peers: allow that, judge the rest.
      tiers: [{ tier: 'premium', relative: { mode: 'peers', maxCostRatio: 10 } }],
    });
    const peerReport = await evaluateGuards(
      { settings: peers, source: client(prom.url), now: () => END_MS },
      'production',
      null,
    );
    const breached = peerReport.guards.filter((guard) => guard.status === 'breach');
    expect(new Set(breached.map((guard) => guard.model))).toEqual(new Set(['kling-2.1']));
    expect(breached.map((guard) => guard.guard).sort()).toEqual(['p95_latency', 'success_rate']);
    expect(breached.every((guard) => guard.mode === 'peers' && guard.reference !== null)).toBe(
      true,
    );

    const previous = settingsFor(prom.url, {
      tiers: [{ tier: 'premium', relative: { mode: 'previous_step' } }],
    });
    const step = { version: 42, startedAt: REGRESSION_FROM * 1000 };
    const previousReport = await evaluateGuards(
      {
        settings: previous,
        source: client(prom.url),
        now: () => REGRESSION_FROM * 1000 + 4 * HOUR,
      },
      'production',
      step,
    );
    const klingSuccess = previousReport.guards.find(
      (guard) => guard.model === 'kling-2.1' && guard.guard === 'success_rate',
    );
    expect(klingSuccess?.status).toBe('breach');
    expect(klingSuccess?.reference).toBeGreaterThan(0.93);
    const veo = previousReport.guards.filter((guard) => guard.model === 'veo-3');
    expect(veo.map((guard) => guard.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('a tier or an expected model with no data is a breach, never a pass', async () => {
    const settings = settingsFor(prom.url, {
      tiers: [
        { tier: 'enterprise', minSuccessRate: 0.9 },
        {
          tier: 'free',
          minSuccessRate: 0.9,
          expected: [{ provider: 'luma', model: 'ray-2' }],
        },
      ],
    });
    const report = await evaluateGuards(
      { settings, source: client(prom.url), now: () => END_MS },
      'production',
      null,
    );
    expect(report.status).toBe('no_data');
    const enterprise = report.guards.find((guard) => guard.tier === 'enterprise');
    expect(enterprise?.status).toBe('no_data');
    expect(enterprise?.message).toMatch(/No requests reported for tier enterprise/);
    const luma = report.guards.find((guard) => guard.provider === 'luma');
    expect(luma?.status).toBe('no_data');
    expect(luma?.message).toMatch(/luma\/ray-2 had 0 requests/);
    // After the history ends, nothing reports: every tier is no_data.
    const later = await evaluateGuards(
      { settings: settingsFor(prom.url), source: client(prom.url), now: () => END_MS + 6 * HOUR },
      'production',
      null,
    );
    expect(later.status).toBe('no_data');
    expect(later.counts.pass).toBe(0);
  });
});

describe('stability: 7 consecutive days without a critical issue', () => {
  it('the healthy tier counts 8 days; the regressed tier resets on the regression day', async () => {
    const settings = settingsFor(prom.url);
    const free = await computeStability(client(prom.url), settings, 'free', END_MS);
    expect(free.problems).toEqual([]);
    expect(free.count).toBe(8);
    expect(free.stable).toBe(true);
    // What reset it: the day before the history starts, which reported nothing.
    expect(free.resetBy?.day).toBe('2025-05-31');
    expect(free.resetBy?.status).toBe('no_data');

    const premium = await computeStability(client(prom.url), settings, 'premium', END_MS);
    expect(premium.count).toBe(0);
    expect(premium.stable).toBe(false);
    expect(premium.resetBy?.day).toBe('2025-06-08');
    expect(premium.resetBy?.status).toBe('critical');
    const failures = premium.resetBy?.failures ?? [];
    expect(failures.every((failure) => failure.model === 'kling-2.1')).toBe(true);
    expect(failures.map((failure) => failure.guard).sort()).toEqual([
      'p95_latency',
      'success_rate',
    ]);
    const lastDays = premium.days.slice(-8).map((day) => day.status);
    expect(lastDays).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'critical']);

    // On the morning of the regression day, premium had 7 clean days and the day was already critical.
    const morning = await computeStability(
      client(prom.url),
      settings,
      'premium',
      REGRESSION_FROM * 1000 + 6 * HOUR,
    );
    expect(morning.days.at(-1)?.status).toBe('critical');
    expect(morning.count).toBe(0);
    const dayBefore = await computeStability(
      client(prom.url),
      settings,
      'premium',
      REGRESSION_FROM * 1000,
    );
    expect(dayBefore.count).toBe(7);
    expect(dayBefore.stable).toBe(true);
  });

  it('a production rollback or kill switch resets the count on its day, whatever the metrics say', async () => {
    const settings = settingsFor(prom.url);
    const dayBefore = REGRESSION_FROM * 1000;
    // A rollback by the controller three days before: only the two clean days after it count.
    const rolledBack = await computeStability(client(prom.url), settings, 'premium', dayBefore, [
      {
        at: dayBefore - 3 * 24 * HOUR + 2 * HOUR,
        action: 'rollback',
        actor: 'controller:ctl-1',
        version: 43,
      },
    ]);
    expect(rolledBack.count).toBe(2);
    expect(rolledBack.stable).toBe(false);
    expect(rolledBack.resetBy).toMatchObject({ day: '2025-06-05', status: 'critical' });
    expect(rolledBack.resetBy?.failures).toEqual([
      expect.objectContaining({
        guard: 'rollback',
        message: 'Rolled back by controller:ctl-1 at 2025-06-05T02:00:00.000Z (version 43).',
      }),
    ]);
    expect(rolledBack.days.find((day) => day.day === '2025-06-04')?.status).toBe('ok');
    // A kill switch today resets it now (today is critical), even though today's metrics are clean.
    const noon = dayBefore - 12 * HOUR;
    const clean = await computeStability(client(prom.url), settings, 'premium', noon);
    expect(clean.count).toBeGreaterThan(0);
    expect(clean.days.at(-1)?.status).toBe('in_progress');
    const killed = await computeStability(client(prom.url), settings, 'premium', noon, [
      { at: noon - 4 * HOUR, action: 'kill_switch', actor: 'alice', version: null },
    ]);
    expect(killed.count).toBe(0);
    expect(killed.resetBy).toMatchObject({ day: '2025-06-07', status: 'critical' });
    expect(killed.resetBy?.failures[0]).toMatchObject({ guard: 'kill_switch' });
    // A reset outside the lookback (or later than now) changes nothing.
    const later = await computeStability(client(prom.url), settings, 'premium', dayBefore, [
      { at: dayBefore + HOUR, action: 'rollback', actor: 'alice', version: 50 },
    ]);
    expect(later.count).toBe(7);
  });
});

describe('views', () => {
  it('series per provider, the config version change point, cost against budget', async () => {
    const settings = settingsFor(prom.url);
    const from = END_MS - 8 * 24 * HOUR;
    const report = await tierSeries(
      client(prom.url),
      settings,
      'premium',
      from,
      END_MS,
      END_MS - HOUR,
      budgetOf('premium'),
    );
    expect(report.problems).toEqual([]);
    expect(report.targets.map((target) => `${target.provider}/${target.model}`)).toEqual([
      'gemini/veo-3',
      'runway/gen4-turbo',
      'together/kling-2.1',
    ]);
    expect(report.stepSeconds).toBe(1800);
    expect(report.configChanges).toHaveLength(1);
    const change = report.configChanges[0];
    expect(change?.version).toBe('42');
    expect(change?.previous).toBe('41');
    expect(change?.at).toBeGreaterThanOrEqual(CONFIG_CHANGE_AT * 1000);
    expect(change?.at).toBeLessThanOrEqual(CONFIG_CHANGE_AT * 1000 + report.stepSeconds * 1000);
    const kling = report.targets.find((target) => target.model === 'kling-2.1');
    const success = (kling?.success_rate ?? []).filter((point) => point[1] !== null);
    const before = success.filter(([t]) => t <= REGRESSION_FROM * 1000).map(([, v]) => v ?? 0);
    const after = success.filter(([t]) => t > REGRESSION_FROM * 1000 + HOUR).map(([, v]) => v ?? 0);
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(before)).toBeGreaterThan(0.94);
    expect(mean(after)).toBeLessThan(0.85);
    const p95 = (kling?.p95_latency ?? []).filter(
      ([t, v]) => t > REGRESSION_FROM * 1000 + HOUR && v !== null,
    );
    expect(mean(p95.map(([, v]) => v ?? 0))).toBeGreaterThan(200);
    for (const measure of ['volume', 'generated_seconds', 'cost'] as const)
      expect((kling?.[measure] ?? []).length).toBeGreaterThan(300);
    // Budget: premium spends far more than $100 a day (veo alone is about $3.20 a video).
    const daily = report.budget.items.find((item) => item.kind === 'daily_usd');
    expect(daily?.used).toBeGreaterThan(100);
    expect(daily?.over).toBe(true);

    const free = await tierSeries(
      client(prom.url),
      settings,
      'free',
      END_MS - 24 * HOUR,
      END_MS,
      END_MS - HOUR,
      budgetOf('free'),
    );
    expect(free.configChanges).toEqual([]);
    const items = Object.fromEntries(free.budget.items.map((item) => [item.kind, item]));
    expect(items.daily_usd?.over).toBe(false);
    expect(items.daily_usd?.fraction).toBeGreaterThan(0);
    // Month to date covers 8 days of June; more than one day's spend.
    expect(items.monthly_usd?.used ?? 0).toBeGreaterThan((items.daily_usd?.used ?? 0) * 5);
    expect(items.daily_requests?.used).toBeGreaterThan(1000);
  });
});

describe('views through the service (what the charts read)', () => {
  it('a week ending at midnight: the regression, the version marker, the budget of the day it ends', async () => {
    // The console's clock is weeks later; the admin looks back at the week of the history.
    const service = new WatchService({
      dispatcher,
      now: () => END_MS + 30 * 24 * HOUR,
      sleep: async () => undefined,
      settings: settingsFor(prom.url),
      routingConfig: async () => ({ config: ROUTING, from: PUBLISHED_42 }),
    });
    const week = await service.getSeries({
      tier: 'premium',
      from: END_MS - 7 * 24 * HOUR,
      to: END_MS,
      env: 'production',
    });
    expect(week.problems).toEqual([]);
    expect(week.stepSeconds).toBe(1800);
    expect(week.configChanges.map((change) => `${change.previous}->${change.version}`)).toEqual([
      '41->42',
    ]);
    const kling = week.targets.find((target) => target.model === 'kling-2.1');
    const lastDay = (kling?.success_rate ?? []).filter(
      ([t, v]) => t > REGRESSION_FROM * 1000 + HOUR && v !== null,
    );
    expect(lastDay.length).toBeGreaterThan(40);
    expect(Math.max(...lastDay.map(([, v]) => v ?? 1))).toBeLessThan(0.9);
    // Budget for 2025-06-08, the day the range ends, not for the console's "today".
    expect(week.budget.at).toBe(END_MS);
    const daily = week.budget.items.find((item) => item.kind === 'daily_usd');
    expect(daily?.used).toBeGreaterThan(100);
    expect(week.budget.problems).toEqual([]);
    expect(week.budget.from).toEqual(PUBLISHED_42);

    // A range after the history: every measure is "empty", never a flat healthy line.
    const after = await service.getSeries({
      tier: 'premium',
      from: END_MS + 20 * 24 * HOUR,
      to: END_MS + 21 * 24 * HOUR,
    });
    expect(after.targets).toEqual([]);
    expect(new Set(after.problems.map((problem) => problem.kind))).toEqual(new Set(['empty']));
    expect(after.problems.map((problem) => problem.measure).sort()).toEqual([
      'config_versions',
      'cost',
      'generated_seconds',
      'p95_latency',
      'success_rate',
      'volume',
    ]);
    expect(after.budget.items.every((item) => item.used === null && !item.over)).toBe(true);

    // One bad query override: only that measure fails, as a query error; the rest still chart.
    const oneBad = new WatchService({
      dispatcher,
      now: () => END_MS,
      sleep: async () => undefined,
      settings: settingsFor(prom.url, { queries: { p95_latency: 'histogram_quantile(0.95,' } }),
    });
    const partial = await oneBad.getSeries({
      tier: 'premium',
      from: END_MS - 24 * HOUR,
      to: END_MS,
    });
    expect(partial.problems.map((problem) => `${problem.measure}:${problem.kind}`)).toEqual([
      'p95_latency:query_error',
    ]);
    expect(partial.targets.every((target) => target.p95_latency.length === 0)).toBe(true);
    expect(partial.targets.every((target) => target.volume.length > 40)).toBe(true);

    // Unreachable and malformed sources: one problem of that kind, no targets.
    for (const [url, kind] of [
      [closedUrl, 'unreachable'],
      [`${junkUrl}/html`, 'malformed'],
    ] as const) {
      const bad = new WatchService({
        dispatcher,
        now: () => END_MS,
        sleep: async () => undefined,
        settings: settingsFor(url),
      });
      const answer = await bad.getSeries({ tier: 'premium', from: END_MS - HOUR * 24, to: END_MS });
      expect(answer.targets).toEqual([]);
      expect(new Set(answer.problems.map((problem) => problem.kind))).toEqual(new Set([kind]));
    }
  });
});

describe('bad answers are reported as what they are, never as healthy', () => {
  it('client: unreachable, query error, empty, HTTP error, malformed', async () => {
    const unreachable = await client(closedUrl).query('up', END_MS);
    expect(unreachable.ok ? 'ok' : unreachable.problem.kind).toBe('unreachable');

    const bad = await client(prom.url).query('sum(rate(aideon_video_requests_total[5m]', END_MS);
    expect(bad.ok ? 'ok' : bad.problem.kind).toBe('query_error');
    expect(bad.ok ? '' : bad.problem.message).toMatch(/bad_data/);

    const empty = await client(prom.url).query('aideon_video_requests_total{tier="nope"}', END_MS);
    expect(empty.ok ? 'ok' : empty.problem.kind).toBe('empty');
    const emptyRange = await client(prom.url).queryRange(
      'aideon_video_requests_total{tier="nope"}',
      END_MS - HOUR,
      END_MS,
      300,
    );
    expect(emptyRange.ok ? 'ok' : emptyRange.problem.kind).toBe('empty');

    const gateway = await client(`${junkUrl}/bad-gateway`).query('up', END_MS);
    expect(gateway.ok ? 'ok' : gateway.problem.kind).toBe('http_error');
    expect(gateway.ok ? '' : gateway.problem.message).toMatch(/HTTP 502/);

    for (const path of ['/html', '/shape', '/number', '/truncated']) {
      const answer = await client(`${junkUrl}${path}`).query('up', END_MS);
      expect(answer.ok ? 'ok' : answer.problem.kind, path).toBe('malformed');
    }
  });

  it('checks and the CLI: each bad source is an error or no_data with a non-zero exit', async () => {
    const cases: {
      url: string;
      queries?: Record<string, string>;
      status: string;
      kind: string;
      exit: number;
    }[] = [
      { url: closedUrl, status: 'error', kind: 'unreachable', exit: 1 },
      {
        url: prom.url,
        queries: {
          volume: 'sum by ({{by}}) (rate(aideon_video_requests_total{tier="{{tier}}"}[{{window}}]',
        },
        status: 'error',
        kind: 'query_error',
        exit: 1,
      },
      { url: `${junkUrl}/shape`, status: 'error', kind: 'malformed', exit: 1 },
      {
        url: prom.url,
        queries: {
          volume: 'sum by ({{by}}) (aideon_video_requests_total{tier="{{tier}}",provider="none"})',
        },
        status: 'no_data',
        kind: 'empty',
        exit: 3,
      },
    ];
    for (const item of cases) {
      const settings = settingsFor(item.url, item.queries ? { queries: item.queries } : {});
      const service = new WatchService({
        dispatcher,
        now: () => END_MS,
        sleep: async () => undefined,
        settings,
      });
      const { exitCode, report, result } = await watchCheck(service, {
        env: 'production',
        json: true,
      });
      expect(result?.status, item.kind).toBe(item.status);
      expect(result?.counts.pass, item.kind).toBe(0);
      expect(exitCode, item.kind).toBe(item.exit);
      const kinds = (result?.guards ?? []).map((guard) => guard.problem?.kind ?? 'empty');
      expect(new Set(kinds), item.kind).toEqual(new Set([item.kind]));
      expect(JSON.parse(report).status).toBe(item.status);
    }
    const service = new WatchService({
      dispatcher,
      now: () => END_MS,
      sleep: async () => undefined,
    });
    const notConfigured = await watchCheck(service, { env: 'production' });
    expect(notConfigured.exitCode).toBe(1);
    expect(notConfigured.report).toMatch(/not_configured: No Prometheus is set for production/);
    expect((await watchCheck(service, { env: 'prod' })).exitCode).toBe(2);
  });

  it('the CLI check on the real history: exit 3 on the regression, 0 before it', async () => {
    const make = (now: number): WatchService =>
      new WatchService({
        dispatcher,
        now: () => now,
        sleep: async () => undefined,
        settings: settingsFor(prom.url),
      });
    const breach = await watchCheck(make(END_MS), { env: 'production' });
    expect(breach.exitCode).toBe(3);
    expect(breach.report).toMatch(/BREACH/);
    expect(breach.report).toMatch(/breach {2}premium together\/kling-2.1 +success_rate/);
    const healthy = await watchCheck(make(REGRESSION_FROM * 1000), { env: 'production' });
    expect(healthy.exitCode).toBe(0);
    expect(healthy.report).toMatch(/15 pass, 0 breach, 0 no data, 0 error/);
  });
});

class FakeRollout implements RolloutControl {
  calls: string[] = [];
  constructor(private step: RolloutStep | null) {}
  async pause(env: WatchEnv, reason: string): Promise<void> {
    this.calls.push(`pause ${env} ${reason.split('\n')[0]}`);
  }
  async rollback(env: WatchEnv, reason: string): Promise<void> {
    this.calls.push(`rollback ${env} ${reason.split('\n')[0]}`);
    this.step = null;
  }
  async currentStep(): Promise<RolloutStep | null> {
    return this.step;
  }
}

function fakeClock(start: number): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  slept: number[];
} {
  let time = start;
  const slept: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      slept.push(ms);
      time += ms;
    },
    slept,
  };
}

describe('bake loop with a fake RolloutControl and an injected clock', () => {
  const step: RolloutStep = {
    version: 42,
    flag: 'video-routing',
    percent: 10,
    startedAt: END_MS - 60 * 60000,
  };

  const bake = async (settings: WatchSettings, start: number) => {
    const rollout = new FakeRollout(step);
    const clock = fakeClock(start);
    const notes: WatchNotification[] = [];
    const result = await bakeStep({
      env: 'production',
      rollout,
      notifier: { notify: (note) => void notes.push(note) },
      clock,
      settings: () => settings,
      evaluate: (env, current) =>
        evaluateGuards({ settings, source: client(prom.url), now: clock.now }, env, current),
    });
    return { result, rollout, clock, notes };
  };

  it('a healthy tier bakes to the end on schedule without touching the rollout', async () => {
    const settings = settingsFor(prom.url, {
      tiers: [{ tier: 'free', minSuccessRate: 0.9, maxP95LatencySeconds: 120 }],
      bakeMinutes: 60,
      checkIntervalMinutes: 10,
    });
    const { result, rollout, clock, notes } = await bake(settings, END_MS - 45 * 60000);
    expect(result.outcome).toBe('baked');
    expect(result.checks.map((check) => check.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
    ]);
    expect(clock.slept).toEqual([600000, 600000, 600000, 600000, 300000]);
    expect(rollout.calls).toEqual([]);
    expect(notes).toEqual([]);
  });

  it('a breach pauses and notifies, and rolls back only where auto-rollback is enabled', async () => {
    const settings = settingsFor(prom.url, { bakeMinutes: 60, checkIntervalMinutes: 10 });
    const paused = await bake(settings, END_MS - 45 * 60000);
    expect(paused.result.outcome).toBe('paused');
    expect(paused.result.checks).toHaveLength(1);
    expect(paused.rollout.calls).toEqual([
      'pause production Watch paused config version 42 (video-routing at 10%) in production: a guard breached.',
    ]);
    expect(paused.notes).toHaveLength(1);
    expect(paused.notes[0]?.title).toBe('Rollout paused in production: a guard breached');
    expect(paused.notes[0]?.body).toMatch(/together\/kling-2.1 success rate/);

    const auto = settingsFor(prom.url, {
      environments: { production: { prometheusUrl: prom.url, autoRollback: true } },
    });
    const rolled = await bake(auto, END_MS - 45 * 60000);
    expect(rolled.result.outcome).toBe('rolled_back');
    expect(rolled.rollout.calls.map((call) => call.split(' ')[0])).toEqual(['pause', 'rollback']);
    expect(rolled.notes[0]?.title).toMatch(/^Rolled back config version 42/);
  });

  it('unreachable metrics pause but never roll back, even with auto-rollback on', async () => {
    const settings = settingsFor(closedUrl, {
      environments: { production: { prometheusUrl: closedUrl, autoRollback: true } },
    });
    const rollout = new FakeRollout(step);
    const clock = fakeClock(END_MS - 45 * 60000);
    const result = await bakeStep({
      env: 'production',
      rollout,
      notifier: { notify: () => undefined },
      clock,
      settings: () => settings,
      evaluate: (env, current) =>
        evaluateGuards({ settings, source: client(closedUrl), now: clock.now }, env, current),
    });
    expect(result.outcome).toBe('paused');
    expect(rollout.calls).toEqual([
      'pause production Watch paused config version 42 (video-routing at 10%) in production: metrics could not be read.',
    ]);
  });
});
