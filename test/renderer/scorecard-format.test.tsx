// @vitest-environment happy-dom
import * as Tooltip from '@radix-ui/react-tooltip';
import { cleanup, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScorecardLineView } from '../../src/shared/bench/scorecard-schema';
import { ScorecardTable } from '../../src/renderer/src/bench/scorecard-panel';
import {
  changeMetricName,
  costChartData,
  formatChangeValue,
  latencyChartData,
  modelMark,
  outcomeChartData,
  scorecardCategories,
  scorecardSections,
} from '../../src/renderer/src/bench/scorecard-format';
import { analysisLine, formatMeasure } from '../../src/renderer/src/lib/measures';

const latency = (p50: number | null, p95: number | null) => ({ n: p50 === null ? 0 : 3, p50, p95 });

function line(overrides: Partial<ScorecardLineView> = {}): ScorecardLineView {
  return {
    provider: 'sandbox',
    modelId: 'sandbox-fast',
    category: null,
    total: 3,
    counts: { success: 2, failure: 1 },
    pending: 0,
    rated: 3,
    rates: { success: 2 / 3, policy_refusal: 0, failure: 1 / 3, timeout: 0, bad_output: 0 },
    latencyMs: {
      queue: latency(40, 95),
      generation: latency(2500, 4100),
      download: latency(120, 300),
      total: latency(2700, 4600),
    },
    costUsd: 0.6,
    videoSeconds: 8,
    costPerSuccessUsd: 0.3,
    costPerSecondUsd: 0.075,
    complianceChecked: 2,
    compliant: 1,
    complianceRate: 0.5,
    findingsBySetting: { durationSeconds: 1 },
    measured: 2,
    measures: {
      flicker: 0.00042,
      blur: 4.7916,
      frozenFraction: 0.125,
      blackFraction: 0,
      sceneCuts: 1 / 3,
      motion: 0.1452,
    },
    ...overrides,
  };
}

afterEach(cleanup);

describe('scorecard number formatting', () => {
  it('writes every measure with its unit, small fractions as readable percentages', () => {
    expect(formatMeasure('frozenFraction', 0.125)).toBe('13%');
    expect(formatMeasure('frozenFraction', 0.045)).toBe('4.5%');
    expect(formatMeasure('blackFraction', 0)).toBe('0%');
    expect(formatMeasure('sceneCuts', 2)).toBe('2 cuts');
    expect(formatMeasure('sceneCuts', 1)).toBe('1 cut');
    expect(formatMeasure('sceneCuts', 1 / 3)).toBe('0.3 cuts');
    // Blur is blurdetect's mean edge width, in pixels.
    expect(formatMeasure('blur', 4.7916)).toBe('4.8 px');
    // Flicker and motion are fractions of the brightness range: percent, two significant
    // digits when small ("0.00042" said nothing about its scale).
    expect(formatMeasure('flicker', 0.00042)).toBe('0.042%');
    expect(formatMeasure('flicker', 0.000437)).toBe('0.044%');
    expect(formatMeasure('flicker', 0.0123)).toBe('1.2%');
    expect(formatMeasure('motion', 0.1452)).toBe('15%');
    expect(formatMeasure('motion', null)).toBe('—');
    expect(formatMeasure('blur', Number.NaN)).toBe('—');
  });

  it('summarises a clip in one line and leaves out what was not measured', () => {
    const base = {
      durationSeconds: 4,
      width: 480,
      height: 270,
      fps: 24,
      videoCodec: 'h264',
      hasAudio: true,
      measures: {},
      findings: [],
      error: null,
    };
    expect(analysisLine(base)).toBe('4.0 s · 480×270 · 24 fps · h264 · audio');
    expect(analysisLine({ ...base, fps: 29.97, hasAudio: false })).toBe(
      '4.0 s · 480×270 · 30 fps · h264 · no audio',
    );
    expect(analysisLine({ ...base, width: null, videoCodec: null, hasAudio: null })).toBe(
      '4.0 s · 24 fps',
    );
    expect(
      analysisLine({
        ...base,
        fps: 21.05,
        frameRate: { variable: true, minFps: 10, maxFps: 30, avgFps: 21.05 },
      }),
    ).toBe('4.0 s · 480×270 · variable 10–30 fps (avg 21.1) · h264 · audio');
  });
});

describe('scorecard table', () => {
  const fast = line();
  const pro = line({
    modelId: 'sandbox-pro',
    rates: { success: 1, policy_refusal: 0, failure: 0, timeout: 0, bad_output: 0 },
    latencyMs: {
      queue: latency(70, 90),
      generation: latency(2600, 4100),
      download: latency(null, null),
      total: latency(2900, 5000),
    },
    costPerSecondUsd: 0.12,
    complianceRate: 1,
  });

  it('has one value per model in every row and marks the single best model', () => {
    const sections = scorecardSections([fast, pro]);
    expect(sections.map((section) => section.title)).toEqual([
      'Outcomes',
      'Latency (successful generations)',
      'Cost',
      'Compliance',
      'Technical measures (means)',
    ]);
    const rows = new Map(sections.flatMap((section) => section.rows).map((row) => [row.key, row]));
    for (const row of rows.values()) expect(row.values).toHaveLength(2);
    expect(rows.get('rate.success')).toMatchObject({ values: ['67%', '100%'], best: 1 });
    expect(rows.get('p50.queue')).toMatchObject({ values: ['40 ms', '70 ms'], best: 0 });
    // A tie has no winner; a missing value is a dash and cannot win.
    expect(rows.get('p95.generation')).toMatchObject({ values: ['4.1 s', '4.1 s'], best: null });
    expect(rows.get('p50.download')).toMatchObject({ values: ['120 ms', '—'], best: null });
    expect(rows.get('cost.second')).toMatchObject({ values: ['$0.075', '$0.12'], best: 0 });
    expect(rows.get('compliance')).toMatchObject({ values: ['50%', '100%'], best: 1 });
    expect(rows.get('measure.frozenFraction')?.values).toEqual(['13%', '13%']);
    expect(rows.get('measure.flicker')?.hint).toMatch(/brightness jumps/);
  });

  it('never marks a best value with a single model', () => {
    const rows = scorecardSections([fast]).flatMap((section) => section.rows);
    expect(rows.every((row) => row.best === null)).toBe(true);
  });

  it('renders the sections, model columns and the best cell', () => {
    render(
      <Tooltip.Provider>
        <ScorecardTable lines={[fast, pro]} names={['Sandbox Fast', 'Sandbox Pro']} />
      </Tooltip.Provider>,
    );
    const table = screen.getByTestId('scorecard-table');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
      // Each name after its number on the latency chart.
    ).toEqual(['Measure', '1Sandbox Fast', '2Sandbox Pro']);
    const success = screen.getByTestId('scorecard-row-rate.success');
    const cells = within(success).getAllByRole('cell');
    expect(cells.map((cell) => cell.textContent)).toEqual(['67%', '100%']);
    expect(cells[1]?.className).toContain('is-best');
    expect(cells[0]?.className).not.toContain('is-best');
  });
});

describe('chart data', () => {
  const fast = line();
  const pro = line({ modelId: 'sandbox-pro', costPerSecondUsd: null });

  it('stacks outcome shares in percent per model', () => {
    expect(outcomeChartData([fast], ['Sandbox Fast'])).toEqual([
      {
        model: 'Sandbox Fast',
        success: 66.7,
        policy_refusal: 0,
        failure: 33.3,
        timeout: 0,
        bad_output: 0,
      },
    ]);
  });

  it('groups p50/p95 per phase in seconds, one key pair per model', () => {
    const data = latencyChartData([fast, pro]);
    expect(data.map((entry) => entry.phase)).toEqual(['Queue', 'Generation', 'Download', 'Total']);
    expect(data[1]).toMatchObject({ m0_p50: 2.5, m0_p95: 4.1, m1_p50: 2.5, m1_p95: 4.1 });
  });

  it('stacks p50 to p95 as a tail and numbers each model for its bars (not colour alone)', () => {
    const noP95 = line({
      latencyMs: {
        queue: latency(null, null),
        generation: { n: 1, p50: 3000, p95: null },
        download: latency(120, 300),
        total: latency(2700, 4600),
      },
    });
    const data = latencyChartData([fast, noP95]);
    expect(data[1]).toMatchObject({ m0_p50: 2.5, m0_tail: 1.6, m0_mark: '1' });
    // No p95: the bar ends at p50, still numbered; no time at all: no bar, no number.
    expect(data[1]).toMatchObject({ m1_p50: 3, m1_p95: null, m1_tail: 0, m1_mark: '2' });
    expect(data[0]).toMatchObject({ m1_p50: null, m1_tail: null, m1_mark: null });
    expect(modelMark(0)).toBe('1');
  });

  it('labels a missing or too-short bar with its value, never a bare number on the axis', () => {
    const noQueue = line({
      modelId: 'sandbox-pro',
      latencyMs: {
        // Never timed, then a real zero, then a bar too short to see next to 4.6 s.
        queue: latency(null, null),
        generation: latency(2500, 4100),
        download: latency(0, 0),
        total: latency(2700, 4600),
      },
    });
    const tiny = line({ latencyMs: { ...fast.latencyMs, queue: latency(40, 60) } });
    const data = latencyChartData([tiny, noQueue]);
    expect(data[0]).toMatchObject({ m1_top: 'no data', m1_flat: true, m1_mark: null });
    expect(data[2]).toMatchObject({ m1_top: '0 s', m1_flat: true });
    // 60 ms of a 4.6 s axis is 1.3 %: under 4 px, so it is written out too.
    expect(data[0]).toMatchObject({ m0_top: '60 ms', m0_flat: true, m0_mark: '1' });
    // A bar one can see keeps its bare number above it.
    expect(data[1]).toMatchObject({ m0_top: '4.1 s', m0_flat: false });
    expect(data[3]).toMatchObject({ m1_top: '4.6 s', m1_flat: false });
  });

  it('leaves models without a successful second out of the cost chart', () => {
    expect(costChartData([fast, pro], ['Sandbox Fast', 'Sandbox Pro'])).toEqual([
      { model: 'Sandbox Fast', index: 0, costPerSecond: 0.075 },
    ]);
  });

  it('lists every category once, sorted', () => {
    expect(
      scorecardCategories([
        { categories: [line({ category: 'people' }), line({ category: 'animals' })] },
        { categories: [line({ category: 'people' }), line({ category: 'camera' })] },
      ]),
    ).toEqual(['animals', 'camera', 'people']);
  });

  it('names compared metrics and writes their values in the right unit', () => {
    expect(changeMetricName('p95.generation')).toBe('Generation p95');
    expect(changeMetricName('costPerSecondUsd')).toBe('Cost per successful second');
    expect(formatChangeValue('successRate', 0.9)).toBe('90%');
    expect(formatChangeValue('p95.total', 4600)).toBe('4.6 s');
    expect(formatChangeValue('costPerSuccessUsd', 0.3)).toBe('$0.30');
  });
});
