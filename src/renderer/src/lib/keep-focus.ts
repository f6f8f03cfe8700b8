/**
 * Keeps the keyboard focus somewhere useful when what had it goes away. When the focused
 * element is removed (a screen replaced by another, a dialog closed with nothing to go back to),
 * Chromium puts the focus on the page itself, and the next Tab starts over from the sidebar: a
 * keyboard user loses their place after every action.
 */

/** The focused element outside any dialog, most recently: where a dialog gives the focus back. */
let lastOutsideDialogs: HTMLElement | null = null;

function inDialog(element: Element): boolean {
  return element.closest('[role="dialog"], [role="alertdialog"]') !== null;
}

if (typeof document !== 'undefined') {
  // Capture: seen before any handler moves the focus on.
  document.addEventListener(
    'focusin',
    (event) => {
      const target = event.target;
      if (target instanceof HTMLElement && !inDialog(target)) lastOutsideDialogs = target;
    },
    true,
  );
  // Focus let go to nothing (blur(), a click on plain text): a dialog opened now had no opener,
  // and must not send the focus back to a text field left earlier (a `?` typed there later
  // would be text, not the shortcut sheet). Leaving the window does this too; coming back
  // focuses the element again and records it.
  document.addEventListener(
    'focusout',
    (event) => {
      if (event.relatedTarget === null && event.target === lastOutsideDialogs) {
        lastOutsideDialogs = null;
      }
    },
    true,
  );
}

/** Whether nothing has the focus (it is on the page itself). */
export function focusLost(): boolean {
  const active = document.activeElement;
  return active === null || active === document.body || active === document.documentElement;
}

/**
 * A dialog's `onCloseAutoFocus` for a dialog that has no Trigger (opened from the store, a
 * shortcut or the palette): Radix gives the focus back only to a Trigger, so without one it fell
 * to the page. It goes back to what had it before the dialog opened, when that is still there
 * and usable; otherwise it is left to `focusScreenHeading` (the dialog moved to another screen).
 */
export function returnFocusOnClose(event: Event): void {
  event.preventDefault();
  const target = lastOutsideDialogs;
  if (target?.isConnected && !target.matches(':disabled')) {
    target.focus({ preventScroll: true });
  }
}

/**
 * After a move to another screen: once its heading is shown (screens load lazily, and some show
 * a skeleton first), the heading takes the focus if nothing has it, so Tab continues from the
 * top of the new screen. A screen that puts the focus somewhere itself (a player, the button
 * Compare was opened from) keeps it. Gives up after `timeoutMs`. Returns a cancel function.
 */
export function focusScreenHeading(previous: Element | null, timeoutMs = 3000): () => void {
  const started = performance.now();
  let frame = 0;
  const look = (): void => {
    const heading = document.querySelector<HTMLElement>('#main h1');
    if (heading && heading !== previous) {
      if (focusLost()) {
        if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
        heading.focus({ preventScroll: true });
      }
      return;
    }
    if (performance.now() - started < timeoutMs) frame = requestAnimationFrame(look);
  };
  frame = requestAnimationFrame(look);
  return () => cancelAnimationFrame(frame);
}
