/**
 * Harness throughput: N generations (default 1,000) against zero-delay Together emulator, with
 * concurrency 16. Prints wall time, harness overhead per generation, peak RSS, and SQLite write
 * time per result. Video analysis (ffmpeg) is off here: it is measured on its own, per clip.
 * Then the reference in the same run (issue 15, goal ≤ 1.2×): a minimal fetch client doing the
 * same work against the same emulator (create, poll every 1 ms until done, download the video
 * to a file; the same concurrency), and the harness's wall time as a ratio of it.
 * Run: npx tsx test/bench/harness.bench.ts [generations] [concurrency]
 */
import { performance } from 'node:perf_hooks';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

/** The reference: the same jobs with nothing but fetch (no SQLite, no checks, no hashing). */
async function minimalClient(): Promise<number> {
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  const out = join(dir, 'minimal');
  mkdirSync(out);
  const models = ['minimax/video-01-director', 'Wan-AI/wan2.7-t2v'];
  let next = 0;
  const one = async (index: number): Promise<void> => {
    const created = (await (
      await fetch(`${baseUrl}/v2/videos`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          model: models[index % 2],
          prompt: `benchmark prompt ${index}`,
          seconds: '5',
        }),
      })
    ).json()) as { id: string };
    for (;;) {
      const job = (await (
        await fetch(`${baseUrl}/v2/videos/${created.id}`, { headers })
      ).json()) as { status: string; outputs?: { video_url: string } };
      if (job.status === 'completed' && job.outputs) {
        const video = await fetch(job.outputs.video_url);
        await pipeline(
          Readable.fromWeb(video.body as never),
          createWriteStream(join(out, `${index}.mp4`)),
        );
        return;
      }
      if (job.status === 'failed') throw new Error(`job ${created.id} failed`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < run.total) await one(next++);
    }),
  );
  return performance.now() - startedAt;
}
const minimalMs = await minimalClient();
console.log(
  `minimal fetch client:   ${(minimalMs / 1000).toFixed(2)} s for the same ${run.total} jobs (create, poll, download)`,
);
console.log(
  `harness without analysis ${(wallMs / 1000).toFixed(2)} s   minimal fetch client ${(minimalMs / 1000).toFixed(2)} s   ratio ${(wallMs / minimalMs).toFixed(2)}×   goal ≤ 1.2×`,
);
emulator.stop();
cleanup();
process.exit(0);
