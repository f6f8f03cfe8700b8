import * as ToastPrimitive from '@radix-ui/react-toast';
import type { ReactElement } from 'react';
import { useAppStore } from '../store/store';
import { CloseIcon } from './icons';

/** Renders the store's toasts with Radix Toast (announced to screen readers, swipe to dismiss). */
export function Toasts(): ReactElement {
  const toasts = useAppStore((state) => state.toasts);
  const dismissToast = useAppStore((state) => state.dismissToast);
  return (
    <>
      {toasts.map((toast) => (
        <ToastPrimitive.Root
          key={toast.id}
          className={`toast toast-${toast.tone}`}
          duration={toast.tone === 'error' ? 10000 : 4000}
          type={toast.tone === 'error' ? 'foreground' : 'background'}
          onOpenChange={(open) => {
            if (!open) dismissToast(toast.id);
          }}
        >
          <ToastPrimitive.Title className="toast-title">{toast.title}</ToastPrimitive.Title>
          {toast.description ? (
            <ToastPrimitive.Description className="toast-description">
              {toast.description}
            </ToastPrimitive.Description>
          ) : null}
          <ToastPrimitive.Close className="icon-button toast-close" aria-label="Dismiss">
            <CloseIcon width={16} height={16} />
          </ToastPrimitive.Close>
        </ToastPrimitive.Root>
      ))}
      <ToastPrimitive.Viewport className="toast-viewport" />
    </>
  );
}
