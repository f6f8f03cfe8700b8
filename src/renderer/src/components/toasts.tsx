/**
 * The store's toasts, bottom-left. They never take the keyboard: Esc belongs to whatever the
 * admin is working in (a dialog, Compare), so a toast that appears meanwhile cannot swallow it
 * (Radix Toast registered every toast as the topmost dismissable layer, which took the first
 * Esc away from an open dialog). A toast closes by its button or after its time; the time stops
 * while the pointer or the focus is on it. Errors are announced assertively, the rest politely.
 *
 * Toasts never cover what is marked `data-toast-keep-clear` (the blind vote's verdict buttons):
 * they rise above it while it is on screen under them (an error toast of 10 s sat on "A is
 * better" in a 1024x700 window). Nor do they cover any part of an open dialog (risen above its
 * buttons, a toast sat on the middle of the price form in a 1024x640 window): see placeToasts.
 * While a dialog is open a toast stays readable (Radix hides everything outside the dialog from
 * assistive technology except live regions, so the list is marked as one) and clicking it
 * dismisses the toast, not the dialog under it.
 *
 * At most MAX_SHOWN toasts show at once, the newest; the older ones wait behind a "+N more"
 * button that shows them all (five toasts stacked beside a dialog at 1024x640 covered the sidebar
 * from top to bottom). A waiting toast stays in the list, announced when it came and readable by
 * a screen reader, only out of sight and out of the Tab order; its time starts when it shows.
 *
 * Dismissing a toast that has the focus (its button, from the keyboard) never drops the focus on
 * the page's body: it goes to the next toast's Dismiss (or the one before), and after the last
 * one back to where it was before it came into the toasts (else the main content).
 */
import { useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import type { Toast } from '../store/ui-slice';
import { useAppStore } from '../store/store';
import { CloseIcon } from './icons';

/** What toasts never cover when no dialog is open. */
const KEEP_CLEAR = '[data-toast-keep-clear]';
const DIALOGS = '[role="dialog"], [role="alertdialog"]';
/** The custom property (on the root) by which a dialog gives up room at the window's bottom. */
const ROOM = '--toast-room';
/** The narrowest column (px, the list's padding included) toasts are put in beside a dialog. */
export const MIN_COLUMN = 288;
/** How many toasts show at once (the newest); the rest wait behind "+N more". */
export const MAX_SHOWN = 3;
const ERROR_MS = 10_000;
const OTHER_MS = 4_000;

export function Toasts(): ReactElement {
  const toasts = useAppStore((state) => state.toasts);
  const dismissToast = useAppStore((state) => state.dismissToast);
  const list = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState(false);
  /** Where the focus was before it came into the toasts. */
  const returnTo = useRef<HTMLElement | null>(null);
  /** Where the focus goes once the toast that had it is gone. */
  const focusNext = useRef<HTMLElement | null>(null);
  const dismiss = (id: number, item: HTMLElement): void => {
    if (item.contains(document.activeElement)) {
      const shown = [...(list.current?.querySelectorAll<HTMLElement>('.toast') ?? [])].filter(
        (toast) => !toast.classList.contains('toast-waiting'),
      );
      const index = shown.indexOf(item);
      const neighbour = shown[index + 1] ?? shown[index - 1];
      focusNext.current =
        neighbour?.querySelector<HTMLElement>('.toast-close') ??
        (returnTo.current?.isConnected ? returnTo.current : null) ??
        document.getElementById('main');
    }
    dismissToast(id);
  };
  useLayoutEffect(() => {
    const target = focusNext.current;
    if (!target) return;
    focusNext.current = null;
    // The main content takes the focus only from code (it is not in the Tab order).
    if (target.id === 'main' && !target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus();
  }, [toasts]);
  const { waiting } = toastsShown(toasts.length, expanded);
  // Back to the newest few once there are no more than those.
  if (expanded && toasts.length <= MAX_SHOWN) setExpanded(false);
  useLayoutEffect(() => {
    const element = list.current;
    const root = document.documentElement;
    if (!element || toasts.length === 0) {
      root.style.removeProperty(ROOM);
      element?.removeAttribute('style');
      element?.removeAttribute('data-place');
      return;
    }
    const observer = new ResizeObserver(() => measure());
    let observed: Element | null = null;
    const place = (): void => {
      // Measured where everything rests (the list at its corner, the dialog with all its room),
      // then moved: all before the frame is painted.
      root.style.removeProperty(ROOM);
      element.removeAttribute('style');
      element.removeAttribute('data-place');
      const region = element.getBoundingClientRect();
      const dialog = openDialog();
      if (dialog !== observed) {
        // (Observing starts with a report: only on a change, or each report would start one.)
        observer.disconnect();
        if (dialog) observer.observe(dialog);
        observed = dialog;
      }
      const where = placeToasts({
        region,
        view: { width: window.innerWidth, height: window.innerHeight },
        dialog: dialog?.getBoundingClientRect() ?? null,
        obstacles: dialog
          ? []
          : [...document.querySelectorAll(KEEP_CLEAR)].map((node) => node.getBoundingClientRect()),
      });
      element.dataset.place = where.kind;
      if (where.kind === 'corner' && where.lift > 0) element.style.bottom = `${where.lift}px`;
      if (where.kind === 'beside') {
        element.style.left = '0px';
        element.style.width = `${where.width}px`;
      }
      // In a row under the dialog (data-place, in the CSS): the room is one toast's height.
      if (where.kind === 'room')
        root.style.setProperty(ROOM, `${roomFor(element.getBoundingClientRect().height)}px`);
    };
    // Measured at most once a frame: a scroll fires many events, each measure reads layout.
    let frame = 0;
    function measure(): void {
      if (frame === 0)
        frame = requestAnimationFrame(() => {
          frame = 0;
          place();
        });
    }
    place();
    // Any scroll (capture: the content pane scrolls, not the window) or resize moves things.
    window.addEventListener('scroll', measure, true);
    window.addEventListener('resize', measure);
    // A dialog that opens under a toast takes the focus, and one that closes gives it back:
    // measure again then; and when one comes or goes (dialogs are portalled into the body),
    // since a closing one need not give the focus back. One that grows (its plan loaded, an
    // error shown) is observed.
    window.addEventListener('focusin', measure);
    const portals = new MutationObserver(measure);
    portals.observe(document.body, { childList: true });
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      portals.disconnect();
      window.removeEventListener('scroll', measure, true);
      window.removeEventListener('resize', measure);
      window.removeEventListener('focusin', measure);
    };
  }, [toasts, expanded]);
  useEffect(
    () => () => {
      document.documentElement.style.removeProperty(ROOM);
    },
    [],
  );
  return (
    // aria-live="off": the toasts are the live regions, each with its own politeness; the
    // attribute keeps the list out of what a modal dialog hides (Radix's hideOthers spares
    // elements with aria-live), so a toast during a dialog is still read out and reachable.
    <section
      className="toast-region"
      aria-label="Notifications"
      aria-live="off"
      // A press on a toast is not a press outside the dialog: it must not close the dialog.
      onPointerDown={(event) => event.stopPropagation()}
      onFocus={(event) => {
        const from = event.relatedTarget;
        if (from instanceof HTMLElement && !event.currentTarget.contains(from))
          returnTo.current = from;
      }}
    >
      {/* A plain container, not a list: each toast is its own status or alert (a live region), and
          a list may hold only list items. */}
      <div className="toast-viewport" ref={list}>
        {toastsShown(toasts.length, expanded).toggle ? (
          <div className="toast-more">
            <button
              type="button"
              className="toast-more-button"
              data-testid="toast-more"
              aria-expanded={expanded}
              // The older toasts are already in the list for a screen reader; this is for eyes.
              aria-label={
                expanded
                  ? 'Show only the newest notifications'
                  : `Show ${toasts.length - MAX_SHOWN} more notification${toasts.length - MAX_SHOWN === 1 ? '' : 's'}`
              }
              onClick={() => setExpanded(!expanded)}
            >
              {expanded ? 'Show fewer' : `+${toasts.length - MAX_SHOWN} more`}
            </button>
          </div>
        ) : null}
        {toasts.map((toast, index) => (
          <ToastItem key={toast.id} toast={toast} waiting={index < waiting} dismiss={dismiss} />
        ))}
      </div>
    </section>
  );
}

/** The dialog on top, when one is open and shown. */
function openDialog(): Element | null {
  const shown = [...document.querySelectorAll(DIALOGS)].filter((dialog) => {
    const rect = dialog.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  });
  return shown.at(-1) ?? null;
}

/**
 * Of `count` toasts (oldest first), how many of the oldest wait out of sight, and whether the
 * "+N more" / "Show fewer" button is there.
 */
export function toastsShown(
  count: number,
  expanded: boolean,
): { waiting: number; toggle: boolean } {
  const over = Math.max(0, count - MAX_SHOWN);
  return { waiting: expanded ? 0 : over, toggle: over > 0 };
}

/** A toast; `waiting`: out of sight behind "+N more" (its time does not run meanwhile). */
function ToastItem({
  toast,
  waiting,
  dismiss,
}: {
  toast: Toast;
  waiting: boolean;
  /** Dismisses the toast from its button, `item` being its element. */
  dismiss: (id: number, item: HTMLElement) => void;
}): ReactElement {
  const dismissToast = useAppStore((state) => state.dismissToast);
  const [held, setHeld] = useState(false);
  const description = toastDescription(toast.title, toast.description);
  useEffect(() => {
    if (held || waiting) return;
    const timer = setTimeout(
      () => dismissToast(toast.id),
      toast.tone === 'error' ? ERROR_MS : OTHER_MS,
    );
    return () => clearTimeout(timer);
  }, [held, waiting, toast.id, toast.tone, dismissToast]);
  return (
    <div
      className={`toast toast-${toast.tone}${waiting ? ' toast-waiting' : ''}`}
      role={toast.tone === 'error' ? 'alert' : 'status'}
      aria-live={toast.tone === 'error' ? 'assertive' : 'polite'}
      aria-atomic="true"
      data-testid={waiting ? 'toast-waiting' : 'toast'}
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
        tabIndex={waiting ? -1 : undefined}
        onClick={(event) => {
          const item = event.currentTarget.closest<HTMLElement>('.toast');
          if (item) dismiss(toast.id, item);
          else dismissToast(toast.id);
        }}
      >
        <CloseIcon width={16} height={16} />
      </button>
    </div>
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

export type ToastPlace =
  /** At its corner, risen `lift` px to clear what is marked to keep clear. */
  | { kind: 'corner'; lift: number }
  /** In the window's bottom-left corner, in the `width` px left of the dialog. */
  | { kind: 'beside'; width: number }
  /** In a row at the window's bottom, below the dialog, which gives up room for it (roomFor). */
  | { kind: 'room' };

/**
 * Where the toast list goes so that it covers no part of an open dialog. `region` is the list's
 * box at rest (bottom-left, beside the sidebar), `dialog` the dialog's box with all its room.
 * - No dialog: the corner, risen above the obstacles under it (liftAbove).
 * - The dialog clear of the corner (a short one, a wide window): the corner.
 * - Room beside it (a dialog 440 px wide leaves 292 px each side at 1024 px): the column to its
 *   left, over the dimmed sidebar, at the bottom, so a toast is where toasts always are.
 * - Otherwise (a wide dialog, as tall as the window): the toasts go side by side in a row at the
 *   bottom (one toast's height, not a stack's) and the dialog makes room for them (its body
 *   scrolls; its header and buttons stay). Dialogs are centred, so there is never more room
 *   above one than below it.
 */
export function placeToasts({
  region,
  view,
  dialog,
  obstacles,
}: {
  region: Box;
  view: { width: number; height: number };
  dialog: Box | null;
  obstacles: readonly Box[];
}): ToastPlace {
  if (!dialog) return { kind: 'corner', lift: liftAbove(region, view.height, obstacles) };
  const clear =
    region.right <= dialog.left ||
    region.left >= dialog.right ||
    region.bottom <= dialog.top ||
    region.top >= dialog.bottom;
  if (clear) return { kind: 'corner', lift: 0 };
  if (dialog.left >= MIN_COLUMN) return { kind: 'beside', width: Math.floor(dialog.left) };
  return { kind: 'room' };
}

/**
 * The room (px) a dialog gives up at the window's bottom for the toast list `height` px tall: the
 * list's padding above its toasts stays as the gap between the dialog and them.
 */
export function roomFor(height: number): number {
  return Math.ceil(Math.max(0, height - LIST_PADDING));
}

/** The list's padding (px), --space-5: toasts stand that far from the window's edges. */
const LIST_PADDING = 24;

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
