/**
 * Issue 15, video download: a 200 MB file over loopback into the media store (the console's own
 * path: the adapter's download, SHA-256 while writing, the temporary file, rename) against
 * `curl -o` of the same file in the same run, alternating, medians of BENCH_ROUNDS (default 5).
 * Also prints the peak RSS growth during our downloads (flat = the file is never held in memory).
 * The file is served by a plain Node http server in its own process, the same for both clients.
 * Run: npx tsx test/bench/download.bench.ts [megabytes]
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { downloadVideo } from '../../src/main/media/download-video';
import { MediaStore } from '../../src/main/media/media-store';
import { createTogetherAdapter } from '../../src/main/providers/together/together-video-adapter';
import { tempDir } from '../helpers/temp-dir';
import { median } from './bench-stats';

const megabytes = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const { dir, cleanup } = tempDir('aideon-bench-download-');
const source = join(dir, 'source.mp4');
const block = randomBytes(1024 * 1024);
writeFileSync(source, Buffer.concat(Array.from({ length: megabytes }, () => block)));
const size = statSync(source).size;

// The server: plain Node, in its own process, streaming the file with large reads.
const serverCode = `
const http = require('node:http'); const fs = require('node:fs');
const file = process.argv[1]; const size = fs.statSync(file).size;
http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size), 'accept-ranges': 'bytes' });
  fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(response);
}).listen(0, '127.0.0.1', function () { console.log('URL=http://127.0.0.1:' + this.address().port + '/video.mp4'); });
`;
const server = spawn(process.execPath, ['-e', serverCode, source], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const match = /URL=(\S+)/.exec(text);
    if (match?.[1]) resolve(match[1]);
  });
  server.on('exit', (code) => reject(new Error(`file server exited with ${code}`)));
});

const dispatcher = new Agent();
const adapter = createTogetherAdapter({ apiKey: 'unused', dispatcher });
const store = new MediaStore(join(dir, 'data'));

function curlOnce(): number {
  const target = join(dir, 'curl.out');
  const started = performance.now();
  const result = spawnSync('curl', ['-s', '-o', target, url], { stdio: 'ignore' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`curl exited with ${result.status}`);
  if (statSync(target).size !== size) throw new Error('curl got a different size');
  rmSync(target);
  return ms;
}

let peakRss = 0;
async function oursOnce(): Promise<{ ms: number; rssDelta: number }> {
  const base = process.memoryUsage().rss;
  peakRss = base;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const { media } = await downloadVideo({
    fetch: (signal, range) => adapter.download({ url }, signal, range),
    media: store,
    signal: new AbortController().signal,
    sleep: async () => undefined,
    provider: 'together',
  });
  const ms = performance.now() - started;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (media.bytes !== size) throw new Error('our download got a different size');
  rmSync(store.pathOf(media.id));
  return { ms, rssDelta: peakRss - base };
}

try {
  // One warm-up each: page cache, connection, JIT.
  curlOnce();
  await oursOnce();
  const curlMs: number[] = [];
  const ourMs: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    curlMs.push(curlOnce());
    const ours = await oursOnce();
    ourMs.push(ours.ms);
    rss.push(ours.rssDelta);
  }
  const oursMedian = median(ourMs);
  const curlMedian = median(curlMs);
  console.log(
    `download ${megabytes} MB over loopback: ours ${oursMedian.toFixed(0)} ms (SHA-256 + media store), curl -o ${curlMedian.toFixed(0)} ms; speed ${(curlMedian / oursMedian).toFixed(2)}× curl (goal ≥ 0.9×)`,
  );
  console.log(
    `  rounds ours: ${ourMs.map((ms) => ms.toFixed(0)).join(', ')} ms; curl: ${curlMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  console.log(
    `  peak RSS growth during our downloads: median ${(median(rss) / 1048576).toFixed(1)} MB, max ${(Math.max(...rss) / 1048576).toFixed(1)} MB (file ${megabytes} MB)`,
  );
} finally {
  server.kill('SIGTERM');
  await dispatcher.close();
  cleanup();
}
