/**
 * A real Prometheus (Debian's `prometheus` package) for the watch tests, loaded with 8 days of
 * generated production history.
 *
 * History: five models in two tiers, one sample every 5 minutes, written as OpenMetrics text in
 * the metric names of docs/production-metrics.md, turned into TSDB blocks with
 * `promtool tsdb create-blocks-from openmetrics` (one file per day, two promtool processes at a
 * time, so no file is re-read for every 2-hour block), then served by `prometheus` on a free
 * loopback port. The history ends at a fixed instant (`HISTORY_END`), so the tests pass an
 * injected clock rather than reading the wall clock, and the numbers never change between runs.
 *
 * What the history contains:
 * - free: together/wan-2.1 and fal/ltx-video, healthy throughout;
 * - premium: gemini/veo-3, runway/gen4-turbo, together/kling-2.1; kling regresses on the last
 *   day (success rate about 0.78 instead of 0.965, latency ×2.4, so p95 about 300 s);
 * - config_version "41" until 4.5 days in, then "42" (`CONFIG_CHANGE_AT`).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnPrometheus } from './prometheus-process';

export const STEP_SECONDS = 300;
export const DAY_SECONDS = 86400;
/** 2025-06-09T00:00:00Z, in seconds. The last sample is at this instant. */
export const HISTORY_END = Date.UTC(2025, 5, 9) / 1000;
export const HISTORY_DAYS = 8;
export const HISTORY_START = HISTORY_END - HISTORY_DAYS * DAY_SECONDS;
/** First sample labelled config_version="42". */
export const CONFIG_CHANGE_AT = HISTORY_START + 4.5 * DAY_SECONDS;
/** The regression starts at the beginning of the last day. */
export const REGRESSION_FROM = HISTORY_END - DAY_SECONDS;

export interface FixtureModel {
  tier: string;
  provider: string;
  model: string;
  /** Requests per 5 minutes at the daily mean. */
  rate: number;
  successRate: number;
  medianLatencySeconds: number;
  videoSeconds: number;
  pricePerSecondUsd: number;
}

export const FIXTURE_MODELS: readonly FixtureModel[] = [
  {
    tier: 'free',
    provider: 'together',
    model: 'wan-2.1',
    rate: 40,
    successRate: 0.97,
    medianLatencySeconds: 45,
    videoSeconds: 5,
    pricePerSecondUsd: 0.02,
  },
  {
    tier: 'free',
    provider: 'fal',
    model: 'ltx-video',
    rate: 30,
    successRate: 0.96,
    medianLatencySeconds: 25,
    videoSeconds: 5,
    pricePerSecondUsd: 0.01,
  },
  {
    tier: 'premium',
    provider: 'gemini',
    model: 'veo-3',
    rate: 10,
    successRate: 0.975,
    medianLatencySeconds: 80,
    videoSeconds: 8,
    pricePerSecondUsd: 0.4,
  },
  {
    tier: 'premium',
    provider: 'runway',
    model: 'gen4-turbo',
    rate: 8,
    successRate: 0.97,
    medianLatencySeconds: 60,
    videoSeconds: 10,
    pricePerSecondUsd: 0.05,
  },
  {
    tier: 'premium',
    provider: 'together',
    model: 'kling-2.1',
    rate: 12,
    successRate: 0.965,
    medianLatencySeconds: 70,
    videoSeconds: 5,
    pricePerSecondUsd: 0.09,
  },
];

export const REGRESSED = { tier: 'premium', provider: 'together', model: 'kling-2.1' } as const;
const REGRESSED_SUCCESS_RATE = 0.78;
const REGRESSED_LATENCY_FACTOR = 2.4;

export const LATENCY_BUCKETS = [10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600];
const OUTCOMES = ['success', 'failed', 'timeout', 'content_policy'] as const;

/** mulberry32: a small seeded generator, so the history is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SeriesState {
  requests: number;
  outcomes: Record<(typeof OUTCOMES)[number], number>;
  buckets: number[];
  latencyCount: number;
  latencySum: number;
  generatedSeconds: number;
  costUsd: number;
}

function emptyState(): SeriesState {
  return {
    requests: 0,
    outcomes: { success: 0, failed: 0, timeout: 0, content_policy: 0 },
    buckets: LATENCY_BUCKETS.map(() => 0),
    latencyCount: 0,
    latencySum: 0,
    generatedSeconds: 0,
    costUsd: 0,
  };
}

interface Point {
  t: number;
  labels: string;
  state: SeriesState;
}

const num = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(4));

/**
 * Simulates every 5-minute step and returns one OpenMetrics document per UTC day (each ends
 * with `# EOF`). Counters are cumulative per series; a new config_version starts new series.
 */
export function generateHistoryFiles(seed = 7): { day: number; text: string }[] {
  const random = seeded(seed);
  const normal = (): number => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  // Points per model, in time order.
  const points: Point[][] = FIXTURE_MODELS.map(() => []);
  FIXTURE_MODELS.forEach((fixture, index) => {
    let version = '';
    let state = emptyState();
    for (let t = HISTORY_START; t <= HISTORY_END; t += STEP_SECONDS) {
      const nextVersion = t < CONFIG_CHANGE_AT ? '41' : '42';
      if (nextVersion !== version) {
        version = nextVersion;
        state = emptyState();
      }
      const regressed =
        fixture.provider === REGRESSED.provider &&
        fixture.model === REGRESSED.model &&
        t >= REGRESSION_FROM;
      const hour = ((t % DAY_SECONDS) / 3600 + 24) % 24;
      const diurnal = 1 + 0.5 * Math.sin((2 * Math.PI * (hour - 8)) / 24);
      const count = Math.max(0, Math.round(fixture.rate * diurnal * (0.8 + 0.4 * random())));
      const successRate = regressed ? REGRESSED_SUCCESS_RATE : fixture.successRate;
      const latencyFactor = regressed ? REGRESSED_LATENCY_FACTOR : 1;
      for (let i = 0; i < count; i += 1) {
        state.requests += 1;
        const draw = random();
        const outcome =
          draw < successRate
            ? 'success'
            : draw < successRate + (1 - successRate) * 0.6
              ? 'failed'
              : draw < successRate + (1 - successRate) * 0.9
                ? 'timeout'
                : 'content_policy';
        state.outcomes[outcome] += 1;
        const latency = fixture.medianLatencySeconds * latencyFactor * Math.exp(0.35 * normal());
        state.latencyCount += 1;
        state.latencySum += latency;
        LATENCY_BUCKETS.forEach((bound, b) => {
          if (latency <= bound) state.buckets[b] = (state.buckets[b] ?? 0) + 1;
        });
        if (outcome === 'success') {
          state.generatedSeconds += fixture.videoSeconds;
          state.costUsd += fixture.videoSeconds * fixture.pricePerSecondUsd;
        }
      }
      const labels = `tier="${fixture.tier}",provider="${fixture.provider}",model="${fixture.model}",config_version="${version}"`;
      points[index]?.push({
        t,
        labels,
        state: structuredClone(state),
      });
    }
  });

  const files: { day: number; text: string }[] = [];
  for (let day = 0; day <= HISTORY_DAYS; day += 1) {
    const from = HISTORY_START + day * DAY_SECONDS;
    const to = from + DAY_SECONDS;
    const inDay = points.map((list) => list.filter((point) => point.t >= from && point.t < to));
    if (inDay.every((list) => list.length === 0)) continue;
    const lines: string[] = [];
    // A series' points must be contiguous and in time order; a new label set starts a new run.
    const family = (
      name: string,
      type: string,
      help: string,
      sample: (point: Point) => string[],
    ): void => {
      lines.push(`# TYPE ${name} ${type}`, `# HELP ${name} ${help}`);
      for (const list of inDay) {
        const byLabels = new Map<string, Point[]>();
        for (const point of list) {
          const group = byLabels.get(point.labels) ?? [];
          group.push(point);
          byLabels.set(point.labels, group);
        }
        for (const group of byLabels.values())
          for (const point of group) lines.push(...sample(point));
      }
    };
    family('aideon_video_requests', 'counter', 'Video generation requests.', (p) => [
      `aideon_video_requests_total{${p.labels}} ${p.state.requests} ${p.t}`,
    ]);
    // One series per outcome, each contiguous: the outcome is the outer loop.
    lines.push(
      '# TYPE aideon_video_outcomes counter',
      '# HELP aideon_video_outcomes Finished video generations by outcome.',
    );
    for (const outcome of OUTCOMES)
      for (const list of inDay)
        for (const p of list)
          lines.push(
            `aideon_video_outcomes_total{${p.labels},outcome="${outcome}"} ${p.state.outcomes[outcome]} ${p.t}`,
          );
    family(
      'aideon_video_latency_seconds',
      'histogram',
      'Time from request to finished video.',
      (p) => [
        ...LATENCY_BUCKETS.map(
          (bound, b) =>
            `aideon_video_latency_seconds_bucket{${p.labels},le="${bound.toFixed(1)}"} ${p.state.buckets[b] ?? 0} ${p.t}`,
        ),
        `aideon_video_latency_seconds_bucket{${p.labels},le="+Inf"} ${p.state.latencyCount} ${p.t}`,
        `aideon_video_latency_seconds_count{${p.labels}} ${p.state.latencyCount} ${p.t}`,
        `aideon_video_latency_seconds_sum{${p.labels}} ${num(p.state.latencySum)} ${p.t}`,
      ],
    );
    family('aideon_video_generated_seconds', 'counter', 'Seconds of video delivered.', (p) => [
      `aideon_video_generated_seconds_total{${p.labels}} ${p.state.generatedSeconds} ${p.t}`,
    ]);
    family('aideon_video_cost_usd', 'counter', 'Provider cost in US dollars.', (p) => [
      `aideon_video_cost_usd_total{${p.labels}} ${num(p.state.costUsd)} ${p.t}`,
    ]);
    lines.push('# EOF', '');
    files.push({ day, text: lines.join('\n') });
  }
  return files;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

export interface PrometheusFixture {
  url: string;
  port: number;
  /**
   * Milliseconds spent generating the OpenMetrics text, building the blocks with promtool
   * (both zero when the blocks came from the cache) and starting Prometheus until /-/ready.
   */
  timings: {
    generateMs: number;
    blocksMs: number;
    startMs: number;
    bytes: number;
    cached: boolean;
  };
  stop(): Promise<void>;
}

/**
 * The cache folder's name: a version, and a digest of this file (which generates the history),
 * so blocks that an older or another branch's generator left in the temp folder are never used
 * for a changed history, even when nobody bumped the version (the machine that runs CI keeps
 * /tmp from the sessions before it).
 */
const HISTORY_VERSION = `v1-seed7-${createHash('sha256')
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex')
  .slice(0, 12)}`;

/**
 * Builds the TSDB blocks once per machine (under the OS temp folder) and reuses them: the
 * blocks are immutable, and every Prometheus gets its own copy. Concurrent test files build
 * into private folders and the first rename wins.
 */
export async function ensureHistoryBlocks(
  options: { promtoolPath?: string; cacheRoot?: string } = {},
): Promise<{
  blocksDir: string;
  generateMs: number;
  blocksMs: number;
  bytes: number;
  cached: boolean;
}> {
  const promtool = options.promtoolPath ?? '/usr/bin/promtool';
  const cacheRoot = options.cacheRoot ?? tmpdir();
  const blocksDir = join(cacheRoot, `aideon-prometheus-history-${HISTORY_VERSION}`);
  if (existsSync(join(blocksDir, 'complete')))
    return { blocksDir, generateMs: 0, blocksMs: 0, bytes: 0, cached: true };

  const work = mkdtempSync(join(cacheRoot, 'aideon-prometheus-build-'));
  try {
    const inputDir = join(work, 'openmetrics');
    const dataDir = join(work, 'blocks');
    mkdirSync(inputDir, { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    let started = performance.now();
    const files = generateHistoryFiles();
    let bytes = 0;
    const paths = files.map(({ day, text }) => {
      const path = join(inputDir, `day-${day}.om.txt`);
      writeFileSync(path, text);
      bytes += text.length;
      return path;
    });
    const generateMs = performance.now() - started;

    started = performance.now();
    const queue = [...paths];
    const worker = async (): Promise<void> => {
      for (let path = queue.shift(); path; path = queue.shift())
        await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', path, dataDir]);
    };
    await Promise.all([worker(), worker()]);
    const blocksMs = performance.now() - started;
    writeFileSync(join(dataDir, 'complete'), `${HISTORY_VERSION}\n`);
    try {
      renameSync(dataDir, blocksDir);
    } catch (error) {
      // Another test file finished first: use its blocks.
      if (!existsSync(join(blocksDir, 'complete'))) throw error;
    }
    return { blocksDir, generateMs, blocksMs, bytes, cached: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function startPrometheus(options: {
  dir: string;
  prometheusPath?: string;
  promtoolPath?: string;
  cacheRoot?: string;
}): Promise<PrometheusFixture> {
  const prometheus = options.prometheusPath ?? '/usr/bin/prometheus';
  const history = await ensureHistoryBlocks(options);
  const dataDir = join(options.dir, 'data');
  cpSync(history.blocksDir, dataDir, {
    recursive: true,
    filter: (source) => !source.endsWith('complete'),
  });

  const started = performance.now();
  const configPath = join(options.dir, 'prometheus.yml');
  writeFileSync(configPath, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const { url, port, stop } = await spawnPrometheus({
    configPath,
    dataDir,
    // The history is fixed in mid-2025: keep it however long ago that is.
    extraArgs: ['--storage.tsdb.retention.time=100y'],
    prometheusPath: prometheus,
  });
  const startMs = performance.now() - started;

  return {
    url,
    port,
    timings: {
      generateMs: history.generateMs,
      blocksMs: history.blocksMs,
      startMs,
      bytes: history.bytes,
      cached: history.cached,
    },
    stop,
  };
}
