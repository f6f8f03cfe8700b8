/**
 * A download tried again after a disk failure goes through the same concurrency gate as every
 * other piece of work: with a model limited to one generation at a time, the retry waits while
 * another generation of that model holds the slot, and never runs beside it.
 *
 * Real runner and SQLite, the Together emulator (which logs the order of the calls it gets), the
 * disk failure injected through the media store's file layer as in download-disk-failure.test.
 * The only other hook is the runner's sleep: the wait before the retry is held until the next
 * generation of the model has been submitted, so the two overlap on every run, not by chance.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { saveTextSuite, testServices } from '../../helpers/services';
import { fullDisk } from '../../helpers/full-disk';
import { tempDir } from '../../helpers/temp-dir';
import { useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_download-retry-cap-0001';
const MODEL = 'minimax/video-01-director';
const { together, env } = useTogetherEmulator(KEY);

describe('a download tried again after a disk failure', () => {
  it('waits for a free slot of its model instead of running beside the generation holding it', async () => {
    const { dir, cleanup } = tempDir('aideon-retry-capacity-');
    const log: { method: string; path: string; prompt?: string }[] = [];
    together.requestLog = log;
    // Fails every write of the first generation's download (1 + 3 transfers), then none.
    const failing = { writes: 4 };
    const prompts = ['a lighthouse in fog', 'a harbour at dawn', 'a windmill at noon'];
    let retryWaits = 0;
    let onRetryWait: (() => void) | undefined;
    const runnerSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
      // The runner's wait before a disk retry is its only sleep without a signal.
      if (signal === undefined) {
        retryWaits += 1;
        onRetryWait?.();
        // Held until the second prompt has been submitted (it got the freed slot).
        while (!log.some((entry) => entry.method === 'POST' && entry.prompt === prompts[1]))
          await sleep(5);
        return;
      }
      await sleep(Math.min(ms, 5), signal);
    };
    const console = testServices({
      dataDir: dir,
      env,
      sleep: runnerSleep,
      analyseVideos: false,
      mediaFiles: fullDisk(failing),
      modelConcurrency: { [`together:${MODEL}`]: 1 },
    });
    try {
      saveTextSuite(console, 'retry-cap', prompts);
      const { runId } = console.bench.startRun({
        suiteId: 'retry-cap',
        models: [{ provider: 'together', modelId: MODEL }],
        budgetUsd: 10,
      });
      const rows = listGenerationRows(console.db, runId);
      const third = rows.find((row) => row.prompt_id === 'p2')!;
      // When the first generation starts waiting for its retry, the admin cancels the third
      // prompt (any event that wakes the scheduler would do): the freed slot goes to the second.
      onRetryWait = () => {
        onRetryWait = undefined;
        void console.bench.cancelGeneration(third.id);
      };
      const summary = await console.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const done = listGenerationRows(console.db, runId);
      const outcome = (promptId: string) => done.find((row) => row.prompt_id === promptId);
      expect(outcome('p0')?.outcome).toBe('success');
      expect(outcome('p1')?.outcome).toBe('success');
      expect(outcome('p2')?.outcome).toBe('cancelled');
      expect(retryWaits).toBeGreaterThan(0);
      expect(failing.writes).toBe(0);

      // Each call the emulator got, as the generation it belongs to.
      const jobOf = new Map<string, string>();
      for (const row of done)
        if (row.vendor_job_id) {
          jobOf.set(`/v2/videos/${row.vendor_job_id}`, row.prompt_id);
          jobOf.set(`/files/together-${row.vendor_job_id}.mp4`, row.prompt_id);
        }
      const calls = log
        .map((entry) =>
          entry.method === 'POST' && entry.path === '/v2/videos'
            ? prompts.indexOf(entry.prompt ?? '') >= 0
              ? `p${prompts.indexOf(entry.prompt ?? '')}`
              : undefined
            : jobOf.get(entry.path),
        )
        .filter((call): call is string => call !== undefined);
      // From the second generation's create to its last call it holds the model's only slot:
      // no call of the first generation (its retried download) may come in between.
      const start = calls.indexOf('p1');
      const end = calls.lastIndexOf('p1');
      expect(start).toBeGreaterThanOrEqual(0);
      expect(calls.slice(start, end + 1)).toEqual(calls.slice(start, end + 1).map(() => 'p1'));
      // The retried download did happen, after it.
      expect(calls.slice(end + 1)).toContain('p0');
    } finally {
      together.requestLog = undefined;
      await console.cleanup();
      cleanup();
    }
  });

  it('goes before new submissions of its provider: it does not wait behind the whole queue', async () => {
    const { dir, cleanup } = tempDir('aideon-retry-first-');
    const log: { method: string; path: string; prompt?: string }[] = [];
    together.requestLog = log;
    const failing = { writes: 4 };
    const prompts = [
      'a lighthouse in fog',
      'a harbour at dawn',
      'a windmill at noon',
      'a barn in snow',
    ];
    const console = testServices({
      dataDir: dir,
      env,
      // The wait before a disk retry (the runner's only sleep without a signal) is skipped, so
      // the retry asks for a slot while the next prompt still holds it; without this the test
      // raced the emulator (the next job could end during the wait, and its slot was free).
      sleep: async (ms: number, signal?: AbortSignal) =>
        signal === undefined ? undefined : sleep(Math.min(ms, 5), signal),
      analyseVideos: false,
      mediaFiles: fullDisk(failing),
      modelConcurrency: { [`together:${MODEL}`]: 1 },
    });
    try {
      saveTextSuite(console, 'retry-first', prompts);
      const { runId } = console.bench.startRun({
        suiteId: 'retry-first',
        models: [{ provider: 'together', modelId: MODEL }],
        budgetUsd: 10,
      });
      const summary = await console.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const done = listGenerationRows(console.db, runId);
      expect(done.map((row) => row.outcome)).toEqual(prompts.map(() => 'success'));
      expect(failing.writes).toBe(0);
      const first = done.find((row) => row.prompt_id === 'p0')!;
      const file = `/files/together-${first.vendor_job_id}.mp4`;
      const downloads = log.flatMap((entry, index) => (entry.path === file ? [index] : []));
      const creates = log.flatMap((entry, index) =>
        entry.method === 'POST' && entry.path === '/v2/videos' ? [index] : [],
      );
      // 1 + 3 transfers failed on the disk, then the retry stored it.
      expect(downloads.length).toBeGreaterThan(1);
      // The slot freed by the first download's failure may go to the next prompt (the retry
      // waits first), but the retry then goes before every later create: on the old code it
      // waited until the queue was empty.
      expect(downloads.at(-1)!).toBeLessThan(creates[2]!);
    } finally {
      together.requestLog = undefined;
      await console.cleanup();
      cleanup();
    }
  });
});
