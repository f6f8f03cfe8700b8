/**
 * Browser mode: the same contract over HTTP on 127.0.0.1 only.
 *   POST /api/<channel>      JSON in, Result out
 *   GET  /events             server-sent events (every contract event)
 *   GET  /media/<id>         the media store, with Range support (seeking needs it);
 *                            ?tracks=video hides the audio for muted players (video-only.ts);
 *                            ?view=poster answers a small JPEG poster frame (poster-frames.ts)
 *   POST /upload/run-bundle  a run bundle as the raw request body (admin token only): streamed
 *                            to a temporary file (Content-Length required, at most
 *                            `uploads.maxBytes`, 4 GiB by default), imported only once every
 *                            byte has arrived, then removed; answers a Result like /api. An
 *                            upload cut short imports nothing. An upload may take as long as
 *                            it needs while bytes keep arriving; one silent for
 *                            `uploadIdleTimeoutMs` (60 s) is ended (408), nothing imported.
 *   GET  /*                  the built renderer (static, no data)
 * /api, /events and /media need the token (Authorization: Bearer, or ?token= where a browser
 * cannot set headers); a wrong or missing token gets 401 and nothing is done. A foreign Origin
 * or Host gets 403 (the Host check stops DNS rebinding).
 * Time limits: headers within 60 s (Node's headersTimeout); an API body within
 * `requestTimeoutMs` (300 s, 408 after). Node's own whole-request limit is off, because it would
 * also cut a large bundle upload on a slow link after 5 minutes however steadily it progressed.
 *
 * Team review: with TLS (`tls`) the server may listen beyond loopback (`host`); without TLS a
 * non-loopback host is refused. Besides the admin token (full access), each reviewer has their
 * own token (`reviewers`, stored hashed in SQLite). A reviewer token reaches only
 * REVIEWER_CHANNELS (an allow-list: everything else, including /events, answers 403) and only
 * the media of the pairs handed to that reviewer. Every token has its own rate limit (429).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { isIP } from 'node:net';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { AppError, serializeError } from '../../shared/errors';
import { CONSOLE_STARTING } from '../../shared/ipc/console-starting';
import { explainBusyDatabase } from '../store/busy-retry';
import { EVENT_CHANNEL_NAMES } from '../../shared/ipc/channel-names';
import type { EventChannel } from '../../shared/ipc/contract';
import { IMPORT_ID_PATTERN, IMPORT_ID_RULE } from '../../shared/bench/import-id';
import type { EventBus } from '../events';
import type { Dispatcher } from '../ipc/dispatcher';
import { MediaStore } from '../media/media-store';
import { posterAnswer, type PosterFrames } from '../media/poster-frames';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // aideon-media: is the desktop app's own media protocol (protocol-handlers.ts).
  "img-src 'self' data: blob: aideon-media:",
  "media-src 'self' blob: aideon-media:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MAX_BODY_BYTES = 1024 * 1024;
/** Default size limit of an uploaded run bundle: 4 GiB. */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
const UPLOAD_RUN_BUNDLE = '/upload/run-bundle';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The only channels a reviewer token may call: who am I (alone, or as the start-up call, which
 * answers a reviewer with the session only), the next blind pair, a vote.
 */
export const REVIEWER_CHANNELS: ReadonlySet<string> = new Set([
  'app:bootstrap',
  'review:get-session',
  'review:next-pair',
  'review:cast-vote',
]);

/** Per-person review tokens (see review/reviewers.ts). */
export interface ReviewerAccess {
  /** The active reviewer a presented token belongs to, or null. */
  resolve(token: string): string | null;
  /** Whether the reviewer was handed a pair with this media. */
  mayReadMedia(reviewer: string, mediaId: string): boolean;
}

/** Token buckets per token: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimits {
  api: { perSecond: number; burst: number };
  media: { perSecond: number; burst: number };
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  api: { perSecond: 50, burst: 300 },
  media: { perSecond: 200, burst: 1000 },
};

export interface BrowserServerOptions {
  dispatcher: Dispatcher;
  bus: EventBus;
  /** The events sent to /events (default: every contract event on `bus`). */
  events?: (listener: (event: EventChannel, payload: unknown) => void) => () => void;
  media: MediaStore;
  /** Poster frames for `/media/<id>?view=poster`; without it that view answers 404. */
  posters?: PosterFrames;
  rendererDir: string;
  port?: number;
  token?: string;
  /** Address to listen on; default 127.0.0.1. Anything but loopback needs `tls`. */
  host?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Host names clients use to reach the server (the Host check accepts them). */
  publicNames?: readonly string[];
  reviewers?: ReviewerAccess;
  rateLimits?: RateLimits;
  log?: (line: string) => void;
  /**
   * Resolves when the services behind `dispatcher`, `events`, `media`, `reviewers` and `uploads`
   * exist. Until then the server already listens and serves the console's static files; API
   * calls, events, media and uploads wait for it (`aideon serve` prints its URL before the
   * services are built).
   */
  ready?: Promise<unknown>;
  /**
   * While `ready` is pending: why, when the start is held up by something the admin should
   * know (another Aideon process holding the database); undefined while it is simply starting.
   * An admin's API call that finds the console held up is answered at once (503, retryable)
   * with it, instead of waiting with no word until the request times out.
   */
  startingNote?: () => string | undefined;
  /** POST /upload/run-bundle: where uploads are written, and what imports one. */
  uploads?: {
    /** A folder on the same disk as the media store (e.g. its tmp/). */
    tempDir: string;
    /**
     * Imports the complete upload (all or nothing); its answer is sent as the Result value.
     * `importId` (the upload's ?importId=) names the import in its progress events.
     */
    importRunBundle: (file: string, importId?: string) => unknown;
    /** Largest upload accepted, in bytes (default MAX_UPLOAD_BYTES). */
    maxBytes?: number;
  };
  /** Time an API request's JSON body may take to arrive, ms (default 300 s); 408 after. */
  requestTimeoutMs?: number;
  /** An upload with no bytes arriving for this long is ended, ms (default 60 s); 408. */
  uploadIdleTimeoutMs?: number;
}

export interface BrowserServer {
  server: Server;
  port: number;
  token: string;
  url: string;
  /** scheme://host:port, without the token. */
  baseUrl: string;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

const isWildcard = (host: string): boolean =>
  host === '0.0.0.0' || host === '::' || host === '[::]';

/** `host:port` as it appears in a Host header (IPv6 in brackets). */
const hostHeader = (host: string, port: number): string =>
  isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;

type Principal = { kind: 'admin' } | { kind: 'reviewer'; name: string };

class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly limit: { perSecond: number; burst: number }) {}
  /** 0 when allowed, else the seconds to wait. */
  take(key: string, now: number): number {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: this.limit.burst, at: now }));
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond,
    );
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.limit.perSecond);
  }
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.tls) {
    throw new AppError(
      'validation',
      `Listening on ${host} would let other computers reach the console without encryption. ` +
        'Give a TLS certificate and key (--tls-cert FILE --tls-key FILE, PEM), or leave out --host to listen on 127.0.0.1 only.',
    );
  }
  const scheme = options.tls ? 'https' : 'http';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBuffer = Buffer.from(token);
  const sseClients = new Set<ServerResponse>();
  const limits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
  const apiBuckets = new TokenBuckets(limits.api);
  const mediaBuckets = new TokenBuckets(limits.media);
  const staticFiles = new StaticFileCache();
  let port = 0;

  const presentedToken = (request: IncomingMessage, url: URL): string => {
    const header = request.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('token') ?? '');
  };
  const isAdminToken = (presented: string): boolean => {
    const buffer = Buffer.from(presented);
    return buffer.length === tokenBuffer.length && timingSafeEqual(buffer, tokenBuffer);
  };
  const principalOf = (request: IncomingMessage, url: URL): Principal | null => {
    const presented = presentedToken(request, url);
    if (isAdminToken(presented)) return { kind: 'admin' };
    const reviewer = presented ? (options.reviewers?.resolve(presented) ?? null) : null;
    return reviewer === null ? null : { kind: 'reviewer', name: reviewer };
  };

  const allowedHosts = (): Set<string> =>
    new Set([
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      ...(isWildcard(host) ? [] : [hostHeader(host, port)]),
      ...(options.publicNames ?? []).map((name) => hostHeader(name, port)),
    ]);

  // Once the services are up, requests go straight on (no wait, no timer per call).
  let started = false;
  void options.ready?.then(
    () => (started = true),
    () => (started = true),
  );

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(request, response).catch((error: unknown) => {
      options.log?.(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  };
  const server: Server = options.tls
    ? (createTlsServer(
        { cert: options.tls.cert, key: options.tls.key },
        listener,
      ) as unknown as Server)
    : createServer(listener);
  // Node's whole-request limit (default 5 min) would cut a steady multi-gigabyte upload; API
  // bodies get their own deadline (readBody) and uploads an idle limit (handleUpload) instead.
  server.requestTimeout = 0;
  const requestTimeoutMs = options.requestTimeoutMs ?? 300_000;
  const uploadIdleTimeoutMs = options.uploadIdleTimeoutMs ?? 60_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', `${scheme}://127.0.0.1`);
    } catch {
      sendJson(response, 400, { error: 'The request path is not a valid URL.' });
      return;
    }
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const requestHost = request.headers.host ?? '';
    if (!allowedHosts().has(requestHost)) {
      sendJson(response, 403, {
        error: `This server only answers on ${[...allowedHosts()].join(', ')}.`,
      });
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${scheme}://${requestHost}`) {
      sendJson(response, 403, { error: 'Requests from other origins are refused.' });
      return;
    }
    const isApi = url.pathname.startsWith('/api/');
    const isEvents = url.pathname === '/events';
    const isMedia = url.pathname.startsWith('/media/');
    const isUpload = url.pathname === UPLOAD_RUN_BUNDLE;
    if (!isApi && !isEvents && !isMedia && !isUpload) {
      return handleStatic(request, response, url.pathname);
    }
    if (options.ready && !started) {
      // An admin's API call while the start is held up gets the reason now; anything else
      // (events, media, a start that is just not done yet) waits for the services as before.
      if (
        isApi &&
        options.startingNote &&
        !(await settlesWithin(options.ready, STARTING_WAIT_MS))
      ) {
        const note = options.startingNote();
        if (note !== undefined && isAdminToken(presentedToken(request, url))) {
          response.setHeader('Retry-After', '2');
          sendJson(response, 503, {
            ok: false,
            error: {
              code: 'conflict',
              message: `${CONSOLE_STARTING}: ${note}`,
              retryable: true,
              retryAfterMs: 2000,
            },
          });
          return;
        }
      }
      await options.ready;
    }
    const principal = principalOf(request, url);
    if (!principal) {
      sendJson(response, 401, {
        error: 'Missing or wrong token. Open the URL that `aideon serve` printed (or your invite).',
      });
      return;
    }
    const who = principal.kind === 'admin' ? 'admin' : `reviewer:${principal.name}`;
    const wait = (isMedia ? mediaBuckets : apiBuckets).take(who, Date.now());
    if (wait > 0) {
      response.setHeader('Retry-After', String(wait));
      sendJson(response, 429, {
        ok: false,
        error: {
          code: 'quota',
          message: 'Too many requests with this token; wait a moment.',
          retryable: true,
        },
      });
      return;
    }
    if (isApi) {
      const channel = decodePath(url.pathname.slice(5));
      if (channel === null) {
        sendJson(response, 400, {
          ok: false,
          error: { code: 'validation', message: MALFORMED_PATH, retryable: false },
        });
        return;
      }
      if (principal.kind === 'reviewer' && !REVIEWER_CHANNELS.has(channel)) {
        sendJson(response, 403, {
          ok: false,
          error: {
            code: 'forbidden',
            message: `A reviewer token can only vote; "${channel}" needs the admin.`,
            retryable: false,
          },
        });
        return;
      }
      return handleApi(request, response, channel, principal);
    }
    if (isUpload) {
      if (principal.kind === 'reviewer') {
        answerAndClose(request, response, 403, {
          code: 'forbidden',
          message: 'A reviewer token can only vote; importing a run bundle needs the admin.',
          retryable: false,
        });
        return;
      }
      return handleUpload(request, response, url);
    }
    if (principal.kind === 'reviewer') {
      if (isEvents) {
        sendJson(response, 403, { error: 'A reviewer token receives no events.' });
        return;
      }
      const id = url.pathname.slice(7);
      if (!options.reviewers?.mayReadMedia(principal.name, id)) {
        sendJson(response, 403, { error: 'This video is not in one of your review pairs.' });
        return;
      }
    }
    if (isEvents) return handleEvents(request, response);
    if (url.searchParams.get('view') === 'poster') {
      return handlePoster(request, response, url.pathname.slice(7));
    }
    return handleMedia(request, response, url.pathname.slice(7), url);
  }

  async function handlePoster(
    request: IncomingMessage,
    response: ServerResponse,
    id: string,
  ): Promise<void> {
    if (!options.posters) {
      sendJson(response, 404, { error: 'Poster frames are not served here.' });
      return;
    }
    const answer = await posterAnswer(options.posters, id);
    if (answer.status !== 200) {
      sendJson(response, answer.status, { error: answer.message });
      return;
    }
    // Keyed by the video's content hash: a poster never changes.
    response.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    response.setHeader('ETag', answer.etag);
    if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(answer.etag)) {
      response.writeHead(304);
      response.end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'image/jpeg',
      'Content-Length': String(answer.body.length),
    });
    response.end(request.method === 'HEAD' ? undefined : answer.body);
  }

  async function handleApi(
    request: IncomingMessage,
    response: ServerResponse,
    channel: string,
    principal: Principal,
  ): Promise<void> {
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      sendJson(response, 405, { error: 'Use POST for API calls.' });
      return;
    }
    const type = request.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) {
      sendJson(response, 415, { error: 'API calls take application/json.' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(request, requestTimeoutMs)) || '{}');
    } catch (error) {
      if (error instanceof BodyTimedOut) {
        answerAndClose(request, response, 408, {
          code: 'validation',
          message: `The request body did not arrive within ${Math.round(requestTimeoutMs / 1000)} s.`,
          retryable: true,
        });
        return;
      }
      if (error instanceof BodyTooLarge) {
        // Answer, then close: the rest of an oversized body is never read into memory.
        answerAndClose(request, response, 413, {
          code: 'validation',
          message: `The request body is too large (the limit is ${MAX_BODY_BYTES} bytes).`,
          retryable: false,
        });
        return;
      }
      sendJson(response, 400, {
        ok: false,
        error: {
          code: 'validation',
          message: 'The request body is not valid JSON.',
          retryable: false,
        },
      });
      return;
    }
    const result = await options.dispatcher.dispatch(
      channel,
      body,
      principal.kind === 'reviewer' ? { reviewer: principal.name } : {},
    );
    sendJson(response, 200, result);
  }

  /** Answers without reading the body, and closes the connection once the answer is out. */
  function answerAndClose(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    error: { code: string; message: string; retryable: boolean },
  ): void {
    response.setHeader('Connection', 'close');
    response.once('finish', () => request.socket.destroySoon());
    sendJson(response, status, { ok: false, error });
  }

  async function handleUpload(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const uploads = options.uploads;
    if (!uploads) {
      answerAndClose(request, response, 404, {
        code: 'not_found',
        message: 'This server takes no uploads.',
        retryable: false,
      });
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      answerAndClose(request, response, 405, {
        code: 'validation',
        message: 'Upload a run bundle with POST.',
        retryable: false,
      });
      return;
    }
    const importId = url.searchParams.get('importId') ?? undefined;
    if (importId !== undefined && !IMPORT_ID_PATTERN.test(importId)) {
      answerAndClose(request, response, 400, {
        code: 'validation',
        message: `The upload's importId ${IMPORT_ID_RULE}; nothing was imported.`,
        retryable: false,
      });
      return;
    }
    const limit = uploads.maxBytes ?? MAX_UPLOAD_BYTES;
    const lengthHeader = request.headers['content-length'];
    const declared =
      lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : NaN;
    if (!Number.isSafeInteger(declared)) {
      answerAndClose(request, response, 411, {
        code: 'validation',
        message: 'An upload needs a Content-Length (its size in bytes).',
        retryable: false,
      });
      return;
    }
    if (declared > limit) {
      answerAndClose(request, response, 413, {
        code: 'validation',
        message: `The bundle is ${declared} bytes; uploads are limited to ${limit} bytes. Import it with \`aideon bench import FILE\` on the server instead.`,
        retryable: false,
      });
      return;
    }
    mkdirSync(uploads.tempDir, { recursive: true });
    const temp = join(uploads.tempDir, `upload-${randomBytes(8).toString('hex')}.tar`);
    try {
      let received = 0;
      let tooLarge = false;
      let stalled = false;
      const file = createWriteStream(temp, { flags: 'wx' });
      // No whole-upload deadline (a 4 GiB bundle on a slow link takes as long as it takes), but
      // an upload that stops sending is ended: it would otherwise hold its file and socket.
      const stall = (): void => {
        stalled = true;
        options.log?.(
          `run bundle upload stalled: no data for ${uploadIdleTimeoutMs} ms after ${received} of ${declared} bytes`,
        );
        answerAndClose(request, response, 408, {
          code: 'validation',
          message: `The upload stalled (no data for ${Math.round(uploadIdleTimeoutMs / 1000)} s after ${received} of ${declared} bytes); nothing was imported. Upload it again.`,
          retryable: true,
        });
        file.destroy(new Error('upload stalled'));
      };
      let idle = setTimeout(stall, uploadIdleTimeoutMs);
      request.on('data', (chunk: Buffer) => {
        clearTimeout(idle);
        idle = setTimeout(stall, uploadIdleTimeoutMs);
        received += chunk.length;
        if (received > declared) {
          tooLarge = true;
          request.destroy();
        }
      });
      try {
        await pipelineAsync(request, file);
      } catch {
        // Cut short (the client went away, sent more than it declared, or stalled): nothing is
        // imported.
        if (stalled) return;
        if (!response.destroyed && !request.socket.destroyed) {
          answerAndClose(request, response, 400, {
            code: 'validation',
            message: tooLarge
              ? 'The upload is longer than its Content-Length; nothing was imported.'
              : 'The upload was cut short; nothing was imported.',
            retryable: true,
          });
        }
        options.log?.(`run bundle upload cut short after ${received} of ${declared} bytes`);
        return;
      } finally {
        clearTimeout(idle);
      }
      if (received !== declared) {
        answerAndClose(request, response, 400, {
          code: 'validation',
          message: `The upload ended after ${received} of ${declared} bytes; nothing was imported.`,
          retryable: true,
        });
        return;
      }
      let value: unknown;
      try {
        value = await uploads.importRunBundle(temp, importId);
      } catch (error) {
        // Another process holding the database: the same retryable answer as the API's.
        const serialized = serializeError(explainBusyDatabase(error));
        // An unexpected failure is answered "see the log": put it there.
        if (serialized.code === 'internal')
          options.log?.(
            `run bundle import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
        // The server's temporary file name means nothing to the person who uploaded it.
        const message = serialized.message.split(temp).join('the uploaded bundle');
        sendJson(response, 200, { ok: false, error: { ...serialized, message } });
        return;
      }
      sendJson(response, 200, { ok: true, value });
    } finally {
      rmSync(temp, { force: true });
    }
  }

  function handleEvents(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    sseClients.add(response);
    const subscribe =
      options.events ??
      ((listener: (event: EventChannel, payload: unknown) => void) =>
        options.bus.onAny(listener, EVENT_CHANNEL_NAMES));
    const off = subscribe((event, payload) => {
      response.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': ping\n\n'), 15000);
    request.on('close', () => {
      clearInterval(heartbeat);
      off();
      sseClients.delete(response);
    });
  }

  function handleMedia(
    request: IncomingMessage,
    response: ServerResponse,
    id: string,
    url: URL,
  ): void {
    if (!MediaStore.isMediaId(id) || !options.media.has(id)) {
      sendJson(response, 404, { error: 'No such media.' });
      return;
    }
    const videoOnly = url.searchParams.get('tracks') === 'video';
    const size = options.media.size(id);
    // Content-addressed: the bytes behind an id (and its video-only view) never change.
    const etag = mediaEtag(id, videoOnly);
    response.setHeader('Accept-Ranges', 'bytes');
    response.setHeader('Content-Type', 'video/mp4');
    response.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    response.setHeader('ETag', etag);
    if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag)) {
      response.writeHead(304);
      response.end();
      return;
    }
    const range = request.headers.range;
    if (range) {
      const parsed = parseRange(range, size);
      if (!parsed) {
        response.writeHead(416, { 'Content-Range': `bytes */${size}` });
        response.end();
        return;
      }
      response.writeHead(206, {
        'Content-Range': `bytes ${parsed.start}-${parsed.end}/${size}`,
        'Content-Length': String(parsed.end - parsed.start + 1),
      });
      if (request.method === 'HEAD') return void response.end();
      sendStream(options.media.openRead(id, parsed, { videoOnly }), response);
      return;
    }
    response.writeHead(200, { 'Content-Length': String(size) });
    if (request.method === 'HEAD') return void response.end();
    sendStream(options.media.openRead(id, undefined, { videoOnly }), response);
  }

  function handleStatic(
    request: IncomingMessage,
    response: ServerResponse,
    pathname: string,
  ): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { error: 'Method not allowed.' });
      return;
    }
    const decoded = decodePath(pathname);
    if (decoded === null) {
      sendJson(response, 400, { error: MALFORMED_PATH });
      return;
    }
    const relative = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = normalize(join(options.rendererDir, relative));
    const stats =
      file.startsWith(normalize(options.rendererDir) + sep) && existsSync(file)
        ? statSync(file)
        : null;
    if (!stats?.isFile()) {
      sendJson(response, 404, { error: 'Not found.' });
      return;
    }
    const entry = staticFiles.read(file, stats);
    response.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    // Vite names every file under assets/ by its content hash: it never changes under that
    // name. The page (and the icon) keep their names across builds: revalidated each time.
    response.setHeader(
      'Cache-Control',
      relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    response.setHeader('ETag', entry.etag);
    if (entry.compressible) response.setHeader('Vary', 'Accept-Encoding');
    if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(entry.etag)) {
      response.writeHead(304);
      response.end();
      return;
    }
    const coding = entry.compressible ? pickCoding(request.headers['accept-encoding']) : null;
    const encoded = coding ? staticFiles.encoded(entry, coding) : null;
    const body = encoded ?? entry.body;
    if (coding && encoded) response.setHeader('Content-Encoding', coding);
    response.setHeader('Content-Length', String(body.length));
    response.writeHead(200);
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host.replace(/^\[|\]$/g, ''), () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = options.publicNames?.[0] ?? (isWildcard(host) ? '127.0.0.1' : host);
  const baseUrl = `${scheme}://${hostHeader(shownHost, port)}`;
  const url = `${baseUrl}/#token=${token}`;
  return {
    server,
    port,
    token,
    url,
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sseClients) client.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** How long an API call waits for a start that is held up before it is told why, ms. */
const STARTING_WAIT_MS = 1_000;

/** Whether `promise` settles (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true as const,
        () => true as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Text files are sent compressed; images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json']);

type Coding = 'br' | 'gzip';

interface StaticFile {
  body: Buffer;
  etag: string;
  compressible: boolean;
  /** The file as it was when read: a rebuild while serving is noticed. */
  mtimeMs: number;
  size: number;
  encoded: Partial<Record<Coding, Buffer>>;
  compressing?: boolean;
}

/**
 * The renderer's files, read once and kept with their ETag and compressed forms (the build is a
 * few MB at most). Compressing once, not per request, keeps a start-up's requests cheap.
 */
class StaticFileCache {
  private readonly files = new Map<string, StaticFile>();

  read(file: string, stats: { mtimeMs: number; size: number }): StaticFile {
    const known = this.files.get(file);
    if (known && known.mtimeMs === stats.mtimeMs && known.size === stats.size) return known;
    const body = readFileSync(file);
    const entry: StaticFile = {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      compressible: COMPRESSIBLE.has(extname(file)) && body.length > 256,
      mtimeMs: stats.mtimeMs,
      size: stats.size,
      encoded: {},
    };
    this.files.set(file, entry);
    return entry;
  }

  /**
   * The file in `coding`, or null while it is still being compressed: the first request for a
   * file gets the plain bytes at once (on loopback they are as quick) and starts compressing it
   * off the event loop (zlib's thread pool) for the requests after it.
   */
  encoded(entry: StaticFile, coding: Coding): Buffer | null {
    const done = entry.encoded[coding];
    if (done) return done;
    if (!entry.compressing) {
      entry.compressing = true;
      void Promise.all([
        // Brotli quality 5: within a few percent of its best for scripts, at a tenth of the time.
        promisify(brotliCompress)(entry.body, {
          params: {
            [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
            [zlibConstants.BROTLI_PARAM_SIZE_HINT]: entry.body.length,
          },
        }),
        promisify(gzip)(entry.body, { level: 9 }),
      ]).then(
        ([br, gz]) => {
          entry.encoded.br = br;
          entry.encoded.gzip = gz;
        },
        () => undefined, // left plain
      );
    }
    return null;
  }
}

/** Brotli when the client takes it, else gzip, else none (an explicit q=0 refuses a coding). */
export function pickCoding(header: string | undefined): Coding | null {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find(Boolean);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

class BodyTooLarge extends Error {}
class BodyTimedOut extends Error {}

const MALFORMED_PATH = 'The request path has a malformed %-escape.';

/** decodeURIComponent, or null where the path has a malformed %-escape (a client error). */
function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/**
 * Reads a request body up to MAX_BODY_BYTES. Past the limit (declared or actual) it rejects with
 * BodyTooLarge and stops keeping what arrives, so the caller can still answer 413; a body not
 * complete within `timeoutMs` rejects with BodyTimedOut (408).
 */
function readBody(request: IncomingMessage, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    const deadline = setTimeout(() => reject(new BodyTimedOut()), timeoutMs);
    request.once('close', () => clearTimeout(deadline));
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      clearTimeout(deadline);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

/** The ETag of a stored file, or of its video-only view. */
export function mediaEtag(id: string, videoOnly: boolean): string {
  return videoOnly ? `"${id}-video"` : `"${id}"`;
}

/** Parses a single `bytes=a-b` range; null when unsatisfiable or malformed. */
export function parseRange(header: string, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || size === 0) return null;
  const [, startText = '', endText = ''] = match;
  if (startText === '' && endText === '') return null;
  let start: number;
  let end: number;
  if (startText === '') {
    const suffix = Number(endText);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(startText);
    end = endText === '' ? size - 1 : Math.min(Number(endText), size - 1);
  }
  if (start > end || start >= size) return null;
  return { start, end };
}

/**
 * Streams a file to the client. A client that leaves mid-way (a seek, a closed tab) or a read
 * error ends both streams quietly; `.pipe` would leave the file open and let an error go
 * unhandled.
 */
function sendStream(source: Readable, response: ServerResponse): void {
  pipeline(source, response, () => undefined);
}
