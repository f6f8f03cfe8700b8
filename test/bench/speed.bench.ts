/**
 * Issue 15's figures that the media-speed work touched, each as a ratio against a reference
 * measured in the same run (medians):
 * - `aideon` start-up vs `node -e 0`: `--help`, `--version`, `bench --help`, and `bench list` on a
 *   new data folder (database created and migrated) and on that folder again (opened), all
 *   through bin/aideon.mjs as users run it (its stale-build check included); `--help` also
 *   straight from out/main/cli.js and through tsx (how it ran before the prebuilt CLI);
 * - `aideon serve` launch → URL line vs a plain node http server printing its URL, and launch →
 *   first API answer (the services are built after the URL is printed);
 * - ratings for the next pair at 100k votes: cached answer vs a full refit;
 * - JavaScript the console loads at start (out/renderer/index.html).
 * Console ready in Chromium: test/bench/console-ready.bench.ts. Downloads, completion lag and the
 * 1,000-generation figure (analysis on vs off: test/bench/analysis-run.bench.ts): see README
 * "Performance".
 * Needs `npx electron-vite build` first. Run: npx tsx test/bench/speed.bench.ts
 * BENCH_ROUNDS (default 9) sets the rounds per figure; BENCH_ONLY=cli,serve limits the sections.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { computeRatings, createRandom } from '../../src/main/review/bradley-terry';
import { PairRatingsCache } from '../../src/main/review/ratings-cache';
import { insertVotes, listVotes } from '../../src/main/review/review-repository';
import type { WritableDb } from '../../src/main/store/db';
import { migrate } from '../../src/main/store/migrations';
import { MIGRATIONS } from '../../src/main/store/migrations/index';
import type { Vote } from '../../src/shared/review/review-schemas';
import { tempDir } from '../helpers/temp-dir';
import { median } from './bench-stats';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ONLY = process.env.BENCH_ONLY?.split(',');
const wanted = (section: string): boolean => !ONLY || ONLY.includes(section);

function timeCommand(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited with ${result.status}`);
  return performance.now() - started;
}

/** Milliseconds from spawn to the first stdout line matching `pattern`; the child is then ended. */
function timeToLine(args: string[], pattern: RegExp): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) {
        const ms = performance.now() - started;
        child.kill();
        resolvePromise(ms);
      }
    });
    child.on('exit', (code) => {
      if (!pattern.test(text))
        reject(new Error(`${args.join(' ')} exited (${code}) before its line`));
    });
  });
}

function line(label: string, ms: number, referenceLabel: string, referenceMs: number): void {
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms   ${referenceLabel} ${referenceMs.toFixed(0)} ms   ratio ${(ms / referenceMs).toFixed(2)}×`,
  );
}

async function cliStartup(): Promise<void> {
  const built = join(root, 'out/main/cli.js');
  try {
    statSync(built);
  } catch {
    console.log('out/main/cli.js is missing: run `npx electron-vite build` first.');
    return;
  }
  const bin = join(root, 'bin/aideon.mjs');
  const cases: [string, () => string[]][] = [
    ['aideon --help', () => [bin, '--help']],
    ['aideon --version', () => [bin, '--version']],
    ['aideon bench --help', () => [bin, 'bench', '--help']],
    [
      'aideon bench list (new data folder)',
      () => [bin, '--data-dir', mkdtempSync(join(scratch, 'new-')), 'bench', 'list'],
    ],
    ['aideon bench list (same folder again)', () => [bin, '--data-dir', reused, 'bench', 'list']],
    ['aideon --help (out/main/cli.js, no bin check)', () => [built, '--help']],
  ];
  const scratch = mkdtempSync(join(tmpdir(), 'aideon-bench-cli-'));
  const reused = join(scratch, 'reused');
  timeCommand([bin, '--data-dir', reused, 'bench', 'list']); // creates it
  const nodeMs: number[] = [];
  const caseMs = cases.map(() => [] as number[]);
  const tsxMs: number[] = [];
  // Interleaved, so load on the machine falls on every figure alike.
  for (let round = 0; round < ROUNDS; round += 1) {
    nodeMs.push(timeCommand(['-e', '0']));
    cases.forEach(([, args], index) => caseMs[index]!.push(timeCommand(args())));
    if (round < 3) tsxMs.push(timeCommand(['--import', 'tsx', 'src/main/cli/index.ts', '--help']));
  }
  rmSync(scratch, { recursive: true, force: true });
  const reference = median(nodeMs);
  cases.forEach(([label], index) => line(label, median(caseMs[index]!), 'node -e 0', reference));
  line(
    'aideon --help through tsx (before: no prebuilt CLI)',
    median(tsxMs),
    'node -e 0',
    reference,
  );
}

/** Milliseconds from spawn to the URL line, and to the first answer of an API call. */
function timeToUrlAndApi(args: string[]): Promise<{ url: number; api: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    let done = false;
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /AIDEON_URL=(\S+)/.exec(text);
      if (!match?.[1] || done) return;
      done = true;
      const urlMs = performance.now() - started;
      const url = new URL(match[1]);
      void fetch(`${url.origin}/api/bench:list-runs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${url.hash.replace(/^#token=/, '')}`,
          'content-type': 'application/json',
        },
        body: '{}',
      })
        .then(async (response) => {
          await response.text();
          if (!response.ok) throw new Error(`API answered ${response.status}`);
          resolvePromise({ url: urlMs, api: performance.now() - started });
        }, reject)
        .finally(() => child.kill());
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`${args.join(' ')} exited (${code}) before its line`));
    });
  });
}

async function serveLaunch(): Promise<void> {
  const plain =
    "require('http').createServer((q,s)=>s.end()).listen(0,'127.0.0.1',function(){console.log('URL=http://127.0.0.1:'+this.address().port)})";
  const plainMs: number[] = [];
  const serveMs: number[] = [];
  const apiMs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const { dir, cleanup } = tempDir('aideon-bench-serve-');
    plainMs.push(await timeToLine(['-e', plain], /URL=/));
    const timed = await timeToUrlAndApi([
      join(root, 'bin/aideon.mjs'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dir,
    ]);
    serveMs.push(timed.url);
    apiMs.push(timed.api);
    cleanup();
  }
  line('aideon serve → URL line', median(serveMs), 'plain http server', median(plainMs));
  line(
    'aideon serve → first API answer (new data folder)',
    median(apiMs),
    'plain http server',
    median(plainMs),
  );
}

function ratings(): void {
  const db = new Database(':memory:') as unknown as WritableDb;
  migrate(db, MIGRATIONS);
  const random = createRandom(7);
  const votes: Vote[] = [];
  for (let i = 0; i < 100_000; i += 1) {
    const a = Math.floor(random() * 20);
    let b = Math.floor(random() * 19);
    if (b >= a) b += 1;
    votes.push({
      id: `v${i}`,
      generationA: `g${i}a`,
      generationB: `g${i}b`,
      modelA: `bench:m${a}`,
      modelB: `bench:m${b}`,
      promptId: `p${i % 48}`,
      category: 'bench',
      verdict: random() < 0.5 ? 'a' : 'b',
      voter: 'bench',
      votedAt: i,
    });
  }
  insertVotes(db, votes, 1);
  let started = performance.now();
  computeRatings(listVotes(db), { resamples: 200 });
  const refitMs = performance.now() - started;
  const cache = new PairRatingsCache(
    db,
    async (list) => computeRatings(list, { resamples: 200 }).overall,
  );
  cache.get();
  const cachedMs: number[] = [];
  for (let round = 0; round < 20; round += 1) {
    started = performance.now();
    cache.get();
    cachedMs.push(performance.now() - started);
  }
  line('next-pair ratings at 100k votes (cached)', median(cachedMs), 'full refit', refitMs);
}

function consoleStartBytes(): void {
  const html = readFileSync(join(root, 'out/renderer/index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const bytes = files.reduce(
    (sum, file) => sum + statSync(join(root, 'out/renderer', file)).size,
    0,
  );
  console.log(
    `console JavaScript loaded at start: ${(bytes / 1024).toFixed(0)} KB in ${files.length} files`,
  );
}

console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load ${loadavg()[0]!.toFixed(1)}`,
);
if (wanted('cli')) await cliStartup();
if (wanted('serve')) await serveLaunch();
if (wanted('ratings')) ratings();
if (wanted('bytes')) consoleStartBytes();
