/**
 * Arena CSV benchmark: 100,000 votes for 50 models, parsed, imported into SQLite and fitted
 * (200 bootstrap resamples). Goal: under 3 s in total. Prints figures; asserts nothing.
 * Run: npx tsx test/bench/arena-votes.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importArenaVotes, listExternalVotes } from '../../src/main/review/arena-csv';
import { computeRatings, createRandom } from '../../src/main/review/bradley-terry';
import { openDatabase } from '../../src/main/store/db';

const MODELS = 50;
const VOTES = 100_000;

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

const text = csv();
const dir = mkdtempSync(join(tmpdir(), 'aideon-arena-bench-'));
try {
  const db = openDatabase({ file: join(dir, 'aideon.sqlite') });
  const start = performance.now();
  const imported = importArenaVotes(db, text, 'bench.csv', Date.now());
  const afterImport = performance.now();
  const votes = listExternalVotes(db);
  const result = computeRatings(votes, { resamples: 200 });
  const end = performance.now();
  db.close();
  console.log(
    `arena CSV: ${imported.imported} votes, ${result.overall.length} models (${(text.length / 1e6).toFixed(1)} MB)`,
  );
  console.log(`  parse + validate + import into SQLite: ${(afterImport - start).toFixed(0)} ms`);
  console.log(`  read back + fit + 200 bootstrap resamples: ${(end - afterImport).toFixed(0)} ms`);
  console.log(`  total: ${(end - start).toFixed(0)} ms (goal < 3000 ms)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
