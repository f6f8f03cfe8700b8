/**
 * The words of the notices the console shows a person (desktop notifications in the app, lines
 * on stderr in browser mode). Plain functions, so the wording is tested without Electron.
 */
import type { MonitorEvent } from '../../shared/monitor/monitor-schemas';
import { PROVIDER_LABELS } from '../../shared/providers/video-provider-spec';
import type { WatchNotification } from '../watch/bake-loop';

export interface Notice {
  title: string;
  body: string;
}

/** A release-monitor event the monitor chose to notify (a new model, a model in use retiring). */
export function monitorNotice(event: MonitorEvent): Notice {
  const provider = PROVIDER_LABELS[event.provider];
  const title =
    event.kind === 'added'
      ? `New video model on ${provider}`
      : event.kind === 'in_use_retired'
        ? `A model your config uses is being retired (${provider})`
        : event.kind === 'removed'
          ? `${provider} no longer lists a model`
          : `A ${provider} model changed`;
  const body =
    event.kind === 'added'
      ? `${event.displayName} · ${event.modelId}\n${event.priceText ?? 'Price not published yet'}`
      : `${event.displayName} · ${event.modelId}\n${event.summary}`;
  return { title, body };
}

/** Benchmark runs picked up again at start-up. */
export function resumedRunsNotice(count: number): Notice {
  return {
    title: 'Benchmarks resumed',
    body: `${count} unfinished run${count === 1 ? '' : 's'} picked up where ${count === 1 ? 'it' : 'they'} stopped.`,
  };
}

/**
 * A production-watch notification: the bake loop's own title says what it did (paused, rolled
 * back, rollback failed), and the body lists the guards at fault.
 */
export function watchNotice(notification: WatchNotification): Notice {
  return { title: notification.title, body: notification.body };
}
