/**
 * Scorecard timing: 10,000 synthetic generations, median of 5 runs.
 * Run: npx tsx test/bench/scorecard.bench.ts  (exit code 1 if the median is 200 ms or more).
 */
import { performance } from 'node:perf_hooks';
import {
  computeScorecard,
  scorecardToCsv,
  type ScorecardRow,
} from '../../src/main/bench/scorecard';

const ROWS = 10_000;
const RUNS = 5;
const LIMIT_MS = 200;

const models = [
  ['fal', 'fal-ai/veo3'],
  ['fal', 'fal-ai/kling-video/v2.1'],
  ['runway', 'gen4_turbo'],
  ['gemini', 'veo-3.0-generate-001'],
  ['sandbox', 'sandbox-fast'],
] as const;
const categories = [
  'people',
  'animals',
  'physics',
  'camera',
  'text',
  'multi-object',
  'stylised',
  'image-to-video',
];
const outcomes = [
  ...Array<string>(80).fill('success'),
  ...Array<string>(5).fill('policy_refusal'),
  ...Array<string>(5).fill('failure'),
  ...Array<string>(3).fill('timeout'),
  ...Array<string>(3).fill('bad_output'),
  'cancelled',
  'skipped_budget',
  'submit_unknown',
  'success',
];

/** Small deterministic PRNG so every run times the same data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildRows(): ScorecardRow[] {
  const random = prng(42);
  const rows: ScorecardRow[] = [];
  for (let i = 0; i < ROWS; i++) {
    const [provider, model] = models[i % models.length]!;
    const outcome = outcomes[Math.floor(random() * outcomes.length)]!;
    const submitted = 1_700_000_000_000 + i * 1000;
    const queue = Math.round(random() * 20_000);
    const generation = Math.round(30_000 + random() * 120_000);
    const download = Math.round(200 + random() * 3000);
    const success = outcome === 'success';
    rows.push({
      provider,
      model_id: model,
      category: categories[i % categories.length]!,
      outcome,
      submitted_at: submitted,
      started_at: submitted + queue,
      completed_at: submitted + queue + generation,
      finished_at: submitted + queue + generation + download,
      download_ms: success ? download : null,
      cost_usd: success ? 0.1 + random() * 2 : 0,
      cached: random() < 0.05 ? 1 : 0,
      settings: JSON.stringify({ durationSeconds: 4 + (i % 3) * 2, aspectRatio: '16:9' }),
      videoSeconds: success && random() < 0.9 ? 4 + random() * 4 : null,
      measures: success
        ? {
            flicker: random() * 0.01,
            blur: 2 + random() * 6,
            frozenFraction: random() < 0.1 ? random() : 0,
            blackFraction: random() < 0.05 ? random() : 0,
            sceneCuts: Math.floor(random() * 3),
            motion: random() * 0.05,
          }
        : null,
      compliance: success ? (random() < 0.8 ? [] : [{ setting: 'durationSeconds' }]) : null,
    });
  }
  return rows;
}

const rows = buildRows();
const times: number[] = [];
let lines = 0;
for (let run = 0; run < RUNS; run++) {
  const start = performance.now();
  const card = computeScorecard(rows);
  times.push(performance.now() - start);
  lines = card.models.reduce((sum, model) => sum + 1 + model.categories.length, 0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)]!;
const csvStart = performance.now();
const csv = scorecardToCsv(computeScorecard(rows));
const csvMs = performance.now() - csvStart;

console.log(
  `scorecard: ${ROWS} generations → ${lines} lines; median of ${RUNS} runs ${median.toFixed(1)} ms ` +
    `(runs: ${times.map((t) => t.toFixed(1)).join(', ')} ms); with CSV export ${csvMs.toFixed(1)} ms ` +
    `(${csv.length} bytes); limit ${LIMIT_MS} ms`,
);
if (median >= LIMIT_MS) {
  console.error(`FAIL: median ${median.toFixed(1)} ms is not under ${LIMIT_MS} ms`);
  process.exitCode = 1;
}
