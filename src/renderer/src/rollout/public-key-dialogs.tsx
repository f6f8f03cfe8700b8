/**
 * Exchanging public keys between admins' consoles: "Copy public key" shows one line with the
 * key id, name and public key (never the private part); "Add a public key" takes that line in
 * another console, so the key can be named in the trust file there.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type FormEvent, type ReactElement } from 'react';
import { InlineError, Loading } from '../components/ui';
import { describeError } from '../ipc/client';
import { getClient } from '../ipc';
import { useAction } from '../lib/use-action';
import { useAppStore } from '../store/store';
import { FormDialogFooter } from '../components/confirm';
import { focusOnMount } from '../lib/focus-on-mount';
import { DialogHeader } from '../components/dialog-header';

export function CopyPublicKeyDialog({ kid, name }: { kid: string; name: string }): ReactElement {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  const load = async (): Promise<void> => {
    setText(null);
    setError(null);
    setCopied(null);
    try {
      setText((await getClient().invoke('publish:export-public-key', { kid })).text);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const copy = async (): Promise<void> => {
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
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
        className="button button-secondary button-small"
        data-testid="copy-public-key"
        aria-label={`Copy public key of ${name}`}
      >
        Copy public key
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-narrow" data-testid="copy-public-key-dialog">
          <DialogHeader>Public key of “{name}”</DialogHeader>
          <Dialog.Description asChild>
            <div className="dialog-body dialog-stack">
              <p className="small">
                Send this line to the admin who manages the trust file. In their console they choose{' '}
                <strong>Keys → Add a public key</strong> and paste it; then your key can co-sign. It
                holds only the public part: the private key never leaves this console.
              </p>
              {error ? <InlineError message={error} /> : null}
              {text === null && !error ? <Loading label="Reading the public key…" /> : null}
              {text !== null ? (
                <textarea
                  className="pb-key-text"
                  readOnly
                  rows={6}
                  value={text}
                  aria-label="Public key text"
                  data-testid="public-key-text"
                  onFocus={(event) => event.currentTarget.select()}
                />
              ) : null}
              {copied === 'yes' ? <p className="small">Copied to the clipboard.</p> : null}
              {copied === 'failed' ? (
                <p className="small pb-warn">
                  The browser did not allow copying: select the text above and copy it yourself.
                </p>
              ) : null}
            </div>
          </Dialog.Description>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary">Close</Dialog.Close>
            <button
              type="button"
              className="button button-primary"
              disabled={text === null}
              data-testid="public-key-copy"
              onClick={() => void copy()}
            >
              Copy
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

export function AddPublicKeyDialog({
  onDone,
  primary = false,
}: {
  onDone: () => void;
  primary?: boolean;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    await run(async () => {
      const result = await getClient().invoke('publish:import-public-key', { text: text.trim() });
      useAppStore.getState().pushToast({
        tone: 'success',
        title: `Public key of “${result.name}” added`,
        description: result.trusted
          ? 'It is already in the trust file.'
          : 'Add it to the trust file with Trust → Change trust… so it can sign.',
      });
      setOpen(false);
      setText('');
      onDone();
    });
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setError(null);
      }}
    >
      <Dialog.Trigger
        className={`button ${primary ? 'button-primary' : 'button-secondary'} button-small`}
        data-testid="add-public-key"
      >
        Add a public key
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-narrow" data-testid="add-public-key-dialog">
          <form onSubmit={(event) => void submit(event)}>
            <DialogHeader>Add another admin’s public key</DialogHeader>
            <Dialog.Description asChild>
              <div className="dialog-body dialog-stack">
                <p className="small">
                  In the other admin’s console: <strong>Keys → Copy public key</strong>. Paste the
                  line here. The key id is checked against the key, so a mixed-up or altered line is
                  refused.
                </p>
                <div className="field">
                  <label htmlFor="public-key-input">Public key text</label>
                  <textarea
                    id="public-key-input"
                    className="pb-key-text"
                    rows={4}
                    ref={focusOnMount}
                    placeholder='{"schema":"aideon.public-key/1","kid":"…","name":"bob laptop","publicJwk":{…}}'
                    data-testid="public-key-input"
                    value={text}
                    onChange={(event) => setText(event.target.value)}
                  />
                </div>
                {error ? <InlineError message={error} /> : null}
              </div>
            </Dialog.Description>
            <FormDialogFooter
              label="Add key"
              busyLabel="Adding…"
              busy={busy}
              disabled={text.trim().length === 0}
              testId="public-key-submit"
            />
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
