/**
 * Watch settings, queries, storage (migration 0070), the IPC schemas, and the bearer token
 * (sent, never shown).
 */
import { createServer } from 'node:http';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/shared/errors';
import {
  DEFAULT_QUERIES,
  defaultWatchSettings,
  durationSeconds,
  labelFilters,
  renderQuery,
  watchSettingsSchema,
} from '../../../src/shared/watch/watch-settings';
import { watchInvokeChannels } from '../../../src/shared/watch/watch-ipc-schemas';
import { configChanges, chooseStep } from '../../../src/main/watch/views';
import { PrometheusClient } from '../../../src/main/watch/prometheus-client';
import { WatchService } from '../../../src/main/watch/watch-service';
import {
  listChecks,
  loadWatchSettings,
  recordStability,
  saveWatchSettings,
  stabilityHistory,
} from '../../../src/main/watch/watch-repository';
import { openDatabase } from '../../../src/main/store/db';
import { MIGRATIONS } from '../../../src/main/store/migrations/index';

describe('watch settings', () => {
  it('defaults are valid and fill every measure', () => {
    const settings = defaultWatchSettings();
    expect(settings.guardWindow).toBe('1h');
    expect(settings.stability.requiredDays).toBe(7);
    expect(settings.tiers).toEqual([]);
    for (const query of Object.values(DEFAULT_QUERIES)) expect(query).toContain('{{tier}}');
  });

  it('renders placeholders and escapes label values', () => {
    const query = renderQuery(DEFAULT_QUERIES.volume, {
      tier: 'pre"mium\\x',
      window: '15m',
      filters: labelFilters({ config_version: '42', provider: undefined }),
    });
    expect(query).toBe(
      'sum by (provider, model) (increase(aideon_video_requests_total{tier="pre\\"mium\\\\x",config_version="42"}[15m]))',
    );
    expect(() => renderQuery(DEFAULT_QUERIES.volume, { tier: 'a', window: '1 hour' })).toThrow();
    expect(durationSeconds('1h30m')).toBe(5400);
  });

  it('rejects bad settings naming the field', () => {
    const bad = watchSettingsSchema.safeParse({
      environments: { production: { prometheusUrl: 'ftp://x' } },
      guardWindow: 'an hour',
      queries: { volume: 'sum({{tierz}})' },
      tiers: [{ tier: 'free', minSuccessRate: 1.5 }, { tier: 'free' }],
    });
    expect(bad.success).toBe(false);
    const paths = (bad.error?.issues ?? []).map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'environments.production.prometheusUrl',
        'guardWindow',
        'queries.volume',
        'tiers.0.minSuccessRate',
        'tiers',
      ]),
    );
  });

  it('check interval and bake may be fractions of a minute, down to 3 seconds', () => {
    const fast = watchSettingsSchema.parse({ checkIntervalMinutes: 0.05, bakeMinutes: 0.5 });
    expect(fast).toMatchObject({ checkIntervalMinutes: 0.05, bakeMinutes: 0.5 });
    const tooFast = watchSettingsSchema.safeParse({ checkIntervalMinutes: 0.01, bakeMinutes: 0 });
    expect(tooFast.success).toBe(false);
    expect(
      (tooFast.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    ).toEqual([
      'checkIntervalMinutes: must be at least 0.05 minutes (3 seconds)',
      'bakeMinutes: must be at least 0.05 minutes (3 seconds)',
    ]);
  });
});

describe('storage (migration 0070)', () => {
  it('saves settings as new rows, records checks and stability snapshots', async () => {
    const db = openDatabase({ file: ':memory:', migrations: MIGRATIONS });
    try {
      expect(loadWatchSettings(db)).toEqual(defaultWatchSettings());
      expect(() => saveWatchSettings(db, { guardWindow: 'x' }, 1)).toThrow(ValidationError);
      expect(() => saveWatchSettings(db, { guardWindow: 'x' }, 1)).toThrow(/guardWindow/);
      saveWatchSettings(db, { guardWindow: '2h' }, 1);
      const service = new WatchService({
        db,
        dispatcher: new Agent(),
        now: () => 5000,
        sleep: async () => undefined,
      });
      expect(service.getSettings().guardWindow).toBe('2h');
      service.saveSettings({ ...service.getSettings(), guardWindow: '30m' });
      expect(loadWatchSettings(db).guardWindow).toBe('30m');
      // Not configured: the check is stored and is not a pass.
      const report = await service.checkNow('production');
      expect(report.status).toBe('error');
      expect(listChecks(db, 'production').map((check) => check.status)).toEqual(['error']);
      recordStability(db, {
        tier: 'premium',
        computedAt: 10,
        requiredDays: 7,
        count: 0,
        stable: false,
        resetBy: { day: '2025-06-08', status: 'critical', failures: [] },
        days: [],
        problems: [],
      });
      expect(stabilityHistory(db, 'premium')).toEqual([
        { computedAt: 10, count: 0, stable: false, resetDay: '2025-06-08', resetReason: '' },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('IPC schemas and views helpers', () => {
  it('parses channel inputs and names bad fields', () => {
    const series = watchInvokeChannels['watch:get-series'].input;
    expect(series.safeParse({ tier: 'free', from: 10, to: 5 }).error?.issues[0]?.path).toEqual([
      'to',
    ]);
    expect(series.safeParse({ tier: 'free', from: 0, to: 5 }).success).toBe(true);
    expect(watchInvokeChannels['watch:check-now'].input.safeParse({ env: 'prod' }).success).toBe(
      false,
    );
    expect(
      watchInvokeChannels['watch:save-settings'].input.safeParse({ settings: {} }).success,
    ).toBe(true);
  });

  it('chooses chart steps and finds config changes', () => {
    expect(chooseStep(0, 86400000)).toBe(300);
    expect(chooseStep(0, 8 * 86400000)).toBe(1800);
    const changes = configChanges([
      {
        labels: { config_version: '41' },
        points: [
          { time: 0, value: 1 },
          { time: 10, value: 1 },
        ],
      },
      {
        labels: { config_version: '42' },
        points: [
          { time: 10, value: 1 },
          { time: 20, value: 1 },
        ],
      },
      { labels: { config_version: '43' }, points: [{ time: 30, value: 1 }] },
    ]);
    expect(changes).toEqual([
      { at: 10, version: '42', previous: '41' },
      { at: 30, version: '43', previous: '42' },
    ]);
  });
});

describe('bearer token', () => {
  it('is sent as Authorization and never appears in a message', async () => {
    const token = 'secret-token-1234567';
    const seen: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(401, { 'content-type': 'text/plain' });
      response.end(`bad token ${token}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const dispatcher = new Agent();
    try {
      const client = new PrometheusClient({
        baseUrl: `http://127.0.0.1:${port}`,
        dispatcher,
        bearerToken: () => token,
      });
      const answer = await client.query('up', 0);
      expect(seen).toEqual([`Bearer ${token}`]);
      expect(answer.ok).toBe(false);
      if (answer.ok) return;
      expect(answer.problem.kind).toBe('http_error');
      expect(answer.problem.message).toMatch(/HTTP 401.*\[redacted\].*bearer token/);
      expect(answer.problem.message).not.toContain(token);
    } finally {
      await dispatcher.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
