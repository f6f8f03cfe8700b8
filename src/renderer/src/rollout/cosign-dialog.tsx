/**
 * Co-signing a pending bundle: the whole diff against what is live, who signed it already and
 * whether this signature makes it live, before "Co-sign".
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type ReactElement } from 'react';
import type { Environment } from '../../../shared/rollout/environments';
import type { EnvironmentOverview } from '../../../shared/rollout/publish-ipc-schemas';
import { Badge, InlineError } from '../components/ui';
import { getClient } from '../ipc';
import { useAction } from '../lib/use-action';
import { useAppStore } from '../store/store';
import { DiffTable, shortDigest } from './publishing-dialogs';
import { DialogHeader } from '../components/dialog-header';

type Pending = EnvironmentOverview['pending'][number];

export function CosignDialog({
  environment,
  item,
  threshold,
  liveVersion,
  signerNames,
  onDone,
}: {
  environment: Environment;
  item: Pending;
  threshold: number;
  liveVersion: number | null;
  signerNames: string;
  onDone: () => void;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const { busy, error, setError, run } = useAction();
  const goesLive = item.needed <= 1;

  const sign = async (): Promise<void> => {
    await run(async () => {
      const result = await getClient().invoke('publish:cosign', {
        environment,
        digest: item.digest,
      });
      useAppStore.getState().pushToast({ tone: 'success', title: result.message });
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
      }}
    >
      <Dialog.Trigger className="button button-primary button-small" data-testid="cosign">
        Co-sign version {item.version}…
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-wide" data-testid="cosign-dialog">
          <DialogHeader>
            Co-sign {environment} version {item.version}
          </DialogHeader>
          <Dialog.Description asChild>
            <div className="dialog-body pb-plan">
              <p>
                Signed by <strong>{signerNames || 'nobody yet'}</strong> ({item.keyIds.length} of{' '}
                {threshold}). <code title={item.digest}>{shortDigest(item.digest)}</code>{' '}
                {goesLive ? (
                  <Badge tone="success">Your signature makes it live at once</Badge>
                ) : (
                  <Badge tone="warning">Still needs {item.needed - 1} more after yours</Badge>
                )}
              </p>
              <div className="pb-plan-env">
                <div className="pb-plan-env-head">
                  <strong>{environment}</strong>
                  <span className="small">
                    version {liveVersion ?? '—'} → {item.version} · {item.summary}
                  </span>
                </div>
                <DiffTable diff={item.diff} testId="cosign-diff" />
              </div>
              {error ? <InlineError message={error} /> : null}
            </div>
          </Dialog.Description>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary">Cancel</Dialog.Close>
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              data-testid="cosign-confirm"
              onClick={() => void sign()}
            >
              {busy ? 'Signing…' : goesLive ? 'Co-sign and publish' : 'Co-sign'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
