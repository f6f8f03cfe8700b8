/**
 * Rollout → Production watch: the rollout controller, where each environment's Prometheus is,
 * guard thresholds, budget and quota per tier (read-only, from the routing config), "Check now"
 * with every guard's result, the 7-day stability count per tier, and the views (series charts with config version markers, spend against budget).
 * No data, errors, an unreachable or unconfigured Prometheus are shown as problems, never as
 * healthy. The bearer token is never entered here: the console reads AIDEON_PROMETHEUS_TOKEN.
 */
import { formatDateTime } from '../../../shared/format';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { formatGuardValue } from '../../../shared/watch/guard-value';
import type { GuardKind, WatchEnv, WatchSettings } from '../../../shared/watch/watch-settings';
import type {
  GuardStatus,
  QueryProblem,
  StabilityReport,
  WatchReport,
} from '../../../shared/watch/watch-types';
import { Badge, InlineError, Loading, type Tone } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { useAppStore } from '../store/store';
import {
  EMPTY_TIER,
  ENVS,
  errorsFromServer,
  formFromSettings,
  settingsFromForm,
  type FieldErrors,
  type TierForm,
  type WatchForm,
} from './watch-form';
import { PROBLEM_TITLE, ProblemBox } from './watch-problem';
import { WatchViews } from './watch-views';
import { ControllerPanel } from '../rollout/controller-panel';
import { WatchBudgets } from './watch-budgets';
import './watch.css';

export { ProblemBox };

export const STATUS_LABEL: Record<GuardStatus, { label: string; tone: Tone }> = {
  pass: { label: 'Pass', tone: 'success' },
  breach: { label: 'Breach', tone: 'danger' },
  no_data: { label: 'No data (problem)', tone: 'warning' },
  error: { label: 'Error (problem)', tone: 'danger' },
};

/** A guard's value or limit as the CLI and the notices write it (shared/watch/guard-value.ts). */
const fmt = (value: number | null, guard: GuardKind): string =>
  value === null ? '—' : formatGuardValue(guard, value);

/** The problems of a report, each kind once (every guard of an unreachable source repeats it). */
function reportProblems(report: WatchReport): QueryProblem[] {
  const all = [...report.problems, ...report.guards.flatMap((g) => (g.problem ? [g.problem] : []))];
  const seen = new Set<string>();
  return all.filter((problem) => {
    const key = `${problem.kind}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function CheckReport({ report }: { report: WatchReport }): ReactElement {
  const overall = STATUS_LABEL[report.status];
  const problems = reportProblems(report);
  return (
    <div className="wt-report" data-testid="watch-report" data-status={report.status}>
      <p>
        <Badge tone={overall.tone}>
          {report.status === 'pass' ? 'All guards pass' : `Not healthy: ${overall.label}`}
        </Badge>{' '}
        <span className="muted small">
          {report.env}, window {report.window}, checked {formatDateTime(report.checkedAt)}
          {report.step
            ? `, step: config version ${report.step.version}`
            : ', no rollout step'} · {report.counts.pass} pass, {report.counts.breach} breach,{' '}
          {report.counts.no_data} no data, {report.counts.error} error
        </span>
      </p>
      {problems.map((problem) => (
        <ProblemBox key={`${problem.kind}:${problem.message}`} problem={problem} />
      ))}
      {report.guards.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="watch-guards">
            <thead>
              <tr>
                <th>Tier</th>
                <th>Provider · model</th>
                <th>Guard</th>
                <th>Status</th>
                <th className="num">Value</th>
                <th className="num">Threshold</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {report.guards.map((guard, index) => {
                const status = STATUS_LABEL[guard.status];
                return (
                  <tr key={index} data-testid="watch-guard" data-status={guard.status}>
                    <td>{guard.tier}</td>
                    <td>
                      {guard.provider ? `${guard.provider} · ${guard.model ?? ''}` : 'whole tier'}
                    </td>
                    <td>
                      {guard.guard.replaceAll('_', ' ')}
                      {guard.mode !== 'absolute' ? ` (vs ${guard.mode.replace('_', ' ')})` : ''}
                      {guard.critical ? ' · critical' : ''}
                    </td>
                    <td>
                      <Badge tone={status.tone}>{status.label}</Badge>
                    </td>
                    <td className="num">{fmt(guard.value, guard.guard)}</td>
                    <td className="num">{fmt(guard.threshold, guard.guard)}</td>
                    <td className="small">
                      {/* A metrics problem is explained once in the box above the table. */}
                      {guard.problem && problems.length > 0
                        ? `${PROBLEM_TITLE[guard.problem.kind]} (see above)`
                        : guard.message}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

export function StabilityCard({ report }: { report: StabilityReport }): ReactElement {
  return (
    <div className="wt-stability" data-testid="watch-stability" data-tier={report.tier}>
      <p>
        <strong>{report.tier}</strong>:{' '}
        <span data-testid="watch-stability-count">
          {report.count} of {report.requiredDays} days without a critical issue
        </span>{' '}
        {report.stable ? (
          <Badge tone="success">Stable</Badge>
        ) : (
          <Badge tone="warning">Not stable yet</Badge>
        )}
      </p>
      {report.resetBy ? (
        <p className="small" data-testid="watch-stability-reset">
          Reset on {report.resetBy.day} ({report.resetBy.status.replace('_', ' ')}):{' '}
          {report.resetBy.failures.length > 0
            ? report.resetBy.failures
                .map(
                  (f) =>
                    `${f.guard.replaceAll('_', ' ')}${f.provider ? ` on ${f.provider} · ${f.model ?? ''}` : ''} — ${f.message}`,
                )
                .join('; ')
            : 'no details'}
        </p>
      ) : (
        <p className="small muted">Nothing reset the count in the lookback.</p>
      )}
      {report.problems
        .filter(
          (problem, index, all) =>
            all.findIndex((p) => p.kind === problem.kind && p.message === problem.message) ===
            index,
        )
        .map((problem) => (
          <ProblemBox key={`${problem.kind}:${problem.message}`} problem={problem} />
        ))}
    </div>
  );
}

function Field({
  id,
  label,
  value,
  error,
  hint,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  error?: string;
  hint?: string;
  onChange: (value: string) => void;
}): ReactElement {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? <span className="field-hint">{hint}</span> : null}
      {error ? (
        <span className="error-text" id={`${id}-error`} data-testid={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function WatchSection(): ReactElement {
  const [env, setEnv] = useState<WatchEnv>('production');
  const [base, setBase] = useState<WatchSettings | null>(null);
  const [form, setForm] = useState<WatchForm | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [checking, setChecking] = useState(false);
  const [report, setReport] = useState<WatchReport | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [stability, setStability] = useState<Record<string, StabilityReport | string>>({});

  const load = useCallback(async (): Promise<void> => {
    setLoadError(null);
    try {
      const settings = await getClient().invoke('watch:get-settings', {});
      setBase(settings);
      setForm(formFromSettings(settings));
    } catch (error) {
      setLoadError(describeError(error));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const loadStability = useCallback(
    async (settings: WatchSettings): Promise<void> => {
      if (!settings.environments[env]) return;
      const out: Record<string, StabilityReport | string> = {};
      for (const tier of settings.tiers) {
        try {
          out[tier.tier] = await getClient().invoke('watch:get-stability', {
            tier: tier.tier,
            env,
          });
        } catch (error) {
          out[tier.tier] = describeError(error);
        }
      }
      setStability(out);
    },
    [env],
  );

  if (loadError) return <InlineError message={loadError} onRetry={() => void load()} />;
  if (!form || !base)
    return <Loading label="Loading the watch settings…" skeleton="rows" count={2} />;

  const configured = base.environments[env] !== undefined;
  // Once errors are shown, every edit checks the form again, so an error goes as soon as its
  // field is fixed (and the others stay, all at once).
  const update = (next: WatchForm): void => {
    setForm(next);
    if (Object.keys(errors).length > 0) setErrors(settingsFromForm(base, next).errors ?? {});
  };
  const editTier = (index: number, patch: Partial<TierForm>): void =>
    update({ ...form, tiers: form.tiers.map((t, i) => (i === index ? { ...t, ...patch } : t)) });

  const save = async (): Promise<void> => {
    const result = settingsFromForm(base, form);
    if (result.errors) {
      setErrors(result.errors);
      return;
    }
    setSaving(true);
    setErrors({});
    try {
      const saved = await getClient().invoke('watch:save-settings', { settings: result.settings });
      setBase(saved);
      setForm(formFromSettings(saved));
      setReport(null);
      useAppStore.getState().pushToast({ tone: 'success', title: 'Watch settings saved' });
    } catch (error) {
      setErrors(errorsFromServer(describeError(error)));
    } finally {
      setSaving(false);
    }
  };

  const checkNow = async (): Promise<void> => {
    setChecking(true);
    setCheckError(null);
    try {
      setReport(await getClient().invoke('watch:check-now', { env }));
      void loadStability(base);
    } catch (error) {
      setCheckError(describeError(error));
    } finally {
      setChecking(false);
    }
  };

  return (
    <section
      className="rt-card wt-section"
      data-testid="watch-section"
      aria-label="Production watch"
    >
      <div className="rt-card-header">
        <div>
          <h2>Production watch</h2>
          <p className="muted small">
            Guards read from each environment&apos;s Prometheus. No data and errors count as
            problems, never as healthy.
          </p>
        </div>
        <div className="wt-env">
          <label htmlFor="watch-env">Environment</label>
          <select
            id="watch-env"
            data-testid="watch-env"
            value={env}
            onChange={(event) => {
              setEnv(event.target.value as WatchEnv);
              setReport(null);
              setStability({});
            }}
          >
            {ENVS.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </div>
      </div>

      <ControllerPanel />

      {!configured ? (
        <ProblemBox
          problem={{
            kind: 'not_configured',
            message: `No Prometheus is set for ${env}, so nothing is watched there.`,
          }}
        />
      ) : null}

      <div className="wt-form">
        <Field
          id={`watch-url-${env}`}
          label={`Prometheus base URL (${env})`}
          value={form.urls[env]}
          error={errors[`url.${env}`]}
          hint="Without /api/v1. Leave empty to not watch this environment."
          onChange={(value) => update({ ...form, urls: { ...form.urls, [env]: value } })}
        />
        <label className="check-label">
          <input
            type="checkbox"
            data-testid={`watch-token-${env}`}
            checked={form.useBearerToken[env]}
            onChange={(event) =>
              update({
                ...form,
                useBearerToken: { ...form.useBearerToken, [env]: event.target.checked },
              })
            }
          />
          Send a bearer token. The token is not entered or stored here: the console reads it from
          the AIDEON_PROMETHEUS_TOKEN environment variable where it runs.
        </label>
        <label className="check-label">
          <input
            type="checkbox"
            data-testid={`watch-autorollback-${env}`}
            checked={form.autoRollback[env]}
            onChange={(event) =>
              update({
                ...form,
                autoRollback: { ...form.autoRollback, [env]: event.target.checked },
              })
            }
          />
          On a breach while a step bakes, roll back automatically (signed rollback), not only pause.
        </label>

        <h3>Guard thresholds per tier</h3>
        {form.tiers.length === 0 ? (
          <p className="muted small">
            No tier has guards yet: add one (its name is the <code>tier</code> label in
            production&apos;s metrics).
          </p>
        ) : null}
        {form.tiers.map((tier, index) => (
          <div className="wt-tier" key={index} data-testid={`watch-tier-${index}`}>
            <Field
              id={`watch-tier-${index}-tier`}
              label="Tier"
              value={tier.tier}
              error={errors[`tier.${index}.tier`]}
              onChange={(value) => editTier(index, { tier: value })}
            />
            <Field
              id={`watch-tier-${index}-minSuccessRate`}
              label="Min success rate (%)"
              value={tier.minSuccessRate}
              error={errors[`tier.${index}.minSuccessRate`]}
              onChange={(value) => editTier(index, { minSuccessRate: value })}
            />
            <Field
              id={`watch-tier-${index}-maxP95LatencySeconds`}
              label="Max p95 latency (s)"
              value={tier.maxP95LatencySeconds}
              error={errors[`tier.${index}.maxP95LatencySeconds`]}
              onChange={(value) => editTier(index, { maxP95LatencySeconds: value })}
            />
            <Field
              id={`watch-tier-${index}-maxCostPerVideoUsd`}
              label="Max cost per video ($)"
              value={tier.maxCostPerVideoUsd}
              error={errors[`tier.${index}.maxCostPerVideoUsd`]}
              onChange={(value) => editTier(index, { maxCostPerVideoUsd: value })}
            />
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => update({ ...form, tiers: form.tiers.filter((_, i) => i !== index) })}
            >
              Remove
            </button>
          </div>
        ))}
        {errors.general ? <InlineError message={errors.general} /> : null}
        <div className="wt-actions">
          <button
            type="button"
            className="button button-secondary"
            data-testid="watch-add-tier"
            onClick={() =>
              update({
                ...form,
                tiers: [...form.tiers, { ...EMPTY_TIER }],
              })
            }
          >
            Add tier
          </button>
          <button
            type="button"
            className="button button-primary"
            data-testid="watch-save"
            disabled={saving}
            onClick={() => void save()}
          >
            {saving ? 'Saving…' : 'Save watch settings'}
          </button>
          <button
            type="button"
            className="button button-secondary"
            data-testid="watch-check-now"
            disabled={checking}
            onClick={() => void checkNow()}
          >
            {checking ? 'Checking…' : `Check ${env} now`}
          </button>
        </div>
      </div>

      <WatchBudgets env={env} />

      {checkError ? <InlineError message={checkError} /> : null}
      {report ? <CheckReport report={report} /> : null}

      {Object.keys(stability).length > 0 ? (
        <div>
          <h3>Stability ({env})</h3>
          {Object.entries(stability).map(([tier, value]) =>
            typeof value === 'string' ? (
              <InlineError key={tier} message={`${tier}: ${value}`} />
            ) : (
              <StabilityCard key={tier} report={value} />
            ),
          )}
        </div>
      ) : null}

      <WatchViews key={env} env={env} settings={base} />
    </section>
  );
}
