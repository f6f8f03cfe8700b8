/**
 * Arena CSV benchmark: 100,000 votes for 50 models (goal: import and fit in under 3 s).
 * Two paths, as the CLI runs them:
 * - `aideon review ratings --votes FILE` (nothing stored): parse + validate, then fit;
 * - `aideon review import-arena FILE` then `review ratings`: parse + validate + store in SQLite
 *   (one transaction, multi-row prepared INSERTs), then read back + fit.
 * Each fit is the point estimate + 200 bootstrap resamples. Prints figures; asserts nothing.
 * Run: npx tsx test/bench/arena-votes.bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importArenaVotes, parseArenaCsvEncoded } from '../../src/main/review/arena-csv';
import { computeRatingsEncoded, createRandom } from '../../src/main/review/bradley-terry';
import { loadRatingVotes } from '../../src/main/review/rating-votes';
import { fileRatings } from '../../src/main/review/review-cli';
import { openDatabase } from '../../src/main/store/db';

const MODELS = 50;
const VOTES = 100_000;
const GOAL_MS = 3000;

function csv(): string {
  const random = createRandom(7);
  const lines = ['model_a,model_b,winner,category'];
  const winners = ['model_a', 'model_b', 'tie', 'tie (bothbad)'];
  for (let k = 0; k < VOTES; k += 1) {
    const i = Math.floor(random() * MODELS);
    let j = Math.floor(random() * (MODELS - 1));
    if (j >= i) j += 1;
    const p = 1 / (1 + Math.exp((j - i) / 15));
    const u = random();
    const winner = winners[u < 0.08 ? 2 : u < 0.1 ? 3 : random() < p ? 0 : 1]!;
    lines.push(`vendor:model-${i},vendor:model-${j},${winner},text-to-video`);
  }
  return `${lines.join('\n')}\n`;
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;
const verdict = (total: number): string =>
  `${ms(total)} (goal < ${GOAL_MS} ms: ${total < GOAL_MS ? 'met' : 'NOT met'})`;

const text = csv();
const dir = mkdtempSync(join(tmpdir(), 'aideon-arena-bench-'));
try {
  const file = join(dir, 'votes.csv');
  writeFileSync(file, text);
  console.log(
    `arena CSV: ${VOTES} votes, ${MODELS} models, ${(text.length / 1e6).toFixed(1)} MB; load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );

  // 1. Fit a file without storing it: the parse and the fit separately, then the whole command.
  let start = performance.now();
  const encoded = parseArenaCsvEncoded(text);
  const parsed = performance.now();
  const fileResult = computeRatingsEncoded(encoded, { resamples: 200 });
  const fitted = performance.now();
  console.log('review ratings --votes FILE (nothing stored):');
  console.log(`  parse + validate: ${ms(parsed - start)}`);
  console.log(
    `  fit + 200 bootstrap resamples (${fileResult.overall.length} models): ${ms(fitted - parsed)}`,
  );
  console.log(`  total: ${verdict(fitted - start)}`);
  start = performance.now();
  fileRatings(file, { resamples: 200 });
  console.log(
    `  the whole command (read file, parse, fit, format): ${verdict(performance.now() - start)}`,
  );

  // 2. Store the file, then rate everything stored.
  const db = openDatabase({ file: join(dir, 'aideon.sqlite') });
  start = performance.now();
  const imported = importArenaVotes(db, text, 'bench.csv', Date.now());
  const afterImport = performance.now();
  const { encoded: stored } = loadRatingVotes(db);
  const afterRead = performance.now();
  const result = computeRatingsEncoded(stored, { resamples: 200 });
  const end = performance.now();
  const storedRows = (
    db.prepare('SELECT COUNT(*) AS n FROM external_vote_counts').get() as { n: number }
  ).n;
  db.close();
  console.log('review import-arena FILE, then review ratings (stored):');
  console.log(
    `  parse + validate + store ${imported.imported} votes as ${storedRows} count rows (one transaction, ${Math.ceil(storedRows / 500)} prepared multi-row INSERTs): ${ms(afterImport - start)}`,
  );
  console.log(`  read back (aggregated): ${ms(afterRead - afterImport)}`);
  console.log(
    `  fit + 200 bootstrap resamples (${result.overall.length} models): ${ms(end - afterRead)}`,
  );
  console.log(`  total: ${verdict(end - start)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
