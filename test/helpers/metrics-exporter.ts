/**
 * A small stand-in for production's metrics, for end-to-end tests of the rollout guards in real
 * time: an HTTP exporter (Prometheus text format, the metric names of
 * docs/production-metrics.md) that the test controls, and a real Prometheus (Debian's
 * `prometheus`) scraping it every half second.
 *
 * Each "deployment" is one production fleet: a tier and a model, the config version it runs
 * (asked on every scrape, e.g. from the consumer verifier, so traffic is labelled with the
 * version production really runs) and its success rate under each version (the test injects
 * a bad version). Every scrape adds `perScrape` requests to the counters of the version
 * running then.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { spawnPrometheus } from './prometheus-process';

export interface Deployment {
  tier: string;
  provider: string;
  model: string;
  /** The config version this fleet runs now (undefined: nothing yet). */
  version: () => Promise<number | undefined>;
  /** Fraction of requests that succeed under a version (the test injects a bad one). */
  successRate: (version: number) => number;
  /** Requests added per scrape. */
  perScrape: number;
}

interface Counters {
  labels: string;
  requests: number;
  success: number;
  failed: number;
}

export interface MetricsExporter {
  /** `127.0.0.1:PORT`, the scrape target. */
  target: string;
  deployments: Deployment[];
  /** Scrapes served so far. */
  scrapes: () => number;
  stop: () => Promise<void>;
}

const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export async function startExporter(): Promise<MetricsExporter> {
  const deployments: Deployment[] = [];
  const series = new Map<string, Counters>();
  let scrapes = 0;
  const render = async (): Promise<string> => {
    for (const deployment of deployments) {
      let version: number | undefined;
      try {
        version = await deployment.version();
      } catch {
        version = undefined; // production cannot read its config: it serves nothing new
      }
      if (version === undefined) continue;
      const labels = `tier="${escape(deployment.tier)}",provider="${escape(deployment.provider)}",model="${escape(deployment.model)}",config_version="${version}"`;
      const counters = series.get(labels) ?? { labels, requests: 0, success: 0, failed: 0 };
      const ok = Math.round(deployment.perScrape * deployment.successRate(version));
      counters.requests += deployment.perScrape;
      counters.success += ok;
      counters.failed += deployment.perScrape - ok;
      series.set(labels, counters);
    }
    scrapes += 1;
    const lines = [
      '# HELP aideon_video_requests_total Video generation requests.',
      '# TYPE aideon_video_requests_total counter',
      ...[...series.values()].map((c) => `aideon_video_requests_total{${c.labels}} ${c.requests}`),
      '# HELP aideon_video_outcomes_total Finished video generations by outcome.',
      '# TYPE aideon_video_outcomes_total counter',
      ...[...series.values()].flatMap((c) => [
        `aideon_video_outcomes_total{${c.labels},outcome="success"} ${c.success}`,
        `aideon_video_outcomes_total{${c.labels},outcome="failed"} ${c.failed}`,
      ]),
    ];
    return `${lines.join('\n')}\n`;
  };
  const server: Server = createHttpServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    render().then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  // Port 0: the OS picks a free port as it binds (a port probed free first could be taken by
  // another test file in between).
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    target: `127.0.0.1:${port}`,
    deployments,
    scrapes: () => scrapes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ScrapingPrometheus {
  url: string;
  stop: () => Promise<void>;
}

/** A real Prometheus on a free loopback port, scraping `targets` every `intervalMs`. */
export async function startScrapingPrometheus(options: {
  dir: string;
  targets: string[];
  intervalMs?: number;
  prometheusPath?: string;
}): Promise<ScrapingPrometheus> {
  const interval = `${options.intervalMs ?? 500}ms`;
  const configPath = join(options.dir, 'prometheus.yml');
  writeFileSync(
    configPath,
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      'scrape_configs:',
      '  - job_name: production',
      '    static_configs:',
      `      - targets: [${options.targets.map((target) => `'${target}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const { url, stop } = await spawnPrometheus({
    configPath,
    dataDir: join(options.dir, 'data'),
    ...(options.prometheusPath === undefined ? {} : { prometheusPath: options.prometheusPath }),
  });
  return { url, stop };
}
