/**
 * `aideon bench show` and `bench run` write every figure with its unit, as the console's
 * Scorecard tab and run screen do (shared/format.ts, shared/bench/measures.ts,
 * shared/bench/scorecard-table.ts): rates in %, times in ms or s, money in $, blur in px, scene
 * cuts as a count. Before, the CLI wrote "0.0s" for a 40 ms download and "0%" for a flicker of
 * 0.00042, and left the technical measures out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { renderRunTable, renderScorecard } from '../../../src/main/cli/bench-output';
import { computeScorecard, type ScorecardRow } from '../../../src/main/bench/scorecard';
import type { RunDetail } from '../../../src/shared/domain';
import { cliIn, cliInFreshDir } from '../../helpers/cli-in-process';
import { scorecardRow } from '../../helpers/scorecard-row';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A timed, billed, measured success of sandbox-fast (a 4 s clip), with `partial` over it. */
function row(partial: Partial<ScorecardRow>): ScorecardRow {
  return scorecardRow({
    submitted_at: 1000,
    started_at: 1040,
    completed_at: 3610,
    finished_at: 3650,
    download_ms: 40,
    cost_usd: 0.125,
    videoSeconds: 4,
    compliance: [],
    measures: {
      flicker: 0.00042,
      blur: 4.83,
      frozenFraction: 0.045,
      blackFraction: 0,
      sceneCuts: 1,
      motion: 0.15,
    },
    ...partial,
  });
}

/** The cells of the scorecard line that starts with `label` (two spaces apart). */
function cells(text: string, label: string): string[] {
  const line = text.split('\n').find((entry) => entry.trimStart().startsWith(`${label}  `));
  if (line === undefined) throw new Error(`no line "${label}" in:\n${text}`);
  return line.trim().slice(label.length).trim().split(/ {2,}/);
}

describe('renderScorecard', () => {
  const scorecard = computeScorecard([
    row({}),
    row({ outcome: 'failure', cost_usd: null, measures: null, compliance: null }),
    row({
      model_id: 'sandbox-pro',
      started_at: 121_000,
      completed_at: 185_000,
      finished_at: 185_300,
      download_ms: 300,
      cost_usd: 1.5,
      compliance: [{ setting: 'durationSeconds' }],
      measures: { flicker: 0.02, blur: 6, sceneCuts: 3, frozenFraction: 0, blackFraction: 0.5 },
    }),
  ]);
  const text = renderScorecard(scorecard);

  it('has one column per model and the console’s groups of rows', () => {
    expect(text.split('\n')[1]).toMatch(/^measure\s+sandbox:sandbox-fast\s+sandbox:sandbox-pro$/);
    for (const title of [
      'Outcomes',
      'Latency (successful generations)',
      'Cost',
      'Compliance',
      'Technical measures (means)',
    ])
      expect(text.split('\n')).toContain(title);
  });

  it('writes rates and shares in percent', () => {
    expect(cells(text, 'Generations')).toEqual(['2', '1']);
    expect(cells(text, 'Success rate')).toEqual(['50%', '100%']);
    expect(cells(text, 'Failure rate')).toEqual(['50%', '0%']);
    expect(cells(text, 'Matches the request')).toEqual(['100%', '0%']);
  });

  it('writes times in ms under a second and in s above', () => {
    expect(cells(text, 'Queue p50')).toEqual(['40 ms', '120 s']);
    expect(cells(text, 'Generation p50')).toEqual(['2.57 s', '64 s']);
    expect(cells(text, 'Download p50')).toEqual(['40 ms', '300 ms']);
    expect(cells(text, 'Total p50')).toEqual(['2.65 s', '184 s']);
  });

  it('writes money as dollars, three decimals under $1', () => {
    expect(cells(text, 'Spent')).toEqual(['$0.125', '$1.50']);
    expect(cells(text, 'Per successful clip')).toEqual(['$0.125', '$1.50']);
    expect(cells(text, 'Per successful second')).toEqual(['$0.031', '$0.375']);
  });

  it('writes each technical measure with its unit, a small flicker never as 0%', () => {
    expect(cells(text, 'Flicker per frame')).toEqual(['0.042%', '2%']);
    expect(cells(text, 'Blur (edge width)')).toEqual(['4.8 px', '6 px']);
    expect(cells(text, 'Frozen')).toEqual(['4.5%', '0%']);
    expect(cells(text, 'Black')).toEqual(['0%', '50%']);
    expect(cells(text, 'Scene cuts')).toEqual(['1 cut', '3 cuts']);
    expect(cells(text, 'Motion per frame')).toEqual(['15%', '—']);
  });
});

describe('renderRunTable', () => {
  it('writes each phase in ms or s and the cost in dollars; "—" for what was not measured', () => {
    const generation = (
      promptId: string,
      times: [number | null, number | null, number | null, number | null],
      costUsd: number | null,
    ) => ({
      promptId,
      provider: 'sandbox',
      modelId: 'sandbox-fast',
      cached: false,
      outcome: 'success',
      state: 'done',
      queueMs: times[0],
      generationMs: times[1],
      downloadMs: times[2],
      totalMs: times[3],
      costUsd,
      errorMessage: null,
    });
    const detail = {
      run: {
        id: 'run_1',
        state: 'finished',
        succeeded: 2,
        failed: 0,
        total: 2,
        spentUsd: 1.625,
        countedUsd: 1.625,
        unknownOutcomes: 0,
        budgetUsd: 5,
      },
      generations: [
        generation('a', [40, 2570, 8.5, 2618.5], 0.125),
        generation('b', [120_000, 64_000, null, 184_300], 1.5),
      ],
    } as unknown as RunDetail;
    const lines = renderRunTable(detail).split('\n');
    expect(lines.find((line) => line.startsWith('a '))?.split(/ {2,}/)).toEqual([
      'a',
      'sandbox:sandbox-fast',
      'success',
      '40 ms',
      '2.57 s',
      '8.5 ms',
      '2.62 s',
      '$0.125',
    ]);
    expect(lines.find((line) => line.startsWith('b '))?.split(/ {2,}/)).toEqual([
      'b',
      'sandbox:sandbox-fast',
      'success',
      '120 s',
      '64 s',
      '—',
      '184 s',
      '$1.50',
    ]);
  });
});

describe('aideon bench show', () => {
  it('prints the run and its scorecard with units, measures included', async () => {
    const env = { AIDEON_SANDBOX_TIME_SCALE: '0.02' };
    const ran = await cliInFreshDir(
      cleanups,
      ['bench', 'run', '--suite', 'smoke', '--models', 'sandbox:sandbox-fast', '--json'],
      env,
    );
    expect(ran.code).toBe(0);
    const runId = (JSON.parse(ran.stdout) as { run: { id: string } }).run.id;
    const shown = await cliIn(ran.dir, ['bench', 'show', runId], env);
    expect(shown.code).toBe(0);
    const scorecard = shown.stdout.slice(shown.stdout.indexOf('Scorecard\n'));
    expect(cells(scorecard, 'Success rate')).toEqual(['100%']);
    expect(cells(scorecard, 'Total p50')[0]).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    expect(cells(scorecard, 'Per successful clip')[0]).toMatch(/^\$\d+\.\d{2,3}$/);
    // The sandbox's clips are real H.264, measured by ffmpeg.
    expect(cells(scorecard, 'Blur (edge width)')[0]).toMatch(/^\d+(\.\d)? px$/);
    expect(cells(scorecard, 'Scene cuts')[0]).toMatch(/^\d+(\.\d)? cuts?$/);
    expect(cells(scorecard, 'Flicker per frame')[0]).toMatch(/%$/);
    // The run's table above it: times with their unit, never a bare "0.0s".
    expect(shown.stdout).not.toMatch(/\d\.\ds\b/);
    expect(shown.stdout).toMatch(/smoke-01\s+sandbox:sandbox-fast\s+success\s+\d[\d.]* (ms|s)\s/);
  }, 60_000);
});
