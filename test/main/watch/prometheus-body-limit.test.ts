/**
 * The Prometheus client's answer size limit (8 MiB): an answer that announces a larger body
 * (Content-Length) is refused before any of it is read, and reported as what it is, naming the
 * size and the query; an answer under the limit is read as usual. (The streamed case, no
 * length, goes through the real controller in controller-prometheus-huge-answer.test.ts.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROMETHEUS_MAX_BODY_BYTES,
  PrometheusClient,
} from '../../../src/main/watch/prometheus-client';

const dispatcher = new Agent();
let url = '';
let bodyBytesSent = 0;
const server = createServer((request, response) => {
  const query = new URL(request.url ?? '/', 'http://prometheus').searchParams.get('query') ?? '';
  const body = JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1, '1'] }] },
  });
  if (query === 'huge') {
    // Announces 100 MiB; sends the first bytes only, then waits (never finishes by itself).
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(100 * 1024 * 1024),
    });
    response.write(body.slice(0, 10));
    bodyBytesSent += 10;
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(body);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dispatcher.close();
});

describe('Prometheus answer size limit', () => {
  it('is 8 MiB', () => {
    expect(PROMETHEUS_MAX_BODY_BYTES).toBe(8 * 1024 * 1024);
  });

  it('an answer announced at 100 MiB is refused unread, naming its size and the query', async () => {
    const client = new PrometheusClient({ baseUrl: url, dispatcher, timeoutMs: 5000 });
    const outcome = await client.query('huge', Date.now());
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problem.kind).toBe('query_error');
    expect(outcome.problem.message).toBe(
      `Prometheus at ${url} answered 100 MiB for query huge, over the limit of 8 MiB (a guard's answer is a few KB); it was not read. Check that the query selects one tier (its labels) and that the URL is Prometheus.`,
    );
    expect(bodyBytesSent).toBe(10);
  });

  it('an answer under the limit is read', async () => {
    const client = new PrometheusClient({ baseUrl: url, dispatcher, timeoutMs: 5000 });
    const outcome = await client.query('up', Date.now());
    expect(outcome).toMatchObject({ ok: true, data: [{ labels: { job: 'x' }, value: 1 }] });
  });
});
