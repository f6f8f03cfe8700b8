/**
 * Ratings benchmark: 50 models, 100,000 votes, 200 bootstrap resamples.
 * Run: npx tsx test/bench/ratings.bench.ts
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  computeRatings,
  createRandom,
  type VoteForRating,
} from '../../src/main/review/bradley-terry';
import { computeRatingsOffThread } from '../../src/main/review/ratings-worker';
import type { Verdict } from '../../src/shared/review/review-schemas';

const MODELS = 50;
const VOTES = 100_000;
const RESAMPLES = 200;

function synthesise(categories: string[]): VoteForRating[] {
  const random = createRandom(2024);
  const truth = Array.from({ length: MODELS }, (_, i) => 700 + (600 * i) / (MODELS - 1));
  const votes: VoteForRating[] = [];
  while (votes.length < VOTES) {
    const a = Math.floor(random() * MODELS);
    const b = Math.floor(random() * MODELS);
    if (a === b) continue;
    const p = 1 / (1 + 10 ** ((truth[b]! - truth[a]!) / 400));
    const tie = 0.3 * 2 * Math.min(p, 1 - p);
    const u = random();
    const verdict: Verdict =
      random() < 0.03 ? 'both_bad' : u < tie ? 'tie' : u < tie + p - tie / 2 ? 'a' : 'b';
    votes.push({
      modelA: `bench:m${String(a).padStart(2, '0')}`,
      modelB: `bench:m${String(b).padStart(2, '0')}`,
      verdict,
      category: categories[Math.floor(random() * categories.length)]!,
    });
  }
  return votes;
}

function time<T>(label: string, run: () => T): T {
  const start = performance.now();
  const result = run();
  console.log(`${label}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  return result;
}

console.log(
  `Ratings bench: ${MODELS} models, ${VOTES.toLocaleString('en')} votes, ${RESAMPLES} resamples; Node ${process.version}, ${availableParallelism()} cores`,
);
const oneCategory = synthesise(['general']);
const result = time('sync, overall board only (1 category)            ', () =>
  computeRatings(oneCategory, { resamples: RESAMPLES, seed: 1 }),
);
const nine = synthesise([
  'people',
  'animals',
  'physics',
  'camera',
  'text',
  'multi-object',
  'stylised',
  'image-to-video',
  'general',
]);
time('sync, overall + 9 category boards                 ', () =>
  computeRatings(nine, { resamples: RESAMPLES, seed: 1 }),
);
const start = performance.now();
let ticks = 0;
const ticker = setInterval(() => (ticks += 1), 10);
const offThread = await computeRatingsOffThread(nine, { resamples: RESAMPLES, seed: 1 });
clearInterval(ticker);
const seconds = (performance.now() - start) / 1000;
console.log(
  `worker, overall + 9 category boards (incl. start): ${seconds.toFixed(2)} s; main-thread 10 ms timer fired ${ticks} times meanwhile`,
);
const top = result.overall
  .slice(0, 3)
  .map((r) => `${r.model} ${r.rating.toFixed(0)} [${r.low.toFixed(0)}, ${r.high.toFixed(0)}]`);
console.log(`top 3: ${top.join('; ')}`);
console.log(`boards in worker result: ${1 + Object.keys(offThread.byCategory).length}`);
