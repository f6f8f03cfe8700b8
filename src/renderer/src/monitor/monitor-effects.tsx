/** The monitor's parts of the app shell (loaded at start, unlike the Models screen). */
import './monitor.css';
import { useEffect, type ReactElement } from 'react';
import { whenConsoleReady } from '../store/actions';
import { loadMonitor } from '../store/monitor-actions';
import { documentTitle, unreadBadgeText } from '../store/monitor-slice';
import { useAppStore } from '../store/store';

/** The unread count on the Models nav item. */
export function UnreadNavBadge(): ReactElement | null {
  const text = useAppStore((state) => unreadBadgeText(state.unread));
  if (!text) return null;
  return (
    <span className="nav-badge" data-testid="nav-unread" aria-label={`${text} unread`}>
      {text}
    </span>
  );
}

/**
 * Loads the monitor once the first screen is on screen (its three calls and their renders do not
 * delay it) and keeps the window title's unread count current.
 */
export function MonitorEffects(): null {
  const unread = useAppStore((state) => state.unread);
  useEffect(() => {
    void whenConsoleReady().then(loadMonitor);
  }, []);
  useEffect(() => {
    document.title = documentTitle(unread);
  }, [unread]);
  return null;
}
