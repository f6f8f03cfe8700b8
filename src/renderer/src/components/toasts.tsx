/**
 * The store's toasts, bottom-left. They never take the keyboard: Esc belongs to whatever the
 * admin is working in (a dialog, Compare), so a toast that appears meanwhile cannot swallow it
 * (Radix Toast registered every toast as the topmost dismissable layer, which took the first
 * Esc away from an open dialog). A toast closes by its button or after its time; the time stops
 * while the pointer or the focus is on it. Errors are announced assertively, the rest politely.
 *
 * Toasts never cover what is marked `data-toast-keep-clear` (the blind vote's verdict buttons)
 * nor a dialog's buttons: they rise above it while it is on screen under them, so the admin can
 * act at once (an error toast of 10 s sat on "A is better" in a 1024x700 window).
 */
import { useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import type { Toast } from '../store/ui-slice';
import { useAppStore } from '../store/store';
import { CloseIcon } from './icons';

/** What toasts never cover: marked elements, and the buttons in every dialog's footer. */
const KEEP_CLEAR = '[data-toast-keep-clear], .dialog-footer > *';
const ERROR_MS = 10_000;
const OTHER_MS = 4_000;

export function Toasts(): ReactElement {
  const toasts = useAppStore((state) => state.toasts);
  const list = useRef<HTMLOListElement>(null);
  const [lift, setLift] = useState(0);
  useLayoutEffect(() => {
    const element = list.current;
    if (!element || toasts.length === 0) {
      setLift(0);
      return;
    }
    const place = (): void => {
      const region = element.getBoundingClientRect();
      const obstacles = [...document.querySelectorAll(KEEP_CLEAR)].map((node) =>
        node.getBoundingClientRect(),
      );
      setLift(liftAbove(region, window.innerHeight, obstacles));
    };
    // Measured at most once a frame: a scroll fires many events, each measure reads layout.
    let frame = 0;
    const measure = (): void => {
      if (frame === 0)
        frame = requestAnimationFrame(() => {
          frame = 0;
          place();
        });
    };
    place();
    // Any scroll (capture: the content pane scrolls, not the window) or resize moves things.
    window.addEventListener('scroll', measure, true);
    window.addEventListener('resize', measure);
    // A dialog that opens under a toast takes the focus: measure again then.
    window.addEventListener('focusin', measure);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('scroll', measure, true);
      window.removeEventListener('resize', measure);
      window.removeEventListener('focusin', measure);
    };
  }, [toasts]);
  return (
    <section className="toast-region" aria-label="Notifications">
      <ol className="toast-viewport" ref={list} style={lift > 0 ? { bottom: lift } : undefined}>
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
  const description = toastDescription(toast.title, toast.description);
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
      {description ? <div className="toast-description">{description}</div> : null}
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

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}

/**
 * How far (px) the toast list must rise from the window's bottom so that it covers none of the
 * `obstacles` on screen beside it: its bottom goes to the top of the highest one it would overlap.
 * An obstacle with no room above it for the list is left as it is (nothing better to do).
 */
export function liftAbove(region: Box, windowHeight: number, obstacles: readonly Box[]): number {
  let lift = 0;
  for (const box of obstacles) {
    if (box.width === 0 || box.height === 0) continue;
    if (box.bottom <= 0 || box.top >= windowHeight) continue;
    if (box.right <= region.left || box.left >= region.right) continue;
    // Resting at the bottom, the list covers [windowHeight - region.height, windowHeight].
    if (box.bottom <= windowHeight - region.height) continue;
    const needed = windowHeight - box.top;
    if (needed + region.height > windowHeight) continue;
    lift = Math.max(lift, needed);
  }
  return lift;
}

const SEPARATORS = /^[\s:;,.\u2013\u2014-]+/;
const normalise = (text: string): string =>
  text
    .trim()
    .replace(/[\s.:;!]+$/, '')
    .toLowerCase();

/**
 * A toast's body without its title said again: an error whose message starts with what the
 * title already says ("The vote was not saved" over "The vote was not saved: the database is
 * busy...") shows only the rest ("The database is busy..."); a body that only repeats the title
 * is dropped.
 */
export function toastDescription(title: string, description: string | undefined): string | null {
  if (!description?.trim()) return null;
  const head = normalise(title);
  if (head === '') return description;
  if (normalise(description) === head) return null;
  if (!description.trim().toLowerCase().startsWith(head)) return description;
  const rest = description.trim().slice(head.length);
  // Only a whole repeat counts: "Export failed" is not repeated by "Export failed12 files".
  if (rest !== '' && !SEPARATORS.test(rest)) return description;
  const body = rest.replace(SEPARATORS, '');
  if (body === '') return null;
  return body.charAt(0).toUpperCase() + body.slice(1);
}
