import type { ReactElement } from 'react';
import type { MonitorEvent } from '../../../shared/monitor/monitor-schemas';
import { PROVIDER_LABELS } from '../../../shared/providers/video-provider-spec';
import { BellIcon } from './monitor-icons';
import { Badge, EmptyState, InlineError, Loading, type Tone } from '../components/ui';
import { formatDateTime } from '../lib/format';
import {
  enableDesktopNotifications,
  loadInbox,
  markRead,
  openModelFromEvent,
} from '../store/monitor-actions';
import { useAppStore } from '../store/store';
import { EVENT_KIND_LABELS, shortRelative } from './monitor-format';
import { useNow } from './use-now';

const KIND_TONES: Record<MonitorEvent['kind'], Tone> = {
  added: 'success',
  removed: 'danger',
  changed: 'info',
  in_use_retired: 'warning',
};

function InboxItem({ event, now }: { event: MonitorEvent; now: number }): ReactElement {
  return (
    <li
      className={`inbox-item ${event.read ? '' : 'is-unread'}`}
      data-testid="inbox-item"
      data-kind={event.kind}
      data-read={event.read}
    >
      <span className="inbox-dot" aria-label={event.read ? undefined : 'Unread'} />
      <div className="inbox-main">
        <div className="inbox-line">
          <Badge tone={KIND_TONES[event.kind]}>{EVENT_KIND_LABELS[event.kind]}</Badge>
          <span className="strong">{event.displayName}</span>
          <code className="muted small">{event.modelId}</code>
        </div>
        <p className="inbox-summary">{event.summary}</p>
        <p className="muted small">
          {PROVIDER_LABELS[event.provider]}
          {event.priceText ? ` · ${event.priceText}` : ''}
          {' · '}
          <time dateTime={new Date(event.at).toISOString()} title={formatDateTime(event.at)}>
            {shortRelative(Math.min(event.at, now), now)}
          </time>
        </p>
      </div>
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => {
          if (!event.read) void markRead([event.id]);
          openModelFromEvent(event);
        }}
        data-testid="inbox-open"
        title={`Show ${event.modelId}`}
      >
        Open
      </button>
      {event.read ? null : (
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => void markRead([event.id])}
          data-testid="inbox-mark-read"
        >
          Mark read
        </button>
      )}
    </li>
  );
}

/** Release events, newest first, with the unread ones marked. */
export function Inbox(): ReactElement {
  const events = useAppStore((state) => state.inbox);
  const status = useAppStore((state) => state.inboxStatus);
  const unread = useAppStore((state) => state.unread);
  const permission = useAppStore((state) => state.notificationPermission);
  const browserMode = useAppStore((state) => state.appInfo?.mode === 'browser');
  const now = useNow();
  return (
    <section className="inbox" aria-label="Release inbox" data-testid="inbox">
      <div className="inbox-toolbar">
        <span className="muted small" data-testid="inbox-unread">
          {unread === 0 ? 'Nothing unread' : unread === 1 ? '1 unread' : `${unread} unread`}
        </span>
        <div className="inbox-toolbar-actions">
          {browserMode && permission === 'default' ? (
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => void enableDesktopNotifications()}
              data-testid="enable-notifications"
            >
              <BellIcon /> Enable desktop notifications
            </button>
          ) : null}
          {browserMode && permission === 'denied' ? (
            <span className="muted small">
              Desktop notifications are blocked in this browser; the inbox still collects events.
            </span>
          ) : null}
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={unread === 0}
            onClick={() => void markRead()}
            data-testid="inbox-mark-all"
          >
            Mark all read
          </button>
        </div>
      </div>
      {status.kind === 'error' ? (
        <InlineError message={status.message} onRetry={() => void loadInbox()} />
      ) : status.kind !== 'loaded' ? (
        <Loading label="Loading the inbox…" />
      ) : events.length === 0 ? (
        <EmptyState icon={<BellIcon />} title="No release events yet">
          When a provider lists a new video model, changes a price or capabilities, or stops listing
          a model, it shows up here. The first check of a provider only records what it lists today.
        </EmptyState>
      ) : (
        <ul className="inbox-list" data-testid="inbox-list">
          {events.map((event) => (
            <InboxItem key={event.id} event={event} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}
