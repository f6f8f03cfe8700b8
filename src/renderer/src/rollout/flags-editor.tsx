/** Flags tab: state, variants, default variant and the percentages of a fractional rule. */
import type { ReactElement } from 'react';
import type { RoutingProblem } from '../../../shared/routing/routing-problem';
import { FieldProblems } from './problem-notes';
import {
  formatShare,
  fractionalEntries,
  isObject,
  problemsAt,
  problemsUnder,
  readIn,
  setFractionalWeight,
  updateIn,
  weightPercentages,
} from './routing-edit';

export function FlagsEditor({
  config,
  problems,
  onChange,
}: {
  config: unknown;
  problems: readonly RoutingProblem[];
  onChange: (next: unknown) => void;
}): ReactElement {
  const flags = readIn(config, ['flags']);
  if (!isObject(flags) || Object.keys(flags).length === 0) {
    return <p className="muted">No feature flags. Add them in the Raw JSON tab (flagd format).</p>;
  }
  return (
    <div className="rt-flags">
      {Object.entries(flags).map(([key, raw]) => {
        const flag = isObject(raw) ? raw : {};
        const base = `flags.${key}`;
        const set = (path: (string | number)[], value: unknown): void =>
          onChange(updateIn(config, ['flags', key, ...path], value));
        const variants = isObject(flag.variants) ? flag.variants : {};
        const entries = fractionalEntries(flag.targeting);
        const shares = entries ? weightPercentages(entries.map((e) => e.weight)) : [];
        const other = problemsUnder(problems, base).filter(
          (p) => p.path !== `${base}.defaultVariant` && p.path !== `${base}.state`,
        );
        return (
          <section key={key} className="rt-card rt-flag" data-testid={`flag-${key}`}>
            <header className="rt-card-header">
              <h2>
                <code>{key}</code>
              </h2>
              <label className="rt-inline">
                <span>State</span>
                <select
                  value={flag.state === 'DISABLED' ? 'DISABLED' : 'ENABLED'}
                  onChange={(event) => set(['state'], event.target.value)}
                >
                  <option value="ENABLED">Enabled</option>
                  <option value="DISABLED">Disabled</option>
                </select>
              </label>
            </header>
            <div className="rt-flag-grid">
              <div>
                <h3 className="rt-sub">Variants</h3>
                <ul className="rt-variants">
                  {Object.entries(variants).map(([name, value]) => (
                    <li key={name}>
                      <code>{name}</code> = <code>{JSON.stringify(value)}</code>
                    </li>
                  ))}
                </ul>
              </div>
              <label className="rt-field">
                <span>Default variant</span>
                <select
                  value={typeof flag.defaultVariant === 'string' ? flag.defaultVariant : ''}
                  onChange={(event) => set(['defaultVariant'], event.target.value || null)}
                >
                  <option value="">(caller's code default)</option>
                  {Object.keys(variants).map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
                <FieldProblems problems={problemsAt(problems, `${base}.defaultVariant`)} />
              </label>
              <div>
                <h3 className="rt-sub">Percentage rollout</h3>
                {entries ? (
                  <table className="rt-fractional">
                    <tbody>
                      {entries.map((entry, index) => (
                        <tr key={`${entry.variant}-${index}`}>
                          <td>
                            <code>{entry.variant}</code>
                          </td>
                          <td>
                            <input
                              type="number"
                              min={0}
                              step="any"
                              aria-label={`Fractional weight of ${entry.variant} in ${key}`}
                              data-testid={`flag-${key}-fraction-${index}`}
                              value={entry.weight}
                              onChange={(event) => {
                                const value = Number(event.target.value);
                                if (!Number.isFinite(value)) return;
                                set(
                                  ['targeting'],
                                  setFractionalWeight(flag.targeting, index, value),
                                );
                              }}
                            />
                          </td>
                          <td className="muted">{formatShare(shares[index] ?? null)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : (
                  <p className="muted small">
                    No <code>fractional</code> rule: every user gets the targeting result or the
                    default variant.
                  </p>
                )}
              </div>
            </div>
            <FieldProblems problems={other} />
          </section>
        );
      })}
    </div>
  );
}
