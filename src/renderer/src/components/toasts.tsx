/**
 * The store's toasts, bottom-left. They never take the keyboard: Esc belongs to whatever the
 * admin is working in (a dialog, Compare), so a toast that appears meanwhile cannot swallow it
 * (Radix Toast registered every toast as the topmost dismissable layer, which took the first
 * Esc away from an open dialog). A toast closes by its button or after its time; the time stops
 * while the pointer or the focus is on it. Errors are announced assertively, the rest politely.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { Toast } from '../store/ui-slice';
import { useAppStore } from '../store/store';
import { CloseIcon } from './icons';

const ERROR_MS = 10_000;
const OTHER_MS = 4_000;

export function Toasts(): ReactElement {
  const toasts = useAppStore((state) => state.toasts);
  return (
    <section className="toast-region" aria-label="Notifications">
      <ol className="toast-viewport">
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} />
        ))}
      </ol>
    </section>
  );
}

function ToastItem({ toast }: { toast: Toast }): ReactElement {
  const dismissToast = useAppStore((state) => state.dismissToast);
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(
      () => dismissToast(toast.id),
      toast.tone === 'error' ? ERROR_MS : OTHER_MS,
    );
    return () => clearTimeout(timer);
  }, [held, toast.id, toast.tone, dismissToast]);
  return (
    <li
      className={`toast toast-${toast.tone}`}
      role={toast.tone === 'error' ? 'alert' : 'status'}
      aria-live={toast.tone === 'error' ? 'assertive' : 'polite'}
      aria-atomic="true"
      data-testid="toast"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <div className="toast-title">{toast.title}</div>
      {toast.description ? <div className="toast-description">{toast.description}</div> : null}
      <button
        type="button"
        className="icon-button toast-close"
        aria-label="Dismiss"
        onClick={() => dismissToast(toast.id)}
      >
        <CloseIcon width={16} height={16} />
      </button>
    </li>
  );
}
