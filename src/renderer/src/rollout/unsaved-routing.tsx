/** Unsaved routing edits outlive the Rollout screen: the nav marks them and closing warns. */
import type { ReactElement } from 'react';
import { useAppStore } from '../store/store';

/** A dot on the Rollout nav item while the routing config has unsaved changes. */
export function UnsavedRoutingMark(): ReactElement | null {
  const dirty = useAppStore((state) => state.routingEdit !== null);
  if (!dirty) return null;
  return (
    <span
      className="nav-dot"
      data-testid="nav-rollout-unsaved"
      title="Unsaved routing changes"
      aria-label="unsaved changes"
    />
  );
}

/**
 * Asks the browser (or Electron) to confirm before the window is closed or reloaded while the
 * routing config has unsaved changes. Returns the function that removes the guard.
 */
export function guardUnsavedRouting(): () => void {
  const onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if (useAppStore.getState().routingEdit === null) return;
    event.preventDefault();
    // Older Chromium needs returnValue set to show the prompt.
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  return () => window.removeEventListener('beforeunload', onBeforeUnload);
}
