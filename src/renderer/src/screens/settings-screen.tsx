/**
 * Settings: one card per provider (is it ready, where its key comes from, test the connection)
 * and, in the desktop app, adding / replacing / removing keys in the OS keychain.
 * A key is never shown and never kept in the store: it lives in the dialog's input until sent.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useId, useRef, useState, type FormEvent, type ReactElement } from 'react';
import type { ProviderStatus } from '../../../shared/ipc/contract';
import { KeyIcon } from '../components/icons';
import { Badge, InlineError, Loading, PageHeader } from '../components/ui';
import { loadProviders, removeKey, saveKey, testConnection, type VendorId } from '../store/actions';
import type { ConnectionTest } from '../store/providers-slice';
import { useAppStore } from '../store/store';
import { focusOnMount } from '../lib/focus-on-mount';
import { DialogHeader } from '../components/dialog-header';
import { returnFocusOnClose } from '../lib/keep-focus';

export function SettingsScreen(): ReactElement {
  const providers = useAppStore((state) => state.providers);
  const status = useAppStore((state) => state.providersStatus);
  const appInfo = useAppStore((state) => state.appInfo);
  const vendors = providers.filter((provider) => provider.provider !== 'sandbox');
  const browserMode =
    appInfo?.mode === 'browser' ||
    (vendors.length > 0 && !vendors.some((provider) => provider.keysEditable));
  const exampleVar =
    providers.find((provider) => provider.provider === 'together')?.keyEnvVar ?? 'TOGETHER_API_KEY';

  return (
    <div className="page">
      <PageHeader
        title="Settings"
        subtitle="Providers the console can call and where their API keys come from. Keys are never shown here."
      />
      {browserMode ? (
        <p className="notice" data-testid="browser-keys-hint">
          <KeyIcon />
          <span>
            In browser mode keys come from environment variables, one per provider and named on its
            card (Together AI reads <code>{exampleVar}</code>): set them before starting{' '}
            <code>npx aideon serve</code>, and start it again to pick up a change.
          </span>
        </p>
      ) : null}
      {status.kind === 'error' ? (
        <InlineError message={status.message} onRetry={() => void loadProviders()} />
      ) : status.kind !== 'loaded' ? (
        <Loading label="Loading providers…" skeleton="cards" count={6} />
      ) : (
        <ul className="provider-grid" aria-label="Providers">
          {providers.map((provider) => (
            <li key={provider.provider}>
              <ProviderCard provider={provider} />
            </li>
          ))}
        </ul>
      )}
      {appInfo ? (
        <section className="settings-section" aria-labelledby="about-heading">
          <h2 id="about-heading" className="section-title">
            About this console
          </h2>
          <dl className="facts">
            <div>
              <dt>Version</dt>
              <dd>{appInfo.version}</dd>
            </div>
            <div>
              <dt>Running as</dt>
              <dd>{appInfo.mode === 'electron' ? 'Desktop app' : 'Browser (npx aideon serve)'}</dd>
            </div>
            <div>
              <dt>ffmpeg</dt>
              <dd>
                {appInfo.ffmpegAvailable ? 'Found' : 'Not found (thumbnails and probing are off)'}
              </dd>
            </div>
          </dl>
        </section>
      ) : null}
    </div>
  );
}

/** Status words for a provider card. */
export function providerStatusLabel(provider: ProviderStatus): {
  text: string;
  tone: 'success' | 'neutral';
} {
  return provider.configured
    ? { text: 'Ready', tone: 'success' }
    : { text: 'No API key', tone: 'neutral' };
}

function KeySource({ provider }: { provider: ProviderStatus }): ReactElement {
  switch (provider.keySource) {
    case 'not_needed':
      return <>Not needed for sandbox</>;
    case 'keychain':
      return <>Saved in the system keychain</>;
    case 'environment':
      return (
        <>
          From the environment variable <code>{provider.keyEnvVar}</code>
        </>
      );
    case 'none':
      return provider.keyEnvVar ? (
        <>
          None. Reads <code>{provider.keyEnvVar}</code>
          {provider.keysEditable ? ' or the keychain' : ''}
        </>
      ) : (
        <>None</>
      );
  }
}

export function ProviderCard({ provider }: { provider: ProviderStatus }): ReactElement {
  const test = useAppStore((state) => state.connectionTests[provider.provider]);
  const [dialog, setDialog] = useState<'none' | 'key' | 'remove'>('none');
  const statusLabel = providerStatusLabel(provider);
  const id = provider.provider;
  const vendor = id === 'sandbox' ? null : (id as VendorId);
  const hasSavedKey = provider.keySource === 'keychain';
  // Where the focus goes once the key is removed: its Remove button is gone by then.
  const setKeyButton = useRef<HTMLButtonElement>(null);

  return (
    <article
      className={`provider-card ${provider.configured ? 'is-ready' : ''}`}
      data-testid={`provider-card-${id}`}
      aria-label={provider.label}
    >
      <header className="provider-card-header">
        <h2 className="provider-name">{provider.label}</h2>
        <Badge tone={statusLabel.tone}>
          <span data-testid={`provider-status-${id}`}>{statusLabel.text}</span>
        </Badge>
      </header>
      <dl className="provider-facts">
        <div>
          <dt>API key</dt>
          <dd data-testid={`provider-key-source-${id}`}>
            <KeySource provider={provider} />
          </dd>
        </div>
        <div>
          <dt>Models</dt>
          <dd className="num">{provider.modelCount}</dd>
        </div>
      </dl>
      {provider.baseUrlOverridden ? (
        <div>
          <Badge
            tone="warning"
            title="The API address is overridden by an environment variable (e.g. pointed at an emulator)."
          >
            Base URL overridden
          </Badge>
        </div>
      ) : null}
      <div className="provider-actions">
        <button
          type="button"
          className="button button-secondary button-small"
          disabled={!provider.configured || test?.kind === 'testing'}
          title={provider.configured ? undefined : 'Add a key first'}
          onClick={() => void testConnection(id)}
          data-testid={`test-connection-${id}`}
        >
          {test?.kind === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        {vendor && provider.keysEditable ? (
          <>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => setDialog('key')}
              data-testid={`set-key-${id}`}
              ref={setKeyButton}
            >
              <KeyIcon /> {hasSavedKey ? 'Replace key' : 'Add key'}
            </button>
            {hasSavedKey ? (
              <button
                type="button"
                className="button button-danger-outline button-small"
                onClick={() => setDialog('remove')}
                data-testid={`remove-key-${id}`}
              >
                Remove key
              </button>
            ) : null}
          </>
        ) : null}
      </div>
      <TestResult test={test} testId={`test-result-${id}`} />
      {vendor ? (
        <>
          <KeyDialog
            open={dialog === 'key'}
            provider={provider}
            vendor={vendor}
            replacing={hasSavedKey}
            onClose={() => setDialog('none')}
          />
          <RemoveKeyDialog
            open={dialog === 'remove'}
            provider={provider}
            vendor={vendor}
            onClose={() => setDialog('none')}
            afterRemoval={() => setKeyButton.current?.focus()}
          />
        </>
      ) : null}
    </article>
  );
}

function TestResult({
  test,
  testId,
}: {
  test: ConnectionTest | undefined;
  testId: string;
}): ReactElement | null {
  if (!test || test.kind === 'testing') return null;
  return (
    <p
      className={`test-result ${test.ok ? 'test-ok' : 'test-failed'}`}
      role="status"
      data-testid={testId}
      data-ok={test.ok}
    >
      <span className="strong">{test.ok ? 'Connected' : 'Failed'}</span>
      {test.latencyMs > 0 ? <span className="num"> · {test.latencyMs} ms</span> : null}
      <span className="test-message">{test.message}</span>
    </p>
  );
}

function KeyDialog({
  open,
  provider,
  vendor,
  replacing,
  onClose,
}: {
  open: boolean;
  provider: ProviderStatus;
  vendor: VendorId;
  replacing: boolean;
  onClose: () => void;
}): ReactElement {
  const inputId = useId();
  // The key exists only here, in this input's state, and is cleared on submit and close.
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const close = (): void => {
    setValue('');
    setError(null);
    onClose();
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const key = value.trim();
    setValue('');
    if (key.length < 8) {
      setError('That looks too short to be an API key. Paste the whole key.');
      return;
    }
    setSaving(true);
    const problem = await saveKey(vendor, key);
    setSaving(false);
    if (problem) setError(problem);
    else close();
  };

  return (
    <Dialog.Root open={open} onOpenChange={(next) => (next ? undefined : close())}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog"
          aria-describedby={`${inputId}-hint`}
          onCloseAutoFocus={returnFocusOnClose}
        >
          <form onSubmit={(event) => void submit(event)}>
            <DialogHeader closable>
              {replacing ? 'Replace' : 'Add'} {provider.label} key
            </DialogHeader>
            <div className="dialog-body dialog-stack">
              <div className="field">
                <label htmlFor={inputId}>API key</label>
                <input
                  id={inputId}
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  value={value}
                  onChange={(event) => setValue(event.target.value)}
                  aria-invalid={error !== null}
                  data-testid="key-input"
                  ref={focusOnMount}
                />
                <p className="field-hint" id={`${inputId}-hint`}>
                  Saved in the operating system&apos;s keychain. This window never sees it again.
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
                disabled={saving || value.trim() === ''}
                data-testid="key-save"
              >
                {saving ? 'Saving…' : 'Save key'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function RemoveKeyDialog({
  open,
  provider,
  vendor,
  onClose,
  afterRemoval,
}: {
  open: boolean;
  provider: ProviderStatus;
  vendor: VendorId;
  onClose: () => void;
  /** Puts the focus somewhere once the key is gone (the button that opened this went with it). */
  afterRemoval: () => void;
}): ReactElement {
  const [removing, setRemoving] = useState(false);
  const removed = useRef(false);
  return (
    <Dialog.Root open={open} onOpenChange={(next) => (next ? undefined : onClose())}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog"
          onCloseAutoFocus={(event) => {
            // Cancelled, or the removal failed: back to Remove key, which is still there.
            if (!removed.current) return returnFocusOnClose(event);
            // Removed: the Remove button is gone, and the focus would fall to the page.
            event.preventDefault();
            removed.current = false;
            afterRemoval();
          }}
        >
          <DialogHeader closable>Remove the {provider.label} key?</DialogHeader>
          <Dialog.Description className="dialog-body">
            Benchmarks can no longer use {provider.label} models until you add a key again. Runs and
            videos you already have stay.
          </Dialog.Description>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary" type="button">
              Cancel
            </Dialog.Close>
            <button
              type="button"
              className="button button-danger"
              disabled={removing}
              data-testid="confirm-remove-key"
              onClick={() => {
                setRemoving(true);
                void removeKey(vendor).then((done) => {
                  removed.current = done;
                  setRemoving(false);
                  onClose();
                });
              }}
            >
              {removing ? 'Removing…' : 'Remove key'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
