/**
 * Generators of broken vendor answers for the property tests (fast-check): a valid answer with
 * fields removed, retyped, nulled, blown up (strings of 200 KB and more, numbers that are
 * negative, fractional or past what a double holds exactly), unknown status strings and deep
 * nested extras; arbitrary JSON; bodies that are not JSON at all (HTML, text, empty, cut off);
 * and a wrong content type. Some strings carry the planted key, so a message that echoes the
 * answer shows whether the key is scrubbed. Also a local HTTP server that serves whatever answer
 * a case planned, and the checks every property shares.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Dispatcher } from 'undici';
import type { VendorAdapterSettings } from '../../../../src/main/providers/http/vendor-http';
import { PROVIDER_ERROR_CLASSES, ProviderError } from '../../../../src/shared/errors';
import { testDispatcher } from './provider-test-helpers';
import {
  modelInfoSchema,
  type JobStatus,
} from '../../../../src/shared/providers/video-provider-spec';

/** One HTTP answer as the test server sends it. */
export interface Answer {
  status: number;
  /** Header values (printable ASCII); no content-type when absent. */
  headers: Record<string, string>;
  body: string;
  /** What the case is, for the counterexample fast-check prints. */
  label: string;
}

/** A JSON value; `undefined` marks a field to remove. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Where a value sits in a JSON document: object keys and array indexes. */
type Path = Array<string | number>;

function pathsOf(value: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value))
    value.forEach((item, index) => out.push(...pathsOf(item, [...at, index])));
  else if (value !== null && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) out.push(...pathsOf(inner, [...at, key]));
  return out;
}

/** `value` with the node at `path` replaced (or removed when `next` is undefined). */
export function replaced(value: Json, path: Path, next: Json | undefined): Json | undefined {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    // An extra key on an array ("length", "toString", which fast-check favours) is no part of
    // the JSON text, and assigning `length` a fraction throws: leave the array as it is.
    if (typeof head !== 'number') return value;
    const copy = [...value];
    const inner = replaced(copy[head as number] ?? null, rest, next);
    if (inner === undefined) copy.splice(head as number, 1);
    else copy[head as number] = inner;
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy = { ...value };
    const inner = replaced(copy[head as string] ?? null, rest, next);
    if (inner === undefined) delete copy[head as string];
    // defineProperty, so an extra "__proto__" becomes a field of the answer, not its prototype.
    else
      Object.defineProperty(copy, head as string, {
        value: inner,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return copy;
  }
  return value;
}

/** A JSON text nested `depth` arrays deep (as JSON.parse reads it, a stack-deep value). */
export function deepJsonText(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Marks where a deep value goes in a JSON text (replaced after JSON.stringify). */
const DEEP_MARK = '__deep_value_marker__';

/** Strings a vendor might send: ordinary, unicode, huge, or carrying the key. */
export function oddString(key: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 2, arbitrary: fc.constant(key) },
    { weight: 2, arbitrary: fc.string({ maxLength: 10 }).map((prefix) => `${prefix}${key}`) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 200 * 1024, max: 260 * 1024 })
        .map((size) => `${key} ${'x'.repeat(size)}`),
    },
  );
}

/** Numbers that break careless arithmetic: negative, fractional, huge, tiny, -0. */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 31), 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Status strings no documentation lists (and the documented ones in the wrong case). */
export const oddStatus: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('upscaling', 'COMPLETED ', 'Succeeded', 'done', 'null', 'undefined', '__proto__'),
  fc.string({ maxLength: 30 }),
);

/** The node at `path`, or undefined when there is none. */
function nodeAt(value: Json | undefined, path: Path): Json | undefined {
  let node: Json | undefined = value;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, Json>)[step];
  }
  return node;
}

/** One change to a valid answer: a new value, or (`cut`) the string there cut short. */
function mutation(
  key: string,
): fc.Arbitrary<{ label: string; value: Json | undefined; cut?: number }> {
  return fc.oneof(
    fc.double({ min: 0, max: 1, noNaN: true }).map((cut) => ({ label: 'cut', value: null, cut })),
    fc.constant({ label: 'removed', value: undefined }),
    fc.constant({ label: 'null', value: null }),
    oddString(key).map((value) => ({ label: 'string', value })),
    oddString(key).map((value) => ({ label: 'string', value })),
    oddNumber.map((value) => ({ label: 'number', value })),
    oddNumber.map((value) => ({ label: 'number', value })),
    oddStatus.map((value) => ({ label: 'status string', value })),
    fc.boolean().map((value) => ({ label: 'boolean', value })),
    fc.constant({ label: 'empty array', value: [] as Json }),
    fc.constant({ label: 'empty object', value: {} as Json }),
    (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).map((value) => ({
      label: 'any json',
      value,
    })),
    fc
      .integer({ min: 9_000, max: 20_000 })
      .map((depth) => ({ label: `nested ${depth} deep`, value: `${DEEP_MARK}${depth}` })),
  );
}

/** A valid answer with one to three of its values changed (or an extra field added). */
export function mutatedJson(valid: Json, key: string): fc.Arbitrary<string> {
  const paths = pathsOf(valid);
  const change = fc.record({
    at: fc.nat({ max: paths.length - 1 }),
    extra: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { freq: 4 }),
    to: mutation(key),
  });
  return fc.array(change, { minLength: 1, maxLength: 3 }).map((changes) => {
    let doc: Json | undefined = valid;
    const labels: string[] = [];
    for (const { at, extra, to } of changes) {
      if (doc === undefined) break;
      const path = paths[at] ?? [];
      const target = extra === null ? path : [...path, extra];
      labels.push(`${target.join('.') || '(root)'}: ${to.label}`);
      if (to.cut !== undefined) {
        // A string cut short ("models/veo-3" → "models/", "") keeps its type and most of its form.
        const current = nodeAt(doc, target);
        if (typeof current === 'string')
          doc = replaced(doc, target, current.slice(0, Math.floor(current.length * to.cut)));
        continue;
      }
      doc = replaced(doc, target, to.value);
    }
    const text = doc === undefined ? '' : JSON.stringify(doc);
    return text.replace(new RegExp(`"${DEEP_MARK}(\\d+)"`, 'g'), (_match, depth: string) =>
      deepJsonText(Number(depth)),
    );
  });
}

/** Bodies that are not the JSON asked for. */
export function notJsonBody(valid: Json, key: string): fc.Arbitrary<string> {
  const text = JSON.stringify(valid);
  return fc.oneof(
    fc.constant(''),
    fc.constant('<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>'),
    fc.string(),
    fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)),
    fc.constant(`\uFEFF${text}`),
    fc.constant(`${text}\n${text}`),
    fc.constant(`Unauthorized: ${key}`),
    fc.constant('null'),
    fc.constant('NaN'),
    fc.constant(deepJsonText(50_000)),
  );
}

/** A content type: JSON's, a wrong one, none, or one that carries the key. */
export function contentType(key: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'text/html; charset=utf-8',
        'text/plain',
        'application/octet-stream',
        'application/problem+json',
        'video/mp4',
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(`application/json; token=${key}`, key, `text/${key}`),
    },
  );
}

/**
 * A 2xx answer for a call whose documented answer is `valid`: mostly a mutation of it, else
 * arbitrary JSON or a body that is not JSON, under a fitting or wrong content type.
 */
export function brokenAnswer(
  valid: Json,
  key: string,
  statuses: readonly number[] = [200, 201],
): fc.Arbitrary<Answer> {
  const body: fc.Arbitrary<{ kind: string; text: string }> = fc.oneof(
    { weight: 5, arbitrary: mutatedJson(valid, key).map((text) => ({ kind: 'mutated', text })) },
    {
      weight: 2,
      arbitrary: fc.jsonValue().map((value) => ({ kind: 'any json', text: JSON.stringify(value) })),
    },
    { weight: 2, arbitrary: notJsonBody(valid, key).map((text) => ({ kind: 'not json', text })) },
  );
  return fc
    .record({ status: fc.constantFrom(...statuses), body, type: contentType(key) })
    .map(({ status, body: { kind, text }, type }) =>
      shownAs({
        status,
        headers: type === undefined ? {} : { 'content-type': type },
        body: text,
        label: `${status} ${type ?? '(no type)'} ${kind}: ${text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text}`,
      }),
    );
}

/** The answer as fast-check prints a counterexample: its label, not a body of 200 KB. */
export function shownAs(answer: Answer): Answer {
  return Object.defineProperty(answer, fc.toStringMethod, { value: () => answer.label });
}

/** Download answers: statuses, headers and bodies a CDN in a bad mood might send. */
export function downloadAnswer(key: string): fc.Arbitrary<Answer> {
  return fc
    .record({
      status: fc.constantFrom(200, 200, 200, 206, 204, 301, 302, 403, 404, 410, 416, 500, 503),
      type: fc.option(
        fc.constantFrom(
          'video/mp4',
          'text/html',
          'application/json',
          'application/octet-stream',
          `video/mp4; x=${key}`,
        ),
      ),
      range: fc.option(
        fc.oneof(
          fc.constantFrom('bytes 0-9/10', 'bytes 5-9/10', 'bytes */10', 'bytes 0-9/*', 'garbage'),
          fc
            .tuple(fc.nat(), fc.nat(), fc.oneof(fc.nat(), fc.constant(1e25)))
            .map(([a, b, c]) => `bytes ${a}-${b}/${c}`),
        ),
      ),
      location: fc.option(
        fc.constantFrom(
          '/files/other.mp4',
          'ftp://example.com/x.mp4',
          'not a url at all',
          `https://evil.example/${key}`,
          '',
        ),
      ),
      acceptRanges: fc.option(fc.constantFrom('bytes', 'none')),
      body: fc.oneof(
        fc.string(),
        fc.constant(''),
        fc.constant('<html>gone</html>'),
        fc.constant(`{"error":"${key}"}`),
      ),
    })
    .map(({ status, type, range, location, acceptRanges, body }) => {
      const headers: Record<string, string> = {};
      if (type !== null) headers['content-type'] = type;
      if (range !== null) headers['content-range'] = range;
      if (location !== null) headers.location = location;
      if (acceptRanges !== null) headers['accept-ranges'] = acceptRanges;
      return shownAs({
        status,
        headers,
        body,
        label: `${status} ${JSON.stringify(headers)} ${body}`,
      });
    });
}

/** The valid answer itself, as JSON. */
export function validAnswer(valid: Json, status = 200): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(valid),
    label: 'valid',
  };
}

/**
 * A local server whose answer each case plans: `plan` gets every request (method, path) and
 * returns the answer. Requests are counted by method and path.
 */
export class AnswerServer {
  plan: (request: { method: string; path: string }) => Answer = () => ({
    status: 500,
    headers: {},
    body: '',
    label: 'no plan',
  });
  readonly seen: Array<{ method: string; path: string }> = [];
  private server: Server | undefined;
  baseUrl = '';

  async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response) => {
      request.resume();
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const call = { method: request.method ?? 'GET', path: url.pathname };
        this.seen.push(call);
        const answer = this.plan(call);
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

const finiteAtLeast = (min: number) => (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= min;

/** Checks a JobStatus is what the spec documents (video-provider-spec.ts), with sane numbers. */
export function expectDocumentedStatus(status: JobStatus, key: string): void {
  expect(['pending', 'succeeded', 'failed', 'cancelled']).toContain(status.state);
  if (status.state === 'pending') {
    if (status.progress !== undefined) {
      expect(status.progress).toBeGreaterThanOrEqual(0);
      expect(status.progress).toBeLessThanOrEqual(1);
    }
    if (status.queuePosition !== undefined)
      expect(finiteAtLeast(0)(status.queuePosition), `queuePosition ${status.queuePosition}`).toBe(
        true,
      );
    if (status.pollAfterMs !== undefined)
      expect(finiteAtLeast(0)(status.pollAfterMs), `pollAfterMs ${status.pollAfterMs}`).toBe(true);
  } else if (status.state === 'succeeded') {
    expect(status.outputs.length).toBeGreaterThan(0);
    for (const output of status.outputs) expect(typeof output.url).toBe('string');
    if (status.costUsd !== undefined)
      expect(finiteAtLeast(0)(status.costUsd), `costUsd ${status.costUsd}`).toBe(true);
    if (status.billedSeconds !== undefined)
      expect(finiteAtLeast(0)(status.billedSeconds), `billedSeconds ${status.billedSeconds}`).toBe(
        true,
      );
  } else if (status.state === 'failed') {
    expect(PROVIDER_ERROR_CLASSES).toContain(status.error.code);
    expect(typeof status.error.message).toBe('string');
    expect(status.error.message.length).toBeGreaterThan(0);
    expect(status.error.message.length).toBeLessThanOrEqual(700);
    expect(status.error.message).not.toContain(key);
    expect(typeof status.error.retryable).toBe('boolean');
    if (status.costUsd !== undefined)
      expect(finiteAtLeast(0)(status.costUsd), `costUsd ${status.costUsd}`).toBe(true);
  }
}

/** Checks a catalogue entry as the spec documents a model (video-provider-spec.ts). */
export function expectDocumentedModel(model: unknown): void {
  const parsed = modelInfoSchema.safeParse(model);
  expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
}

/**
 * Checks a rejection is one of the project's typed vendor errors (ProviderError and its
 * subclasses), never a bare TypeError/RangeError, with a bounded message that does not show the
 * key. Returns it.
 */
export function expectProviderError(error: unknown, key: string): ProviderError {
  if (!(error instanceof ProviderError))
    throw new Error(
      `expected a ProviderError, got ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error).slice(0, 300)}`,
    );
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.message.length).toBeLessThanOrEqual(1200);
  expect(error.message).not.toContain(key);
  return error;
}

/** Settles a promise into its value or its rejection. */
export async function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Rejections no one awaited, collected while a test file runs (see trackUnhandled). */
export function trackUnhandled(): { list: unknown[]; stop: () => void } {
  const list: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    list.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  return { list, stop: () => process.off('unhandledRejection', onRejection) };
}

/**
 * A test file's answer server, dispatcher and unhandled-rejection tracker: started before its
 * tests, stopped after them. `settings()` points an adapter at the server with `apiKey`.
 */
export function answerServerForFile(apiKey: string): {
  server: AnswerServer;
  dispatcher: Dispatcher;
  settings: () => VendorAdapterSettings;
  unhandled: () => unknown[];
} {
  const server = new AnswerServer();
  const dispatcher = testDispatcher();
  let tracker: ReturnType<typeof trackUnhandled> | undefined;
  beforeAll(async () => {
    tracker = trackUnhandled();
    await server.start();
  });
  afterAll(async () => {
    tracker?.stop();
    await server.stop();
    await dispatcher.close();
  });
  return {
    server,
    dispatcher,
    settings: () => ({ apiKey, baseUrl: server.baseUrl, dispatcher }),
    unhandled: () => tracker?.list ?? [],
  };
}
