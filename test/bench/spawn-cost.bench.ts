/**
 * What running ffprobe costs the console's own process, for the analysis and poster frames that
 * media/run-tool.ts runs (issue 15: the admin waits on the main thread). Every spawn forks the
 * whole process: the event loop waits while the fork copies its page tables, and afterwards every
 * page the process writes again faults once (copy-on-write, ~14 µs a fault on this VM), its heap
 * and a download's receive buffers alike. So the cost grows with the process, not the tool.
 *
 * Measured in one run, alternating: BENCH_TOOL_RUNS ffprobe runs on a sandbox clip through
 * runTool from this process, holding a heap of BENCH_HEAP_MB of small objects (a console in the
 * middle of a run) and writing part of it after each run; and the same runs made by a small
 * helper process started once (the reference: what a spawner process would cost, one IPC message
 * each way per run). Prints this thread's CPU per run, the longest event-loop stall, and the wall
 * time; the difference is what moving the spawns out of the process would save.
 * Run: npx tsx test/bench/spawn-cost.bench.ts
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { runTool } from '../../src/main/media/run-tool';
import { tempDir } from '../helpers/temp-dir';
import { median } from './bench-stats';
import { mainThreadCpuMs } from './proc-cpu';

const RUNS = Number(process.env.BENCH_TOOL_RUNS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 150);
const clip = join(import.meta.dirname, '../../resources/sandbox-clips/clip-c.mp4');
const args = ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', clip];

// A heap like a console's: many small objects (~170 bytes each with their strings and arrays).
const rows: { id: number; name: string; marks: number[] }[] = [];
for (let i = 0; i < HEAP_MB * 6000; i += 1) rows.push({ id: i, name: `row ${i}`, marks: [i] });
/** Writes a spread of the heap, as a console's work between two tool runs would. */
function work(): void {
  for (let k = 0; k < 20_000; k += 1) {
    const row = rows[(k * 7919) % rows.length];
    if (row) row.marks = [k];
  }
}

const { dir, cleanup } = tempDir('aideon-bench-spawn-');
const helperFile = join(dir, 'helper.cjs');
writeFileSync(
  helperFile,
  `const { spawn } = require('node:child_process');
process.on('message', ({ id, command, args }) => {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.resume();
  child.on('close', (exitCode) => process.send({ id, exitCode, stdout }));
});
`,
);
const helper = fork(helperFile, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const replies = new Map<number, (reply: { exitCode: number; stdout: string }) => void>();
helper.on('message', (reply: { id: number; exitCode: number; stdout: string }) =>
  replies.get(reply.id)?.(reply),
);
let nextId = 0;

async function direct(): Promise<string> {
  const result = await runTool('ffprobe', args, {
    timeoutMs: 30_000,
    collectStdout: true,
    what: 'probing the bench clip',
  });
  if (result.exitCode !== 0) throw new Error(`ffprobe exited with ${result.exitCode}`);
  return result.stdout;
}
function viaHelper(): Promise<string> {
  const id = (nextId += 1);
  return new Promise((resolve, reject) => {
    replies.set(id, (reply) => {
      replies.delete(id);
      if (reply.exitCode !== 0) reject(new Error(`ffprobe exited with ${reply.exitCode}`));
      else resolve(reply.stdout);
    });
    helper.send({ id, command: 'ffprobe', args });
  });
}

async function measure(run: () => Promise<string>): Promise<{
  cpuPerRun: number;
  maxStallMs: number;
  wallMs: number;
}> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpuBefore = mainThreadCpuMs();
  const started = performance.now();
  for (let i = 0; i < RUNS; i += 1) {
    const stdout = await run();
    if (!stdout.includes('"streams"')) throw new Error('ffprobe printed no streams');
    work();
  }
  const wallMs = performance.now() - started;
  delay.disable();
  return {
    cpuPerRun: (mainThreadCpuMs() - cpuBefore) / RUNS,
    maxStallMs: delay.max / 1e6,
    wallMs,
  };
}

try {
  await direct();
  await viaHelper();
  type Figures = Awaited<ReturnType<typeof measure>>;
  const figures: { direct: Figures[]; helper: Figures[] } = { direct: [], helper: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Which goes first alternates: on this VM a measurement depends on what ran before it.
    if (round % 2 === 0) figures.direct.push(await measure(direct));
    figures.helper.push(await measure(viaHelper));
    if (round % 2 === 1) figures.direct.push(await measure(direct));
  }
  const show = (name: string, values: Figures[]): string =>
    `${name}: ${median(values.map((v) => v.cpuPerRun)).toFixed(1)} ms of this thread's CPU per run, longest event-loop stall ${median(values.map((v) => v.maxStallMs)).toFixed(0)} ms, ${RUNS} runs in ${median(values.map((v) => v.wallMs)).toFixed(0)} ms`;
  const rss = process.memoryUsage().rss / 1048576;
  console.log(
    `ffprobe from a process of ${rss.toFixed(0)} MB RSS (heap of ~${HEAP_MB} MB of small objects), medians of ${ROUNDS} rounds:`,
  );
  console.log(`  ${show('spawned here (runTool, what the console does)', figures.direct)}`);
  console.log(`  ${show('spawned by a helper process (reference)', figures.helper)}`);
  const saved =
    median(figures.direct.map((v) => v.cpuPerRun)) - median(figures.helper.map((v) => v.cpuPerRun));
  console.log(
    `  moving the spawns out of the process would save ${saved.toFixed(1)} ms of main-thread CPU per tool run`,
  );
} finally {
  helper.kill();
  cleanup();
}
