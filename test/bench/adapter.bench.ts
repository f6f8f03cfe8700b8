/**
 * Adapter overhead: N generations (default 500) through the Together adapter alone (start,
 * status until done, streamed download) against a zero-delay emulator in another process,
 * concurrency 16. Prints CPU per generation (this process only) and peak RSS growth.
 * Run: npx tsx test/bench/adapter.bench.ts [generations] [concurrency]
 */
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { createTogetherAdapter } from '../../src/main/providers/together/together-video-adapter';
import { startEmulatorProcess } from './start-emulator-process';

const generations = Number(process.argv[2] ?? 500);
const concurrency = Number(process.argv[3] ?? 16);
const KEY = 'tgp_v1_bench-key-00000000000000001';
const emulator = await startEmulatorProcess('together', KEY);
const adapter = createTogetherAdapter({
  apiKey: KEY,
  baseUrl: emulator.url,
  dispatcher: new Agent({ connections: concurrency * 2 }),
});

const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
let next = 0;
let bytes = 0;
async function worker(): Promise<void> {
  while (next < generations) {
    const index = next++;
    const { jobId } = await adapter.start({
      modelId: 'minimax/video-01-director',
      prompt: `adapter bench ${index}`,
      durationSeconds: 5,
    });
    for (;;) {
      const status = await adapter.status(jobId);
      if (status.state === 'pending') continue;
      if (status.state !== 'succeeded')
        throw new Error(`generation ${index} ended ${status.state}`);
      const download = await adapter.download(status.outputs[0]!);
      for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>)
        bytes += chunk.length;
      break;
    }
  }
}
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
console.log(
  `generations:       ${generations}, concurrency ${concurrency}, ${(bytes / 1024 / 1024).toFixed(0)} MB downloaded`,
);
console.log(`wall time:         ${(wallMs / 1000).toFixed(2)} s`);
console.log(
  `adapter overhead:  ${((cpu.user + cpu.system) / 1000 / generations).toFixed(2)} ms CPU per generation (create + 3 polls + download)`,
);
console.log(`peak RSS growth:   ${((peakRss - rssBefore) / 1024 / 1024).toFixed(0)} MB`);
emulator.stop();
process.exit(0);
