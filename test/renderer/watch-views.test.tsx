// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '../../src/shared/ipc/result';
import { watchSettingsSchema, type WatchSettings } from '../../src/shared/watch/watch-settings';
import {
  SERIES_MEASURES,
  type QueryProblem,
  type SeriesReport,
  type TargetSeries,
} from '../../src/shared/watch/watch-types';
import { createClient, type Transport } from '../../src/renderer/src/ipc/client';
import { setClient } from '../../src/renderer/src/ipc';
import { WatchViews } from '../../src/renderer/src/watch/watch-views';
import {
  budgetPeriod,
  chartRows,
  dailyCost,
  layoutProblems,
  niceCeil,
  parseUtcInput,
  rangeFor,
  timeTicks,
} from '../../src/renderer/src/watch/watch-views-format';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const END = Date.UTC(2025, 5, 9);

afterEach(() => {
  cleanup();
  setClient(null);
});

function target(provider: string, model: string, values: (number | null)[]): TargetSeries {
  const points = values.map((value, i) => [END - (values.length - 1 - i) * HOUR, value]) as [
    number,
    number | null,
  ][];
  return {
    provider,
    model,
    volume: points,
    success_rate: points,
    p95_latency: points,
    generated_seconds: points,
    cost: points,
  };
}

function report(overrides: Partial<SeriesReport> = {}): SeriesReport {
  return {
    tier: 'premium',
    from: END - DAY,
    to: END,
    stepSeconds: 300,
    targets: [target('together', 'kling-2.1', [0.97, 0.8, null, 0.75])],
    configChanges: [{ at: END - 12 * HOUR, version: '42', previous: '41' }],
    budget: { tier: 'premium', at: END, items: [], problems: [] },
    problems: [],
    ...overrides,
  };
}

describe('views format', () => {
  it('rows per instant, success rate in %, gaps stay null', () => {
    const rows = chartRows(
      [target('a', 'x', [0.5, null]), target('b', 'y', [1, 0.25])],
      'success_rate',
    );
    expect(rows).toEqual([
      { t: END - HOUR, s0: 50, s1: 100 },
      { t: END, s0: null, s1: 25 },
    ]);
  });

  it('cost per UTC day: a point belongs to the step before it; partial days are marked', () => {
    const cost = target('a', 'x', []);
    cost.cost = [
      [END - 2 * DAY, 99], // the step before `from`: not in the range
      [END - 2 * DAY + HOUR, 1],
      [END - DAY, 2], // midnight closes the day before
      [END - DAY + HOUR, 4],
      [END, 8],
    ];
    const { rows, partial } = dailyCost([cost], END - 2 * DAY, END);
    expect(rows).toEqual([
      { t: END - 2 * DAY, s0: 3 },
      { t: END - DAY, s0: 12 },
    ]);
    expect([...partial]).toEqual([]);
    expect([...dailyCost([cost], END - 2 * DAY + 2 * HOUR, END).partial]).toEqual([END - 2 * DAY]);
  });

  it('problems: a dead source blocks everything; one failed measure replaces one chart', () => {
    const unreachable: QueryProblem = { kind: 'unreachable', message: 'down' };
    expect(layoutProblems(report({ problems: [unreachable] }), SERIES_MEASURES)).toEqual({
      blocking: [unreachable],
      byMeasure: {},
      versions: null,
    });
    const empty = SERIES_MEASURES.map((measure) => ({
      kind: 'empty' as const,
      message: 'nothing',
      measure,
    }));
    const allEmpty = layoutProblems(
      report({
        problems: [...empty, { kind: 'empty', message: 'nothing', measure: 'config_versions' }],
      }),
      SERIES_MEASURES,
    );
    expect(allEmpty.blocking).toEqual([
      { kind: 'empty', message: 'nothing', measure: 'every chart' },
    ]);
    expect(allEmpty.versions).toBeNull();
    const one = layoutProblems(
      report({
        problems: [
          { kind: 'query_error', message: 'bad PromQL', measure: 'p95_latency' },
          { kind: 'malformed', message: 'junk', measure: 'config_versions' },
        ],
      }),
      SERIES_MEASURES,
    );
    expect(one.blocking).toEqual([]);
    expect(Object.keys(one.byMeasure)).toEqual(['p95_latency']);
    expect(one.versions?.kind).toBe('malformed');
  });

  it('times: UTC input, ranges, ticks on whole hours or days, round axis tops', () => {
    expect(parseUtcInput('2025-06-09T00:00')).toBe(END);
    expect(parseUtcInput('')).toBeNull();
    expect(parseUtcInput('yesterday')).toBeNull();
    expect(rangeFor('7d', END + 30_000)).toEqual({ from: END - 7 * DAY, to: END });
    expect(timeTicks(END - DAY, END)).toHaveLength(9);
    expect(timeTicks(END - 7 * DAY - HOUR, END).every((tick) => tick % DAY === 0)).toBe(true);
    expect(niceCeil(11_423)).toBe(20_000);
    expect(niceCeil(2_100)).toBe(2_500);
    expect(niceCeil(0)).toBe(1);
    expect(budgetPeriod('daily_usd', END)).toBe('on 2025-06-08 (UTC)');
    expect(budgetPeriod('monthly_usd', END)).toBe('in 2025-06 (UTC)');
  });
});

function settings(): WatchSettings {
  return watchSettingsSchema.parse({
    environments: { production: { prometheusUrl: 'http://prom.example' } },
    tiers: [{ tier: 'premium', budget: { dailyUsd: 100, dailyRequests: 1000 } }],
  });
}

function serve(answer: (input: unknown) => Result<unknown>) {
  // The views also read the console's publish history for version markers: none here.
  const invoke = vi.fn(async (channel: string, input: unknown) =>
    channel === 'publish:list-history' ? { ok: true as const, value: [] } : answer(input),
  );
  const transport: Transport = {
    kind: 'browser',
    invoke,
    on: () => () => undefined,
    mediaUrl: (id: string) => `/media/${id}`,
  };
  setClient(createClient(transport));
  return invoke;
}

describe('views', () => {
  it('an unreachable Prometheus is shown as unreachable, with no chart', async () => {
    const invoke = serve(() => ({
      ok: true,
      value: report({
        targets: [],
        configChanges: [],
        problems: [
          {
            kind: 'unreachable',
            message: 'Prometheus at http://prom.example could not be reached.',
          },
        ],
        budget: {
          tier: 'premium',
          at: END,
          items: [],
          problems: [
            {
              kind: 'unreachable',
              message: 'Prometheus at http://prom.example could not be reached.',
            },
          ],
        },
      }),
    }));
    render(<WatchViews env="production" settings={settings()} />);
    const views = screen.getByTestId('watch-views');
    await waitFor(() => expect(views.dataset.state).toBe('problem'));
    expect(invoke).toHaveBeenCalledWith(
      'watch:get-series',
      expect.objectContaining({ tier: 'premium', env: 'production' }),
    );
    expect(views.textContent).toContain('Prometheus unreachable');
    expect(screen.queryAllByTestId('watch-chart')).toHaveLength(0);
    expect(views.textContent).not.toContain('All guards pass');
  });

  it('a failed measure shows its problem in place of its chart; missing markers are said', async () => {
    serve(() => ({
      ok: true,
      value: report({
        configChanges: [],
        problems: [
          { kind: 'query_error', message: 'parse error at char 3', measure: 'p95_latency' },
          { kind: 'malformed', message: 'not the API shape', measure: 'config_versions' },
        ],
        budget: {
          tier: 'premium',
          at: END,
          items: [{ kind: 'daily_usd', used: 150, limit: 100, fraction: 1.5, over: true }],
          problems: [],
        },
      }),
    }));
    render(<WatchViews env="production" settings={settings()} />);
    // The chart module (recharts) is lazy-loaded: allow for its first import.
    await waitFor(() => expect(screen.getAllByTestId('watch-chart')).toHaveLength(6), {
      timeout: 15_000,
    });
    const views = screen.getByTestId('watch-views');
    expect(views.dataset.state).toBe('charts');
    const latency = screen
      .getAllByTestId('watch-chart')
      .find((chart) => chart.dataset.measure === 'p95_latency');
    expect(latency?.querySelector('[data-testid="watch-problem"]')?.getAttribute('data-kind')).toBe(
      'query_error',
    );
    expect(latency?.textContent).toContain('parse error at char 3');
    expect(views.textContent).toContain('Config version markers are missing');
    const spend = screen.getByTestId('watch-budget-item');
    expect(spend.dataset.over).toBe('true');
    expect(spend.textContent).toContain('$150.00 of $100.00 (150%)');
  });

  it('a failed call is an error with a retry, not an empty view', async () => {
    serve(() => ({
      ok: false,
      error: { code: 'internal', message: 'The console lost its database.', retryable: true },
    }));
    render(<WatchViews env="production" settings={settings()} />);
    await waitFor(() => expect(screen.getByTestId('watch-views').dataset.state).toBe('error'));
    expect(screen.getByRole('alert').textContent).toContain('lost its database');
    await act(async () => {
      screen.getByText('Try again').click();
      await Promise.resolve();
    });
  });

  it('no Prometheus or no tier: says what to do instead of querying', () => {
    const invoke = serve(() => ({ ok: true, value: report() }));
    const bare = watchSettingsSchema.parse({});
    render(<WatchViews env="production" settings={bare} />);
    expect(screen.getByTestId('watch-views').dataset.state).toBe('not_configured');
    cleanup();
    render(<WatchViews env="production" settings={{ ...settings(), tiers: [] }} />);
    expect(screen.getByTestId('watch-views').dataset.state).toBe('no_tiers');
    expect(invoke).not.toHaveBeenCalledWith('watch:get-series', expect.anything());
  });
});
