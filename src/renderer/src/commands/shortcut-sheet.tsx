/** The `?` sheet: every keyboard shortcut of the console, grouped by where it works. */
import * as Dialog from '@radix-ui/react-dialog';
import type { ReactElement } from 'react';
import { SHORTCUT_GROUPS } from './shortcuts';
import { DialogHeader } from '../components/dialog-header';
import { returnFocusOnClose } from '../lib/keep-focus';

export function ShortcutSheet({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}): ReactElement {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog dialog-wide shortcut-sheet"
          data-testid="shortcut-sheet"
          aria-describedby={undefined}
          onCloseAutoFocus={returnFocusOnClose}
        >
          <DialogHeader>Keyboard shortcuts</DialogHeader>
          {/* It scrolls on a small window and holds nothing focusable: a tab stop of its own
              lets a keyboard user scroll it with the arrow keys. */}
          <div
            className="dialog-body shortcut-groups"
            tabIndex={0}
            role="region"
            aria-label="Shortcut list"
          >
            {SHORTCUT_GROUPS.map((group) => (
              <section key={group.title} className="shortcut-group" data-testid="shortcut-group">
                <h3>
                  {group.title}{' '}
                  {group.where !== group.title ? (
                    <span className="muted small">{group.where}</span>
                  ) : null}
                </h3>
                <dl>
                  {group.shortcuts.map((shortcut) => (
                    <div
                      key={`${shortcut.keys.join('+')}-${shortcut.does}`}
                      className="shortcut-row"
                    >
                      <dt>
                        {shortcut.keys.map((key) => (
                          <kbd key={key}>{key}</kbd>
                        ))}
                      </dt>
                      <dd>{shortcut.does}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            ))}
          </div>
          <div className="dialog-footer">
            <Dialog.Close className="button button-secondary" data-testid="shortcut-sheet-close">
              Close
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
