/**
 * CPU time from /proc (Linux only), for the benches that tell one thread's or one process's share
 * of the work apart (download, spawn cost).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * One clock tick in ms (the unit of /proc's CPU times). Asked once, when this module loads: a
 * spawn later, between measurements, would tax the measuring process (see spawn-cost.bench.ts).
 */
export const CLOCK_TICK_MS =
  1000 / Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** CPU ms (user + system) of the process or thread whose `stat` file is `path`; NaN if unreadable. */
export function cpuMs(path: string): number {
  try {
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** CPU ms of this process's main thread alone (worker threads and libuv's pool left out). */
export function mainThreadCpuMs(): number {
  return cpuMs(`/proc/self/task/${process.pid}/stat`);
}
