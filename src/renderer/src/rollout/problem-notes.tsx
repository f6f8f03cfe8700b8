/** Problems shown next to a field, and the full problems list. */
import type { ReactElement } from 'react';
import type { RoutingProblem } from '../../../shared/routing/routing-problem';
import { Badge } from '../components/ui';

export function FieldProblems({
  problems,
}: {
  problems: readonly RoutingProblem[];
}): ReactElement | null {
  if (problems.length === 0) return null;
  return (
    <ul className="rt-field-problems">
      {problems.map((p, index) => (
        <li key={`${p.code}-${index}`} className={`rt-note rt-note-${p.severity}`}>
          {p.message}
        </li>
      ))}
    </ul>
  );
}

export function ProblemsList({
  problems,
  checking,
}: {
  problems: readonly RoutingProblem[];
  checking: boolean;
}): ReactElement {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return (
    <section className="rt-card rt-problems" aria-label="Problems" data-testid="routing-problems">
      <header className="rt-card-header">
        <h2>Checks</h2>
        <span className="muted small" data-testid="routing-problem-counts">
          {checking ? 'Checking… ' : ''}
          {errors} {errors === 1 ? 'error' : 'errors'} · {warnings}{' '}
          {warnings === 1 ? 'warning' : 'warnings'}
        </span>
      </header>
      {problems.length === 0 ? (
        <p className="rt-ok">No problems: this config can be signed.</p>
      ) : (
        <>
          <p className="muted small">
            {errors > 0
              ? 'Errors refuse signing; warnings do not.'
              : 'Only warnings: signing is allowed.'}
          </p>
          <ul className="rt-problem-list">
            {problems.map((p, index) => (
              <li
                key={`${p.path}-${p.code}-${index}`}
                className="rt-problem"
                data-testid="routing-problem"
                data-code={p.code}
                data-severity={p.severity}
              >
                <div className="rt-problem-head">
                  <Badge tone={p.severity === 'error' ? 'danger' : 'warning'}>
                    {p.severity === 'error' ? 'Error' : 'Warning'}
                  </Badge>
                  <code className="rt-path">{p.path === '' ? '(document)' : p.path}</code>
                </div>
                <p>{p.message}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
