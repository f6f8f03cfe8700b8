/**
 * Routing simulator timing: the example config (2 tiers, one flag), 100,000 requests per tier,
 * median of 5 runs. Run: npx tsx test/bench/simulator.bench.ts
 * (exit code 1 if any tier's median is 1 s or more).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { simulateRouting } from '../../src/main/rollout/routing/routing-simulator';
import { routingConfigSchema } from '../../src/shared/routing/routing-config-schema';
import type { ModelObservationInput } from '../../src/shared/routing/routing-evidence';

const REQUESTS = 100_000;
const RUNS = 5;
const LIMIT_MS = 1000;

const here = fileURLToPath(new URL('.', import.meta.url));
const config = routingConfigSchema.parse(
  JSON.parse(readFileSync(join(here, '../../resources/routing/example-config.json'), 'utf8')),
);
const obs = (
  successRate: number,
  p50: number,
  p95: number,
  usdPerClip: number,
): ModelObservationInput => ({
  successRate,
  p50LatencyMs: p50,
  p95LatencyMs: p95,
  usdPerClip,
});
const observed = {
  'together:ByteDance/Seedance-1.0-lite': obs(0.96, 45_000, 160_000, 0.14),
  'together:Wan-AI/wan2.7-t2v': obs(0.92, 50_000, 200_000, 0.1),
  'sandbox:sandbox-fast': obs(1, 1_500, 3_000, 0.25),
  'together:kwaivgI/kling-2.1-master': obs(0.94, 120_000, 280_000, 0.92),
  'runway:gen4.5': obs(0.97, 60_000, 150_000, 0.6),
  'sandbox:sandbox-pro': obs(1, 2_700, 4_000, 0.6),
};

const perTier = new Map<string, number[]>();
let last;
for (let run = 0; run < RUNS; run += 1) {
  for (const tier of Object.keys(config.tiers)) {
    const single = { ...config, tiers: { [tier]: config.tiers[tier]! } };
    const start = performance.now();
    last = simulateRouting(single, observed, { requests: REQUESTS, seed: run + 1 });
    const ms = performance.now() - start;
    perTier.set(tier, [...(perTier.get(tier) ?? []), ms]);
    const t = last.tiers[tier]!;
    if (run === RUNS - 1) {
      process.stdout.write(
        `${tier}: success ${(t.successRate * 100).toFixed(2)} %, $${t.costPer1000VideosUsd?.toFixed(2)} per 1,000 videos, p50 ${((t.latencyMs.p50 ?? 0) / 1000).toFixed(1)} s, p95 ${((t.latencyMs.p95 ?? 0) / 1000).toFixed(1)} s\n`,
      );
    }
  }
}
let failed = false;
for (const [tier, times] of perTier) {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  failed ||= median >= LIMIT_MS;
  process.stdout.write(
    `simulate ${REQUESTS.toLocaleString('en')} requests, tier ${tier}: median ${median.toFixed(0)} ms (runs: ${sorted.map((t) => t.toFixed(0)).join(', ')}; limit ${LIMIT_MS} ms)\n`,
  );
}
process.exitCode = failed ? 1 : 0;
