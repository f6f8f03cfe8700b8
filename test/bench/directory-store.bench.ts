/**
 * Directory store benchmark: a rollout-step-like commit (new signed version of ~20 KB,
 * flags.json, rollout state, history entry and head, current) and a read of `current`, on a
 * real folder in the temp dir, with the commit journal. Prints median and p95 in ms.
 * Run: npx tsx test/bench/directory-store.bench.ts
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DirectoryStore } from '../../src/main/rollout/stores/directory-store';
import { tempDir } from '../helpers/temp-dir';
import { median } from './bench-stats';

const COMMITS = 200;
const READS = 2000;

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
}

const { dir, cleanup } = tempDir('aideon-dir-bench-');
try {
  const store = new DirectoryStore({ root: join(dir, 'store') });
  const bundle = 'x'.repeat(20_000);
  const commitMs: number[] = [];
  for (let version = 1; version <= COMMITS; version += 1) {
    const current = await store.get('dev/current');
    const started = performance.now();
    await store.commit([
      { key: `dev/versions/${version}`, value: `${version}${bundle}`, expect: null },
      { key: 'dev/flags.json', value: `{"flags":{"v":${version}}}` },
      { key: 'dev/rollouts/new-video-model', value: `{"step":${version}}` },
      { key: `history/entries/${version}`, value: `{"seq":${version}}`, expect: null },
      { key: 'history/head', value: `{"seq":${version}}` },
      { key: 'dev/current', value: `{"version":${version}}`, expect: current?.etag ?? null },
    ]);
    commitMs.push(performance.now() - started);
  }
  const readMs: number[] = [];
  for (let index = 0; index < READS; index += 1) {
    const started = performance.now();
    await store.get('dev/current');
    readMs.push(performance.now() - started);
  }
  console.log(
    `6-key commit (one ~20 KB): median ${median(commitMs).toFixed(2)} ms, p95 ${p95(commitMs).toFixed(2)} ms over ${COMMITS}`,
  );
  console.log(
    `get(current): median ${median(readMs).toFixed(3)} ms, p95 ${p95(readMs).toFixed(3)} ms over ${READS}`,
  );
} finally {
  cleanup();
}
