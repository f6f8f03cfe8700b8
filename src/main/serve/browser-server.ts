/**
 * Browser mode: the same contract over HTTP on 127.0.0.1 only.
 *   POST /api/<channel>      JSON in, Result out
 *   GET  /events             server-sent events (every contract event)
 *   GET  /media/<id>         the media store, with Range support (seeking needs it);
 *                            ?tracks=video hides the audio for muted players (video-only.ts)
 *   GET  /*                  the built renderer (static, no data)
 * /api, /events and /media need the token (Authorization: Bearer, or ?token= where a browser
 * cannot set headers); a wrong or missing token gets 401 and nothing is done. A foreign Origin
 * or Host gets 403 (the Host check stops DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { EVENT_CHANNEL_NAMES } from '../../shared/ipc/channel-names';
import type { EventChannel } from '../../shared/ipc/contract';
import type { EventBus } from '../events';
import type { Dispatcher } from '../ipc/dispatcher';
import { MediaStore } from '../media/media-store';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MAX_BODY_BYTES = 1024 * 1024;

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

export interface BrowserServerOptions {
  dispatcher: Dispatcher;
  bus: EventBus;
  /** The events sent to /events (default: every contract event on `bus`). */
  events?: (listener: (event: EventChannel, payload: unknown) => void) => () => void;
  media: MediaStore;
  rendererDir: string;
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface BrowserServer {
  server: Server;
  port: number;
  token: string;
  url: string;
  close(): Promise<void>;
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBuffer = Buffer.from(token);
  const sseClients = new Set<ServerResponse>();
  let port = 0;

  const hasToken = (request: IncomingMessage, url: URL): boolean => {
    const header = request.headers.authorization;
    const presented = header?.startsWith('Bearer ')
      ? header.slice(7)
      : (url.searchParams.get('token') ?? '');
    const buffer = Buffer.from(presented);
    return buffer.length === tokenBuffer.length && timingSafeEqual(buffer, tokenBuffer);
  };

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      options.log?.(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const host = request.headers.host ?? '';
    if (!allowedHosts().has(host)) {
      sendJson(response, 403, { error: 'This server only answers on 127.0.0.1.' });
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      sendJson(response, 403, { error: 'Requests from other origins are refused.' });
      return;
    }
    const isApi = url.pathname.startsWith('/api/');
    const isEvents = url.pathname === '/events';
    const isMedia = url.pathname.startsWith('/media/');
    if (isApi || isEvents || isMedia) {
      if (!hasToken(request, url)) {
        sendJson(response, 401, {
          error: 'Missing or wrong token. Open the URL that `aideon serve` printed.',
        });
        return;
      }
    }
    if (isApi) return handleApi(request, response, decodeURIComponent(url.pathname.slice(5)));
    if (isEvents) return handleEvents(request, response);
    if (isMedia) return handleMedia(request, response, url.pathname.slice(7), url);
    return handleStatic(request, response, url.pathname);
  }

  async function handleApi(
    request: IncomingMessage,
    response: ServerResponse,
    channel: string,
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
      body = JSON.parse((await readBody(request)) || '{}');
    } catch (error) {
      const message =
        error instanceof BodyTooLarge
          ? 'The request body is too large.'
          : 'The request body is not valid JSON.';
      sendJson(response, 400, {
        ok: false,
        error: { code: 'validation', message, retryable: false },
      });
      return;
    }
    const result = await options.dispatcher.dispatch(channel, body);
    sendJson(response, 200, result);
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
      options.media.openRead(id, parsed, { videoOnly }).pipe(response);
      return;
    }
    response.writeHead(200, { 'Content-Length': String(size) });
    if (request.method === 'HEAD') return void response.end();
    options.media.openRead(id, undefined, { videoOnly }).pipe(response);
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
    const relative =
      pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(options.rendererDir, relative));
    if (
      !file.startsWith(normalize(options.rendererDir) + sep) ||
      !existsSync(file) ||
      !statSync(file).isFile()
    ) {
      sendJson(response, 404, { error: 'Not found.' });
      return;
    }
    response.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('Cache-Control', 'no-cache');
    response.writeHead(200);
    if (request.method === 'HEAD') return void response.end();
    createReadStream(file).pipe(response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/#token=${token}`;
  return {
    server,
    port,
    token,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sseClients) client.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
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
