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
  useChartImage,
} from '../../src/renderer/src/components/chart-kit';
import { Bar, BarChart } from '../../src/renderer/src/components/recharts';
import {
  costChartText,
  latencyChartText,
  outcomeChartText,
} from '../../src/renderer/src/bench/scorecard-format';
import { fakeTransport } from './fake-transport';

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

  it('copies the table as CSV, quoting what needs it', async () => {
    const table: ChartTableData = {
      caption: 'Test data.',
      columns: ['Model', 'Volume (requests)', 'Cost (USD)'],
      rows: [
        { key: 'a', header: 'kling, 2.1', cells: ['1,204', '$0.40'] },
        { key: 'b', header: '=cmd', cells: ['—', '$12.00'] },
      ],
    };
    const csv =
      'Model,Volume (requests),Cost (USD)\r\n"kling, 2.1","1,204",$0.40\r\n\'=cmd,—,$12.00\r\n';
    expect(chartTableCsv(table)).toBe(csv);

    const writeText = vi.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
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
});
