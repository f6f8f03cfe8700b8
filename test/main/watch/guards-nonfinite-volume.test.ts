/**
 * A request volume that is not a number (NaN, +Inf: a broken exporter, a counter reset into a
 * bad recording rule) says nothing about how many requests were judged, so it must count as
 * missing data, never as "enough requests": otherwise a tier guarded on latency alone passes
 * and the controller advances the step. A real Prometheus evaluates the queries (PromQL
 * overrides that answer NaN / +Inf for the volume and a healthy latency).
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGuards } from '../../../src/main/watch/guards';
import { PrometheusClient } from '../../../src/main/watch/prometheus-client';
import { watchSettingsSchema } from '../../../src/shared/watch/watch-settings';
import { spawnEmptyPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process';

let prom: PrometheusProcess;
let dispatcher: Agent;

beforeAll(async () => {
  prom = await spawnEmptyPrometheus('aideon-guards-nonfinite-');
  dispatcher = new Agent();
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await dispatcher?.close();
});

/** One series labelled provider/model whose value is the PromQL scalar expression `value`. */
const series = (value: string, provider: string, model: string): string =>
  `label_replace(label_replace(vector(${value}), "provider", "${provider}", "", ""), "model", "${model}", "", "")`;

describe('guards: a volume that is not a number is missing data', () => {
  for (const [name, volume] of [
    ['NaN', '0/0'],
    ['+Inf', '1/0'],
  ] as const) {
    it(`a ${name} request volume does not pass a latency-only tier`, async () => {
      const settings = watchSettingsSchema.parse({
        environments: { production: { prometheusUrl: prom.url } },
        tiers: [{ tier: 'premium', maxP95LatencySeconds: 200 }],
        queries: {
          volume: series(volume, 'together', 'kling-2.1'),
          p95_latency: series('42', 'together', 'kling-2.1'),
        },
      });
      const source = new PrometheusClient({ baseUrl: prom.url, dispatcher });
      // The queries really answer what the test says (real PromQL evaluation).
      const answer = await source.query(series(volume, 'together', 'kling-2.1'), Date.now());
      expect(answer.ok && answer.data[0]?.value).toBe(volume === '0/0' ? Number.NaN : Infinity);

      const report = await evaluateGuards(
        { settings, source, now: () => Date.now() },
        'production',
        null,
      );
      expect(report.guards).toEqual([
        expect.objectContaining({ guard: 'p95_latency', provider: 'together', status: 'no_data' }),
      ]);
      expect(report.status).not.toBe('pass');
    });
  }
});
