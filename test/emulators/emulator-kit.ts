/**
 * Shared machinery for the vendor emulators: an HTTP server on 127.0.0.1 (free port), JSON
 * helpers, a file route serving real MP4 clips with expiry and truncation, fault injection by
 * prompt keyword or by the control endpoint, request counters and a clock the tests can drive.
 *
 * Faults (by keyword in the prompt, or queued with POST /__control/faults {faults:[...]}, each
 * used by the next create call):
 *   #auth      → the vendor's 401/403        #ratelimit → 429 with the vendor's headers
 *   #5xx       → 500/503                     #slow      → the response is delayed `slowMs`
 *   #reset     → the connection is destroyed #truncate  → the download stops half-way
 *   #expire    → the output URL is already expired  #fail → the job fails at the vendor
 *   #policy    → the vendor's content-policy outcome #invalid → a validation error
 * Control endpoints: GET /__control/stats → {creates, polls, downloads, cancels}; POST /__control/reset.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAULTS = [
  'auth',
  'ratelimit',
  '5xx',
  'slow',
  'reset',
  'truncate',
  'expire',
  'fail',
  'policy',
  'invalid',
] as const;
export type Fault = (typeof FAULTS)[number];

const CLIPS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'resources',
  'sandbox-clips',
);
export const CLIP = readFileSync(join(CLIPS_DIR, 'clip-a.mp4'));

export interface EmulatorClock {
  now(): number;
}

export interface EmulatorOptions {
  /** Milliseconds a job stays queued, then running. Default 0 / 0 (each poll advances). */
  queueMs?: number;
  runMs?: number;
  /** Output URL lifetime, ms. Default one hour. */
  outputTtlMs?: number;
  /** Delay for the #slow fault, ms. Default 2000. */
  slowMs?: number;
  clock?: EmulatorClock;
  /** The key the emulator accepts. */
  apiKey?: string;
}

export interface Stats {
  creates: number;
  polls: number;
  downloads: number;
  cancels: number;
}

export type Route = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  body: unknown,
) => Promise<void> | void;

export class EmulatorBase {
  readonly options: Required<Omit<EmulatorOptions, 'clock'>> & { clock: EmulatorClock };
  readonly stats: Stats = { creates: 0, polls: 0, downloads: 0, cancels: 0 };
  private readonly queuedFaults: Fault[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly files = new Map<
    string,
    { bytes: Buffer; expiresAt: number; truncate: boolean }
  >();
  baseUrl = '';

  constructor(options: EmulatorOptions = {}) {
    this.options = {
      queueMs: options.queueMs ?? 0,
      runMs: options.runMs ?? 0,
      outputTtlMs: options.outputTtlMs ?? 3600_000,
      slowMs: options.slowMs ?? 2000,
      clock: options.clock ?? { now: () => Date.now() },
      apiKey: options.apiKey ?? 'test-key-0123456789abcdef',
    };
  }

  now(): number {
    return this.options.clock.now();
  }

  /** Faults for one create call: queued control faults first, then keywords in the prompt. */
  takeFaults(prompt: string | undefined): Set<Fault> {
    const faults = new Set<Fault>();
    const queued = this.queuedFaults.shift();
    if (queued) faults.add(queued);
    for (const fault of FAULTS)
      if (prompt && new RegExp(`#${fault}\\b`, 'i').test(prompt)) faults.add(fault);
    return faults;
  }

  queueFault(fault: Fault): void {
    this.queuedFaults.push(fault);
  }

  /** Registers a downloadable file and returns its URL. */
  publishFile(
    id: string,
    options: { expired?: boolean; truncate?: boolean; bytes?: Buffer } = {},
  ): string {
    this.files.set(id, {
      bytes: options.bytes ?? CLIP,
      expiresAt: options.expired ? this.now() - 1 : this.now() + this.options.outputTtlMs,
      truncate: options.truncate ?? false,
    });
    return `${this.baseUrl}/files/${id}.mp4`;
  }

  expireFile(id: string): void {
    const file = this.files.get(id);
    if (file) file.expiresAt = this.now() - 1;
  }

  /** Serves /files/<id>.mp4; returns false when the path is not a file route. */
  serveFile(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    expiredStatus = 403,
  ): boolean {
    const match = /^\/files\/([\w.-]+)\.mp4$/.exec(url.pathname);
    if (!match?.[1]) return false;
    this.stats.downloads += 1;
    const file = this.files.get(match[1]);
    if (!file || file.expiresAt <= this.now()) {
      response.writeHead(expiredStatus, { 'content-type': 'application/xml' });
      response.end(
        '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      );
      return true;
    }
    response.writeHead(200, {
      'content-type': 'video/mp4',
      'content-length': String(file.bytes.length),
    });
    if (file.truncate) {
      response.write(file.bytes.subarray(0, Math.floor(file.bytes.length / 2)));
      setTimeout(() => request.socket.destroy(), 10);
      return true;
    }
    response.end(file.bytes);
    return true;
  }

  async start(route: Route): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(route, request, response).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, { error: String(error) });
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(
    route: Route,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    if (url.pathname === '/__control/stats') return sendJson(response, 200, this.stats);
    if (url.pathname === '/__control/reset') {
      Object.assign(this.stats, { creates: 0, polls: 0, downloads: 0, cancels: 0 });
      this.queuedFaults.length = 0;
      return sendJson(response, 200, { ok: true });
    }
    const body = await readJsonBody(request);
    if (url.pathname === '/__control/faults') {
      const faults = (body as { faults?: unknown }).faults;
      if (Array.isArray(faults))
        for (const fault of faults)
          if (FAULTS.includes(fault as Fault)) this.queueFault(fault as Fault);
      return sendJson(response, 200, { queued: this.queuedFaults.length });
    }
    if (this.serveFile(request, response, url)) return;
    await route(request, response, url, body);
  }
}

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { __invalidJson: text };
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Destroys the connection without an answer (the #reset fault). */
export function resetConnection(request: IncomingMessage): void {
  request.socket.destroy();
}
