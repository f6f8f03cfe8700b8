/**
 * A dialog's title bar, the same in every dialog: its title and, where the dialog may simply be
 * left, a close button. Dialogs that ask for a decision (a confirmation, a plan to approve)
 * leave it out, so their own buttons are the way out.
 */
import * as Dialog from '@radix-ui/react-dialog';
import type { ReactElement, ReactNode } from 'react';
import { CloseIcon } from './icons';

export function DialogHeader({
  children,
  closable = false,
}: {
  /** The title. */
  children: ReactNode;
  /** Whether the bar has a close button (× at its right). */
  closable?: boolean;
}): ReactElement {
  return (
    <div className="dialog-header">
      <Dialog.Title className="dialog-title">{children}</Dialog.Title>
      {closable ? (
        <Dialog.Close className="icon-button" aria-label="Close">
          <CloseIcon />
        </Dialog.Close>
      ) : null}
    </div>
  );
}
