/**
 * The trust file (which keys may sign, how many signatures each environment and trust changes
 * need) and changing it: choose keys and thresholds, review the before/after and what it does
 * to what is live, then sign the new trust version under the current keys.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type ReactElement } from 'react';
import type { PublishOverview, TrustPlan } from '../../../shared/rollout/publish-ipc-schemas';
import { Badge, InlineError, Loading } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { useAction } from '../lib/use-action';
import { useAppStore } from '../store/store';
import { shortKid } from './publishing-dialogs';
import { DialogHeader } from '../components/dialog-header';

type Thresholds = NonNullable<PublishOverview['trust']>['thresholds'];
const THRESHOLD_NAMES = ['dev', 'staging', 'production', 'trust'] as const;
const thresholdLabel = (name: keyof Thresholds): string =>
  name === 'trust' ? 'trust changes' : name;

interface Candidate {
  kid: string;
  name: string;
  inTrust: boolean;
  /** One of this console's own keys (it can sign here). */
  own: boolean;
  unlocked: boolean;
}

function candidatesOf(overview: PublishOverview): Candidate[] {
  const out = new Map<string, Candidate>();
  for (const key of overview.trust?.keys ?? [])
    out.set(key.kid, { kid: key.kid, name: key.name, inTrust: true, own: false, unlocked: false });
  for (const key of overview.keys)
    out.set(key.kid, {
      kid: key.kid,
      name: out.get(key.kid)?.name ?? key.name,
      inTrust: out.has(key.kid),
      own: true,
      unlocked: key.unlocked,
    });
  for (const key of overview.importedKeys)
    if (!out.has(key.kid))
      out.set(key.kid, {
        kid: key.kid,
        name: key.name,
        inTrust: false,
        own: false,
        unlocked: false,
      });
  return [...out.values()];
}

function whereLabel(candidate: Candidate): ReactElement {
  if (candidate.own)
    return candidate.unlocked ? (
      <Badge tone="success">this console · unlocked</Badge>
    ) : (
      <Badge tone="neutral">this console · locked</Badge>
    );
  return <Badge tone="info">another admin</Badge>;
}

export function TrustPanel({
  overview,
  refresh,
}: {
  overview: PublishOverview;
  refresh: () => void;
}): ReactElement | null {
  const trust = overview.trust;
  if (!trust) return null;
  const candidates = candidatesOf(overview);
  return (
    <div className="pb-panel" data-testid="trust-panel">
      <div className="pb-panel-head">
        <h3>
          Trust file <span className="muted small">version {trust.version}</span>
        </h3>
        <TrustChangeDialog overview={overview} onDone={refresh} />
      </div>
      <p className="small" data-testid="trust-thresholds">
        {THRESHOLD_NAMES.map((name) => (
          <span key={name} className="pb-threshold">
            {thresholdLabel(name)} needs <strong>{trust.thresholds[name]}</strong>
          </span>
        ))}
      </p>
      <ul className="pb-keys" data-testid="trust-keys">
        {trust.keys.map((key) => {
          const candidate = candidates.find((item) => item.kid === key.kid);
          return (
            <li key={key.kid}>
              <strong>{key.name}</strong> <code title={key.kid}>{shortKid(key.kid)}</code>{' '}
              {candidate ? whereLabel(candidate) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function TrustChangeDialog({
  overview,
  onDone,
}: {
  overview: PublishOverview;
  onDone: () => void;
}): ReactElement {
  const trust = overview.trust as NonNullable<PublishOverview['trust']>;
  const candidates = candidatesOf(overview);
  const [open, setOpen] = useState(false);
  const [kids, setKids] = useState<string[]>([]);
  const [thresholds, setThresholds] = useState<Thresholds>(trust.thresholds);
  const [plan, setPlan] = useState<TrustPlan | null>(null);
  const [loading, setLoading] = useState(false);
  const { busy, error, setError, run } = useAction();

  const tooMany = THRESHOLD_NAMES.filter((name) => thresholds[name] > kids.length);

  const review = async (): Promise<void> => {
    setLoading(true);
    setError(null);
    try {
      setPlan(await getClient().invoke('publish:plan-trust', { kids, thresholds }));
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setLoading(false);
    }
  };

  const sign = async (): Promise<void> => {
    if (!plan) return;
    await run(async () => {
      const next = await getClient().invoke('publish:rotate-trust', {
        kids,
        thresholds,
        expectTrustVersion: plan.before.version,
      });
      useAppStore.getState().pushToast({
        tone: 'success',
        title: `Trust file version ${next.trust?.version ?? plan.after.version} is in every environment`,
        description: 'Consumers that pin the trust file need the new copy (<env>/trust.json).',
      });
      setOpen(false);
      onDone();
    });
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setKids(trust.keys.map((key) => key.kid));
          setThresholds(trust.thresholds);
          setPlan(null);
          setError(null);
        }
      }}
    >
      <Dialog.Trigger className="button button-secondary button-small" data-testid="trust-change">
        Change trust…
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-wide" data-testid="trust-change-dialog">
          <DialogHeader>
            {plan
              ? `Change the trust file: version ${plan.before.version} → ${plan.after.version}`
              : 'Change the trust file'}
          </DialogHeader>
          <Dialog.Description asChild>
            <div className="dialog-body pb-plan">
              {plan ? (
                <TrustPlanView plan={plan} />
              ) : (
                <>
                  <p className="small">
                    Choose the keys that may sign and how many signatures each environment needs.
                    The change is itself signed under the current trust file (trust changes need{' '}
                    {trust.thresholds.trust}); you review it before signing. To add another admin’s
                    key, add their public key first (Keys → Add a public key).
                  </p>
                  <fieldset className="pb-trust-keys">
                    <legend className="small">Keys</legend>
                    {candidates.map((candidate) => (
                      <label
                        key={candidate.kid}
                        className="check-label"
                        data-testid={`trust-key-${candidate.name}`}
                      >
                        <input
                          type="checkbox"
                          checked={kids.includes(candidate.kid)}
                          onChange={(event) =>
                            setKids(
                              event.target.checked
                                ? [...kids, candidate.kid]
                                : kids.filter((kid) => kid !== candidate.kid),
                            )
                          }
                        />{' '}
                        {candidate.name} <code>{shortKid(candidate.kid)}</code>{' '}
                        {whereLabel(candidate)}{' '}
                        {candidate.inTrust ? null : <Badge tone="warning">not trusted yet</Badge>}
                      </label>
                    ))}
                  </fieldset>
                  <fieldset className="pb-trust-thresholds">
                    <legend className="small">Signatures needed</legend>
                    {THRESHOLD_NAMES.map((name) => (
                      <div key={name} className="field pb-inline-field">
                        <label htmlFor={`trust-threshold-${name}`}>{thresholdLabel(name)}</label>
                        <input
                          id={`trust-threshold-${name}`}
                          type="number"
                          min={1}
                          max={Math.max(kids.length, 1)}
                          value={thresholds[name]}
                          data-testid={`trust-threshold-${name}`}
                          aria-invalid={tooMany.includes(name) ? true : undefined}
                          onChange={(event) =>
                            setThresholds({
                              ...thresholds,
                              [name]: Math.max(1, Math.round(Number(event.target.value) || 1)),
                            })
                          }
                        />
                      </div>
                    ))}
                  </fieldset>
                  {kids.length === 0 ? (
                    <p className="error-text small">Choose at least one key.</p>
                  ) : tooMany.length > 0 ? (
                    <p className="error-text small">
                      {tooMany.map(thresholdLabel).join(', ')} needs more signatures than the{' '}
                      {kids.length} chosen key(s) can give.
                    </p>
                  ) : null}
                </>
              )}
              {loading ? <Loading label="Working out what will change…" /> : null}
              {error ? <InlineError message={error} /> : null}
            </div>
          </Dialog.Description>
          <div className="dialog-footer">
            {plan ? (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => setPlan(null)}
              >
                Back
              </button>
            ) : (
              <Dialog.Close className="button button-secondary">Cancel</Dialog.Close>
            )}
            {plan ? (
              <button
                type="button"
                className="button button-primary"
                disabled={busy || plan.problems.length > 0}
                data-testid="trust-change-confirm"
                onClick={() => void sign()}
              >
                {busy ? 'Signing…' : 'Sign and change trust'}
              </button>
            ) : (
              <button
                type="button"
                className="button button-primary"
                disabled={loading || kids.length === 0 || tooMany.length > 0}
                data-testid="trust-change-review"
                onClick={() => void review()}
              >
                Review change
              </button>
            )}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function TrustPlanView({ plan }: { plan: TrustPlan }): ReactElement {
  const beforeKids = new Set(plan.before.keys.map((key) => key.kid));
  const afterKids = new Set(plan.after.keys.map((key) => key.kid));
  const rows = [...plan.before.keys, ...plan.after.keys.filter((key) => !beforeKids.has(key.kid))];
  const mark = (present: boolean): string => (present ? '✓' : '—');
  return (
    <div className="pb-trust-plan" data-testid="trust-plan">
      <div className="pb-trust-compare">
        <table className="table">
          <thead>
            <tr>
              <th>Key</th>
              <th>Version {plan.before.version}</th>
              <th>Version {plan.after.version}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((key) => {
              const added = !beforeKids.has(key.kid);
              const removed = !afterKids.has(key.kid);
              return (
                <tr
                  key={key.kid}
                  className={added ? 'pb-diff-added' : removed ? 'pb-diff-removed' : ''}
                  data-testid={`trust-plan-key-${key.name}`}
                >
                  <td>
                    {key.name} <code className="muted">{shortKid(key.kid)}</code>{' '}
                    {added ? <Badge tone="success">added</Badge> : null}
                    {removed ? <Badge tone="danger">removed</Badge> : null}
                  </td>
                  <td>{mark(beforeKids.has(key.kid))}</td>
                  <td>{mark(afterKids.has(key.kid))}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <table className="table">
          <thead>
            <tr>
              <th>Signatures needed</th>
              <th>Version {plan.before.version}</th>
              <th>Version {plan.after.version}</th>
            </tr>
          </thead>
          <tbody>
            {THRESHOLD_NAMES.map((name) => {
              const changed = plan.before.thresholds[name] !== plan.after.thresholds[name];
              return (
                <tr
                  key={name}
                  className={changed ? 'pb-diff-changed' : ''}
                  data-testid={`trust-plan-threshold-${name}`}
                >
                  <td>{thresholdLabel(name)}</td>
                  <td>{plan.before.thresholds[name]}</td>
                  <td>
                    {changed ? (
                      <strong>{plan.after.thresholds[name]}</strong>
                    ) : (
                      plan.after.thresholds[name]
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="small">
        Your unlocked keys give {plan.signatures.current} of the {plan.signatures.currentNeeded}{' '}
        {plan.signatures.currentNeeded === 1 ? 'signature' : 'signatures'} the current trust file
        needs, and {plan.signatures.next} of the {plan.signatures.nextNeeded} the new one needs.
      </p>
      {plan.warnings.length > 0 ? (
        <div className="pb-callout pb-callout-stack" data-testid="trust-plan-warnings">
          <strong>Before you sign</strong>
          <ul>
            {plan.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {plan.problems.length > 0 ? (
        <div className="pb-problems" role="alert" data-testid="trust-plan-problems">
          <strong>This change cannot be signed as it is:</strong>
          <ul>
            {plan.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
