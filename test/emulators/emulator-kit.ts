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
 *   #credits   → the vendor's 402 (out of credits)  #html-create → the job is created, but the
 *                answer is an HTML page with HTTP 200 (a proxy or a vendor incident page)
 *   #gateway-create → the job is created, but the answer is the gateway's HTML 504 page (the
 *                edge in front of the vendor gave up waiting for the vendor's answer)
 *   #hang      → the job is accepted and never finishes
 *   #no-output → the job ends as a success (and billed) but its answer holds no output URL
 *   #html-poll, #reset-poll, #5xx-poll → the status call answers an HTML page / drops / 502
 *   #ratelimit-poll → the status call answers the vendor's 429 (rateLimitAnswer; Retry-After from
 *                `retryAfterHeader` when set, which the #5xx-poll page then carries too)
 *   #gone-poll → the status call answers the vendor's 404 for the job (jobGoneAnswer): the vendor
 *                lost or deleted a job it accepted (`-once`: it did not find it for a moment)
 *   #html-download, #reset-download, #5xx-download → the same on the output URL
 *   #link-not-url, #link-ftp → the job succeeds, but its output link is not a URL / an ftp: one
 *                (where the vendor's answer carries the link publishFile gave)
 *   #redirect-ftp, #redirect-loop → the output URL redirects (302) to an ftp: link / to itself
 *   #new-status → (Together, Luma, fal) the running job reports a status its documentation does not list
 *                ("upscaling", as when a vendor adds a step) for 10 polls, then completes
 *   #length-lie → the output URL's Content-Length announces half the file, then all of it is sent
 *                (a client reads what was announced: a video cut in half that looks complete)
 *   #huge-id   → (Together, Luma) the job is created, but its id in the answer is 200 KB long
 *                (a status URL with it is answered 431 by any server, this one included)
 *   #odd-id    → (Together, Luma) the job is created, but its id holds characters a URL path
 *                cannot (a space, "?", "#" and a control character)
 * Any keyword may end in `-once` (e.g. `#5xx-once`, `#truncate-once`): the fault hits only the
 * first attempt of that call for that prompt (create, poll or download), so a retry succeeds.
 * The file route honours `Range: bytes=N-` (206 with Content-Range), as the vendors' CDNs do.
 * Control endpoints: GET /__control/stats → {creates, polls, downloads, cancels}; POST /__control/reset.
 * `replaceAnswer` (set by a test) replaces the answer of any call of a job's steps with one the
 * test planned (a property test's generated broken answer); a create is still made.
 */
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
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
  'credits',
  'html-create',
  'gateway-create',
  'hang',
  'no-output',
  'html-poll',
  'reset-poll',
  '5xx-poll',
  'ratelimit-poll',
  'gone-poll',
  'link-not-url',
  'link-ftp',
  'redirect-ftp',
  'redirect-loop',
  'length-lie',
  'new-status',
  'huge-id',
  'odd-id',
  'html-download',
  'reset-download',
  '5xx-download',
] as const;
export type Fault = (typeof FAULTS)[number];

/** Faults of the create call (the rest belong to the job: its polls, its output file). */
const CREATE_FAULTS = new Set<Fault>([
  'auth',
  'ratelimit',
  '5xx',
  'slow',
  'reset',
  'invalid',
  'credits',
  'html-create',
  'gateway-create',
]);

/** What goes wrong on one call of a job's poll or download route. */
export type CallFault =
  | 'html'
  | 'reset'
  | '5xx'
  | 'truncate'
  | 'ratelimit'
  | 'gone'
  | 'redirect-ftp'
  | 'redirect-loop'
  | 'length-lie';

/** What a job's output link is instead of a URL to its file (#link-not-url, #link-ftp). */
export type LinkFault = 'not-url' | 'ftp';

/** Faults of one phase (poll or download) of a job: some every time, some only the first time. */
export class PhaseFaults {
  private readonly once: CallFault[];
  constructor(
    private readonly always: CallFault[] = [],
    once: CallFault[] = [],
    /** Download phase only: the output link publishFile gives is not a URL to the file. */
    readonly link?: LinkFault,
  ) {
    this.once = [...once];
  }
  /** The fault for this call, if any (a once-fault is used up). */
  take(): CallFault | undefined {
    return this.once.shift() ?? this.always[0];
  }
}

export interface JobFaults {
  poll: PhaseFaults;
  download: PhaseFaults;
  /** The job never finishes. */
  hang: boolean;
}

function keyword(prompt: string, fault: string): 'always' | 'once' | undefined {
  const match = new RegExp(`#${fault}(-once)?(?![\\w-])`, 'i').exec(prompt);
  if (!match) return undefined;
  return match[1] ? 'once' : 'always';
}

/** The poll and download faults a prompt asks for. */
export function jobFaultsOf(prompt: string | undefined): JobFaults {
  const text = prompt ?? '';
  const phase = (names: Array<[string, CallFault]>, link?: LinkFault): PhaseFaults => {
    const always: CallFault[] = [];
    const once: CallFault[] = [];
    for (const [name, fault] of names) {
      const kind = keyword(text, name);
      if (kind === 'always') always.push(fault);
      else if (kind === 'once') once.push(fault);
    }
    return new PhaseFaults(always, once, link);
  };
  const link: LinkFault | undefined =
    keyword(text, 'link-not-url') !== undefined
      ? 'not-url'
      : keyword(text, 'link-ftp') !== undefined
        ? 'ftp'
        : undefined;
  return {
    poll: phase([
      ['html-poll', 'html'],
      ['reset-poll', 'reset'],
      ['5xx-poll', '5xx'],
      ['ratelimit-poll', 'ratelimit'],
      ['gone-poll', 'gone'],
    ]),
    download: phase(
      [
        ['html-download', 'html'],
        ['reset-download', 'reset'],
        ['5xx-download', '5xx'],
        ['truncate', 'truncate'],
        ['redirect-ftp', 'redirect-ftp'],
        ['redirect-loop', 'redirect-loop'],
        ['length-lie', 'length-lie'],
      ],
      link,
    ),
    hang: keyword(text, 'hang') !== undefined,
  };
}

/** The job id a create answers: a usual one, or the one #huge-id / #odd-id ask for. */
export function jobIdFor(faults: Set<Fault>, usual: string): string {
  if (faults.has('huge-id')) return `${usual}-${'x'.repeat(200 * 1024)}`;
  if (faults.has('odd-id')) return `${usual} ?part=1#frag\u0007`;
  return usual;
}

/** An HTML page such as a proxy or a vendor's incident page answers with. */
export const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>Service update</title></head><body><h1>We will be right back</h1><p>Our service is being updated.</p></body></html>';

export function sendHtml(
  response: ServerResponse,
  status = 200,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  response.end(HTML_PAGE);
}

/**
 * The page an edge proxy (e.g. Cloudflare, which fronts several vendors) answers when the vendor
 * did not answer it in time: HTTP 504 and HTML. The request did reach the vendor.
 */
export function sendGatewayTimeout(response: ServerResponse): void {
  response.writeHead(504, { 'content-type': 'text/html; charset=UTF-8' });
  response.end(
    '<!DOCTYPE html><html><head><title>api.example | 504: Gateway time-out</title></head><body><h1>Gateway time-out</h1><p>The web server reported a gateway time-out error.</p></body></html>',
  );
}

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

/**
 * A step of a job whose answer a test may replace: `create` (a POST that is not a cancel),
 * `poll` (any other GET: a status call, fal's status stream and result, a job list) and
 * `download` (a file).
 */
export type AnswerStep = 'create' | 'poll' | 'download';

/** An answer a test sends instead of the emulator's own (see EmulatorBase.replaceAnswer). */
export interface ReplacementAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function answerStep(method: string, pathname: string): AnswerStep | undefined {
  if (/^\/files\//.test(pathname)) return 'download';
  if (method === 'POST' && !/\/cancel$/.test(pathname)) return 'create';
  if (method === 'GET') return 'poll';
  return undefined;
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
  /** Create attempts seen per prompt (for `-once` faults). */
  private readonly createAttempts = new Map<string, number>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly files = new Map<
    string,
    { bytes: Buffer; expiresAt: number; truncate: boolean; faults: PhaseFaults }
  >();
  /**
   * Create calls allowed per window before the vendor's 429 (off when undefined). The counting is
   * the same for every vendor; what the refusal looks like is each emulator's own.
   */
  rateLimit: { limit: number; windowMs: number } | undefined;
  private readonly createTimes: number[] = [];
  /** Whether the file route honours Range requests (206). Default true, as CDNs do. */
  rangeSupport = true;
  /** File requests that asked for a Range. */
  rangeRequests = 0;
  /**
   * When set, every request in the order it arrived: method, path and (for a JSON body with
   * one) the prompt. Off by default; a test that checks the order of a job's calls turns it on.
   */
  requestLog: { method: string; path: string; prompt?: string }[] | undefined;
  /**
   * When set, the Retry-After header of the 429 and 5xx answers of the status-call faults (and of
   * an emulator's own 429s where it says so), verbatim: an HTTP date (RFC 9110 allows both
   * forms), a huge or negative number, or garbage, for the fault tests.
   */
  retryAfterHeader: string | undefined;
  baseUrl = '';
  /**
   * When set, asked for every call of a job's steps: an answer it returns is sent instead of the
   * emulator's own. A create is still made first (its own answer goes nowhere), as when a proxy
   * mangles the answer of a job the vendor did create; a poll or a download is not served.
   */
  replaceAnswer:
    | ((call: { step: AnswerStep; method: string; path: string }) => ReplacementAnswer | undefined)
    | undefined;

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
  /** Counts create calls in a sliding window; true when this one is over `rateLimit`. */
  protected overRateLimit(): boolean {
    if (!this.rateLimit) return false;
    const now = this.now();
    while (
      this.createTimes.length > 0 &&
      (this.createTimes[0] ?? 0) <= now - this.rateLimit.windowMs
    )
      this.createTimes.shift();
    if (this.createTimes.length >= this.rateLimit.limit) return true;
    this.createTimes.push(now);
    return false;
  }

  /**
   * Faults for one create call: queued control faults first, then keywords in the prompt. A
   * create fault written `#fault-once` applies to the first create attempt of that prompt only.
   * Job faults (fail, policy, expire, hang, …) are returned too, for the job's own outcome.
   */
  takeFaults(prompt: string | undefined): Set<Fault> {
    const faults = new Set<Fault>();
    const queued = this.queuedFaults.shift();
    if (queued) faults.add(queued);
    const attempt = this.createAttempts.get(prompt ?? '') ?? 0;
    this.createAttempts.set(prompt ?? '', attempt + 1);
    for (const fault of FAULTS) {
      const kind = prompt ? keyword(prompt, fault) : undefined;
      if (kind === 'always' || (kind === 'once' && (attempt === 0 || !CREATE_FAULTS.has(fault))))
        faults.add(fault);
    }
    return faults;
  }

  /**
   * Applies a poll fault of the job, if one is due: answers for the route and returns true.
   * `html` answers 200 with an HTML page, `reset` drops the connection, `5xx` answers a 502 page,
   * `ratelimit` the vendor's 429 (rateLimitAnswer), `gone` its 404 for the job (jobGoneAnswer).
   */
  pollFault(
    faults: JobFaults | undefined,
    request: IncomingMessage,
    response: ServerResponse,
  ): boolean {
    const fault = faults?.poll.take();
    if (fault === undefined) return false;
    if (fault === 'reset') resetConnection(request);
    else if (fault === 'html') sendHtml(response, 200);
    else if (fault === 'ratelimit') this.rateLimitAnswer(response);
    else if (fault === 'gone') this.jobGoneAnswer(response);
    else
      sendHtml(
        response,
        502,
        this.retryAfterHeader === undefined ? {} : { 'retry-after': this.retryAfterHeader },
      );
    return true;
  }

  /**
   * The vendor's 404 for a job it does not find. This generic JSON body is what an emulator
   * answers unless it overrides this with its vendor's own.
   */
  protected jobGoneAnswer(response: ServerResponse): void {
    sendJson(response, 404, { error: { message: 'Not found.' } });
  }

  /**
   * The vendor's 429 for a status call. This generic JSON body (`{error:{message}}` with
   * Retry-After) is what an emulator answers unless it overrides this with its vendor's own.
   */
  protected rateLimitAnswer(response: ServerResponse): void {
    sendJson(
      response,
      429,
      { error: { message: 'Rate limit exceeded. Try again later.' } },
      { 'retry-after': this.retryAfterHeader ?? '1' },
    );
  }

  queueFault(fault: Fault): void {
    this.queuedFaults.push(fault);
  }

  /** Registers a downloadable file and returns its URL. */
  publishFile(
    id: string,
    options: { expired?: boolean; truncate?: boolean; bytes?: Buffer; faults?: PhaseFaults } = {},
  ): string {
    this.files.set(id, {
      bytes: options.bytes ?? CLIP,
      expiresAt: options.expired ? this.now() - 1 : this.now() + this.options.outputTtlMs,
      truncate: options.truncate ?? false,
      faults: options.faults ?? new PhaseFaults(),
    });
    if (options.faults?.link === 'not-url') return `video ${id} is ready`;
    if (options.faults?.link === 'ftp')
      return `ftp://${new URL(this.baseUrl).host}/files/${id}.mp4`;
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
    const fault = file.faults.take() ?? (file.truncate ? 'truncate' : undefined);
    if (fault === 'reset') {
      resetConnection(request);
      return true;
    }
    if (fault === 'html') {
      sendHtml(response, 200);
      return true;
    }
    if (fault === '5xx') {
      sendHtml(response, 503);
      return true;
    }
    if (fault === 'redirect-ftp' || fault === 'redirect-loop') {
      response.writeHead(302, {
        location:
          fault === 'redirect-loop'
            ? url.pathname
            : `ftp://${new URL(this.baseUrl).host}${url.pathname}`,
      });
      response.end();
      return true;
    }
    const total = file.bytes.length;
    if (request.headers.range) this.rangeRequests += 1;
    const range = this.rangeSupport
      ? /^bytes=(\d+)-$/.exec(String(request.headers.range ?? ''))
      : null;
    const start = range?.[1] === undefined ? 0 : Number(range[1]);
    if (range && start >= total) {
      response.writeHead(416, { 'content-range': `bytes */${total}` });
      response.end();
      return true;
    }
    const body = file.bytes.subarray(start);
    if (fault === 'length-lie') {
      // Written on the socket: Node's response refuses a body longer than its Content-Length.
      request.socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: ${Math.floor(body.length / 2)}\r\nconnection: close\r\n\r\n`,
      );
      request.socket.end(body);
      return true;
    }
    response.writeHead(range ? 206 : 200, {
      'content-type': 'video/mp4',
      'content-length': String(body.length),
      ...(this.rangeSupport ? { 'accept-ranges': 'bytes' } : {}),
      ...(range ? { 'content-range': `bytes ${start}-${total - 1}/${total}` } : {}),
    });
    if (fault === 'truncate') {
      response.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => request.socket.destroy(), 10);
      return true;
    }
    response.end(body);
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
      this.createAttempts.clear();
      return sendJson(response, 200, { ok: true });
    }
    const body = await readJsonBody(request);
    if (this.requestLog) {
      const prompt = (body as { prompt?: unknown } | undefined)?.prompt;
      this.requestLog.push({
        method: request.method ?? 'GET',
        path: url.pathname,
        ...(typeof prompt === 'string' ? { prompt } : {}),
      });
    }
    if (url.pathname === '/__control/faults') {
      const faults = (body as { faults?: unknown }).faults;
      if (Array.isArray(faults))
        for (const fault of faults)
          if (FAULTS.includes(fault as Fault)) this.queueFault(fault as Fault);
      return sendJson(response, 200, { queued: this.queuedFaults.length });
    }
    const step = answerStep(request.method ?? 'GET', url.pathname);
    const replacement =
      step === undefined
        ? undefined
        : this.replaceAnswer?.({ step, method: request.method ?? 'GET', path: url.pathname });
    if (replacement) {
      // The job is made; the answer the route writes to this detached response is dropped.
      if (step === 'create') await route(request, new ServerResponse(request), url, body);
      response.writeHead(replacement.status, replacement.headers);
      response.end(replacement.body);
      return;
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
