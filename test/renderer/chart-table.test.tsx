// @vitest-environment happy-dom
import * as Tooltip from '@radix-ui/react-tooltip';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScorecardLineView } from '../../src/shared/bench/scorecard-schema';
import type { RunSummary } from '../../src/shared/domain';
import { setClient } from '../../src/renderer/src/ipc';
import { createClient } from '../../src/renderer/src/ipc/client';
import { ScorecardPanel } from '../../src/renderer/src/bench/scorecard-panel';
import {
  chartTableCsv,
  ChartCard,
  type ChartTableData,
  useCardSeries,
  useChartImage,
} from '../../src/renderer/src/components/chart-kit';
import { Bar, BarChart } from '../../src/renderer/src/components/recharts';
import {
  costChartText,
  latencyChartText,
  outcomeChartText,
} from '../../src/renderer/src/bench/scorecard-format';
import { fakeTransport } from './fake-transport';
import type { Rating } from '../../src/shared/review/review-schemas';
import type { ReviewChartData } from '../../src/shared/review/review-chart-schemas';
import {
  SERIES_MEASURES,
  type SeriesReport,
  type TargetSeries,
} from '../../src/shared/watch/watch-types';
import { ReviewCharts } from '../../src/renderer/src/review/review-charts';
import { qualityCostText } from '../../src/renderer/src/review/review-chart-format';
import { WatchCharts } from '../../src/renderer/src/watch/watch-charts';
import { layoutProblems } from '../../src/renderer/src/watch/watch-views-format';

afterEach(() => {
  cleanup();
  setClient(null);
});

const latency = (p50: number | null, p95: number | null) => ({ n: p50 === null ? 0 : 3, p50, p95 });

function line(overrides: Partial<ScorecardLineView>): ScorecardLineView {
  return {
    provider: 'sandbox',
    modelId: 'sandbox-fast',
    category: null,
    total: 4,
    counts: { success: 3, failure: 1 },
    pending: 0,
    rated: 4,
    rates: { success: 0.75, policy_refusal: 0, failure: 0.25, timeout: 0, bad_output: 0 },
    latencyMs: {
      queue: latency(40, 95),
      generation: latency(2500, 4100),
      download: latency(120, 300),
      total: latency(2700, 4600),
    },
    costUsd: 0.6,
    videoSeconds: 12,
    costPerSuccessUsd: 0.2,
    costPerSecondUsd: 0.05,
    complianceChecked: 3,
    compliant: 3,
    complianceRate: 1,
    findingsBySetting: {},
    measured: 0,
    measures: {},
    ...overrides,
  };
}

const fast = line({});
const pro = line({
  modelId: 'sandbox-pro',
  rated: 2,
  rates: { success: 1, policy_refusal: 0, failure: 0, timeout: 0, bad_output: 0 },
  latencyMs: {
    queue: latency(70, 90),
    generation: latency(6100, 9800),
    download: latency(null, null),
    total: latency(6300, 10_200),
  },
  costUsd: 1.6,
  videoSeconds: 8,
  costPerSecondUsd: 0.2,
});
// No successful video: the cost chart leaves it out, its table keeps it with "—".
const broken = line({
  modelId: 'sandbox-broken',
  rated: 1,
  rates: { success: 0, policy_refusal: 0, failure: 1, timeout: 0, bad_output: 0 },
  latencyMs: {
    queue: latency(null, null),
    generation: latency(null, null),
    download: latency(null, null),
    total: latency(null, null),
  },
  costUsd: 0,
  videoSeconds: 0,
  costPerSecondUsd: null,
});

function serveScorecard(lines: readonly ScorecardLineView[]): void {
  const { transport } = fakeTransport((channel) => {
    if (channel === 'bench:get-scorecard')
      return {
        ok: true,
        value: {
          models: lines.map((entry) => ({
            provider: entry.provider,
            modelId: entry.modelId,
            overall: entry,
            categories: [],
          })),
        },
      };
    throw new Error(`unexpected ${channel}`);
  });
  setClient(createClient(transport));
}

/** The scorecard as the console shows it: under the app's one tooltip provider. */
function renderScorecard(summary: RunSummary) {
  return render(
    <Tooltip.Provider>
      <ScorecardPanel run={summary} />
    </Tooltip.Provider>,
  );
}

const run = { id: 'run-1', state: 'succeeded', done: 7 } as unknown as RunSummary;

/** A clipboard that records what is written to it. */
function stubClipboard() {
  const writeText = vi.fn(async (_text: string) => undefined);
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  return writeText;
}

/** Shows a card's table, presses Copy as CSV and returns what reached the clipboard. */
async function copiedFrom(
  card: HTMLElement,
  writeText: ReturnType<typeof stubClipboard>,
): Promise<string> {
  writeText.mockClear();
  if (card.getAttribute('data-view') !== 'table')
    fireEvent.click(within(card).getByRole('button', { name: 'Table' }));
  fireEvent.click(within(card).getByRole('button', { name: 'Copy as CSV' }));
  await waitFor(() => expect(writeText).toHaveBeenCalledTimes(1));
  return writeText.mock.calls[0]![0];
}

/** The text of each body row: its header cell, then its data cells. */
function bodyRows(table: HTMLElement): string[][] {
  return [...table.querySelectorAll('tbody tr')].map((row) =>
    [...row.querySelectorAll('th, td')].map((cell) => cell.textContent ?? ''),
  );
}

describe('chart text alternatives', () => {
  it('switches a scorecard chart to a table whose cells are its data, hidden series included', async () => {
    serveScorecard([fast, pro, broken]);
    renderScorecard(run);
    const card = await screen.findByTestId('chart-outcomes');
    // The chart first: the switch says so, no table yet.
    const chartButton = within(card).getByRole('button', { name: 'Chart' });
    const tableButton = within(card).getByRole('button', { name: 'Table' });
    expect(chartButton.getAttribute('aria-pressed')).toBe('true');
    expect(tableButton.getAttribute('aria-pressed')).toBe('false');
    expect(within(card).queryByRole('table')).toBeNull();
    expect(within(card).getByRole('group', { name: 'Show Outcomes as' })).toBeTruthy();

    fireEvent.click(tableButton);
    const table = within(card).getByRole('table');
    expect(card.getAttribute('data-view')).toBe('table');
    expect(tableButton.getAttribute('aria-pressed')).toBe('true');
    expect(table.querySelector('caption')?.textContent).toBe(
      'Outcomes: share of rated generations per model, by how they ended.',
    );
    expect([...table.querySelectorAll('thead th')].map((cell) => cell.textContent)).toEqual([
      'Model',
      'Rated generations',
      'Success (% of rated)',
      'Policy refusal (% of rated)',
      'Failure (% of rated)',
      'Timeout (% of rated)',
      'Bad output (% of rated)',
    ]);
    expect(bodyRows(table)).toEqual([
      ['sandbox-fast', '4', '75%', '0%', '25%', '0%', '0%'],
      ['sandbox-pro', '2', '100%', '0%', '0%', '0%', '0%'],
      ['sandbox-broken', '1', '0%', '0%', '100%', '0%', '0%'],
    ]);
    // Every row and column header is a real header cell of its row or column.
    expect(table.querySelectorAll('tbody th[scope="row"]').length).toBe(3);
    expect(table.querySelectorAll('thead th[scope="col"]').length).toBe(7);

    // Back to the chart, by keyboard: the switch is two plain buttons.
    const back = within(card).getByRole('button', { name: 'Chart' });
    back.focus();
    fireEvent.click(back);
    expect(within(card).queryByRole('table')).toBeNull();
    expect(card.getAttribute('data-view')).toBe('chart');
  });

  it('lists every model in the cost table, those the chart leaves out as "—"', async () => {
    serveScorecard([fast, pro, broken]);
    renderScorecard(run);
    const card = await screen.findByTestId('chart-cost');
    fireEvent.click(within(card).getByRole('button', { name: 'Table' }));
    expect(bodyRows(within(card).getByRole('table'))).toEqual([
      ['sandbox-fast', '$0.05', '$0.60', '12'],
      ['sandbox-pro', '$0.20', '$1.60', '8'],
      ['sandbox-broken', '—', '$0.00', '0'],
    ]);
  });

  it('writes latency per phase and model, with the model numbers the chart draws', async () => {
    serveScorecard([fast, pro]);
    renderScorecard(run);
    const card = await screen.findByTestId('chart-latency');
    fireEvent.click(within(card).getByRole('button', { name: 'Table' }));
    const rows = bodyRows(within(card).getByRole('table'));
    expect(rows).toHaveLength(8);
    expect(rows).toContainEqual(['Generation · 1 sandbox-fast', '2.5 s', '4.1 s']);
    expect(rows).toContainEqual(['Generation · 2 sandbox-pro', '6.1 s', '9.8 s']);
    expect(rows).toContainEqual(['Download · 2 sandbox-pro', '—', '—']);
    expect(rows).toContainEqual(['Queue · 1 sandbox-fast', '40 ms', '95 ms']);
  });

  it('keeps the series hidden from a chart’s legend across Chart → Table → Chart, and names them in the table', async () => {
    serveScorecard([fast, pro]);
    renderScorecard(run);
    const card = await screen.findByTestId('chart-latency');
    // The view is remembered for the session: an earlier test left this chart's table shown.
    fireEvent.click(within(card).getByRole('button', { name: 'Chart' }));
    const hideFast = within(card).getByRole('button', {
      name: '1 sandbox-fast: shown, hide it in the latency chart',
    });
    fireEvent.click(hideFast);
    expect(hideFast.getAttribute('aria-pressed')).toBe('false');

    fireEvent.click(within(card).getByRole('button', { name: 'Table' }));
    const table = within(card).getByRole('table');
    // Every model stays in the table; the hidden one is named over it and its rows are greyed.
    expect(within(card).getByTestId('chart-table-hidden').textContent).toBe(
      'Hidden in the chart: sandbox-fast. The table shows every series.',
    );
    expect(table.getAttribute('aria-describedby')).toBe(
      within(card).getByTestId('chart-table-hidden').id,
    );
    const greyed = [...table.querySelectorAll('tbody tr[data-hidden-series="true"]')].map(
      (row) => row.querySelector('th')?.textContent,
    );
    expect(greyed).toEqual([
      'Queue · 1 sandbox-fast',
      'Generation · 1 sandbox-fast',
      'Download · 1 sandbox-fast',
      'Total · 1 sandbox-fast',
    ]);
    expect(table.querySelectorAll('tbody tr').length).toBe(8);

    fireEvent.click(within(card).getByRole('button', { name: 'Chart' }));
    // The chart comes back with the model still hidden (it used to reappear).
    expect(
      within(card)
        .getByRole('button', { name: '1 sandbox-fast: hidden, show it in the latency chart' })
        .getAttribute('aria-pressed'),
    ).toBe('false');
    expect(
      within(card)
        .getByRole('button', { name: '2 sandbox-pro: shown, hide it in the latency chart' })
        .getAttribute('aria-pressed'),
    ).toBe('true');

    // Shown again: the table has no note and nothing greyed.
    fireEvent.click(
      within(card).getByRole('button', {
        name: '1 sandbox-fast: hidden, show it in the latency chart',
      }),
    );
    fireEvent.click(within(card).getByRole('button', { name: 'Table' }));
    expect(within(card).queryByTestId('chart-table-hidden')).toBeNull();
    expect(within(card).getByRole('table').querySelectorAll('[data-hidden-series]').length).toBe(0);
  });

  it('keeps what a recharts legend hid in its card: a column of the table is greyed', () => {
    // A chart that hides series through the card's state, as the recharts legends do on click.
    function Hider(): ReactElement {
      const series = useCardSeries();
      return (
        <button
          type="button"
          onClick={() => series.onLegendClick({ dataKey: 'failure', value: 'Failure' })}
        >
          {series.isHidden('failure') ? 'Failure is hidden' : 'Failure is shown'}
        </button>
      );
    }
    const table: ChartTableData = {
      caption: 'Outcomes.',
      columns: ['Model', 'Success (% of rated)', 'Failure (% of rated)'],
      columnSeries: [null, 'success', 'failure'],
      rows: [{ key: 'a', header: 'fast', cells: ['75%', '25%'], csv: ['fast', 0.75, 0.25] }],
      csvColumns: ['model', 'success_rate', 'failure_rate'],
    };
    render(
      <ChartCard title="Outcomes" subtitle="Shares" testId="chart-test" table={table}>
        <Hider />
      </ChartCard>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Failure is shown' }));
    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    expect(screen.getByTestId('chart-table-hidden').textContent).toBe(
      'Hidden in the chart: Failure. The table shows every series.',
    );
    const greyed = [...screen.getByRole('table').querySelectorAll('[data-hidden-series="true"]')];
    expect(greyed.map((cell) => cell.textContent)).toEqual(['Failure (% of rated)', '25%']);
    fireEvent.click(screen.getByRole('button', { name: 'Chart' }));
    expect(screen.getByRole('button', { name: 'Failure is hidden' })).toBeTruthy();
  });

  it('remembers a chart’s view for the session, each chart its own', async () => {
    serveScorecard([fast, pro]);
    const first = renderScorecard(run);
    const cost = await screen.findByTestId('chart-cost');
    fireEvent.click(within(cost).getByRole('button', { name: 'Table' }));
    first.unmount();

    serveScorecard([fast, pro]);
    renderScorecard({ ...run, id: 'run-2' });
    const again = await screen.findByTestId('chart-cost');
    expect(again.getAttribute('data-view')).toBe('table');
    expect(within(again).getByRole('table')).toBeTruthy();
    // The other charts kept their own view.
    expect(screen.getByTestId('chart-outcomes').getAttribute('data-view')).toBe('chart');
  });

  it('copies raw numbers, units in the column names, quoting what needs it', async () => {
    const table: ChartTableData = {
      caption: 'Test data.',
      columns: ['Model', 'Volume (requests)', 'Cost (USD)'],
      rows: [
        {
          key: 'a',
          header: 'kling, 2.1',
          cells: ['1,204', '$0.40'],
          csv: ['kling, 2.1', 1204, 0.4],
        },
        { key: 'b', header: '=cmd', cells: ['—', '$12.00'], csv: ['=cmd', null, 12] },
      ],
      csvColumns: ['model', 'requests', 'cost_usd'],
    };
    // No "$", "%", grouping comma or unit in a cell: a spreadsheet reads each as a number.
    const csv = 'model,requests,cost_usd\r\n"kling, 2.1",1204,0.4\r\n\'=cmd,,12\r\n';
    expect(chartTableCsv(table)).toBe(csv);
    // A row that does not fit the header is refused, not copied with its columns shifted.
    expect(() =>
      chartTableCsv({ ...table, rows: [{ ...table.rows[0]!, csv: ['kling', 1204] }] }),
    ).toThrow('CSV row "kling, 2.1" has 2 values for 3 columns (Test data.)');

    const writeText = stubClipboard();
    render(
      <ChartCard title="Volume" subtitle="Requests" testId="chart-test" table={table}>
        <p>chart</p>
      </ChartCard>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy as CSV' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Copied to the clipboard.'),
    );
    expect(writeText).toHaveBeenCalledWith(csv);
  });

  it('copies the scorecard charts’ figures as the scorecard export writes them', async () => {
    const writeText = stubClipboard();
    serveScorecard([fast, pro, broken]);
    renderScorecard(run);
    expect(await copiedFrom(await screen.findByTestId('chart-outcomes'), writeText)).toBe(
      'model,rated,success_rate,policy_refusal_rate,failure_rate,timeout_rate,bad_output_rate\r\n' +
        'sandbox-fast,4,0.75,0,0.25,0,0\r\n' +
        'sandbox-pro,2,1,0,0,0,0\r\n' +
        'sandbox-broken,1,0,0,1,0,0\r\n',
    );
    expect(await copiedFrom(screen.getByTestId('chart-cost'), writeText)).toBe(
      'model,cost_per_second_usd,cost_usd,video_seconds\r\n' +
        'sandbox-fast,0.05,0.6,12\r\n' +
        'sandbox-pro,0.2,1.6,8\r\n' +
        'sandbox-broken,,0,0\r\n',
    );
    expect(chartTableCsv(latencyChartText([fast, pro], ['Fast', 'Pro']).table)).toBe(
      'phase,model,p50_ms,p95_ms\r\n' +
        'queue,Fast,40,95\r\nqueue,Pro,70,90\r\n' +
        'generation,Fast,2500,4100\r\ngeneration,Pro,6100,9800\r\n' +
        'download,Fast,120,300\r\ndownload,Pro,,\r\n' +
        'total,Fast,2700,4600\r\ntotal,Pro,6300,10200\r\n',
    );
  });

  it('names a drawn chart’s SVG with its card’s one-sentence summary', () => {
    // A fixed-size chart: happy-dom lays nothing out, so a ResponsiveContainer would draw nothing.
    function Drawn(): ReactElement {
      const image = useChartImage();
      return (
        <BarChart {...image} width={400} height={200} data={[{ model: 'a', value: 1 }]}>
          <Bar dataKey="value" isAnimationActive={false} />
        </BarChart>
      );
    }
    const text = costChartText([fast, pro, broken], ['Fast', 'Pro', 'Broken']);
    expect(text.summary).toBe(
      'Cost per successful second, 3 models: cheapest Fast at $0.05 per second',
    );
    render(
      <ChartCard title="Cost" subtitle="Per second" testId="chart-drawn" {...text}>
        <Drawn />
      </ChartCard>,
    );
    const svg = screen.getByTestId('chart-drawn').querySelector('svg.recharts-surface');
    expect(svg?.getAttribute('role')).toBe('img');
    expect(svg?.getAttribute('aria-label')).toBe(text.summary);
    expect(screen.getByRole('img', { name: text.summary })).toBe(svg);
  });

  it('sums up a chart with nothing to rank without naming a best model', () => {
    expect(outcomeChartText([], []).summary).toBe('Outcomes, 0 models: no rated generations yet');
    expect(latencyChartText([broken], ['Broken']).summary).toBe(
      'Latency per phase, 1 model: no successful generation timed yet',
    );
    expect(latencyChartText([fast, pro], ['Fast', 'Pro']).summary).toBe(
      'Latency per phase, 2 models: fastest median total Fast at 2.7 s',
    );
  });

  it('shows the review’s win-rate matrix and leaderboard as tables with full model names', async () => {
    const ratings: Rating[] = [
      {
        model: 'sandbox:sandbox-pro',
        rating: 1084.4,
        low: 1040.2,
        high: 1131.6,
        votes: 12,
        wins: 0,
        losses: 0,
        ties: 0,
        bothBad: 0,
      },
      {
        model: 'sandbox:sandbox-fast',
        rating: 915.6,
        low: 870.1,
        high: 958.9,
        votes: 12,
        wins: 0,
        losses: 0,
        ties: 0,
        bothBad: 0,
      },
    ];
    const chartData: ReviewChartData = {
      winRates: [
        {
          model: 'sandbox:sandbox-pro',
          opponent: 'sandbox:sandbox-fast',
          wins: 8.5,
          games: 12,
          rate: 8.5 / 12,
        },
        {
          model: 'sandbox:sandbox-fast',
          opponent: 'sandbox:sandbox-pro',
          wins: 3.5,
          games: 12,
          rate: 3.5 / 12,
        },
      ],
      models: [
        {
          model: 'sandbox:sandbox-fast',
          generations: 4,
          outcomes: { success: 3, policy_refusal: 0, failure: 1, timeout: 0, bad_output: 0 },
          costPerSecondUsd: 0.05,
          latencyMs: { n: 3, min: 2100, p25: 2300, p50: 2500, p75: 2800, p95: 3900, max: 4000 },
        },
        {
          model: 'sandbox:sandbox-pro',
          generations: 2,
          outcomes: { success: 2, policy_refusal: 0, failure: 0, timeout: 0, bad_output: 0 },
          costPerSecondUsd: 0.2,
          latencyMs: { n: 2, min: 5900, p25: 6000, p50: 6100, p75: 6300, p95: 6400, max: 6400 },
        },
      ],
      runIds: ['run-1'],
      votes: 12,
    };
    const { transport } = fakeTransport((channel) => {
      if (channel === 'review:get-chart-data') return { ok: true, value: chartData };
      throw new Error(`unexpected ${channel}`);
    });
    setClient(createClient(transport));
    render(<ReviewCharts ratings={ratings} category="" />);

    const matrix = await screen.findByTestId('chart-win-rate');
    fireEvent.click(within(matrix).getByRole('button', { name: 'Table' }));
    const matrixTable = within(matrix).getByRole('table');
    expect([...matrixTable.querySelectorAll('thead th')].map((cell) => cell.textContent)).toEqual([
      'Model',
      'vs sandbox:sandbox-pro (% won)',
      'vs sandbox:sandbox-fast (% won)',
    ]);
    expect(bodyRows(matrixTable)).toEqual([
      ['sandbox:sandbox-pro', '—', '71% (8.5 of 12 games)'],
      ['sandbox:sandbox-fast', '29% (3.5 of 12 games)', '—'],
    ]);

    const board = screen.getByTestId('chart-leaderboard');
    fireEvent.click(within(board).getByRole('button', { name: 'Table' }));
    expect(bodyRows(within(board).getByRole('table'))).toEqual([
      ['sandbox:sandbox-pro', '1,084', '1,040', '1,132', '12'],
      ['sandbox:sandbox-fast', '916', '870', '959', '12'],
    ]);
    // Copied: the ratings unrounded, win rates as fractions, times in milliseconds.
    const writeText = stubClipboard();
    expect(await copiedFrom(board, writeText)).toBe(
      'model,rating,rating_low_95,rating_high_95,votes\r\n' +
        'sandbox:sandbox-pro,1084.4,1040.2,1131.6,12\r\n' +
        'sandbox:sandbox-fast,915.6,870.1,958.9,12\r\n',
    );
    expect(await copiedFrom(matrix, writeText)).toBe(
      'model,win_rate vs sandbox:sandbox-pro,win_rate vs sandbox:sandbox-fast\r\n' +
        'sandbox:sandbox-pro,,0.708333333333\r\n' +
        'sandbox:sandbox-fast,0.291666666667,\r\n',
    );
    expect(await copiedFrom(screen.getByTestId('chart-outcomes'), writeText)).toBe(
      'model,rated,success_rate,policy_refusal_rate,failure_rate,timeout_rate,bad_output_rate\r\n' +
        'sandbox:sandbox-pro,2,1,0,0,0,0\r\n' +
        'sandbox:sandbox-fast,4,0.75,0,0.25,0,0\r\n',
    );
    expect(await copiedFrom(screen.getByTestId('chart-quality-cost'), writeText)).toBe(
      'model,rating,cost_per_second_usd,on_pareto_front\r\n' +
        'sandbox:sandbox-pro,1084.4,0.2,true\r\n' +
        'sandbox:sandbox-fast,915.6,0.05,true\r\n',
    );

    // The quality/cost chart's summary names the best-rated model and its price.
    expect(qualityCostText(ratings, chartData.models, (key) => key).summary).toBe(
      'Quality vs cost, 2 models: highest rating sandbox:sandbox-pro at $0.20 per second of video',
    );
    const latencyCard = screen.getByTestId('chart-latency');
    fireEvent.click(within(latencyCard).getByRole('button', { name: 'Table' }));
    expect(bodyRows(within(latencyCard).getByRole('table'))).toEqual([
      ['sandbox:sandbox-pro', '2', '5.9 s', '6 s', '6.1 s', '6.3 s', '6.4 s', '6.4 s'],
      ['sandbox:sandbox-fast', '3', '2.1 s', '2.3 s', '2.5 s', '2.8 s', '3.9 s', '4 s'],
    ]);
    expect(await copiedFrom(latencyCard, writeText)).toBe(
      'model,videos_timed,total_min_ms,total_p25_ms,total_p50_ms,total_p75_ms,total_p95_ms,total_max_ms\r\n' +
        'sandbox:sandbox-pro,2,5900,6000,6100,6300,6400,6400\r\n' +
        'sandbox:sandbox-fast,3,2100,2300,2500,2800,3900,4000\r\n',
    );
  });

  it('keeps a production series the legend hides in the table, and lists cost per day', async () => {
    const HOUR = 3600_000;
    const end = Date.UTC(2025, 5, 9, 12);
    const points = (values: (number | null)[]) =>
      values.map((value, i) => [end - (values.length - 1 - i) * HOUR, value]) as [
        number,
        number | null,
      ][];
    const series = (
      provider: string,
      model: string,
      volume: (number | null)[],
      cost: number[],
    ): TargetSeries => ({
      provider,
      model,
      volume: points(volume),
      success_rate: points(volume.map((v) => (v === null ? null : 1))),
      p95_latency: points(volume.map(() => 30)),
      generated_seconds: points(volume.map((v) => (v === null ? null : v * 5))),
      cost: points(cost),
    });
    const report: SeriesReport = {
      tier: 'premium',
      from: end - 2 * HOUR,
      to: end,
      stepSeconds: 3600,
      targets: [
        series('together', 'kling-2.1', [120, 1204, 98], [0, 4.5, 1.25]),
        series('fal', 'veo-3', [null, 40, 60], [0, 2, 3]),
      ],
      configChanges: [],
      budget: { tier: 'premium', at: end, items: [], problems: [] },
      problems: [],
    };
    render(
      <WatchCharts
        report={report}
        provider="all"
        problems={layoutProblems(report, SERIES_MEASURES)}
        markers={[]}
        dailyBudgetUsd={50}
      />,
    );
    // Hide veo-3 from every chart through the shared legend, then read the volume as a table.
    fireEvent.click(screen.getByRole('button', { name: /^fal\/veo-3: shown, hide it/ }));
    const volume = screen
      .getAllByTestId('watch-chart')
      .find((card) => card.getAttribute('data-measure') === 'volume')!;
    fireEvent.click(within(volume).getByRole('button', { name: 'Table' }));
    const table = within(volume).getByRole('table');
    expect([...table.querySelectorAll('thead th')].map((cell) => cell.textContent)).toEqual([
      'Time (UTC)',
      'together/kling-2.1 (requests per step)',
      'fal/veo-3 (requests per step)',
    ]);
    expect(bodyRows(table)).toEqual([
      ['2025-06-09 10:00 UTC', '120', '—'],
      ['2025-06-09 11:00 UTC', '1,204', '40'],
      ['2025-06-09 12:00 UTC', '98', '60'],
    ]);
    // The hidden target's column is greyed, and named over the table.
    expect(
      [...table.querySelectorAll('thead th[data-hidden-series="true"]')].map(
        (th) => th.textContent,
      ),
    ).toEqual(['fal/veo-3 (requests per step)']);
    expect(table.querySelectorAll('tbody td[data-hidden-series="true"]').length).toBe(3);
    expect(within(volume).getByTestId('chart-table-hidden').textContent).toBe(
      'Hidden in the chart: fal/veo-3. The table shows every series.',
    );

    const daily = screen
      .getAllByTestId('watch-chart')
      .find((card) => card.getAttribute('data-measure') === 'daily_cost')!;
    fireEvent.click(within(daily).getByRole('button', { name: 'Table' }));
    expect(bodyRows(within(daily).getByRole('table'))).toEqual([
      ['2025-06-09 (part of the day)', '$5.75', '$5.00', '$10.75'],
    ]);

    // Copied: instants in ISO 8601, rates as fractions, p95 latency in ms, money in USD.
    const writeText = stubClipboard();
    expect(await copiedFrom(volume, writeText)).toBe(
      'time_utc,together/kling-2.1 requests,fal/veo-3 requests\r\n' +
        '2025-06-09T10:00:00Z,120,\r\n' +
        '2025-06-09T11:00:00Z,1204,40\r\n' +
        '2025-06-09T12:00:00Z,98,60\r\n',
    );
    expect(await copiedFrom(daily, writeText)).toBe(
      'day_utc,partial_day,together/kling-2.1 cost_usd,fal/veo-3 cost_usd,all_targets cost_usd\r\n' +
        '2025-06-09,true,5.75,5,10.75\r\n',
    );
    const card = (measure: string): HTMLElement =>
      screen
        .getAllByTestId('watch-chart')
        .find((entry) => entry.getAttribute('data-measure') === measure)!;
    expect(await copiedFrom(card('success_rate'), writeText)).toBe(
      'time_utc,together/kling-2.1 success_rate,fal/veo-3 success_rate\r\n' +
        '2025-06-09T10:00:00Z,1,\r\n' +
        '2025-06-09T11:00:00Z,1,1\r\n' +
        '2025-06-09T12:00:00Z,1,1\r\n',
    );
    expect(await copiedFrom(card('p95_latency'), writeText)).toBe(
      'time_utc,together/kling-2.1 p95_latency_ms,fal/veo-3 p95_latency_ms\r\n' +
        '2025-06-09T10:00:00Z,30000,30000\r\n' +
        '2025-06-09T11:00:00Z,30000,30000\r\n' +
        '2025-06-09T12:00:00Z,30000,30000\r\n',
    );
  });
});
