/**
 * Effects run as soon as their render is committed, as React runs them when an update comes
 * from input or from a layout effect: the renderer runs on Preact (scripts/preact-aliases.ts),
 * which runs `useEffect` callbacks only after the next frame (a requestAnimationFrame, or 35 ms).
 *
 * What depended on React's timing, found by the e2e suite:
 * - listeners and subscriptions set up in effects: a key pressed in the frame after an update
 *   met the previous ones. Esc then `?` left the shortcut sheet shut (the global key listener
 *   still saw the palette open); Ctrl+K, "open compare" and Enter ran nothing (cmdk's items
 *   subscribe to its store, and listen for being chosen, in effects);
 * - the order of effects across a render that a layout effect starts: React runs the first
 *   render's effects before that second render, Preact ran both renders' effects together.
 *   Radix's tooltip announces its opening from the first (an event on the document) and its
 *   content, mounted by the second (its portal mounts in a layout effect), listens for that
 *   event to close when another tooltip opens: it heard its own and closed at once.
 *
 * So Preact's flush of pending effects (options.requestAnimationFrame is the hook it offers for
 * scheduling it) runs in a microtask: after the render and its layout effects, before a render
 * those start (queued later), and before the browser handles the next event.
 */
import { options } from 'preact';

/** Installs the scheduling (once, before the first render). */
export function runEffectsAfterCommit(): void {
  options.requestAnimationFrame = (flush: () => void) => queueMicrotask(flush);
}
