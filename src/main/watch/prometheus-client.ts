/**
 * Reads production metrics from the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`)
 * through the shared HttpClient (undici, injected dispatcher), with an optional bearer token.
 *
 * Every answer is parsed strictly. An unreachable server, an HTTP error, an API error
 * (`status: "error"` with errorType/error, e.g. bad PromQL), an empty result and a malformed
 * answer are distinct outcomes; none of them is ever read as a healthy value.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { AppError, ProviderError } from '../../shared/errors';
import type { QueryProblem } from '../../shared/watch/watch-types';
import {
  BodyTooLargeError,
  HttpClient,
  scrub,
  type HttpResponse,
} from '../providers/http/http-client';

/** A sample value: Prometheus sends numbers as strings, including NaN and ±Inf. */
const valueText = z
  .string()
  .refine((text) => /^(NaN|[+-]?Inf|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/.test(text), {
    message: 'is not a Prometheus number',
  });
const samplePair = z.tuple([z.number().finite(), valueText]);
const metricLabels = z.record(z.string(), z.string());

const vectorData = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric: metricLabels, value: samplePair }).strict()),
});
const matrixData = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: metricLabels, values: z.array(samplePair) }).strict()),
});
const scalarData = z.object({ resultType: z.literal('scalar'), result: samplePair });
const stringData = z.object({
  resultType: z.literal('string'),
  result: z.tuple([z.number(), z.string()]),
});

const successBody = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [vectorData, matrixData, scalarData, stringData]),
  warnings: z.array(z.string()).optional(),
});
const errorBody = z.object({
  status: z.literal('error'),
  errorType: z.string(),
  error: z.string(),
});

export function parseValue(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

export interface InstantSample {
  labels: Record<string, string>;
  /** ms since the epoch */
  time: number;
  /** May be NaN or ±Infinity: callers decide what that means. */
  value: number;
}

export interface RangeSeries {
  labels: Record<string, string>;
  points: { time: number; value: number }[];
}

export type QueryOutcome<T> =
  { ok: true; data: T; warnings: string[] } | { ok: false; problem: QueryProblem };

/** What guards, stability and views need from a metrics source. */
export interface MetricsSource {
  query(promql: string, timeMs: number): Promise<QueryOutcome<InstantSample[]>>;
  queryRange(
    promql: string,
    startMs: number,
    endMs: number,
    stepSeconds: number,
  ): Promise<QueryOutcome<RangeSeries[]>>;
}

export interface PrometheusClientOptions {
  baseUrl: string;
  dispatcher: Dispatcher;
  /** Called per request, so a replaced token takes effect; never appears in a message. */
  bearerToken?: () => string | undefined;
  timeoutMs?: number;
  now?: () => number;
  /** Largest answer read, bytes (default PROMETHEUS_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

/**
 * The largest Prometheus answer read: 8 MiB. A guard query answers one sample per provider and
 * model of a tier (a few hundred bytes each, KBs in all), and the charts' range queries a day of
 * points per series (about 40 KB a series at a 1-minute step), so 8 MiB is room for some 200
 * series a chart; an answer past it is a query that matches far more series than it should (a
 * label missing from a hand-written query) or not Prometheus at all. The HTTP client's general
 * limit (64 MiB) made each such check download and buffer up to 64 MiB per query, 4 queries a
 * tier, inside the controller's tick.
 */
export const PROMETHEUS_MAX_BODY_BYTES = 8 * 1024 * 1024;

const problem = (
  kind: QueryProblem['kind'],
  message: string,
): { ok: false; problem: QueryProblem } => ({
  ok: false,
  problem: { kind, message },
});

export class PrometheusClient implements MetricsSource {
  private readonly http: HttpClient;

  constructor(private readonly options: PrometheusClientOptions) {
    this.http = new HttpClient({
      provider: 'Prometheus',
      baseUrl: options.baseUrl,
      dispatcher: options.dispatcher,
      headers: (): Record<string, string> => {
        const token = options.bearerToken?.();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      secrets: () => {
        const token = options.bearerToken?.();
        return token ? [token] : [];
      },
      headersTimeoutMs: options.timeoutMs ?? 15000,
      bodyTimeoutMs: options.timeoutMs ?? 15000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  async query(promql: string, timeMs: number): Promise<QueryOutcome<InstantSample[]>> {
    const answer = await this.call('/api/v1/query', { query: promql, time: timeMs / 1000 });
    if (!answer.ok) return answer;
    const { data, warnings } = answer;
    let samples: InstantSample[];
    if (data.resultType === 'vector') {
      samples = data.result.map((item) => ({
        labels: item.metric,
        time: item.value[0] * 1000,
        value: parseValue(item.value[1]),
      }));
    } else if (data.resultType === 'scalar') {
      samples = [{ labels: {}, time: data.result[0] * 1000, value: parseValue(data.result[1]) }];
    } else {
      return problem(
        'malformed',
        `Prometheus answered an instant query with a ${data.resultType}, not a vector; check the query.`,
      );
    }
    if (samples.length === 0)
      return problem('empty', 'Prometheus returned no series for this query at this time.');
    return { ok: true, data: samples, warnings };
  }

  async queryRange(
    promql: string,
    startMs: number,
    endMs: number,
    stepSeconds: number,
  ): Promise<QueryOutcome<RangeSeries[]>> {
    const answer = await this.call('/api/v1/query_range', {
      query: promql,
      start: startMs / 1000,
      end: endMs / 1000,
      step: stepSeconds,
    });
    if (!answer.ok) return answer;
    const { data, warnings } = answer;
    if (data.resultType !== 'matrix')
      return problem(
        'malformed',
        `Prometheus answered a range query with a ${data.resultType}, not a matrix.`,
      );
    const series = data.result
      .map((item) => ({
        labels: item.metric,
        points: item.values.map(([time, value]) => ({
          time: time * 1000,
          value: parseValue(value),
        })),
      }))
      .filter((item) => item.points.length > 0);
    if (series.length === 0)
      return problem('empty', 'Prometheus returned no series for this query in this time range.');
    return { ok: true, data: series, warnings };
  }

  private async call(
    path: string,
    query: Record<string, string | number>,
  ): Promise<
    | { ok: true; data: z.infer<typeof successBody>['data']; warnings: string[] }
    | { ok: false; problem: QueryProblem }
  > {
    let response: HttpResponse;
    // One deadline for the whole answer: undici's header and body timeouts only bound the wait
    // for the next bytes, so an answer that keeps dripping (a stuck proxy, a server streaming a
    // never-ending body) was waited for forever, and the controller's loop with it.
    const timeoutMs = this.options.timeoutMs ?? 15000;
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          new ProviderError(
            'timeout',
            `its answer did not finish within ${timeoutMs} ms (the watch's Prometheus timeout).`,
            { provider: 'Prometheus' },
          ),
        ),
      timeoutMs,
    );
    try {
      response = await this.http.request(path, {
        query,
        okStatuses: () => true,
        signal: deadline.signal,
        maxBodyBytes: this.options.maxBodyBytes ?? PROMETHEUS_MAX_BODY_BYTES,
      });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        const mib = (bytes: number): string =>
          `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
        const size =
          error.declaredBytes === undefined
            ? `${mib(error.limitBytes)}+`
            : `${mib(error.declaredBytes)}`;
        const promql = String(query.query);
        // A query_error (the console shows "A query failed" and points at the query
        // overrides): the query matched far more than a guard needs. Like every problem it is
        // a check error, which pauses and never rolls back.
        return problem(
          'query_error',
          `Prometheus at ${this.options.baseUrl} answered ${size} for query ${promql.length > 300 ? `${promql.slice(0, 300)}…` : promql}, over the limit of ${mib(error.limitBytes)} (a guard's answer is a few KB); it was not read. Check that the query selects one tier (its labels) and that the URL is Prometheus.`,
        );
      }
      const text = AppError.isInstance(error) ? error.message : String(error);
      if (deadline.signal.aborted)
        return problem(
          'unreachable',
          `Prometheus at ${this.options.baseUrl} did not answer in time: ${text} Check that the server (and any proxy before it) is healthy, or raise the timeout in Rollout → Production watch.`,
        );
      return problem(
        'unreachable',
        `Prometheus at ${this.options.baseUrl} could not be reached: ${text} Check the URL in Rollout → Production watch and that the server is up.`,
      );
    } finally {
      clearTimeout(timer);
    }
    const secrets = this.http.config.secrets();
    const error = errorBody.safeParse(response.json);
    if (error.success)
      return problem(
        'query_error',
        scrub(
          `Prometheus rejected the query (HTTP ${response.status}, ${error.data.errorType}): ${error.data.error.slice(0, 500)}`,
          secrets,
        ),
      );
    if (response.status < 200 || response.status >= 300) {
      const hint =
        response.status === 401 || response.status === 403
          ? ' Check the bearer token for this environment.'
          : '';
      return problem(
        'http_error',
        scrub(
          `Prometheus answered HTTP ${response.status}: ${response.text.slice(0, 200).trim() || 'no details'}.${hint}`,
          secrets,
        ),
      );
    }
    if (response.json === undefined)
      return problem(
        'malformed',
        `Prometheus answered HTTP ${response.status} with a body that is not JSON; is the URL a Prometheus server?`,
      );
    const parsed = successBody.safeParse(response.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return problem(
        'malformed',
        `Prometheus's answer does not have the API's shape (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown'}); is the URL a Prometheus server?`,
      );
    }
    return { ok: true, data: parsed.data.data, warnings: parsed.data.warnings ?? [] };
  }
}
