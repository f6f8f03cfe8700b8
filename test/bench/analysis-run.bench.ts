/**
 * Issue 15, analysis off the hot path: BENCH_GENERATIONS (default 1,000) generations against the
 * zero-delay sandbox, analysis on vs off in the same run (goal: < 30 s with analysis on). Also
 * prints the median recorded download phase of each, which must not grow with analysis on
 * (vendor-phase timings free of local CPU work), and how many distinct files were analysed
 * (the SHA-256 cache analyses identical clips once).
 * Run: npx tsx test/bench/analysis-run.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { saveSuiteVersion } from '../../src/main/bench/bench-repository';
import { testServices } from '../helpers/services';
import { median } from './bench-stats';

const generations = Number(process.env.BENCH_GENERATIONS ?? 1000);

const suite = {
  name: 'bench',
  description: 'analysis benchmark',
  prompts: Array.from({ length: generations }, (_, i) => ({
    id: `p${i}`,
    text: `prompt ${i}`,
    category: 'general' as const,
  })),
  settings: {},
};
const timings: Record<string, number> = {};
for (const analysis of [false, true]) {
  const services = testServices({ sandboxTimeScale: 0, benchConcurrency: 64 });
  saveSuiteVersion(services.db, { id: 'bench', builtIn: false, definition: suite }, Date.now());
  const started = performance.now();
  const { runId } = services.bench.startRun({
    suiteId: 'bench',
    models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
    budgetUsd: 1e6,
    analysis,
  });
  const run = await services.bench.waitForRun(runId);
  const ms = performance.now() - started;
  timings[analysis ? 'on' : 'off'] = ms;
  const rows = services.db
    .prepare('SELECT download_ms, media_id FROM generations WHERE run_id = ?')
    .all(runId) as Array<{ download_ms: number | null; media_id: string | null }>;
  const downloads = rows.flatMap((row) => (row.download_ms === null ? [] : [row.download_ms]));
  const analysed = analysis
    ? (
        services.db.prepare('SELECT COUNT(*) AS n FROM media_analysis').get() as {
          n: number;
        }
      ).n
    : 0;
  console.log(
    `  analysis ${analysis ? 'on ' : 'off'}: ${(ms / 1000).toFixed(1)} s, ${run.succeeded}/${run.total} succeeded, median downloadMs ${median(downloads)}, distinct videos ${new Set(rows.map((row) => row.media_id)).size}${analysis ? `, files analysed by ffmpeg ${analysed}` : ''}`,
  );
  await services.cleanup();
}
console.log(
  `${generations} generations, zero-delay sandbox: analysis on ${(timings.on! / 1000).toFixed(1)} s, analysis off ${(timings.off! / 1000).toFixed(1)} s, ratio ${(timings.on! / timings.off!).toFixed(2)}× (goal: on < 30 s)`,
);
