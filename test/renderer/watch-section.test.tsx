// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultWatchSettings } from '../../src/shared/watch/watch-settings';
import type { StabilityReport, WatchReport } from '../../src/shared/watch/watch-types';
import {
  EMPTY_TIER,
  errorsFromServer,
  formFromSettings,
  settingsFromForm,
} from '../../src/renderer/src/watch/watch-form';
import { CheckReport, StabilityCard } from '../../src/renderer/src/watch/watch-section';

afterEach(cleanup);

describe('watch settings form', () => {
  it('round-trips settings, keeping fields the form does not show', () => {
    const base = defaultWatchSettings();
    base.environments.production = {
      prometheusUrl: 'https://prom.example.com',
      useBearerToken: true,
      autoRollback: false,
    };
    base.tiers = [
      {
        tier: 'premium',
        minSuccessRate: 0.97,
        maxP95LatencySeconds: 90,
        maxCostPerVideoUsd: null,
        relative: { mode: 'peers', maxSuccessRateDrop: 0.1, maxLatencyRatio: 2, maxCostRatio: 2 },
        critical: ['success_rate'],
        expected: [],
        budget: { dailyUsd: 50 },
      },
    ];
    const form = formFromSettings(base);
    expect(form.tiers[0]?.minSuccessRate).toBe('97');
    expect(form.tiers[0]?.maxCostPerVideoUsd).toBe('');
    // The old budget is not a form field (budgets are set in the routing config)…
    expect(Object.keys(form.tiers[0] ?? {})).not.toContain('dailyUsd');
    const out = settingsFromForm(base, form);
    expect(out.errors).toBeNull();
    expect(out.settings).toEqual(base);
  });

  it('reports each bad field under its own key', () => {
    const base = defaultWatchSettings();
    const form = formFromSettings(base);
    form.urls.staging = 'ftp://prom';
    form.urls.production = 'nope';
    form.tiers = [
      {
        ...EMPTY_TIER,
        tier: 'free',
        minSuccessRate: '101',
        maxP95LatencySeconds: '0',
        maxCostPerVideoUsd: 'x',
      },
      { ...EMPTY_TIER, tier: 'free' },
      { ...EMPTY_TIER, tier: 'bad name' },
    ];
    const out = settingsFromForm(base, form);
    expect(out.settings).toBeNull();
    expect(out.errors).toMatchObject({
      'url.staging': 'must start with http:// or https://',
      'url.production': expect.stringContaining('must be a URL'),
      'tier.0.minSuccessRate': expect.stringContaining('0 to 100'),
      'tier.0.maxP95LatencySeconds': expect.stringContaining('above 0'),
      'tier.0.maxCostPerVideoUsd': expect.stringContaining('above 0'),
      'tier.1.tier': 'each tier may appear only once',
      'tier.2.tier': expect.stringContaining('only letters'),
    });
    expect(out.errors?.['url.dev']).toBeUndefined();
  });

  it('maps server validation messages to fields', () => {
    expect(
      errorsFromServer(
        'Invalid watch settings: environments.dev.prometheusUrl: must be a URL; tiers.1.maxCostPerVideoUsd: too big; guardWindow: bad',
      ),
    ).toEqual({
      'url.dev': 'must be a URL',
      'tier.1.maxCostPerVideoUsd': 'too big',
      general: 'guardWindow: bad',
    });
    expect(errorsFromServer('Network down')).toEqual({ general: 'Network down' });
    // zod's words become the admin's, naming the field.
    expect(
      errorsFromServer(
        'Invalid watch settings: tiers.0.minSuccessRate: Too small: expected number to be >=0; guardWindowMinutes: Invalid input: expected number, received string',
      ),
    ).toEqual({
      'tier.0.minSuccessRate': 'Min success rate must be 0 or more',
      general: 'Guard window must be a number',
    });
    // A legacy budget field is not on the form any more: its message stays general.
    expect(
      errorsFromServer('Invalid watch settings: tiers.0.budget.monthlyUsd: must be positive'),
    ).toEqual({ general: 'tiers.0.budget.monthlyUsd: must be positive' });
  });

  it('keeps a budget saved before the move to the routing config as loaded; new tiers get none', () => {
    const base = defaultWatchSettings();
    base.tiers = [
      {
        tier: 'free',
        minSuccessRate: 0.9,
        maxP95LatencySeconds: null,
        maxCostPerVideoUsd: null,
        relative: {
          mode: 'off',
          maxSuccessRateDrop: 0.05,
          maxLatencyRatio: 1.5,
          maxCostRatio: 1.5,
        },
        critical: ['success_rate'],
        expected: [],
        budget: { monthlyUsd: 20000, dailyRequests: 100000 },
      },
    ];
    const form = formFromSettings(base);
    form.tiers[0] = { ...(form.tiers[0] ?? EMPTY_TIER), minSuccessRate: '95' };
    form.tiers.push({ ...EMPTY_TIER, tier: 'premium' });
    const out = settingsFromForm(base, form);
    expect(out.settings?.tiers[0]).toMatchObject({
      minSuccessRate: 0.95,
      budget: { monthlyUsd: 20000, dailyRequests: 100000 },
    });
    expect(out.settings?.tiers[1]?.budget).toEqual({});
  });
});

function report(overrides: Partial<WatchReport>): WatchReport {
  return {
    env: 'production',
    checkedAt: 0,
    window: '1h',
    step: null,
    status: 'pass',
    counts: { pass: 0, breach: 0, no_data: 0, error: 0 },
    guards: [],
    problems: [],
    ...overrides,
  };
}

describe('check report', () => {
  it('shows no data as a problem, never as healthy', () => {
    render(
      <CheckReport
        report={report({
          status: 'no_data',
          counts: { pass: 1, breach: 0, no_data: 1, error: 0 },
          guards: [
            {
              tier: 'free',
              provider: 'fal',
              model: 'ltx',
              guard: 'success_rate',
              mode: 'absolute',
              status: 'pass',
              value: 0.99,
              threshold: 0.95,
              reference: null,
              critical: true,
              message: 'ok',
            },
            {
              tier: 'free',
              provider: 'runway',
              model: 'gen4',
              guard: 'p95_latency',
              mode: 'absolute',
              status: 'no_data',
              value: null,
              threshold: 60,
              reference: null,
              critical: true,
              message: 'runway · gen4 reported 3 requests, fewer than 20',
              problem: { kind: 'empty', message: 'too few requests' },
            },
          ],
        })}
      />,
    );
    expect(screen.getByTestId('watch-report').textContent).toContain('Not healthy');
    expect(screen.queryByText('All guards pass')).toBeNull();
    const rows = screen.getAllByTestId('watch-guard');
    expect(rows[1]?.textContent).toContain('No data (problem)');
    expect(rows[0]?.textContent).toContain('99%');
    expect(rows[0]?.textContent).toContain('95%');
    expect(screen.getByTestId('watch-problem').getAttribute('data-kind')).toBe('empty');
  });

  it('shows a not-configured check with what to do', () => {
    render(
      <CheckReport
        report={report({
          status: 'error',
          problems: [{ kind: 'not_configured', message: 'No Prometheus is set for production.' }],
        })}
      />,
    );
    const problem = screen.getByTestId('watch-problem');
    expect(problem.textContent).toContain('Not configured');
    expect(problem.textContent).toContain('What to do');
  });
});

describe('stability card', () => {
  it('says how many days count and what reset them', () => {
    const stability: StabilityReport = {
      tier: 'premium',
      computedAt: 0,
      requiredDays: 7,
      count: 3,
      stable: false,
      resetBy: {
        day: '2026-11-21',
        status: 'critical',
        failures: [
          {
            guard: 'success_rate',
            provider: 'fal',
            model: 'ltx',
            value: 0.8,
            threshold: 0.95,
            message: 'success rate 80% below 95%',
          },
        ],
      },
      days: [],
      problems: [],
    };
    render(<StabilityCard report={stability} />);
    expect(screen.getByTestId('watch-stability-count').textContent).toBe(
      '3 of 7 days without a critical issue',
    );
    const reset = screen.getByTestId('watch-stability-reset').textContent ?? '';
    expect(reset).toContain('2026-11-21');
    expect(reset).toContain('success rate on fal · ltx');
    expect(screen.getByText('Not stable yet')).toBeTruthy();
  });
});
