/**
 * Soak: a console (`aideon serve`, the process the desktop app's main process also is) left open
 * all day, as admins leave it: pages reloaded (each opens the event stream and drops it), the
 * API called, videos played (range requests), a sandbox benchmark started now and then. A
 * listener kept per closed event stream, a file left open per video request or a timer kept per
 * run would not show in any test; here it shows as memory or open files growing round after
 * round.
 *
 * Each round: 10 event streams opened and dropped, 40 API calls, 10 video range requests (paced
 * under the API's rate limit); every 10th round a sandbox benchmark is started and followed to
 * its end. Prints RSS, open file descriptors and CPU every 20 rounds, then the growth after
 * warm-up.
 *
 * The server runs with V8's --trace-gc: the heap still in use after each full collection
 * (mark-compact) is the live heap, which RSS alone cannot tell from garbage not yet collected.
 *
 * Run: npm run bench -- console-soak   (BENCH_SOAK_ROUNDS, default 200)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { NO_VENDOR_KEYS, benchmarkWithCli, newDataDir, startConsole } from '../e2e/console-server';

const ROUNDS = Math.max(20, Number(process.env.BENCH_SOAK_ROUNDS ?? 200));

function usage(pid: number): { rssMb: number; fds: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuS: (Number(fields[11]) + Number(fields[12])) / 100,
  };
}

const dataDir = newDataDir();
benchmarkWithCli(dataDir);
const server = await startConsole(
  dataDir,
  { ...NO_VENDOR_KEYS, AIDEON_SANDBOX_TIME_SCALE: '0.02' },
  ['--trace-gc'],
);

/**
 * The main thread's heap in use (MB) after each full collection so far, from --trace-gc's lines
 * (each starts with [pid:isolate]; worker threads are isolates of their own, the main one the first).
 */
function liveHeaps(): number[] {
  const output = server.output();
  const main = /^\[\d+:(0x[0-9a-f]+)\]/m.exec(output)?.[1];
  return [...output.matchAll(/^\[\d+:(0x[0-9a-f]+)\][^\n]*?Mark-Compact[^\n]*?-> ([\d.]+) \(/gm)]
    .filter((match) => match[1] === main)
    .map((match) => Number(match[2]));
}
const url = new URL(server.url);
const token =
  url.searchParams.get('token') ?? new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

async function call<T>(channel: string, input: unknown = {}): Promise<T> {
  for (;;) {
    const response = await fetch(`${server.origin}/api/${channel}`, {
      method: 'POST',
      headers: { ...auth, origin: server.origin },
      body: JSON.stringify(input),
    });
    if (response.status === 429) {
      await new Promise((resolve) =>
        setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)),
      );
      continue;
    }
    const body = (await response.json()) as
      { ok: true; value: T } | { ok: false; error: { message: string } };
    if (!body.ok) throw new Error(`${channel}: ${body.error.message}`);
    return body.value;
  }
}

/** Opens the event stream, waits for its first bytes, drops it (a page reload). */
async function reloadEvents(): Promise<void> {
  const controller = new AbortController();
  const response = await fetch(`${server.origin}/events?token=${encodeURIComponent(token)}`, {
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  await Promise.race([reader?.read(), new Promise((resolve) => setTimeout(resolve, 200))]);
  controller.abort();
  await reader?.cancel().catch(() => undefined);
}

async function playVideo(id: string): Promise<void> {
  const response = await fetch(`${server.origin}/media/${id}?token=${encodeURIComponent(token)}`, {
    headers: { range: 'bytes=0-65535' },
  });
  await response.arrayBuffer();
}

interface RunSummary {
  id: string;
  suiteId: string;
  state: string;
  models: { provider: string; modelId: string }[];
}
interface RunDetail {
  generations: { media: { id: string } | null }[];
}

const pid = server.pid;
let failure: string | undefined;
try {
  const [first] = await call<RunSummary[]>('bench:list-runs');
  if (!first) throw new Error('the CLI benchmark left no run');
  const detail = await call<RunDetail>('bench:get-run', { runId: first.id });
  const videos = detail.generations.flatMap((generation) =>
    generation.media ? [generation.media.id] : [],
  );
  console.log(
    `console soak: ${ROUNDS} rounds (10 event streams dropped, 40 API calls, 10 video requests each; a sandbox run every 10th)`,
  );
  const start = usage(pid);
  const started = Date.now();
  let warm = start;
  let warmHeaps = 0;
  let runs = 0;
  for (let round = 1; round <= ROUNDS; round += 1) {
    const roundStart = Date.now();
    for (let index = 0; index < 10; index += 1) await reloadEvents();
    for (let index = 0; index < 10; index += 1) {
      await call('app:bootstrap');
      await call('bench:list-runs');
      await call('bench:get-run', { runId: first.id });
      await call('bench:get-scorecard', { runId: first.id });
    }
    for (let index = 0; index < 10; index += 1)
      await playVideo(videos[index % videos.length] ?? '');
    if (round % 10 === 0) {
      const { runId } = await call<{ runId: string }>('bench:start-run', {
        suiteId: first.suiteId,
        models: first.models,
        budgetUsd: 100,
      });
      for (;;) {
        const runsNow = await call<RunSummary[]>('bench:list-runs');
        if (runsNow.find((run) => run.id === runId)?.state !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      runs += 1;
    }
    // 40 calls a round, at most 25 a second: under the API's 50 a second with room.
    const spent = Date.now() - roundStart;
    if (spent < 1600) await new Promise((resolve) => setTimeout(resolve, 1600 - spent));
    if (round === 20) {
      warm = usage(pid);
      warmHeaps = liveHeaps().length;
    }
    if (round % 20 === 0) {
      const now = usage(pid);
      const heaps = liveHeaps();
      console.log(
        `round ${String(round).padStart(4)} at ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s: RSS ${now.rssMb.toFixed(1)} MB, live heap ${heaps.at(-1)?.toFixed(1) ?? '?'} MB (${heaps.length} full GCs), fds ${now.fds}, CPU ${now.cpuS.toFixed(1)} s, runs ${runs}`,
      );
    }
  }
  const end = usage(pid);
  const heaps = liveHeaps();
  const afterWarm = heaps.slice(Math.max(0, warmHeaps - 1));
  if (afterWarm.length >= 2)
    console.log(
      `live heap after full GCs from round 20 on: ${afterWarm.map((value) => value.toFixed(1)).join(', ')} MB`,
    );
  console.log(
    `start RSS ${start.rssMb.toFixed(1)} MB, fds ${start.fds}; after warm-up (round 20 → ${ROUNDS}): RSS ${(end.rssMb - warm.rssMb).toFixed(1)} MB, fds ${end.fds - warm.fds}; ${ROUNDS * 10} event streams, ${ROUNDS * 40} API calls, ${ROUNDS * 10} video requests, ${runs} benchmark runs`,
  );
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
} finally {
  await server.stop();
}
if (failure) {
  console.error(`console soak failed: ${failure}`);
  process.exit(1);
}
