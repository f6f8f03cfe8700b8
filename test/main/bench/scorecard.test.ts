import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareScorecards,
  computeScorecard,
  percentileNearestRank,
  scorecardLines,
  scorecardToCsv,
  type ScorecardRow,
} from '../../../src/main/bench/scorecard';
import { scorecardRow } from '../../helpers/scorecard-row';

const row = scorecardRow;

/** submitted at 0, started at q, completed at q+g, finished at total. */
function timed(q: number, g: number, d: number, total: number): Partial<ScorecardRow> {
  return {
    submitted_at: 1000,
    started_at: 1000 + q,
    completed_at: 1000 + q + g,
    finished_at: 1000 + total,
    download_ms: d,
  };
}

const rows: ScorecardRow[] = [
  // 1-3: successes with timings; 3 has no probed duration (falls back to settings: 4 s).
  row({
    ...timed(100, 1000, 150, 1300),
    cost_usd: 0.5,
    videoSeconds: 4,
    compliance: [],
    measures: { blur: 4, flicker: 0.01 },
  }),
  row({
    ...timed(200, 2000, 250, 2500),
    cost_usd: 0.5,
    videoSeconds: 5,
    compliance: [{ setting: 'durationSeconds' }],
    measures: { blur: 6, flicker: null },
  }),
  row({ ...timed(300, 3000, 350, 3700), category: 'animals', cost_usd: 0.5, videoSeconds: null }),
  row({ ...timed(50, 500, 10, 600), category: 'animals', outcome: 'failure', cost_usd: null }),
  row({ outcome: 'policy_refusal', cost_usd: 0.1 }),
  row({ outcome: 'cancelled' }),
  row({ category: 'animals', outcome: 'skipped_budget' }),
  row({ category: 'animals', outcome: 'timeout', cost_usd: 0.2 }),
  // 9: cached success: counted and costed (0), but no latency.
  row({ ...timed(1, 1, 1, 5), cached: 1, cost_usd: 0, videoSeconds: 4, compliance: [] }),
  // 10: still running.
  row({ outcome: null }),
  // Another model.
  row({ model_id: 'sandbox-pro', ...timed(10, 20, 30, 70), cost_usd: 1, videoSeconds: 8 }),
];

describe('percentileNearestRank', () => {
  it('returns the value at rank ceil(p/100 × n)', () => {
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentileNearestRank(oneToTwenty, 50)).toBe(10);
    expect(percentileNearestRank(oneToTwenty, 95)).toBe(19);
    expect(percentileNearestRank([...oneToTwenty, 21], 95)).toBe(20);
    expect(percentileNearestRank([7], 95)).toBe(7);
    expect(percentileNearestRank([7], 0)).toBe(7);
    expect(percentileNearestRank([], 50)).toBeNull();
  });
});

describe('computeScorecard', () => {
  const card = computeScorecard(rows);

  it('a vendor refusing the account (key, payment) is counted but not rated', () => {
    const refused = computeScorecard([...rows, row({ outcome: 'account_refused' })]).models[0]!
      .overall;
    const before = card.models[0]!.overall;
    expect(refused.counts.account_refused).toBe(1);
    expect(refused.total).toBe(before.total + 1);
    expect(refused.rated).toBe(before.rated);
    expect(refused.rates.success).toBe(before.rates.success);
    expect(refused.rates.failure).toBe(before.rates.failure);
  });

  it('groups per model, sorted, with categories sorted', () => {
    expect(card.models.map((m) => m.modelId)).toEqual(['sandbox-fast', 'sandbox-pro']);
    expect(card.models[0]!.categories.map((c) => c.category)).toEqual(['animals', 'people']);
    expect(scorecardLines(card)).toHaveLength(5);
  });

  it('counts outcomes and rates over rated outcomes only', () => {
    const fast = card.models[0]!.overall;
    expect(fast.total).toBe(10);
    expect(fast.counts).toEqual({
      success: 4,
      policy_refusal: 1,
      failure: 1,
      timeout: 1,
      bad_output: 0,
      cancelled: 1,
      skipped_budget: 1,
      submit_unknown: 0,
      skipped_unsupported: 0,
      account_refused: 0,
    });
    expect(fast.pending).toBe(1);
    expect(fast.rated).toBe(7);
    expect(fast.rates.success).toBe(4 / 7);
    expect(fast.rates.policy_refusal).toBe(1 / 7);
    expect(fast.rates.bad_output).toBe(0);
  });

  it('computes nearest-rank p50/p95 over non-cached successes', () => {
    const { latencyMs } = card.models[0]!.overall;
    expect(latencyMs.queue).toEqual({ n: 3, p50: 200, p95: 300 });
    expect(latencyMs.generation).toEqual({ n: 3, p50: 2000, p95: 3000 });
    expect(latencyMs.download).toEqual({ n: 3, p50: 250, p95: 350 });
    expect(latencyMs.total).toEqual({ n: 3, p50: 2500, p95: 3700 });
  });

  it('spreads all spending over successful clips and seconds', () => {
    const fast = card.models[0]!.overall;
    // 0.5 × 3 + 0.1 (refusal) + 0.2 (timeout) = 1.8; 4 successes; 4 + 5 + 4 (settings) + 4 = 17 s.
    expect(fast.costUsd).toBeCloseTo(1.8, 12);
    expect(fast.videoSeconds).toBe(17);
    expect(fast.costPerSuccessUsd).toBeCloseTo(0.45, 12);
    expect(fast.costPerSecondUsd).toBeCloseTo(1.8 / 17, 12);
    const pro = card.models[1]!.overall;
    expect(pro.costPerSecondUsd).toBe(0.125);
    expect(pro.rates.success).toBe(1);
  });

  it('computes compliance and mean measures over checked successes', () => {
    const fast = card.models[0]!.overall;
    expect(fast.complianceChecked).toBe(3);
    expect(fast.compliant).toBe(2);
    expect(fast.complianceRate).toBe(2 / 3);
    expect(fast.findingsBySetting).toEqual({ durationSeconds: 1 });
    expect(fast.measured).toBe(2);
    expect(fast.measures.blur).toBe(5);
    expect(fast.measures.flicker).toBe(0.01);
    expect(fast.measures.motion).toBeNull();
    expect(card.models[1]!.overall.complianceRate).toBeNull();
  });

  it('computes the same figures per category', () => {
    const [animals, people] = card.models[0]!.categories;
    expect(people!.total).toBe(6);
    expect(people!.counts.success).toBe(3);
    expect(people!.rated).toBe(4);
    expect(people!.rates.success).toBe(0.75);
    expect(people!.costUsd).toBeCloseTo(1.1, 12);
    expect(people!.videoSeconds).toBe(13);
    expect(people!.latencyMs.total).toEqual({ n: 2, p50: 1300, p95: 2500 });
    expect(animals!.rated).toBe(3);
    expect(animals!.rates.success).toBe(1 / 3);
    expect(animals!.counts.skipped_budget).toBe(1);
    expect(animals!.costPerSecondUsd).toBeCloseTo(0.7 / 4, 12);
  });

  it('handles an empty input and a model with nothing rated', () => {
    expect(computeScorecard([]).models).toEqual([]);
    const only = computeScorecard([row({ outcome: 'cancelled' })]).models[0]!.overall;
    expect(only.rated).toBe(0);
    expect(only.rates.success).toBeNull();
    expect(only.costPerSuccessUsd).toBeNull();
    expect(only.latencyMs.total).toEqual({ n: 0, p50: null, p95: null });
  });
});

describe('compareScorecards', () => {
  it('marks lower success, higher p95, higher cost and lower compliance as worse', () => {
    const before = computeScorecard(rows);
    const after = computeScorecard([
      ...rows.map((r) => (r.cost_usd === 0.5 ? { ...r, cost_usd: 0.6 } : r)),
      row({ outcome: 'failure' }),
      row({
        ...timed(100, 9000, 150, 9400),
        cost_usd: 0.5,
        videoSeconds: 4,
        compliance: [{ setting: 'audio' }],
      }),
    ]);
    const changes = compareScorecards(before, after);
    const overall = changes.filter((c) => c.modelId === 'sandbox-fast' && c.category === null);
    const byMetric = Object.fromEntries(overall.map((c) => [c.metric, c]));
    // 5/9 vs 4/7: −1.6 points, under the 5-point threshold.
    expect(byMetric.successRate).toBeUndefined();
    expect(byMetric['p95.generation']).toMatchObject({ before: 3000, after: 9000, worse: true });
    expect(byMetric['p95.total']).toMatchObject({ before: 3700, after: 9400, worse: true });
    expect(byMetric['p95.queue']).toBeUndefined();
    expect(byMetric.costPerSecondUsd!.worse).toBe(true);
    // Dollars as everywhere else (shared formatMoney), not four decimals.
    expect(byMetric.costPerSecondUsd!.message).toMatch(
      /: cost per successful second rose from \$0\.\d\d\d? to \$0\.\d\d\d?\.$/,
    );
    expect(byMetric.complianceRate).toMatchObject({ before: 2 / 3, after: 0.5, worse: true });
    expect(byMetric.complianceRate!.message).toBe(
      'sandbox/sandbox-fast: compliance fell from 66.7% to 50%.',
    );
    // The other model did not change.
    expect(changes.filter((c) => c.modelId === 'sandbox-pro')).toEqual([]);
  });

  it('flags a success-rate drop beyond the threshold and an improvement as not worse', () => {
    const good = computeScorecard([row({ cost_usd: 1 }), row({ cost_usd: 1 })]);
    const bad = computeScorecard([row({ cost_usd: 1 }), row({ outcome: 'failure' })]);
    const worse = compareScorecards(good, bad).find(
      (c) => c.metric === 'successRate' && c.category === null,
    );
    expect(worse).toMatchObject({ before: 1, after: 0.5, worse: true });
    const better = compareScorecards(bad, good).find(
      (c) => c.metric === 'successRate' && c.category === null,
    );
    expect(better).toMatchObject({ before: 0.5, after: 1, worse: false });
    expect(compareScorecards(good, good)).toEqual([]);
    expect(
      compareScorecards(good, bad, { successRateDrop: 0.6 }).some(
        (c) => c.metric === 'successRate',
      ),
    ).toBe(false);
  });
});

describe('scorecardToCsv', () => {
  it('writes a header and one row per line, escaped', () => {
    const csv = scorecardToCsv(
      computeScorecard([...rows, row({ model_id: '=cmd|"x",y', cost_usd: 2, videoSeconds: 4 })]),
    );
    const lines = csv.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 7 + 1);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['provider', 'model', 'category', 'total']);
    expect(header).toContain('total_p95_ms');
    expect(header).toContain('cost_per_second_usd');
    expect(lines[1]!.startsWith(`sandbox,"'=cmd|""x"",y",all,1,`)).toBe(true);
    const fast = lines.find((l) => l.startsWith('sandbox,sandbox-fast,all,'))!.split(',');
    const cell = (name: string): string => fast[header.indexOf(name)]!;
    expect(cell('success')).toBe('4');
    expect(cell('success_rate')).toBe('0.571428571429');
    expect(cell('total_p95_ms')).toBe('3700');
    expect(cell('compliance_rate')).toBe('0.666666666667');
    expect(cell('mean_motion_fraction')).toBe('');
    expect(cell('mean_blur_px')).toBe('5');
  });

  it('names every column with its unit, exactly as the README documents them', () => {
    const header = scorecardToCsv(computeScorecard(rows)).split('\r\n')[0]!.split(',');
    // The README's Exports table: first cell of each row, its `names` (some rows name two).
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('### Exports'),
      readme.indexOf('## Using the console'),
    );
    const documented = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]));
    expect(documented).toEqual(header);
    // No bare measure: a fraction, pixels or a count in every measure's name.
    for (const name of header.filter((column) => column.startsWith('mean_')))
      expect(name).toMatch(/_(fraction|px|count)$/);
    for (const name of header.filter((column) => /p(50|95)/.test(column)))
      expect(name).toMatch(/_ms$/);
  });

  it('writes sums without floating-point noise (0.6, not 0.6000000000000001)', () => {
    // 0.1 + 0.2 + 0.3 is 0.6000000000000001 in floating point.
    expect(0.1 + 0.2 + 0.3).not.toBe(0.6);
    const csv = scorecardToCsv(
      computeScorecard([
        row({ cost_usd: 0.1, videoSeconds: 4 }),
        row({ cost_usd: 0.2, videoSeconds: 4 }),
        row({ cost_usd: 0.3, videoSeconds: 4 }),
      ]),
    );
    const [head, all] = csv.split('\r\n');
    const header = head!.split(',');
    const cells = all!.split(',');
    expect(cells[header.indexOf('cost_usd')]).toBe('0.6');
    expect(cells[header.indexOf('cost_per_success_usd')]).toBe('0.2');
    expect(csv).not.toMatch(/\d\.\d{13,}/);
  });
});
