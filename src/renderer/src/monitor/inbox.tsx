import { collapseRepeats } from '../../../shared/format';
import { goToRolloutSection } from '../commands/palette-actions';
import type { ReactElement } from 'react';
import type {
  GuardBreachInboxEvent,
  InboxEvent,
  MonitorEvent,
} from '../../../shared/monitor/monitor-schemas';
import { PROVIDER_LABELS } from '../../../shared/providers/provider-ids';
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

const BREACH_LABELS: Record<GuardBreachInboxEvent['status'], string> = {
  breach: 'Guard breach',
  no_data: 'Guard: no data',
  error: 'Guard: metrics unreadable',
};
const ACTION_LABELS: Record<NonNullable<GuardBreachInboxEvent['action']>, string> = {
  paused: 'Rollout paused',
  rolled_back: 'Rolled back automatically',
  rollback_failed: 'Automatic rollback failed',
};

function MarkReadButton({ event }: { event: InboxEvent }): ReactElement | null {
  if (event.read) return null;
  return (
    <button
      type="button"
      className="button button-secondary button-small"
      onClick={() => void markRead([event.id])}
      data-testid="inbox-mark-read"
    >
      Mark read
    </button>
  );
}

/** A production-watch breach: the environment, what was done, each failed guard on a line. */
function BreachItem({ event, now }: { event: GuardBreachInboxEvent; now: number }): ReactElement {
  // The same line (one ECONNREFUSED per guard) once, with how many times it came.
  const lines = collapseRepeats(event.summary.split('\n'));
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
          <Badge tone={event.status === 'no_data' ? 'warning' : 'danger'}>
            {BREACH_LABELS[event.status]}
          </Badge>
          <span className="strong">Production watch · {event.env}</span>
          {event.action ? (
            <Badge tone={event.action === 'rollback_failed' ? 'danger' : 'warning'}>
              {ACTION_LABELS[event.action]}
            </Badge>
          ) : null}
        </div>
        <ul className="inbox-summary inbox-breach-lines">
          {lines.slice(0, 6).map((line) => (
            <li key={line.text} data-testid="inbox-breach-line">
              {line.text}
              {line.count > 1 ? (
                <span className="muted" data-testid="inbox-breach-repeat">
                  {' '}
                  ×{line.count}
                </span>
              ) : null}
            </li>
          ))}
          {lines.length > 6 ? <li className="muted">…and {lines.length - 6} more</li> : null}
        </ul>
        <p className="muted small">
          {event.stepVersion === null
            ? 'No rollout step'
            : `Rollout step: config version ${event.stepVersion}`}
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
          goToRolloutSection('watch-section');
        }}
        data-testid="inbox-open"
        title="Show the rollout and the production watch"
      >
        Open
      </button>
      <MarkReadButton event={event} />
    </li>
  );
}

function ReleaseItem({ event, now }: { event: MonitorEvent; now: number }): ReactElement {
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
      <MarkReadButton event={event} />
    </li>
  );
}

function InboxItem({ event, now }: { event: InboxEvent; now: number }): ReactElement {
  return event.kind === 'guard_breached' ? (
    <BreachItem event={event} now={now} />
  ) : (
    <ReleaseItem event={event} now={now} />
  );
}

/** Release events and production-watch breaches, newest first, with the unread ones marked. */
export function Inbox(): ReactElement {
  const events = useAppStore((state) => state.inbox);
  const status = useAppStore((state) => state.inboxStatus);
  const unread = useAppStore((state) => state.unread);
  const permission = useAppStore((state) => state.notificationPermission);
  const browserMode = useAppStore((state) => state.appInfo?.mode === 'browser');
  const now = useNow();
  return (
    <section className="inbox" aria-label="Inbox" data-testid="inbox">
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
        <Loading label="Loading the inbox…" skeleton="rows" count={3} />
      ) : events.length === 0 ? (
        <EmptyState icon={<BellIcon />} title="Nothing in the inbox yet">
          When a provider lists a new video model, changes a price or capabilities, or stops listing
          a model, it shows up here, and so does every production-watch guard breach. The first
          check of a provider only records what it lists today.
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
