/**
 * Dialog parts: a button that asks before doing something that cannot be undone, and the footer
 * of a dialog that is a form.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type ReactElement, type ReactNode } from 'react';
import { DialogHeader } from './dialog-header';

export function ConfirmButton({
  label,
  title,
  body,
  confirmLabel,
  busyLabel,
  keepLabel,
  onConfirm,
  className = 'button button-danger-outline button-small',
  testId,
  ariaLabel,
  disabled = false,
}: {
  label: ReactNode;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  keepLabel: string;
  onConfirm: () => Promise<void>;
  className?: string;
  testId?: string;
  ariaLabel?: string;
  /** The button cannot be pressed (something else is under way). */
  disabled?: boolean;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger
        className={className}
        data-testid={testId}
        aria-label={ariaLabel}
        disabled={disabled}
      >
        {label}
      </Dialog.Trigger>
      <Dialog.Portal>
        {/* Over any dialog it is opened from (Clear entered price), which it dims. */}
        <Dialog.Overlay className="dialog-overlay dialog-overlay-confirm" />
        <Dialog.Content className="dialog dialog-narrow dialog-confirm" role="alertdialog">
          <DialogHeader>{title}</DialogHeader>
          <Dialog.Description className="dialog-body">{body}</Dialog.Description>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary">{keepLabel}</Dialog.Close>
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              data-testid={testId ? `confirm-${testId}` : undefined}
              onClick={() => {
                setBusy(true);
                void onConfirm().finally(() => {
                  setBusy(false);
                  setOpen(false);
                });
              }}
            >
              {busy ? busyLabel : confirmLabel}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/**
 * Cancel closes the dialog; the primary button submits the form. While `busy` it reads
 * `busyLabel` and is disabled, as it is when `disabled` (the form is not ready).
 */
export function FormDialogFooter({
  label,
  busyLabel,
  busy,
  disabled = false,
  testId,
}: {
  label: string;
  busyLabel: string;
  busy: boolean;
  disabled?: boolean;
  testId?: string;
}): ReactElement {
  return (
    <div className="dialog-footer">
      <Dialog.Close className="button button-secondary" type="button">
        Cancel
      </Dialog.Close>
      <button
        type="submit"
        className="button button-primary"
        disabled={busy || disabled}
        data-testid={testId}
      >
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}
