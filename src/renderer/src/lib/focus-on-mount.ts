/**
 * Gives an element the focus when it mounts, as `ref={focusOnMount}`: the console's one way to
 * focus a dialog's first field (React's `autoFocus` prop is refused in src/renderer by
 * eslint.config.js).
 *
 * Why not `autoFocus`: React calls `focus()` itself when the element mounts, but the renderer
 * runs on Preact (scripts/preact-aliases.ts), which passes the prop on as the HTML `autofocus`
 * attribute, and Chromium honours that attribute only while nothing on the page has the focus:
 * a dialog opened from a focused button would open with its field unfocused.
 *
 * A ref callback runs when the element is mounted, in the commit, after the new elements are in
 * the document (React and Preact alike), and before any effect: Radix's dialog, looking for
 * something to focus in its own effect, finds the focus already inside and leaves it there. The
 * function is one module-level value, so a re-render does not call it again (a new function each
 * render would be detached and attached, and steal the focus back at every render).
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus();
}
