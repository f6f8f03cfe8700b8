/**
 * HTTP for every adapter: undici with an injected dispatcher, timeouts on connect (in the
 * dispatcher), headers and body, error classification into the console's classes, and no
 * secret in any message. Response bodies in errors are truncated and scrubbed of the key.
 */
import { request as undiciRequest, type Dispatcher } from 'undici';
import { ProviderError, type ProviderErrorClass } from '../../../shared/errors';
import type { DownloadResult } from '../../../shared/providers/video-provider-spec';
import { providerLabel } from '../../../shared/providers/provider-ids';
import type { z } from 'zod';
import { retryAfterMs } from './retry-after';
import { serverSentEvents } from './sse';
import { scrub } from './scrub';
import { parseVendorAnswer } from './vendor-answer';
import { RawGetError, rawGet, type RawResponse } from './raw-get';
import { toWebStream } from '../../web-stream';

export interface HttpClientConfig {
  provider: string;
  baseUrl: string;
  dispatcher: Dispatcher;
  /** Auth and version headers; called per request so a replaced key takes effect. */
  headers: () => Record<string, string>;
  /** Values never to show in an error message (the API key). */
  secrets: () => string[];
  /** The vendor's reading of error bodies, for every request that brings no classifier of its own. */
  classify?: ErrorClassifier;
  /** Time to receive response headers, ms. Default 30000. */
  headersTimeoutMs?: number;
  /** Time between body chunks, ms. Default 60000. */
  bodyTimeoutMs?: number;
  /**
   * Time to connect for a video download (raw-get.ts; other requests connect through the
   * dispatcher, whose own timeout applies), TLS handshake included, ms. Default 10000.
   */
  connectTimeoutMs?: number;
  now?: () => number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export type ErrorClassifier = (
  response: HttpResponse,
) =>
  | { errorClass: ProviderErrorClass; message: string; vendorCode?: string; retryable?: boolean }
  | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** JSON body. */
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** `undefined` = the request cannot be aborted. */
  signal?: AbortSignal | undefined;
  extraHeaders?: Record<string, string>;
  /** Statuses that are not errors for this call (e.g. fal's 202). Default: 200–299. */
  okStatuses?: (status: number) => boolean;
  /** Vendor-specific reading of an error body; `undefined` = the client's own (config.classify). */
  classify?: ErrorClassifier;
  /** Time to receive the response headers for this call, ms; `undefined` = the client's. */
  headersTimeoutMs?: number;
  /** Largest answer body read, bytes; a longer one is refused unread. Default 64 MiB. */
  maxBodyBytes?: number;
}

/** No vendor's JSON answer comes near this; a body past it is a fault, not an answer. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A vendor's model list: Together's whole catalogue is a few hundred KB, Replicate's collection
 * and a page of Gemini's far less. A broken or hostile list of 64 MiB (the default) cost the
 * monitor ~80 MB of memory that glibc kept afterwards (issue 15, session 17's soak); 16 MiB is
 * still tens of times the largest real list.
 */
export const CATALOGUE_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Thrown inside request() when an answer body passes its size limit. */
class BodyTooLarge extends Error {}

/**
 * An answer whose body passed the request's size limit (`maxBodyBytes`), not read. `limitBytes`:
 * the limit; `declaredBytes`: the size the server announced (Content-Length), when it did.
 */
export class BodyTooLargeError extends ProviderError {
  constructor(
    message: string,
    details: ConstructorParameters<typeof ProviderError>[2],
    readonly limitBytes: number,
    readonly declaredBytes: number | undefined,
  ) {
    super('provider_unavailable', message, details);
    this.name = 'BodyTooLargeError';
  }
}

export { scrub };

function methodOf(options: RequestOptions): NonNullable<RequestOptions['method']> {
  return options.method ?? (options.body === undefined ? 'GET' : 'POST');
}

export function classifyStatus(status: number): ProviderErrorClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402 || status === 429) return 'quota';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'provider_unavailable';
  return 'invalid_request';
}

export class HttpClient {
  constructor(readonly config: HttpClientConfig) {}

  /** The vendor as the admin knows it ("Together AI", not "together"), for messages. */
  private get label(): string {
    return providerLabel(this.config.provider);
  }

  url(path: string, query?: Record<string, string | number | undefined>): string {
    const url = new URL(
      path.startsWith('http') ? path : `${this.config.baseUrl.replace(/\/$/, '')}${path}`,
    );
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const method = methodOf(options);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.config.headers(),
      ...options.extraHeaders,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const raw = await this.send(
      this.url(path, options.query),
      {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
      },
      options.signal,
      options.headersTimeoutMs,
    );
    let text: string;
    const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const length = Number(raw.headers['content-length']);
    const declared = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
    try {
      // A body announced larger than the limit is refused before a byte of it is read.
      if (declared !== undefined && declared > maxBytes) {
        raw.body.destroy();
        throw new BodyTooLarge();
      }
      text = await readBounded(raw.body, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        const acted = method !== 'GET' && raw.statusCode >= 200 && raw.statusCode < 300;
        throw new BodyTooLargeError(
          `${this.label} answered ${method} ${path} with HTTP ${raw.statusCode} and a body larger than ${Math.round(maxBytes / (1024 * 1024))} MiB; it was not read${acted ? ', so it is not known whether the request was accepted' : ''}.`,
          {
            provider: this.config.provider,
            status: raw.statusCode,
            retryable: !acted,
            outcomeUnknown: acted,
          },
          maxBytes,
          declared,
        );
      }
      throw this.networkError(
        error,
        options.signal,
        method !== 'GET' && raw.statusCode >= 200 && raw.statusCode < 300,
      );
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const response: HttpResponse = { status: raw.statusCode, headers: raw.headers, text, json };
    const ok = options.okStatuses ?? ((status: number) => status >= 200 && status < 300);
    if (!ok(response.status)) {
      if (method !== 'GET' && response.status >= 500 && response.json === undefined)
        throw this.unreadableServerError(response, method, path);
      throw this.httpError(response, options.classify ?? this.config.classify);
    }
    return response;
  }

  /** Like request, but the 2xx body must be JSON. */
  async json(
    path: string,
    options: RequestOptions = {},
  ): Promise<{ json: unknown; response: HttpResponse }> {
    const response = await this.request(path, options);
    if (response.json === undefined) {
      const method = methodOf(options);
      const type = this.shownType(response.headers);
      // A create answered 2xx may have started (and billed) a job even though its answer is
      // unreadable (a proxy's or an incident page): it must not be sent again blindly.
      const unknown = method !== 'GET';
      throw new ProviderError(
        'provider_unavailable',
        `${this.label} answered ${method} ${path} with HTTP ${response.status} and a body that is not JSON (${type})${unknown ? ', so it is not known whether the request was accepted' : ''}.`,
        {
          provider: this.config.provider,
          status: response.status,
          retryable: !unknown,
          outcomeUnknown: unknown,
        },
      );
    }
    return { json: response.json, response };
  }

  /**
   * Like json, but the body must also match the vendor's documented shape. A mismatch is
   * provider_unavailable, retryable for a GET; for any other method the vendor may already have
   * acted on the call (created a job), so repeating it is left to the caller.
   */
  async jsonAnswer<Schema extends z.ZodType>(
    schema: Schema,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ value: z.output<Schema>; response: HttpResponse }> {
    const { json, response } = await this.json(path, options);
    const method = methodOf(options);
    const value = parseVendorAnswer(schema, json, {
      provider: this.config.provider,
      call: `${method} ${path}`,
      status: response.status,
      retryable: method === 'GET',
      secrets: this.config.secrets(),
      outcomeUnknown: method !== 'GET',
    });
    return { value, response };
  }

  /**
   * Streams a file. 403/404/410 mean the vendor's URL expired or was deleted. With `offset`, asks
   * for the rest of the file from that byte (`Range: bytes=N-`); a server that ignores the range
   * answers 200 and the result starts at 0 (`offset` tells which).
   */
  async download(
    url: string,
    options: {
      signal?: AbortSignal | undefined;
      withAuth?: boolean;
      maxRedirections?: number;
      offset?: number;
    } = {},
  ): Promise<DownloadResult> {
    let current = this.outputLink(url, undefined);
    const wantsRange = options.offset !== undefined && options.offset > 0;
    for (let hop = 0; hop <= (options.maxRedirections ?? 5); hop += 1) {
      const raw = await this.sendDownload(
        current,
        {
          // The key goes only to the origin it was asked for, never to a redirect target elsewhere.
          ...(options.withAuth && new URL(current).origin === new URL(url).origin
            ? this.config.headers()
            : {}),
          ...(wantsRange ? { range: `bytes=${options.offset}-` } : {}),
        },
        options.signal,
      );
      if (raw.statusCode >= 300 && raw.statusCode < 400 && raw.headers.location) {
        await raw.body.dump();
        current = this.outputLink(String(raw.headers.location), current);
        continue;
      }
      if (raw.statusCode === 403 || raw.statusCode === 404 || raw.statusCode === 410) {
        await raw.body.dump();
        throw new ProviderError(
          'expired_output',
          `The video at ${this.label} has expired or was deleted (HTTP ${raw.statusCode}); vendors keep outputs only for a limited time.`,
          {
            provider: this.config.provider,
            status: raw.statusCode,
          },
        );
      }
      if (raw.statusCode < 200 || raw.statusCode >= 300) {
        const text = await raw.body.text().catch(() => '');
        const error = this.httpError({
          status: raw.statusCode,
          headers: raw.headers,
          text,
          json: undefined,
        });
        // A download sends no prompt and no settings: an odd answer to it (a redirect without a
        // Location, 416 for a range not asked for, another 4xx) is the file server's fault, not
        // "change the prompt" (invalid_request, never retried), which lost a paid video to one
        // such answer. It is retried like a 5xx; 401 (the key, for Gemini) stays as it is.
        if (error.errorClass !== 'invalid_request') throw error;
        throw new ProviderError(
          'provider_unavailable',
          `${this.label} answered the video download with HTTP ${raw.statusCode}${raw.statusCode >= 300 && raw.statusCode < 400 ? ' and no Location to follow' : ''}, not the file.`,
          { provider: this.config.provider, status: raw.statusCode, retryable: true },
        );
      }
      const contentType =
        String(raw.headers['content-type'] ?? 'application/octet-stream')
          .split(';')[0]
          ?.trim() ?? 'application/octet-stream';
      const lengthHeader = raw.headers['content-length'];
      const contentLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
      let offset = 0;
      let totalBytes =
        contentLength !== undefined && Number.isFinite(contentLength) ? contentLength : undefined;
      if (raw.statusCode === 206) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
          String(raw.headers['content-range'] ?? '').trim(),
        );
        if (!wantsRange || !range?.[1] || Number(range[1]) !== options.offset) {
          await raw.body.dump().catch(() => undefined);
          throw new ProviderError(
            'bad_output',
            `${this.label} answered a partial download for a range that was not asked for.`,
            { provider: this.config.provider, status: 206, retryable: true },
          );
        }
        offset = Number(range[1]);
        totalBytes = range[3] === '*' ? undefined : Number(range[3]);
        // A total past 2^53 bytes or short of where the part starts is no file size: without
        // this, the download was retried as "cut short (N of 1e+25 bytes)" until it gave up.
        if (
          totalBytes !== undefined &&
          (!Number.isSafeInteger(totalBytes) || totalBytes <= offset)
        ) {
          await raw.body.dump().catch(() => undefined);
          throw new ProviderError(
            'bad_output',
            `${this.label} answered a partial download with an impossible file size (Content-Range ${scrub(String(raw.headers['content-range']).slice(0, 80), this.config.secrets())}).`,
            { provider: this.config.provider, status: 206, retryable: true },
          );
        }
      }
      const result: DownloadResult = {
        body: toWebStream(raw.body),
        contentType,
        offset,
        resumable:
          raw.statusCode === 206 || /\bbytes\b/i.test(String(raw.headers['accept-ranges'] ?? '')),
      };
      if (contentLength !== undefined && Number.isFinite(contentLength))
        result.contentLength = contentLength;
      if (totalBytes !== undefined) result.totalBytes = totalBytes;
      return result;
    }
    throw new ProviderError(
      'bad_output',
      `Too many redirects while downloading from ${this.label}.`,
      { provider: this.config.provider },
    );
  }

  /**
   * An output link (or where a redirect of one points, relative to `base`) as an http(s) URL, or
   * bad_output: a vendor that names its video with something else (no URL at all, ftp:, file:,
   * data:) has sent an unusable result, which no retry changes. It was reported as "could not be
   * reached" and retried. The link itself is not shown (a pre-signed link carries a signature).
   */
  private outputLink(link: string, base: string | undefined): string {
    let parsed: URL | undefined;
    try {
      parsed = new URL(link, base);
    } catch {
      parsed = undefined;
    }
    if (parsed?.protocol === 'http:' || parsed?.protocol === 'https:') return parsed.toString();
    const what =
      parsed === undefined
        ? 'that is not a URL'
        : `with the ${parsed.protocol.slice(0, 20)} scheme (only http and https links are downloaded)`;
    throw new ProviderError(
      'bad_output',
      base === undefined
        ? `${this.label} gave a video download link ${what}, so the video cannot be downloaded.`
        : `${this.label}'s video download link redirected to a link ${what}, so the video cannot be downloaded.`,
      { provider: this.config.provider, retryable: false },
    );
  }

  /**
   * One GET of a file (raw-get.ts: received straight into large buffers, at wire speed) with the
   * client's timeouts; a failure to reach the vendor is classified as send()'s are.
   */
  private async sendDownload(
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    try {
      return await rawGet({
        url: new URL(url),
        headers,
        signal,
        connectTimeoutMs: this.config.connectTimeoutMs ?? 10000,
        headersTimeoutMs: this.config.headersTimeoutMs ?? 30000,
        bodyTimeoutMs: this.config.bodyTimeoutMs ?? 60000,
      });
    } catch (error) {
      // An answer that is not HTTP as it should be (a broken proxy, a wrong port) reached the
      // vendor's side: said as such, not as "could not be reached". Tried again like a 5xx.
      if (error instanceof RawGetError && error.code === 'BAD_RESPONSE' && !signal?.aborted)
        throw new ProviderError(
          'provider_unavailable',
          `${this.label} answered the video download with something that is not valid HTTP: ${scrub(error.message, this.config.secrets())}.`,
          { provider: this.config.provider, retryable: true },
        );
      throw this.networkError(error, signal);
    }
  }

  /**
   * Opens a server-sent-events stream (GET, `Accept: text/event-stream`) and yields each event's
   * data. An answer that is not 2xx (read as the vendor's error) or not an event stream throws
   * before anything is yielded; a stream that breaks later throws from the iteration.
   */
  async events(
    path: string,
    options: Pick<RequestOptions, 'query' | 'signal' | 'classify' | 'headersTimeoutMs'> = {},
  ): Promise<AsyncGenerator<string>> {
    const raw = await this.send(
      this.url(path, options.query),
      {
        method: 'GET',
        headers: { accept: 'text/event-stream', ...this.config.headers() },
        body: null,
      },
      options.signal,
      options.headersTimeoutMs,
    );
    const contentType = String(raw.headers['content-type'] ?? '');
    if (
      raw.statusCode < 200 ||
      raw.statusCode >= 300 ||
      !contentType.startsWith('text/event-stream')
    ) {
      const text = await raw.body.text().catch(() => '');
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (raw.statusCode >= 200 && raw.statusCode < 300)
        throw new ProviderError(
          'provider_unavailable',
          `${this.label} answered the status stream with ${this.shownType(raw.headers)}, not an event stream.`,
          { provider: this.config.provider, status: raw.statusCode },
        );
      throw this.httpError(
        { status: raw.statusCode, headers: raw.headers, text, json },
        options.classify ?? this.config.classify,
      );
    }
    const body = raw.body;
    const networkError = (error: unknown): ProviderError =>
      this.networkError(error, options.signal);
    return (async function* () {
      try {
        yield* serverSentEvents(body);
      } catch (error) {
        throw networkError(error);
      } finally {
        // Stopped early (the caller has what it needed) or broken: release the connection.
        body.destroy();
      }
    })();
  }

  /** One undici call with the client's dispatcher and timeouts; a failure to reach the vendor is classified. */
  private async send(
    url: string,
    init: { method: Dispatcher.HttpMethod; headers: Record<string, string>; body: string | null },
    signal: AbortSignal | undefined,
    headersTimeoutMs?: number,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await undiciRequest(url, {
        ...init,
        dispatcher: this.config.dispatcher,
        signal: signal ?? null,
        headersTimeout: headersTimeoutMs ?? this.config.headersTimeoutMs ?? 30000,
        bodyTimeout: this.config.bodyTimeoutMs ?? 60000,
      });
    } catch (error) {
      // A call that changes something (a create) and was lost after it reached the vendor may
      // have been acted on; one that never connected was not.
      throw this.networkError(error, signal, init.method !== 'GET' && !isConnectFailure(error));
    }
  }

  /**
   * An answer's content type as a message shows it: without parameters, at most 60 characters,
   * scrubbed. It is the vendor's (or a proxy's) text, which could carry anything, the key too.
   */
  private shownType(headers: Record<string, string | string[] | undefined>): string {
    const raw = headers['content-type'];
    const type = (Array.isArray(raw) ? raw[0] : raw)?.split(';')[0]?.trim();
    return scrub(type || 'no content type', this.config.secrets()).slice(0, 60);
  }

  httpError(response: HttpResponse, classify?: ErrorClassifier): ProviderError {
    const custom = classify?.(response);
    // 402 is "out of credits / spend limit" at every vendor, whatever its body says.
    const errorClass =
      response.status === 402 ? 'quota' : (custom?.errorClass ?? classifyStatus(response.status));
    const vendorMessage =
      custom?.message ?? extractMessage(response.json) ?? response.text.slice(0, 300);
    const message = scrub(
      `${this.label} answered HTTP ${response.status}: ${vendorMessage || 'no details'}`,
      this.config.secrets(),
    );
    const retryAfter = retryAfterMs(response.headers, (this.config.now ?? Date.now)());
    return new ProviderError(errorClass, message.slice(0, 600), {
      provider: this.config.provider,
      status: response.status,
      ...(custom?.vendorCode === undefined ? {} : { vendorCode: custom.vendorCode }),
      // 402 (out of credits, spend limit) never clears by itself: no vendor is retried on it.
      ...(response.status === 402
        ? { retryable: false }
        : custom?.retryable !== undefined
          ? { retryable: custom.retryable }
          : {}),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    });
  }

  /**
   * A call that changes something (a create) answered 5xx with a body that is not JSON: that is
   * the page of a proxy or gateway in front of the vendor (a 502/504 when the vendor did not
   * answer it in time), not the vendor's own refusal, so the request may have reached the vendor
   * and made (and billed) a job. Like a lost answer, it must not be sent again blindly.
   */
  private unreadableServerError(
    response: HttpResponse,
    method: string,
    path: string,
  ): ProviderError {
    const type = this.shownType(response.headers);
    const retryAfter = retryAfterMs(response.headers, (this.config.now ?? Date.now)());
    return new ProviderError(
      classifyStatus(response.status),
      `${this.label} answered ${method} ${path} with HTTP ${response.status} and a page that is not JSON (${type}), as a proxy or gateway in front of it does, so it is not known whether the request was accepted.`,
      {
        provider: this.config.provider,
        status: response.status,
        retryable: false,
        outcomeUnknown: true,
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      },
    );
  }

  networkError(error: unknown, signal?: AbortSignal, outcomeUnknown = false): ProviderError {
    if (signal?.aborted) {
      const reason: unknown = signal.reason;
      if (ProviderError.isInstance(reason)) return reason as ProviderError;
      return new ProviderError('cancelled', 'The request was cancelled.', {
        provider: this.config.provider,
        cause: reason,
      });
    }
    const code = (error as { code?: string }).code ?? '';
    const name = (error as { name?: string }).name ?? '';
    const isTimeout = /TIMEOUT/i.test(code) || /Timeout/i.test(name);
    const text = scrub(
      error instanceof Error ? error.message : String(error),
      this.config.secrets(),
    );
    return new ProviderError(
      isTimeout ? 'timeout' : 'provider_unavailable',
      `${this.label} could not be reached (${code || name || 'network error'}: ${text}).`,
      {
        provider: this.config.provider,
        retryable: true,
        outcomeUnknown,
      },
    );
  }
}

/** The connection was never made, so the request cannot have reached the vendor. */
function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return [
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'UND_ERR_CONNECT_TIMEOUT',
    'CONNECT_TIMEOUT',
  ].includes(code);
}

/** Finds a human message in the usual vendor error shapes. */
export function extractMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return typeof body === 'string' ? body : undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string') return error;
  if (
    error &&
    typeof error === 'object' &&
    typeof (error as Record<string, unknown>).message === 'string'
  ) {
    return (error as Record<string, unknown>).message as string;
  }
  if (typeof record.detail === 'string') return record.detail;
  if (Array.isArray(record.detail)) {
    return record.detail
      .map((item) =>
        item && typeof item === 'object'
          ? `${((item as { loc?: unknown[] }).loc ?? []).join('.')}: ${String((item as { msg?: unknown }).msg ?? '')}`
          : String(item),
      )
      .join('; ');
  }
  if (typeof record.message === 'string') return record.message;
  if (typeof record.title === 'string') return record.title;
  return undefined;
}

/** A body as text, refused (and the connection dropped) once it passes `maxBytes`. */
async function readBounded(
  body: AsyncIterable<Uint8Array> & { destroy(): unknown },
  maxBytes: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw new BodyTooLarge();
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  const text = Buffer.concat(chunks, total).toString('utf8');
  // As undici's body.text(): a UTF-8 byte-order mark is not part of the text.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
