/**
 * Roll back one environment to an earlier version the admin chooses: the stored versions
 * (version, issued, who, what each changed), then what rolling back to the chosen one changes
 * compared with what is live, and only then "Sign and roll back". The restored content is
 * published as a new, higher version, so consumers' rollback protection keeps working.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useState, type ReactElement } from 'react';
import type { Environment } from '../../../shared/rollout/environments';
import type { PublishPlan, VersionRow } from '../../../shared/rollout/publish-ipc-schemas';
import { Badge, InlineError, Loading } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { formatDateTime } from '../lib/format';
import { useAction } from '../lib/use-action';
import { useAppStore } from '../store/store';
import { PlanView, shortDigest } from './publishing-dialogs';
import { DialogHeader } from '../components/dialog-header';

function signers(row: VersionRow): string {
  const names = row.signedBy.map((key) => key.name);
  return names.length > 0 ? names.join(', ') : 'no signature';
}

export function RollbackDialog({
  environment,
  disabled,
  disabledReason,
}: {
  environment: Environment;
  disabled: boolean;
  disabledReason: string;
}): ReactElement {
  const testId = `rollback-${environment}`;
  const [open, setOpen] = useState(false);
  const [versions, setVersions] = useState<VersionRow[] | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const [plan, setPlan] = useState<PublishPlan | null>(null);
  const { busy, error, setError, run } = useAction();

  const load = async (): Promise<void> => {
    setVersions(null);
    setPlan(null);
    setChosen(null);
    setError(null);
    try {
      const rows = await getClient().invoke('publish:list-versions', { environment });
      setVersions(rows);
      setChosen(rows.find((row) => !row.isLive && !row.sameAsLive)?.version ?? null);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  useEffect(() => {
    if (!open || chosen === null) return;
    let current = true;
    setPlan(null);
    setError(null);
    getClient()
      .invoke('publish:plan', { action: 'rollback', environment, toVersion: chosen })
      .then((next) => {
        if (current) setPlan(next);
      })
      .catch((failure: unknown) => {
        if (current) setError(describeError(failure));
      });
    return () => {
      current = false;
    };
  }, [open, chosen, environment]);

  const confirm = async (): Promise<void> => {
    if (!plan || chosen === null) return;
    await run(async () => {
      const result = await getClient().invoke('publish:rollback', {
        environment,
        toVersion: chosen,
        expectFromVersion: plan.changes[0]?.fromVersion ?? 0,
      });
      const pending = result.outcomes.some((outcome) => outcome.status === 'pending');
      useAppStore
        .getState()
        .pushToast({ tone: pending ? 'info' : 'success', title: result.message });
      setOpen(false);
    });
  };

  const nothing = versions !== null && !versions.some((row) => !row.isLive && !row.sameAsLive);

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) void load();
      }}
    >
      <Dialog.Trigger
        className="button button-danger-outline button-small"
        disabled={disabled}
        title={disabled ? disabledReason : undefined}
        data-testid={testId}
      >
        Roll back…
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-wide" data-testid={`${testId}-dialog`}>
          <DialogHeader>Roll back {environment}</DialogHeader>
          <Dialog.Description asChild>
            <div className="dialog-body pb-plan">
              {versions === null && !error ? <Loading label="Reading the versions…" /> : null}
              {versions !== null ? (
                <fieldset className="pb-versions">
                  <legend className="small">
                    Choose the version whose content {environment} should run again
                  </legend>
                  <table className="table pb-versions-table" data-testid="rollback-versions">
                    <thead>
                      <tr>
                        <th aria-label="Choose" />
                        <th className="num">Version</th>
                        <th>Issued</th>
                        <th>Who</th>
                        <th>What it changed</th>
                      </tr>
                    </thead>
                    <tbody>
                      {versions.map((row) => {
                        const selectable = !row.isLive && !row.sameAsLive;
                        const id = `${testId}-v${row.version}`;
                        return (
                          <tr
                            key={row.version}
                            className={`${chosen === row.version ? 'pb-version-chosen' : ''}${selectable ? '' : ' pb-version-off'}`}
                            data-testid={`rollback-version-${row.version}`}
                            onClick={() => {
                              if (selectable) setChosen(row.version);
                            }}
                          >
                            <td>
                              <input
                                id={id}
                                type="radio"
                                name={`${testId}-version`}
                                checked={chosen === row.version}
                                disabled={!selectable}
                                onChange={() => setChosen(row.version)}
                              />
                            </td>
                            <td className="num">
                              <label htmlFor={id}>{row.version}</label>
                            </td>
                            <td title={row.issuedAt}>{formatDateTime(Date.parse(row.issuedAt))}</td>
                            <td className="small">
                              {row.publishedBy ? <strong>{row.publishedBy}</strong> : null}
                              {row.publishedBy ? ' · ' : ''}
                              <span className="muted">signed by {signers(row)}</span>
                            </td>
                            <td className="small">
                              {row.isLive ? <Badge tone="success">live</Badge> : null}
                              {!row.isLive && row.sameAsLive ? (
                                <Badge tone="neutral">same content as live</Badge>
                              ) : null}{' '}
                              <span title={row.digest}>{row.summary}</span>{' '}
                              <code className="muted">{shortDigest(row.digest)}</code>
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </fieldset>
              ) : null}
              {nothing ? (
                <p className="small" role="status">
                  No earlier version of {environment} has content other than what is live, so there
                  is nothing to roll back to.
                </p>
              ) : null}
              {error ? <InlineError message={error} /> : null}
              {chosen !== null && !plan && !error ? (
                <Loading label={`Working out what rolling back to version ${chosen} changes…`} />
              ) : null}
              {plan ? <PlanView plan={plan} /> : null}
            </div>
          </Dialog.Description>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary">Cancel</Dialog.Close>
            <button
              type="button"
              className="button button-danger"
              disabled={!plan || busy || plan.changes.every((change) => change.skipped !== null)}
              data-testid={`${testId}-confirm`}
              onClick={() => void confirm()}
            >
              {busy
                ? 'Signing…'
                : chosen !== null
                  ? `Sign and roll back to version ${chosen}`
                  : 'Sign and roll back'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
