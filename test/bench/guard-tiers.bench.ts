/**
 * Guard check time by number of tiers, against a slow Prometheus: a loopback server that holds
 * every answer ANSWER_MS before answering (healthy values), read through the real
 * PrometheusClient, the check the controller runs once per check interval (evaluateGuards).
 * This is what a controller tick waits for when a check is due; it must stay well under the
 * leader lease. Prints the median of RUNS checks per tier count, in ms.
 * Run: npx tsx test/bench/guard-tiers.bench.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { watchSettingsSchema } from '../../src/shared/watch/watch-settings';
import { evaluateGuards } from '../../src/main/watch/guards';
import { PrometheusClient } from '../../src/main/watch/prometheus-client';
import { median } from './bench-stats';

const ANSWER_MS = 200;
const RUNS = 5;
const TIER_COUNTS = [1, 4, 8, 12, 16];

const server = createServer((request, response) => {
  const query = new URL(request.url ?? '/', 'http://prometheus').searchParams.get('query') ?? '';
  const value = query.includes('outcome="success"') ? '0.99' : '200';
  setTimeout(() => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { provider: 'p', model: 'm' }, value: [Date.now() / 1000, value] }],
        },
      }),
    );
  }, ANSWER_MS);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const dispatcher = new Agent();
const source = new PrometheusClient({ baseUrl: url, dispatcher, timeoutMs: 60_000 });
try {
  console.log(`guard check, Prometheus answering in ${ANSWER_MS} ms, median of ${RUNS} checks`);
  for (const count of TIER_COUNTS) {
    const settings = watchSettingsSchema.parse({
      environments: { dev: { prometheusUrl: url } },
      tiers: Array.from({ length: count }, (_, index) => ({
        tier: `tier-${index + 1}`,
        minSuccessRate: 0.9,
      })),
    });
    const times: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      const report = await evaluateGuards({ settings, source, now: Date.now }, 'dev', null);
      times.push(performance.now() - started);
      if (report.status !== 'pass') throw new Error(`check did not pass: ${report.status}`);
    }
    console.log(`${String(count).padStart(3)} tiers: ${median(times).toFixed(0)} ms`);
  }
} finally {
  await dispatcher.close();
  server.close();
}
