/**
 * Rollout → Production watch: each tier's budget and quota, read-only. They are set once, in
 * the routing config (`tiers.<tier>.budget`), and the watch reads them from the config the
 * environment runs (or the draft, while nothing is published there). "Edit in Routing" jumps
 * to the config editor. Budgets still in the watch settings from before the move are listed as
 * ignored, so they can be copied over.
 */
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { WatchEnv } from '../../../shared/watch/watch-settings';
import type {
  BudgetSource,
  TierBudgetLimits,
  TierBudgetsReport,
} from '../../../shared/watch/watch-types';
import { InlineError } from '../components/ui';
import { getClient } from '../ipc';
import { describeError } from '../ipc/client';
import { useAppStore } from '../store/store';
import { BUDGET_FIELDS, type BudgetField } from './watch-form';

export const BUDGET_LABELS: Record<BudgetField, string> = {
  dailyUsd: 'Daily budget',
  monthlyUsd: 'Monthly budget',
  dailyRequests: 'Daily request quota',
  dailyGeneratedSeconds: 'Daily generated seconds',
};

function value(field: BudgetField, budget: TierBudgetLimits): string {
  const amount = budget[field];
  if (amount === undefined) return '—';
  if (field === 'dailyUsd' || field === 'monthlyUsd')
    return `$${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
  return amount.toLocaleString('en-US');
}

export function sourceText(from: BudgetSource): string {
  const problem = from.problem ? ` (the published config could not be read: ${from.problem})` : '';
  switch (from.kind) {
    case 'published':
      return `Read from the routing config live in ${from.env} (version ${from.version ?? '?'}).`;
    case 'draft':
      return `Nothing is published to ${from.env} yet: read from the saved routing draft (revision ${from.revision ?? '?'})${problem}.`;
    case 'example':
      return `Nothing is published to ${from.env} and no routing draft is saved: read from the example config${problem}.`;
    default:
      return `No routing config could be read, so no tier has a budget${problem}.`;
  }
}

/** Scrolls to the routing config editor at the top of the Rollout page. */
function editInRouting(): void {
  const editor = document.querySelector<HTMLElement>('[data-testid="rollout-editor"]');
  if (!editor) return;
  editor.scrollIntoView({ behavior: 'smooth', block: 'start' });
  if (!editor.hasAttribute('tabindex')) editor.setAttribute('tabindex', '-1');
  editor.focus({ preventScroll: true });
}

export function WatchBudgets({ env }: { env: WatchEnv }): ReactElement {
  const [report, setReport] = useState<TierBudgetsReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback((): void => {
    getClient()
      .invoke('watch:get-budgets', { env })
      .then((next) => {
        setReport(next);
        setError(null);
      })
      .catch((failure: unknown) => setError(describeError(failure)));
  }, [env]);
  // A saved (or discarded) routing edit may change the draft the budgets are read from.
  const editing = useAppStore((state) => state.routingEdit !== null);
  useEffect(() => {
    load();
    // A publish or a promotion changes what the environment runs.
    return getClient().on('publish:state-changed', () => load());
  }, [load, editing]);

  return (
    <div className="wt-budgets" data-testid="watch-budgets" data-source={report?.from.kind}>
      <div className="wt-budgets-head">
        <h3>Budget and quota per tier</h3>
        <button
          type="button"
          className="button button-secondary button-small"
          data-testid="watch-budgets-edit"
          onClick={editInRouting}
        >
          Edit in Routing
        </button>
      </div>
      <p className="muted small">
        Tier-wide, per UTC day or month, set once in the routing config (each tier&apos;s Budget);
        the views chart usage against them. The per-user daily quota is the tier&apos;s Limits.
      </p>
      {error ? <InlineError message={error} onRetry={load} /> : null}
      {report ? (
        <>
          <p className="small" data-testid="watch-budgets-source">
            {sourceText(report.from)}
          </p>
          {report.tiers.length === 0 ? (
            <p className="muted small" data-testid="watch-budgets-empty">
              No tier sets a budget or quota in that config.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="watch-budgets-table">
                <thead>
                  <tr>
                    <th>Tier</th>
                    {BUDGET_FIELDS.map((field) => (
                      <th key={field} className="num">
                        {BUDGET_LABELS[field]}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {report.tiers.map((row) => (
                    <tr key={row.tier} data-testid={`watch-budget-${row.tier}`}>
                      <td>{row.tier}</td>
                      {BUDGET_FIELDS.map((field) => (
                        <td key={field} className="num" data-field={field}>
                          {value(field, row.budget)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {report.legacy.length > 0 ? (
            <div className="wt-budgets-legacy" role="note" data-testid="watch-budgets-legacy">
              <strong>Ignored: budgets still saved in the watch settings</strong>
              <p className="small">
                Budgets are now read from the routing config only. These were typed in here before
                and are no longer used; copy them into each tier&apos;s Budget in Routing (then
                publish) if they still apply:{' '}
                {report.legacy
                  .map(
                    (row) =>
                      `${row.tier}: ${BUDGET_FIELDS.filter(
                        (field) => row.budget[field] !== undefined,
                      )
                        .map(
                          (field) =>
                            `${BUDGET_LABELS[field].toLowerCase()} ${value(field, row.budget)}`,
                        )
                        .join(', ')}`,
                  )
                  .join('; ')}
                .
              </p>
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
