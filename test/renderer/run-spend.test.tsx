// @vitest-environment happy-dom
/**
 * The run screen's money: what was billed and what counts against the budget, with the part
 * that comes from submissions whose outcome is unknown named, so a run that skips generations
 * for budget never reads as under budget.
 */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { RunSpendSummary } from '../../src/renderer/src/bench/run-parts';
import { runSpendText } from '../../src/shared/bench/run-spend';
import type { RunSummary } from '../../src/shared/domain';

const run: RunSummary = {
  id: 'run_1',
  name: 'Smoke',
  suiteId: 'smoke',
  suiteName: 'Smoke',
  suiteVersion: 1,
  models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
  state: 'finished',
  budgetUsd: 5,
  estimatedCostUsd: 4.6,
  spentUsd: 4,
  countedUsd: 4.6,
  unknownOutcomes: 1,
  total: 10,
  done: 10,
  succeeded: 8,
  failed: 2,
  createdAt: 1_000,
  finishedAt: 2_000,
};

afterEach(cleanup);

describe('run screen spend', () => {
  it('shows billed and counted against the budget, naming the unknown submissions', () => {
    render(<RunSpendSummary run={run} />);
    expect(screen.getByTestId('run-spend-billed').textContent).toBe('$4.00');
    expect(screen.getByTestId('run-spend-counted').textContent).toBe(
      '$4.60 counted against the $5.00 budget (includes $0.60 for 1 submission with unknown outcome) · est. $4.60',
    );
    expect(screen.getByTestId('run-spend').textContent).toMatch(/^Billed\$4\.00/);
  });

  it('with no unknown submission both figures are the same and nothing more is said', () => {
    render(<RunSpendSummary run={{ ...run, countedUsd: 4, unknownOutcomes: 0 }} />);
    expect(screen.getByTestId('run-spend-counted').textContent).toBe(
      '$4.00 counted against the $5.00 budget · est. $4.60',
    );
    expect(screen.queryByTestId('run-spend-unknown')).toBeNull();
  });

  it('says how far a run went past its budget, and why, where a vendor billed above the estimates', () => {
    render(
      <RunSpendSummary run={{ ...run, spentUsd: 5.2, countedUsd: 5.2, unknownOutcomes: 0 }} />,
    );
    expect(screen.getByTestId('run-spend-over').textContent).toBe(
      '$0.20 over the budget: the vendors billed more than estimated',
    );
    expect(runSpendText({ spentUsd: 5.2, countedUsd: 5.2, budgetUsd: 5, unknownOutcomes: 0 })).toBe(
      '$5.20 billed · $5.20 counted against the $5.00 budget — $0.20 over the budget: the vendors billed more than estimated',
    );
  });

  it('within the budget, or past it by less than half a cent, nothing more is said', () => {
    render(
      <RunSpendSummary run={{ ...run, spentUsd: 5.004, countedUsd: 5.004, unknownOutcomes: 0 }} />,
    );
    expect(screen.queryByTestId('run-spend-over')).toBeNull();
    expect(runSpendText({ spentUsd: 5, countedUsd: 5, budgetUsd: 5 })).not.toContain('over');
  });

  it('a sandbox run reads as simulated, nothing billed; a run with the sandbox among others says its share is', () => {
    const sandbox = { provider: 'sandbox' as const, modelId: 'sandbox-fast' };
    render(<RunSpendSummary run={{ ...run, models: [sandbox] }} />);
    expect(screen.getByTestId('run-spend').textContent).toMatch(
      /^Simulated cost \(nothing billed\)\$4\.00/,
    );
    cleanup();
    render(<RunSpendSummary run={{ ...run, models: [...run.models, sandbox] }} />);
    expect(screen.getByTestId('run-spend').textContent).toMatch(
      /^Billed \(sandbox’s share simulated\)\$4\.00/,
    );
    expect(runSpendText({ spentUsd: 0.6, countedUsd: 0.6, budgetUsd: 1, models: [sandbox] })).toBe(
      '$0.60 simulated (nothing billed) · $0.60 counted against the $1.00 budget',
    );
    expect(runSpendText({ ...run, models: [...run.models, sandbox] })).toMatch(
      /^\$4\.00 billed \(sandbox's share simulated\) · /,
    );
  });
});
