/**
 * Posts monitor events to a webhook (for `aideon monitor watch --webhook URL`): one POST per
 * event, JSON body, through undici with the injected dispatcher, retried with the shared retry
 * helper (Retry-After honoured). The body is built from the event only, so it never holds a key;
 * any configured secret is scrubbed from it anyway. Error messages show the webhook's origin
 * only, because webhook paths often carry a token (chat incoming-webhook URLs do).
 */
import { request as undiciRequest, type Dispatcher } from 'undici';
import { AppError, ValidationError } from '../../shared/errors';
import type { MonitorEvent } from '../../shared/monitor/monitor-schemas';
import { retryAfterMs } from '../providers/http/retry-after';
import { scrub } from '../providers/http/http-client';
import { withRetry } from '../providers/http/retry';

export interface WebhookPosterOptions {
  url: string;
  dispatcher: Dispatcher;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  random?: () => number;
  /** Values never to send (API keys). */
  secrets?: () => string[];
  maxRetries?: number;
  initialDelayMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface WebhookPayload {
  type: 'aideon.monitor.event';
  version: 1;
  event: Omit<MonitorEvent, 'read'>;
  /** One line for chat tools that show `text` (Slack, Mattermost, Teams). */
  text: string;
}

export function webhookPayload(event: MonitorEvent): WebhookPayload {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { read, ...rest } = event;
  return { type: 'aideon.monitor.event', version: 1, event: rest, text: event.summary };
}

/** Checks a webhook URL: http(s) only, no credentials in it. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('webhook', [
      { path: 'webhook', message: 'is not a URL; give a full http(s):// address' },
    ]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError('webhook', [
      { path: 'webhook', message: `must be http or https, not ${url.protocol.replace(':', '')}` },
    ]);
  if (url.username || url.password)
    throw new ValidationError('webhook', [
      { path: 'webhook', message: 'must not contain a user name or password' },
    ]);
  return url;
}

export class WebhookPoster {
  private readonly url: URL;
  /** Posts in order, one at a time. */
  private chain: Promise<void> = Promise.resolve();
  delivered = 0;
  failed = 0;

  constructor(private readonly options: WebhookPosterOptions) {
    this.url = parseWebhookUrl(options.url);
  }

  /** Queues an event; resolves when it was delivered or finally given up on (never rejects). */
  post(event: MonitorEvent, signal?: AbortSignal): Promise<void> {
    const next = this.chain.then(() =>
      this.send(event, signal).then(
        () => {
          this.delivered += 1;
        },
        (error: unknown) => {
          this.failed += 1;
          this.options.log?.(
            `webhook: event ${event.id} was not delivered: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      ),
    );
    this.chain = next;
    return next;
  }

  /** Resolves when every queued post has finished. */
  drain(): Promise<void> {
    return this.chain;
  }

  async send(event: MonitorEvent, signal?: AbortSignal): Promise<void> {
    await this.sendBody(webhookPayload(event), signal);
  }

  private async sendBody(body: unknown, signal?: AbortSignal): Promise<void> {
    const text = scrub(JSON.stringify(body), this.options.secrets?.() ?? []);
    await withRetry(() => this.once(text, signal), {
      maxRetries: this.options.maxRetries ?? 3,
      initialDelayMs: this.options.initialDelayMs ?? 1000,
      sleep: this.options.sleep,
      ...(this.options.random ? { random: this.options.random } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  private async once(body: string, signal?: AbortSignal): Promise<void> {
    const where = this.url.origin;
    let response: Dispatcher.ResponseData;
    try {
      response = await undiciRequest(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'aideon-monitor' },
        body,
        dispatcher: this.options.dispatcher,
        signal: signal ?? null,
        headersTimeout: this.options.timeoutMs ?? 15000,
        bodyTimeout: this.options.timeoutMs ?? 15000,
      });
    } catch (error) {
      signal?.throwIfAborted();
      const code = (error as { code?: string }).code ?? 'network error';
      throw new AppError(
        'provider_unavailable',
        `The webhook at ${where} could not be reached (${code}).`,
        {
          retryable: true,
        },
      );
    }
    await response.body.dump();
    if (response.statusCode >= 200 && response.statusCode < 300) return;
    const retryable = response.statusCode === 429 || response.statusCode >= 500;
    const wait = retryAfterMs(response.headers, this.options.now());
    throw new AppError(
      retryable ? 'provider_unavailable' : 'invalid_request',
      `The webhook at ${where} answered HTTP ${response.statusCode}${retryable ? '' : '; check the URL'}.`,
      { retryable, ...(wait === undefined ? {} : { retryAfterMs: wait }) },
    );
  }
}
