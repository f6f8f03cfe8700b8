/**
 * What `aideon monitor check` and `aideon monitor watch` run (the commands themselves are
 * registered in src/main/cli/main.ts).
 */
import type { Dispatcher } from 'undici';
import { ValidationError } from '../../shared/errors';
import type { CheckResult, MonitorEvent } from '../../shared/monitor/monitor-schemas';
import { providerIdSchema, type ProviderId } from '../../shared/providers/video-provider-spec';
import type { MonitorService } from './monitor-service';
import { WebhookPoster } from './webhook';

export interface MonitorCheckOutput {
  checks: CheckResult[];
  /** Events found by these checks, across providers. */
  events: MonitorEvent[];
  /** True when every check was good. */
  ok: boolean;
}

/** `aideon monitor check [--provider P] --json`: checks now and answers the diff. */
export async function monitorCheck(
  monitor: MonitorService,
  options: { provider?: string | undefined } = {},
): Promise<MonitorCheckOutput> {
  let provider: ProviderId | undefined;
  if (options.provider !== undefined) {
    const parsed = providerIdSchema.safeParse(options.provider);
    if (!parsed.success || !monitor.providers().includes(parsed.data)) {
      throw new ValidationError('--provider', [
        {
          path: 'provider',
          message: `"${options.provider}" is not a monitored provider; use one of ${monitor.providers().join(', ')}`,
        },
      ]);
    }
    provider = parsed.data;
  }
  const checks = await monitor.checkNow({ provider }, 'cli');
  return {
    checks,
    events: checks.flatMap((check) => check.events),
    ok: checks.every((check) => check.status === 'ok' || check.failureKind === 'no_key'),
  };
}

/** One line per check for a terminal. */
export function formatCheckLine(check: CheckResult): string {
  const when = new Date(check.at).toISOString();
  if (check.status === 'failed')
    return `${when} ${check.provider}: check failed (${check.failureKind}): ${check.error}`;
  const parts = [`${check.modelCount} video models`];
  if (check.baseline) parts.push('baseline recorded');
  if (check.events.length > 0) parts.push(`${check.events.length} event(s)`);
  if (check.pendingRemoval.length > 0)
    parts.push(`missing once (not yet removed): ${check.pendingRemoval.join(', ')}`);
  return `${when} ${check.provider}: ${parts.join('; ')}`;
}

/** How long `watch` waits for queued webhook posts after it was told to stop, ms. */
export const WEBHOOK_GRACE_MS = 10_000;

export interface MonitorWatchOptions {
  /** Overrides the admin's interval, ms. */
  intervalMs?: number | undefined;
  webhookUrl?: string | undefined;
  signal: AbortSignal;
  dispatcher: Dispatcher;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  random?: () => number;
  /** API keys, scrubbed from anything sent. */
  secrets?: () => string[];
  onEvent?: (event: MonitorEvent) => void;
  onCheck?: (check: CheckResult) => void;
  log?: (line: string) => void;
}

export interface MonitorWatchSummary {
  checks: number;
  events: number;
  webhookDelivered: number;
  webhookFailed: number;
}

/**
 * `aideon monitor watch [--interval MIN] [--webhook URL]`: runs the schedule until the signal
 * aborts (Ctrl-C), posting each event to the webhook. Resolves with counts after a clean stop.
 */
export async function monitorWatch(
  monitor: MonitorService,
  options: MonitorWatchOptions,
): Promise<MonitorWatchSummary> {
  const webhook =
    options.webhookUrl === undefined
      ? undefined
      : new WebhookPoster({
          url: options.webhookUrl,
          dispatcher: options.dispatcher,
          sleep: options.sleep,
          now: options.now,
          ...(options.random ? { random: options.random } : {}),
          ...(options.secrets ? { secrets: options.secrets } : {}),
          ...(options.log ? { log: options.log } : {}),
        });
  const summary: MonitorWatchSummary = {
    checks: 0,
    events: 0,
    webhookDelivered: 0,
    webhookFailed: 0,
  };
  const posting = new AbortController();
  const unsubscribe = monitor.subscribe({
    onCheck: (check) => {
      summary.checks += 1;
      options.onCheck?.(check);
    },
    onEvent: (event) => {
      summary.events += 1;
      options.onEvent?.(event);
      void webhook?.post(event, posting.signal);
    },
  });
  try {
    if (!options.signal.aborted) {
      monitor.start(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs });
      await new Promise<void>((resolve) =>
        options.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  } finally {
    unsubscribe();
    await monitor.stop();
    // Queued posts get a grace period to be delivered; then retry waits are cut short.
    if (webhook) await Promise.race([webhook.drain(), options.sleep(WEBHOOK_GRACE_MS)]);
    posting.abort();
    await webhook?.drain();
  }
  summary.webhookDelivered = webhook?.delivered ?? 0;
  summary.webhookFailed = webhook?.failed ?? 0;
  return summary;
}
