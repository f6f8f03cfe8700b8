/**
 * A metrics problem shown as what it is (unreachable, query error, empty, malformed, ...), with
 * what to do about it. Used by the check report, stability and the views: never "healthy".
 */
import type { ReactElement } from 'react';
import type { QueryProblem } from '../../../shared/watch/watch-types';

export const PROBLEM_TITLE: Record<QueryProblem['kind'], string> = {
  not_configured: 'Not configured',
  unreachable: 'Prometheus unreachable',
  http_error: 'Prometheus answered with an HTTP error',
  query_error: 'A query failed',
  empty: 'No data',
  malformed: 'Prometheus gave a malformed answer',
};

export const PROBLEM_HELP: Record<QueryProblem['kind'], string> = {
  not_configured:
    'Enter the Prometheus base URL for this environment and at least one tier with thresholds below, then save.',
  unreachable:
    'Check the URL, that Prometheus is running and that this computer can reach it (VPN, firewall).',
  http_error:
    'Check the URL and, if Prometheus needs a token, that AIDEON_PROMETHEUS_TOKEN is set where the console runs.',
  query_error:
    'Check the query overrides in the settings; production may name its metrics differently.',
  empty: 'Production reported nothing in the window: check that it exports the expected metrics.',
  malformed: 'Check that the URL points at Prometheus itself (not a proxy page or dashboard).',
};

export function ProblemBox({ problem }: { problem: QueryProblem }): ReactElement {
  // "Not configured" is a state to act on, not an error: shown plain, not in red.
  const state = problem.kind === 'not_configured';
  return (
    <div
      className={`wt-problem ${state ? 'wt-problem-state' : ''}`}
      role={state ? 'status' : 'alert'}
      data-testid="watch-problem"
      data-kind={problem.kind}
    >
      <strong>{PROBLEM_TITLE[problem.kind]}</strong>
      {problem.measure ? <span className="muted small"> ({problem.measure})</span> : null}
      <p>{problem.message}</p>
      <p className="small">What to do: {PROBLEM_HELP[problem.kind]}</p>
    </div>
  );
}
