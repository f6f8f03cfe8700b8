import { formatMoney } from '../../../shared/format';
import * as Dialog from '@radix-ui/react-dialog';
import { useId, useState, type FormEvent, type ReactElement } from 'react';
import type {
  CheckResult,
  MonitorSettings,
  ProviderMonitorStatus,
} from '../../../shared/monitor/monitor-schemas';
import { PROVIDER_LABELS } from '../../../shared/providers/provider-ids';
import { Badge, InlineError, Loading } from '../components/ui';
import { formatDateTime } from '../lib/format';
import {
  checkNow,
  loadMonitorStatus,
  simulateRelease,
  updateMonitorSettings,
} from '../store/monitor-actions';
import { useAppStore } from '../store/store';
import { shortRelative } from './monitor-format';
import { useNow } from './use-now';
import { DialogHeader } from '../components/dialog-header';

/** The latest time this provider was checked, from the status or a "no key" answer we saw. */
function lastCheckTime(
  status: ProviderMonitorStatus,
  seen: CheckResult | undefined,
): number | null {
  const times = [status.lastCheckAt, seen?.at ?? null].filter((at): at is number => at !== null);
  return times.length === 0 ? null : Math.max(...times);
}

function ResultCell({
  status,
  checking,
}: {
  status: ProviderMonitorStatus;
  checking: boolean;
}): ReactElement {
  const navigate = useAppStore((state) => state.navigate);
  if (checking) {
    return (
      <span className="monitor-result" role="status">
        <span className="spinner spinner-small" aria-hidden="true" /> Checking…
      </span>
    );
  }
  if (!status.available) {
    return (
      <span className="monitor-result">
        <Badge tone="neutral">No key</Badge>
        <button
          type="button"
          className="link-button small"
          onClick={() => navigate({ screen: 'settings' })}
        >
          Add a key in Settings
        </button>
      </span>
    );
  }
  const count = status.modelCount === 1 ? '1 video model' : `${status.modelCount} video models`;
  if (status.catalogue === 'built-in') {
    // No list call at this vendor: the console's own table, which no one checked.
    const why = `${PROVIDER_LABELS[status.provider]} publishes no model list: this is the console's own table, updated with the console.`;
    return (
      <span className="monitor-result" title={why}>
        <Badge tone="neutral">Built-in list</Badge>
        <span>{status.lastStatus === 'ok' ? `${count} · ` : ''}not checked</span>
      </span>
    );
  }
  if (status.lastStatus === null) return <span className="muted">Not checked yet</span>;
  if (status.lastStatus === 'ok') {
    return (
      <span className="monitor-result">
        {status.catalogue === 'simulated' ? (
          <Badge tone="sim">Simulated catalogue</Badge>
        ) : (
          <Badge tone="success">OK</Badge>
        )}
        <span>{count}</span>
      </span>
    );
  }
  return (
    <span className="monitor-result monitor-result-failed">
      <Badge tone="danger">Failed</Badge>
      <span className="monitor-error">
        {status.lastError ?? 'The catalogue could not be read.'}
        {status.consecutiveFailures > 1
          ? ` ${status.consecutiveFailures} failures in a row; retrying with a longer wait each time.`
          : ''}
        {status.lastGoodAt !== null ? ' The last good list is still used.' : ''}
      </span>
    </span>
  );
}

function ProviderRow({
  status,
  now,
}: {
  status: ProviderMonitorStatus;
  now: number;
}): ReactElement {
  const seen = useAppStore((state) => state.monitorLastChecks[status.provider]);
  const pending = useAppStore((state) => state.monitorChecking[status.provider] === true);
  const checking = pending || status.checking;
  const last = lastCheckTime(status, seen);
  const id = status.provider;
  const builtIn = status.catalogue === 'built-in';
  return (
    <tr data-testid={`monitor-row-${id}`} data-available={status.available}>
      <th scope="row" className="strong">
        {PROVIDER_LABELS[id]}
      </th>
      <td
        className="tabular"
        data-testid={`monitor-last-${id}`}
        data-at={last ?? ''}
        title={
          last === null
            ? undefined
            : builtIn
              ? `The built-in table was last read ${formatDateTime(last)}`
              : formatDateTime(last)
        }
      >
        {builtIn ? (
          <span className="muted">Not checked</span>
        ) : last !== null ? (
          shortRelative(Math.min(last, now), now)
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      <td data-testid={`monitor-result-${id}`}>
        <ResultCell status={status} checking={checking} />
      </td>
      <td
        className="tabular"
        data-testid={`monitor-next-${id}`}
        title={status.nextCheckAt !== null ? formatDateTime(status.nextCheckAt) : undefined}
      >
        {builtIn ? (
          <span className="muted">—</span>
        ) : status.nextCheckAt !== null ? (
          shortRelative(status.nextCheckAt, now)
        ) : (
          <span className="muted">Not scheduled</span>
        )}
      </td>
      <td className="monitor-action">
        {status.catalogue === 'simulated' ? (
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={checking}
            onClick={() => void simulateRelease()}
            data-testid="monitor-simulate-release"
            title="The sandbox lists a new simulated model, as a vendor would on a release day"
          >
            Simulate a release
          </button>
        ) : null}
        {builtIn ? null : (
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={checking}
            onClick={() => void checkNow(id)}
            data-testid={`monitor-check-${id}`}
          >
            {checking ? 'Checking…' : 'Check now'}
          </button>
        )}
      </td>
    </tr>
  );
}

/** Which rows show a built-in table rather than a checked catalogue, in one sentence. */
function BuiltInNote({
  providers,
}: {
  providers: readonly ProviderMonitorStatus[];
}): ReactElement | null {
  const names = providers
    .filter((provider) => provider.catalogue === 'built-in')
    .map((provider) => PROVIDER_LABELS[provider.provider]);
  if (names.length === 0) return null;
  const list =
    names.length === 1
      ? names[0]
      : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return (
    <p className="muted small monitor-note" data-testid="monitor-built-in-note">
      Built-in list: {list} {names.length === 1 ? 'publishes' : 'publish'} no model list, so
      {names.length === 1 ? ' its row shows' : ' their rows show'} the console’s own table of
      models; nothing is checked, and their new models arrive with a console update.
    </p>
  );
}

function SettingsDialog({ settings }: { settings: MonitorSettings }): ReactElement {
  const formId = useId();
  const [open, setOpen] = useState(false);
  const [intervalText, setIntervalText] = useState(String(settings.intervalMinutes));
  const [autoSmoke, setAutoSmoke] = useState(settings.autoSmoke);
  const [budget, setBudget] = useState(String(settings.smokeBudgetUsd));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  // The form is filled from the saved settings when the dialog opens, and only then: a status
  // refresh while it is open (a scheduled check finishing) must not undo what the admin typed.
  const changeOpen = (next: boolean): void => {
    if (next) {
      setIntervalText(String(settings.intervalMinutes));
      setAutoSmoke(settings.autoSmoke);
      setBudget(String(settings.smokeBudgetUsd));
      setError(null);
      setTried(false);
    }
    setOpen(next);
  };

  // Every field's problem at once, recomputed as the admin types (fixed → gone).
  const intervalMinutes = Number(intervalText);
  const smokeBudgetUsd = Number(budget);
  const fieldErrors = {
    interval:
      intervalText.trim() === '' ||
      !Number.isInteger(intervalMinutes) ||
      intervalMinutes < 1 ||
      intervalMinutes > 1440
        ? 'Check interval must be whole minutes from 1 to 1440 (a day).'
        : null,
    budget:
      budget.trim() === '' ||
      !Number.isFinite(smokeBudgetUsd) ||
      smokeBudgetUsd < 0 ||
      smokeBudgetUsd > 1000
        ? 'Spend limit must be 0 or more, up to $1,000.'
        : null,
  };
  const [tried, setTried] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setTried(true);
    setError(null);
    if (fieldErrors.interval || fieldErrors.budget) return;
    setSaving(true);
    const problem = await updateMonitorSettings({ intervalMinutes, autoSmoke, smokeBudgetUsd });
    setSaving(false);
    if (problem) setError(problem);
    else setOpen(false);
  };

  return (
    <Dialog.Root open={open} onOpenChange={changeOpen}>
      <Dialog.Trigger
        className="button button-secondary button-small"
        data-testid="monitor-settings"
      >
        Settings
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-narrow" aria-describedby={`${formId}-about`}>
          <form onSubmit={(event) => void submit(event)}>
            <DialogHeader closable>Release monitor settings</DialogHeader>
            <div className="dialog-body dialog-stack">
              <p className="muted small" id={`${formId}-about`}>
                The console checks every provider&apos;s catalogue on this schedule (a little
                earlier or later each time, so checks do not bunch up).
              </p>
              <div className="field">
                <label htmlFor={`${formId}-interval`}>Check every (minutes)</label>
                <input
                  id={`${formId}-interval`}
                  type="number"
                  min={1}
                  max={1440}
                  step={1}
                  value={intervalText}
                  onChange={(event) => setIntervalText(event.target.value)}
                  aria-invalid={tried && fieldErrors.interval ? true : undefined}
                  data-testid="monitor-interval"
                />
                {tried && fieldErrors.interval ? (
                  <p className="field-error" role="alert" data-testid="monitor-interval-error">
                    {fieldErrors.interval}
                  </p>
                ) : null}
              </div>
              <label className="checkbox-line">
                <input
                  type="checkbox"
                  checked={autoSmoke}
                  onChange={(event) => setAutoSmoke(event.target.checked)}
                  data-testid="monitor-auto-smoke"
                />
                <span>Start a smoke generation automatically when a new model is detected</span>
              </label>
              <div className="field">
                <label htmlFor={`${formId}-budget`}>
                  Spend limit per automatic smoke run (USD)
                </label>
                <input
                  id={`${formId}-budget`}
                  type="number"
                  min={0}
                  max={1000}
                  step={0.5}
                  value={budget}
                  disabled={!autoSmoke}
                  onChange={(event) => setBudget(event.target.value)}
                  aria-invalid={tried && fieldErrors.budget ? true : undefined}
                  data-testid="monitor-budget"
                />
                {tried && fieldErrors.budget ? (
                  <p className="field-error" role="alert" data-testid="monitor-budget-error">
                    {fieldErrors.budget}
                  </p>
                ) : null}
                <p className="field-hint">
                  A smoke run that would cost more is not started; the card says so.
                </p>
              </div>
              {error ? <InlineError message={error} /> : null}
            </div>
            <div className="dialog-footer">
              <Dialog.Close className="button button-secondary" type="button">
                Cancel
              </Dialog.Close>
              <button
                type="submit"
                className="button button-primary"
                disabled={saving}
                data-testid="monitor-settings-save"
              >
                {saving ? 'Saving…' : 'Save'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** Per provider: last check, its result, the next scheduled check, and "Check now". */
export function MonitorPanel(): ReactElement {
  const status = useAppStore((state) => state.monitorStatus);
  const load = useAppStore((state) => state.monitorStatusLoad);
  const anyChecking = useAppStore(
    (state) =>
      Object.keys(state.monitorChecking).length > 0 ||
      (state.monitorStatus?.providers.some((provider) => provider.checking) ?? false),
  );
  const now = useNow();
  const settings = status?.settings;
  return (
    <section className="monitor-panel" aria-labelledby="monitor-title" data-testid="monitor-panel">
      <header className="monitor-header">
        <div>
          <h2 className="section-title" id="monitor-title">
            Release monitor
          </h2>
          <p className="muted small" data-testid="monitor-schedule">
            {status === null
              ? 'Watches every provider’s catalogue for new, changed and removed video models.'
              : status.running
                ? `Checks every ${status.settings.intervalMinutes} min while the console is open.${
                    status.settings.autoSmoke
                      ? ` New models get a smoke run (up to ${formatMoney(status.settings.smokeBudgetUsd)}).`
                      : ''
                  }`
                : 'The schedule is not running; use Check now.'}
          </p>
        </div>
        <div className="monitor-actions">
          {settings ? <SettingsDialog settings={settings} /> : null}
          <button
            type="button"
            className="button button-primary button-small"
            disabled={status === null || anyChecking}
            onClick={() => void checkNow()}
            data-testid="monitor-check-all"
          >
            {anyChecking ? 'Checking…' : 'Check all'}
          </button>
        </div>
      </header>
      {load.kind === 'error' && status === null ? (
        <InlineError message={load.message} onRetry={() => void loadMonitorStatus()} />
      ) : status === null ? (
        <Loading label="Loading the monitor…" skeleton="rows" count={3} />
      ) : (
        <div className="table-wrap">
          <table className="table monitor-table">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Last check</th>
                <th scope="col">Result</th>
                <th scope="col">Next check</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {status.providers.map((provider) => (
                <ProviderRow key={provider.provider} status={provider} now={now} />
              ))}
            </tbody>
          </table>
          <BuiltInNote providers={status.providers} />
        </div>
      )}
    </section>
  );
}
