/**
 * Problems next to a field, and the full problems list. Each problem's message is shown once, in
 * the Checks list; next to a field a short label names it and jumps to its entry there.
 */
import type { ReactElement } from 'react';
import type { RoutingProblem, RoutingProblemCode } from '../../../shared/routing/routing-problem';
import { Badge } from '../components/ui';
import { identifierWords } from '../../../shared/validation';

/** A few words per problem code, for the marker next to a field. */
const SHORT_LABELS: Record<RoutingProblemCode, string> = {
  schema: 'Invalid value',
  weights: 'Weights do not add up',
  'weights-ignored': 'Weight ignored',
  'empty-chain': 'No target in play',
  'unknown-model': 'Unknown model',
  capability: 'Cannot serve this tier',
  'no-evidence': 'Not benchmarked',
  'low-success-rate': 'Low success rate',
  'slow-p95': 'Slower than the timeout',
  'retired-model': 'Retired model',
  'deprecated-model': 'Deprecated model',
  'preview-model': 'Preview model',
  'simulated-model': 'Simulated sandbox',
  'no-key': 'No API key',
  'duplicate-target': 'Listed twice',
  'unreachable-target': 'Never reached',
  limits: 'Over the tier limits',
  preset: 'Preset problem',
  'flag-type': 'Mixed variant types',
  'flag-default-variant': 'Unknown default variant',
  'flag-fractional': 'Bad fractional rule',
  'flag-fractional-sum': 'Fractions not 100',
  'flag-variant-unknown': 'Unknown variant',
  'flag-targeting': 'Targeting does not evaluate',
  'flag-reference': 'Unknown flag or variant',
  'flag-disabled': 'Flag disabled',
  'cache-key': 'Cache key incomplete',
  'tier-closed': 'Tier closed',
};

/** Field names as the editor shows them; any other is split from camelCase into words. */
const FIELD_WORDS: Record<string, string> = {
  provider: 'model',
  model: 'model',
  timeoutSeconds: 'timeout',
  breaker: 'circuit breaker',
  failureRate: 'failure rate',
  keyFields: 'key fields',
  defaultVariant: 'default variant',
  requestKinds: 'request kinds',
  dailyQuota: 'daily quota per user',
};
const words = (field: string): string => FIELD_WORDS[field] ?? identifierWords(field);

/**
 * Where a problem is, in the editor's words: "tiers.free.targets.0.model" reads "Tier “free” ·
 * target 1 · model" (targets numbered as the editor numbers them). The raw path stays in the
 * tooltip and in the Raw JSON tab.
 */
export function problemPathLabel(path: string): string {
  if (path === '') return 'The whole config';
  const parts = path.split('.');
  const out: string[] = [];
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] ?? '';
    const next = parts[index + 1];
    const number = next !== undefined && /^\d+$/.test(next) ? Number(next) + 1 : null;
    if (part === 'tiers' && index === 0 && next !== undefined) {
      out.push(`Tier “${next}”`);
      index += 1;
    } else if (part === 'flags' && index === 0 && next !== undefined) {
      out.push(`Flag “${next}”`);
      index += 1;
    } else if (part === 'variants' && next !== undefined) {
      out.push(`variant “${next}”`);
      index += 1;
    } else if ((part === 'targets' || part === 'presets') && number !== null) {
      out.push(
        `${part === 'targets' ? 'target' : out.length === 0 ? 'Preset' : 'preset'} ${number}`,
      );
      index += 1;
    } else if (/^\d+$/.test(part)) {
      out.push(`#${Number(part) + 1}`);
    } else {
      const label = words(part);
      // "provider" and "model" of one target are both its model: said once.
      if (out.at(-1) !== label)
        out.push(out.length === 0 ? label.charAt(0).toUpperCase() + label.slice(1) : label);
    }
  }
  return out.join(' · ');
}

/** The id of a problem's entry in the Checks list (stable across re-checks). */
export function problemEntryId(p: Pick<RoutingProblem, 'code' | 'path'>): string {
  return `routing-problem-${p.code}-${p.path}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function showEntry(p: RoutingProblem): void {
  const entry = document.getElementById(problemEntryId(p));
  if (!entry) return;
  entry.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  entry.focus({ preventScroll: true });
}

export function FieldProblems({
  problems,
}: {
  problems: readonly RoutingProblem[];
}): ReactElement | null {
  if (problems.length === 0) return null;
  return (
    <ul className="rt-field-problems" data-testid="field-problems">
      {problems.map((p, index) => (
        <li key={`${p.code}-${p.path}-${index}`} className={`rt-note rt-note-${p.severity}`}>
          <button
            type="button"
            className="rt-note-link"
            data-testid="field-problem"
            data-code={p.code}
            title={p.message}
            // The words shown, as shown (speech input says what it sees), then the severity,
            // which the eye gets from the colour.
            aria-label={`${SHORT_LABELS[p.code]} → Checks (${p.severity === 'error' ? 'error' : 'warning'})`}
            onClick={() => showEntry(p)}
          >
            {SHORT_LABELS[p.code]}
            <span aria-hidden="true" className="rt-note-arrow">
              → Checks
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ProblemsList({
  problems,
  state,
  hasResult,
}: {
  problems: readonly RoutingProblem[];
  /** checking: the problems shown (if any) belong to an earlier config; failed: this config's check failed. */
  state: 'checking' | 'checked' | 'failed';
  /** False until a first check has answered: there is nothing to show yet. */
  hasResult: boolean;
}): ReactElement {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const stale = state !== 'checked';
  return (
    <section
      className={`rt-card rt-problems${stale ? ' rt-problems-stale' : ''}`}
      aria-label="Problems"
      aria-busy={state === 'checking'}
      data-testid="routing-problems"
      data-state={state}
    >
      <header className="rt-card-header">
        <h2>Checks</h2>
        {/* One status at a time: "Checking…" replaces the counts, never sits beside them. */}
        <span className="muted small" data-testid="routing-problem-counts">
          {state === 'checking'
            ? 'Checking…'
            : state === 'failed'
              ? 'Not checked'
              : `${errors} ${errors === 1 ? 'error' : 'errors'} · ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`}
        </span>
      </header>
      {!hasResult ? (
        <p className="muted small" data-testid="routing-problems-pending">
          {state === 'failed' ? 'The checks could not run.' : 'Checking the config…'}
        </p>
      ) : problems.length === 0 ? (
        <p className="rt-ok">
          {stale ? 'No problems in the last check.' : 'No problems: this config can be signed.'}
        </p>
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
                id={problemEntryId(p)}
                tabIndex={-1}
                className="rt-problem"
                data-testid="routing-problem"
                data-code={p.code}
                data-severity={p.severity}
              >
                <div className="rt-problem-head">
                  <Badge tone={p.severity === 'error' ? 'danger' : 'warning'}>
                    {p.severity === 'error' ? 'Error' : 'Warning'}
                  </Badge>
                  <span
                    className="rt-where"
                    data-testid="routing-problem-where"
                    title={p.path === '' ? undefined : p.path}
                  >
                    {problemPathLabel(p.path)}
                  </span>
                </div>
                {p.alsoAt?.length ? (
                  <p
                    className="rt-where rt-also"
                    data-testid="routing-problem-also"
                    title={p.alsoAt.join(', ')}
                  >
                    also {p.alsoAt.map(problemPathLabel).join('; ')}
                  </p>
                ) : null}
                <p data-testid="routing-problem-message">{p.message}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
