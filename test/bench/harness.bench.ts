/**
 * Harness throughput: N generations (default 1,000) against zero-delay Together emulator, with
 * concurrency 16. Prints wall time, harness overhead per generation, peak RSS, and SQLite write
 * time per result. Video analysis (ffmpeg) is off here: it is measured on its own, per clip.
 * Run: npx tsx test/bench/harness.bench.ts [generations] [concurrency]
 */
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { listGenerationRows, updateGeneration } from '../../src/main/bench/bench-repository';
import { saveSuiteVersion } from '../../src/main/bench/bench-repository';
import { resourcesDir } from '../../src/main/paths';
import { createServices } from '../../src/main/services';
import { startEmulatorProcess } from './start-emulator-process';
import { tempDir } from '../helpers/temp-dir';

const generations = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 16);
const KEY = 'tgp_v1_bench-key-00000000000000001';

// The emulator runs in its own process, so this process's CPU time is the console's alone.
const emulator = await startEmulatorProcess('together', KEY);
const baseUrl = emulator.url;
const { dir, cleanup } = tempDir('aideon-bench-');
writeFileSync(join(dir, 'unused'), '');
let peakRss = process.memoryUsage().rss;
const rssBefore = peakRss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

const services = createServices({
  dataDir: dir,
  resourcesDir: resourcesDir(),
  env: { TOGETHER_API_KEY: KEY, AIDEON_TOGETHER_BASE_URL: baseUrl },
  mode: 'cli',
  version: 'bench',
  analyseVideos: false,
  benchConcurrency: concurrency,
  providerConcurrency: { together: concurrency },
  pollPolicy: { initialMs: 1, factor: 1, maxMs: 1 },
  dispatcher: new Agent({ connections: concurrency * 2 }),
});
const prompts = Math.ceil(generations / 2);
saveSuiteVersion(
  services.db,
  {
    id: 'bench',
    builtIn: false,
    definition: {
      name: 'Bench',
      description: '',
      settings: { durationSeconds: 5 },
      prompts: Array.from({ length: prompts }, (_, i) => ({
        id: `p${i}`,
        text: `benchmark prompt ${i}`,
        category: 'general' as const,
      })),
    },
  },
  Date.now(),
);

const cpuBefore = process.cpuUsage();
const started = performance.now();
const { runId } = services.bench.startRun({
  suiteId: 'bench',
  models: [
    { provider: 'together', modelId: 'minimax/video-01-director' },
    { provider: 'together', modelId: 'Wan-AI/wan2.7-t2v' },
  ],
  budgetUsd: 100000,
});
const run = await services.bench.waitForRun(runId);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);

// SQLite write time per result: the same update the runner makes, timed in isolation.
const rows = listGenerationRows(services.db, runId);
const writeStart = performance.now();
for (const row of rows)
  updateGeneration(services.db, row.id, { progress: 0.5, state: row.state as never });
const writeMs = (performance.now() - writeStart) / rows.length;

const perGeneration = wallMs / run.total;
console.log(
  `generations:            ${run.total} (${run.succeeded} succeeded, ${run.failed} failed), concurrency ${concurrency}`,
);
console.log(
  `wall time:              ${(wallMs / 1000).toFixed(2)} s (${perGeneration.toFixed(2)} ms per generation)`,
);
const stats = await emulator.stats();
console.log(
  `harness overhead:       ${((cpu.user + cpu.system) / 1000 / run.total).toFixed(2)} ms CPU per generation (adapter + runner + SQLite + media store; emulator excluded)`,
);
console.log(
  `emulator requests:      ${stats.creates} creates, ${stats.polls} polls, ${stats.downloads} downloads`,
);
console.log(
  `peak RSS:               ${(peakRss / 1024 / 1024).toFixed(0)} MB (growth ${((peakRss - rssBefore) / 1024 / 1024).toFixed(0)} MB)`,
);
console.log(`SQLite write/result:    ${writeMs.toFixed(3)} ms`);
await services.close();
emulator.stop();
cleanup();
process.exit(0);
