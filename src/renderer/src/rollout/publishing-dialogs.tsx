/**
 * Dialogs of Rollout → Publishing: "what will change" before signing, unlocking and generating
 * signing keys. A passphrase typed here goes to main once and is cleared from the form at once.
 */
import { plural } from '../../../shared/format';
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type FormEvent, type ReactElement, type ReactNode } from 'react';
import type {
  ActionResult,
  PlanInput,
  PublishPlan,
} from '../../../shared/rollout/publish-ipc-schemas';
import { Badge, InlineError, Loading } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { useAction } from '../lib/use-action';
import { useAppStore } from '../store/store';
import { FormDialogFooter } from '../components/confirm';
import { focusOnMount } from '../lib/focus-on-mount';
import { DialogHeader } from '../components/dialog-header';

type DiffEntry = PublishPlan['changes'][number]['diff'][number];

export const shortDigest = (digest: string | null | undefined): string =>
  digest ? `${digest.replace(/^sha256:/, '').slice(0, 12)}…` : '—';
export const shortKid = (kid: string): string => `${kid.slice(0, 8)}…`;

const show = (value: unknown): string => {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
};

export function DiffTable({ diff, testId }: { diff: DiffEntry[]; testId?: string }): ReactElement {
  if (diff.length === 0) return <p className="muted small">No change.</p>;
  return (
    <div className="pb-diff" data-testid={testId}>
      {diff.map((entry) => (
        <div key={`${entry.kind}:${entry.path}`} className={`pb-diff-row pb-diff-${entry.kind}`}>
          <span className="pb-diff-mark" aria-label={entry.kind}>
            {entry.kind === 'added' ? '+' : entry.kind === 'removed' ? '−' : '~'}
          </span>
          <code className="pb-diff-path">{entry.path}</code>
          <span className="pb-diff-values">
            {entry.kind === 'added' ? (
              <code>{show(entry.after)}</code>
            ) : entry.kind === 'removed' ? (
              <code>{show(entry.before)}</code>
            ) : (
              <>
                <code>{show(entry.before)}</code> → <code>{show(entry.after)}</code>
              </>
            )}
          </span>
        </div>
      ))}
    </div>
  );
}

function signingNote(change: PublishPlan['changes'][number]): ReactNode {
  if (change.skipped) return null;
  if (change.willSign === 0)
    return (
      <Badge tone="danger">
        None of your unlocked keys is trusted here: unlock a listed key first
      </Badge>
    );
  if (change.willSign < change.threshold)
    return (
      <Badge tone="warning">
        Signs with {change.willSign} of {change.threshold} needed: waits for co-signature
      </Badge>
    );
  return (
    <Badge tone="success">
      {change.willSign} of {plural(change.threshold, 'signature')}: goes live at once
    </Badge>
  );
}

/** What a plan will change, per environment, and what the routing checks say (errors block it). */
export function PlanView({ plan }: { plan: PublishPlan }): ReactElement {
  const blocked = plan.problems.length > 0;
  return (
    <>
      {plan.source ? (
        <p>
          Takes exactly what is live in <strong>{plan.source.environment}</strong> (version{' '}
          {plan.source.version}).
        </p>
      ) : null}
      {plan.restoresVersion !== null ? (
        <p>
          Restores the content of version <strong>{plan.restoresVersion}</strong>, published as a
          new, higher version (consumers never go backwards).
        </p>
      ) : null}
      {plan.changes.map((change) => (
        <div
          key={change.environment}
          className="pb-plan-env"
          data-testid={`plan-${change.environment}`}
        >
          <div className="pb-plan-env-head">
            <strong>{change.environment}</strong>
            {change.skipped ? (
              <span className="muted small">{change.skipped}: unchanged</span>
            ) : (
              <span className="small">
                version {change.fromVersion || '—'} → {change.toVersion} · {change.summary}
              </span>
            )}
            {signingNote(change)}
          </div>
          {change.skipped ? null : (
            <DiffTable diff={change.diff} testId={`plan-diff-${change.environment}`} />
          )}
        </div>
      ))}
      {blocked ? (
        <div className="pb-problems" role="alert">
          <strong>The routing checks refuse this config, so it cannot be signed:</strong>
          <ul>
            {plan.problems.map((problem) => (
              <li key={`${problem.path}:${problem.message}`}>
                <code>{problem.path || '(root)'}</code> {problem.message}
              </li>
            ))}
          </ul>
          <p className="small">Fix them in Rollout → Config, save the draft, and try again.</p>
        </div>
      ) : null}
      {plan.warnings.length > 0 ? (
        <div className="pb-callout pb-callout-stack" data-testid="plan-warnings">
          <strong>
            The routing checks warn about this config (signing is allowed; read them first):
          </strong>
          <ul>
            {plan.warnings.map((warning) => (
              <li key={`${warning.path}:${warning.message}`}>
                <code>{warning.path || '(root)'}</code> {warning.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

/**
 * A button that loads the plan for `plan`, shows what will change in each environment, and
 * runs `act(plan)` only when the admin confirms.
 */
export function PlanButton({
  label,
  title,
  plan,
  act,
  confirmLabel,
  danger = false,
  disabled = false,
  disabledReason,
  testId,
  className,
}: {
  label: ReactNode;
  title: string;
  plan: PlanInput;
  act: (plan: PublishPlan) => Promise<ActionResult>;
  confirmLabel: string;
  danger?: boolean;
  disabled?: boolean;
  disabledReason?: string;
  testId: string;
  className?: string;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<PublishPlan | null>(null);
  const { busy, error, setError, run } = useAction();

  const load = async (): Promise<void> => {
    setLoaded(null);
    setError(null);
    try {
      setLoaded(await getClient().invoke('publish:plan', plan));
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const nothing = loaded !== null && loaded.changes.every((change) => change.skipped !== null);
  const blocked = loaded !== null && loaded.problems.length > 0;

  const confirm = async (): Promise<void> => {
    if (!loaded) return;
    await run(async () => {
      const result = await act(loaded);
      const pending = result.outcomes.some((outcome) => outcome.status === 'pending');
      const failed = result.outcomes.some((outcome) => outcome.status === 'failed');
      useAppStore.getState().pushToast({
        tone: failed ? 'error' : pending ? 'info' : 'success',
        title: result.message,
      });
      setOpen(false);
    });
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) void load();
      }}
    >
      <Dialog.Trigger
        className={
          className ??
          (danger
            ? 'button button-danger-outline button-small'
            : 'button button-primary button-small')
        }
        disabled={disabled}
        title={disabled ? disabledReason : undefined}
        data-testid={testId}
      >
        {label}
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-wide" data-testid={`${testId}-dialog`}>
          <DialogHeader>{title}</DialogHeader>
          <Dialog.Description asChild>
            <div className="dialog-body pb-plan">
              {error ? <InlineError message={error} /> : null}
              {!loaded && !error ? <Loading label="Working out what will change…" /> : null}
              {loaded ? <PlanView plan={loaded} /> : null}
            </div>
          </Dialog.Description>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary">Cancel</Dialog.Close>
            <button
              type="button"
              className={danger ? 'button button-danger' : 'button button-primary'}
              disabled={!loaded || busy || nothing || blocked}
              data-testid={`${testId}-confirm`}
              onClick={() => void confirm()}
            >
              {busy ? 'Signing…' : nothing ? 'Nothing to change' : confirmLabel}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** Unlock keys for this session (a passphrase in browser mode; the keychain on the desktop). */
export function UnlockDialog({
  protection,
  onDone,
}: {
  protection: 'os-keychain' | 'passphrase';
  onDone: () => void;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const typed = passphrase;
    setPassphrase('');
    await run(async () => {
      const result = await getClient().invoke(
        'publish:unlock-keys',
        typed ? { passphrase: typed } : {},
      );
      if (result.unlocked.length === 0) {
        setError(
          `No key was unlocked: ${result.failed.map((f) => `${shortKid(f.kid)} ${f.message}`).join('; ')}.`,
        );
        return;
      }
      useAppStore.getState().pushToast({
        tone: result.failed.length > 0 ? 'info' : 'success',
        title: `${plural(result.unlocked.length, 'key')} unlocked for this session`,
        ...(result.failed.length > 0
          ? {
              description: `Still locked: ${result.failed.map((f) => `${shortKid(f.kid)} (${f.message})`).join(', ')}`,
            }
          : {}),
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
        setError(null);
        setPassphrase('');
      }}
    >
      <Dialog.Trigger className="button button-primary button-small" data-testid="keys-unlock">
        Unlock keys
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-narrow" data-testid="unlock-dialog">
          <form onSubmit={(event) => void submit(event)}>
            <DialogHeader>Unlock signing keys</DialogHeader>
            <Dialog.Description asChild>
              <div className="dialog-body dialog-stack">
                <p className="small">
                  {protection === 'os-keychain'
                    ? 'Keys made in this app open with your operating system keychain. Keys made with the CLI also need their passphrase.'
                    : 'Keys in browser mode are protected by a passphrase. It is used once to open them; it is never stored or shown again. Keys stay unlocked until you lock them or the console stops.'}
                </p>
                <div className="field">
                  <label htmlFor="unlock-passphrase">
                    Passphrase{protection === 'os-keychain' ? ' (only for CLI keys)' : ''}
                  </label>
                  <input
                    id="unlock-passphrase"
                    type="password"
                    autoComplete="off"
                    ref={focusOnMount}
                    data-testid="unlock-passphrase"
                    value={passphrase}
                    onChange={(event) => setPassphrase(event.target.value)}
                  />
                </div>
                {error ? <InlineError message={error} /> : null}
              </div>
            </Dialog.Description>
            <FormDialogFooter
              label="Unlock"
              busyLabel="Unlocking…"
              busy={busy}
              disabled={protection === 'passphrase' && passphrase.length === 0}
              testId="unlock-submit"
            />
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** Generate a signing key; in browser mode it is protected by a passphrase typed twice. */
export function GenerateKeyDialog({
  protection,
  onDone,
  primary = false,
}: {
  protection: 'os-keychain' | 'passphrase';
  onDone: () => void;
  primary?: boolean;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, setError, run } = useAction();
  const needsPassphrase = protection === 'passphrase';
  const mismatch = needsPassphrase && again.length > 0 && again !== passphrase;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (needsPassphrase && passphrase.length < 8) {
      setError('The passphrase must be at least 8 characters.');
      return;
    }
    if (mismatch) return;
    const typed = passphrase;
    setPassphrase('');
    setAgain('');
    await run(async () => {
      const result = await getClient().invoke('publish:generate-key', {
        name: name.trim(),
        ...(needsPassphrase ? { passphrase: typed } : {}),
      });
      const kid = result.unlocked[0] ?? '';
      useAppStore.getState().pushToast({
        tone: 'success',
        title: `Signing key "${name.trim()}" generated and unlocked`,
        description: `Key id ${shortKid(kid)}. The private part is stored encrypted; it never leaves this console.`,
      });
      setOpen(false);
      setName('');
      onDone();
    });
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setError(null);
        setPassphrase('');
        setAgain('');
      }}
    >
      <Dialog.Trigger
        className={`button ${primary ? 'button-primary' : 'button-secondary'} button-small`}
        data-testid="keys-generate"
      >
        Generate key
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-narrow" data-testid="generate-key-dialog">
          <form onSubmit={(event) => void submit(event)}>
            <DialogHeader>Generate a signing key</DialogHeader>
            <Dialog.Description asChild>
              <div className="dialog-body dialog-stack">
                <p className="small">
                  An Ed25519 key for signing configs.{' '}
                  {needsPassphrase
                    ? 'Its private part is encrypted with the passphrase below; without the passphrase nobody (you included) can use it.'
                    : 'Its private part is encrypted by your operating system keychain.'}
                </p>
                <div className="field">
                  <label htmlFor="key-name">Name (who holds it)</label>
                  <input
                    id="key-name"
                    ref={focusOnMount}
                    placeholder="alice laptop"
                    data-testid="key-name"
                    value={name}
                    onChange={(event) => setName(event.target.value)}
                  />
                </div>
                {needsPassphrase ? (
                  <>
                    <div className="field">
                      <label htmlFor="key-passphrase">Passphrase (at least 8 characters)</label>
                      <input
                        id="key-passphrase"
                        type="password"
                        autoComplete="new-password"
                        data-testid="key-passphrase"
                        value={passphrase}
                        onChange={(event) => setPassphrase(event.target.value)}
                      />
                    </div>
                    <div className="field">
                      <label htmlFor="key-passphrase-again">Passphrase again</label>
                      <input
                        id="key-passphrase-again"
                        type="password"
                        autoComplete="new-password"
                        data-testid="key-passphrase-again"
                        value={again}
                        aria-invalid={mismatch ? true : undefined}
                        onChange={(event) => setAgain(event.target.value)}
                      />
                      {mismatch ? (
                        <span className="error-text">The two passphrases differ.</span>
                      ) : null}
                    </div>
                  </>
                ) : null}
                {error ? <InlineError message={error} /> : null}
              </div>
            </Dialog.Description>
            <FormDialogFooter
              label="Generate"
              busyLabel="Generating…"
              busy={busy}
              disabled={
                name.trim().length === 0 ||
                (needsPassphrase && (passphrase.length === 0 || again !== passphrase))
              }
              testId="key-generate-submit"
            />
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
