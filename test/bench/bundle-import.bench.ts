/**
 * Run bundle import with a long video (issue s14 item 4): the console imports a bundle in steps
 * (importRunBundleInSteps) so that IPC, the event stream and the other timers go on meanwhile;
 * each video is read from the bundle, hashed (SHA-256, checked against its name) and copied.
 * Each video used to be read, hashed and copied in one go, holding the thread for as long as the
 * whole file took. Printed: the bundle, the import's wall time, the longest stall of the event
 * loop during it (a 5 ms timer's longest gap, and perf_hooks' event-loop delay max and p99), and
 * the progress reports (perf_hooks' histogram samples only when the loop turns, so a thread held
 * for the whole import shows 0 there: the timer's gap is the figure). Figures only; nothing is
 * asserted. Measured (2 cores, page cache warm, 1024 MB): before 1123 ms longest stall (the
 * whole import), after 9.9 ms, import time the same (1.1 s).
 * Export (session 15) is measured the same way before the import: it copied every video into
 * the bundle with synchronous reads and writes, holding the thread for the whole export; it now
 * copies in 1 MiB steps with asynchronous file I/O and flushes the bundle before naming it.
 * Measured (session 15, 2 cores, load 1.4-3.5, 1024 MB, page cache warm, 2 runs): longest
 * stall before 214-224 ms (the whole copy; the sparse source reads fast), after 11-14 ms; export
 * time 0.98-1.46 s against 0.85 s for the old synchronous copy plus the same fdatasync
 * (0.22 s + 0.62 s; the old export did not flush at all).
 * Run: npx tsx test/bench/bundle-import.bench.ts [megabytes of the long video, default 1024]
 */
import { statSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { exportRunBundle, importRunBundleInSteps } from '../../src/main/bench/run-bundle';
import { runWithBigVideo } from '../helpers/big-video-bundle';
import { testServices } from '../helpers/services';
import { tempDir } from '../helpers/temp-dir';

const megabytes = Number(process.argv[2] ?? 1024);
const source = testServices({ analyseVideos: false });
const target = testServices({ analyseVideos: false });
const { dir, cleanup } = tempDir('aideon-bundle-import-bench-');
try {
  const { runId } = await runWithBigVideo(source, megabytes * 1024 * 1024, dir);
  const bundle = join(dir, 'run.tar');
  const exportMeter = stallMeter();
  let exportReports = 0;
  const exportStarted = performance.now();
  const exported = await exportRunBundle(source.db, source.media, runId, bundle, 1, {
    onProgress: () => {
      exportReports += 1;
    },
  });
  const exportTook = performance.now() - exportStarted;
  const exportStall = exportMeter.stop();
  const videos = exported.mediaFiles;
  await source.cleanup();
  const bundleBytes = statSync(bundle).size;

  const importMeter = stallMeter();
  let reports = 0;
  const started = performance.now();
  const result = await importRunBundleInSteps(target.db, target.media, bundle, () => {
    reports += 1;
  });
  const took = performance.now() - started;
  const importStall = importMeter.stop();

  console.log(
    `export: ${(exportTook / 1000).toFixed(2)} s (${(bundleBytes / 1024 / 1024 / (exportTook / 1000)).toFixed(0)} MB/s, flush to disk included), ${exportReports} progress reports`,
  );
  console.log(`export's ${exportStall}`);
  console.log(
    `bundle: ${(bundleBytes / 1024 / 1024).toFixed(0)} MB, ${videos} videos (one of ${megabytes} MB); imported: ${result.imported}, videos added ${result.mediaAdded}`,
  );
  console.log(
    `import: ${(took / 1000).toFixed(2)} s (${(bundleBytes / 1024 / 1024 / (took / 1000)).toFixed(0)} MB/s), ${reports} progress reports`,
  );
  console.log(`import's ${importStall}`);
} finally {
  await target.cleanup();
  cleanup();
}

/**
 * The longest stall of the event loop from now until stop(): a 5 ms timer's longest gap, and
 * perf_hooks' event-loop delay max and p99 (sampled only when the loop turns).
 */
function stallMeter(): { stop: () => string } {
  let last = performance.now();
  let worstGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 5);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  return {
    stop: () => {
      delay.disable();
      clearInterval(timer);
      worstGap = Math.max(worstGap, performance.now() - last);
      return `longest event-loop stall: ${worstGap.toFixed(1)} ms (5 ms timer's longest gap); event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`;
    },
  };
}
