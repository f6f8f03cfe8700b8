/**
 * Crash benchmark: 20 random kill points (kill -9 of `aideon bench run`, then `bench resume`).
 * Prints results lost and duplicate submissions per point and in total; both must be 0.
 * Run: npx tsx test/bench/crash.bench.ts [points]
 */
import { crashAndResume } from '../helpers/crash-harness';

const points = Number(process.argv[2] ?? 20);
let seed = 20261125;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

let lost = 0;
let duplicates = 0;
let unknown = 0;
const started = Date.now();
for (let index = 0; index < points; index += 1) {
  const point = {
    killAfterCreates: 1 + Math.floor(random() * 9),
    extraDelayMs: Math.floor(random() * 400),
    prompts: 5,
  };
  const outcome = await crashAndResume(point);
  lost += outcome.lost;
  duplicates += outcome.duplicateSubmissions;
  unknown += outcome.outcomes.submit_unknown ?? 0;
  console.log(
    `kill ${String(index + 1).padStart(2)}: after ${outcome.killedAfterCreates} creates (+${point.extraDelayMs} ms) → creates ${outcome.creates}, submitted ${outcome.submitted}, lost ${outcome.lost}, duplicates ${outcome.duplicateSubmissions}, outcomes ${JSON.stringify(outcome.outcomes)}`,
  );
}
console.log(
  `\n${points} kill points in ${((Date.now() - started) / 1000).toFixed(0)} s: results lost = ${lost}, duplicate submissions = ${duplicates}, submit_unknown (not resent) = ${unknown}`,
);
process.exit(lost === 0 && duplicates === 0 ? 0 : 1);
