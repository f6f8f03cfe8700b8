// Loaded by the soak bench into each process it starts (`node --expose-gc --import <this file>`):
// on SIGUSR2 the process collects its garbage and writes what only it can see — heap in use
// after that collection, its live timers, sockets and other handles, the listeners on `process`
// — to <AIDEON_SOAK_PROBE_DIR>/<pid>.json. A signal and a file rather than an endpoint: nothing
// is added to the console, and the probe opens no port anyone could reach.
//
// Plain JavaScript so the process under test loads no TypeScript loader it would not have in
// production. Worker threads inherit --import but cannot take signals, so they skip it.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.AIDEON_SOAK_PROBE_DIR;
if (isMainThread && dir) {
  let seq = 0;
  const file = join(dir, `${process.pid}.json`);
  const write = (reading) => {
    writeFileSync(`${file}.tmp`, JSON.stringify(reading));
    renameSync(`${file}.tmp`, file);
  };
  // A first file says the handler is in place: before it, SIGUSR2 would end the process.
  write({ seq });
  process.on('SIGUSR2', () => {
    // The heap after a full collection is the live heap; without it, the figure is mostly
    // garbage not yet collected and rises and falls with the collector's timing.
    globalThis.gc?.();
    // The bench asks for a heap snapshot by naming its path in <pid>.snapshot (--heap-snapshots).
    const request = `${file.slice(0, -'.json'.length)}.snapshot`;
    if (existsSync(request)) {
      const target = readFileSync(request, 'utf8');
      rmSync(request, { force: true });
      writeHeapSnapshot(target);
    }
    const memory = process.memoryUsage();
    const resources = {};
    for (const type of process.getActiveResourcesInfo())
      resources[type] = (resources[type] ?? 0) + 1;
    let listeners = 0;
    for (const name of process.eventNames()) listeners += process.listenerCount(name);
    seq += 1;
    write({
      seq,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      resources,
      listeners,
    });
  });
}
