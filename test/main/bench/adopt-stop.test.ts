/**
 * A console that resumes a run looks at the vendor's job list for creates a stopped console left
 * `submitting` (adoption). Stopping the console meanwhile must end that look-up at once (the run
 * state's abort signal, not a timer watching a flag): the row stays `submitting`, untouched, and
 * the next start adopts the prediction, so nothing is sent twice or lost. Replicate emulator,
 * real SQLite and media store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGenerationRow, listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';

const KEY = 'r8_adopt_stop_key_0000000001';
// Predictions take 3 s; the create is held (Prefer: wait) meanwhile, so a console that quits
// right after sending it leaves the generation `submitting`.
const emulator = new ReplicateEmulator({ apiKey: KEY, queueMs: 0, runMs: 3000 });
const env: Record<string, string> = { REPLICATE_API_TOKEN: KEY };
beforeAll(async () => {
  env.AIDEON_REPLICATE_BASE_URL = await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

/** A sleep that only ends when its signal aborts: anything not stopped would wait forever. */
const sleepUntilAborted = (_ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((_resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

describe('stopping a console while it looks for an interrupted create', () => {
  it('ends the look-up at once, leaves the row for the next start, which adopts it', async () => {
    const first = testServices({
      env,
      sleep: (ms, signal) => sleep(Math.min(ms, 5), signal),
      analyseVideos: false,
    });
    let second: ReturnType<typeof testServices> | undefined;
    let third: ReturnType<typeof testServices> | undefined;
    try {
      saveTextSuite(first, 'adopt', ['a ferry crossing at dawn']);
      const { runId } = first.bench.startRun({
        suiteId: 'adopt',
        models: [{ provider: 'replicate', modelId: 'minimax/video-01' }],
        budgetUsd: 100,
      });
      for (let waited = 0; emulator.stats.creates === 0; waited += 20) {
        expect(waited).toBeLessThan(10_000);
        await sleep(20);
      }
      await first.close();

      // The second console starts looking (its reconcile waits on the run's signal), and is
      // stopped: close() returns only if the look-up ended with the stop.
      second = testServices({
        env,
        dataDir: first.dataDir,
        sleep: sleepUntilAborted,
        analyseVideos: false,
      });
      const [left] = listGenerationRows(second.db, runId);
      expect(left?.state).toBe('submitting');
      expect(second.bench.resume().resumed).toEqual([runId]);
      await second.close();

      // The next start adopts the one prediction: nothing sent twice, the video stored.
      third = testServices({
        env,
        dataDir: first.dataDir,
        sleep: (ms, signal) => sleep(Math.min(ms, 5), signal),
        analyseVideos: false,
      });
      const untouched = getGenerationRow(third.db, left?.id ?? '');
      expect(untouched).toMatchObject({ state: 'submitting', outcome: null, vendor_job_id: null });
      expect(third.bench.resume().resumed).toEqual([runId]);
      expect((await third.bench.waitForRun(runId)).succeeded).toBe(1);
      const row = getGenerationRow(third.db, left?.id ?? '');
      expect(row?.outcome).toBe('success');
      expect(row?.vendor_job_id).toBe([...emulator.predictions.keys()][0]);
      expect(emulator.stats.creates).toBe(1);
    } finally {
      await third?.cleanup();
      await second?.cleanup();
      await first.cleanup();
    }
  });
});
