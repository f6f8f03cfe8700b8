/**
 * Replicate's sync mode through the bench runner: a prediction that ends within `Prefer: wait`
 * is known done from the create's answer (no status call at all), and a run that times out while
 * the create is still held has the prediction (whose id never arrived) found in Replicate's list
 * and cancelled, so nothing keeps running and billing after the console gave up on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGenerationRow } from '../../../src/main/bench/bench-repository';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';

const KEY = 'r8_sync_mode_key_000000000001';
const emulator = new ReplicateEmulator({ apiKey: KEY });
const env: Record<string, string> = { REPLICATE_API_TOKEN: KEY };

beforeAll(async () => {
  env.AIDEON_REPLICATE_BASE_URL = await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

function services(): ReturnType<typeof testServices> {
  return testServices({
    env,
    sleep: (ms, signal) => sleep(Math.min(ms, 5), signal),
    analyseVideos: false,
  });
}

describe('Replicate sync mode in the bench runner', () => {
  it('a prediction that ends within the wait is stored from the create answer, with no poll', async () => {
    const target = services();
    try {
      saveTextSuite(target, 'sync', ['a kite', 'a boat', 'a train']);
      const polls = emulator.stats.polls;
      const creates = emulator.stats.creates;
      const { runId } = target.bench.startRun({
        suiteId: 'sync',
        models: [{ provider: 'replicate', modelId: 'minimax/video-01' }],
        budgetUsd: 100,
      });
      expect((await target.bench.waitForRun(runId)).succeeded).toBe(3);
      expect(emulator.stats.creates - creates).toBe(3);
      expect(emulator.stats.polls - polls).toBe(0);
      for (const row of listGenerationRows(target.db, runId)) {
        expect(row.media_id).not.toBeNull();
        expect(row.completed_at).not.toBeNull();
      }
    } finally {
      await target.cleanup();
    }
  });

  it('a run timing out while the create is held cancels the prediction the create made', async () => {
    const target = services();
    // The create is held 3 s (not 60), past the 1 s timeout: it is not aborted (the prediction
    // may exist already); once it answers, the prediction is cancelled at once.
    emulator.waitScale = 0.05;
    try {
      saveTextSuite(target, 'held', ['a scene that never ends #hang']);
      const cancels = emulator.stats.cancels;
      const { runId } = target.bench.startRun({
        suiteId: 'held',
        models: [{ provider: 'replicate', modelId: 'minimax/video-01' }],
        budgetUsd: 100,
        timeoutSeconds: 1,
      });
      expect((await target.bench.waitForRun(runId)).state).toBe('finished');
      const [row] = listGenerationRows(target.db, runId);
      expect([row?.outcome, row?.error_code]).toEqual(['timeout', 'timeout']);
      expect(emulator.stats.cancels - cancels).toBe(1);
      const prediction = emulator.predictions.get(row?.vendor_job_id ?? '');
      expect(prediction?.status).toBe('canceled');
    } finally {
      emulator.waitScale = 1;
      await target.cleanup();
    }
  });

  it('a console stopped while the create is held leaves the prediction running and adopts it on the next start', async () => {
    // Predictions here take 3 s, the create is held for up to 60 s: the console quits meanwhile.
    const slow = new ReplicateEmulator({ apiKey: KEY, queueMs: 0, runMs: 3000 });
    const slowEnv = { ...env, AIDEON_REPLICATE_BASE_URL: await slow.start() };
    const first = testServices({
      env: slowEnv,
      sleep: (ms, signal) => sleep(Math.min(ms, 5), signal),
      analyseVideos: false,
    });
    let second: ReturnType<typeof testServices> | undefined;
    try {
      saveTextSuite(first, 'quit', ['a lighthouse in a storm']);
      const { runId } = first.bench.startRun({
        suiteId: 'quit',
        models: [{ provider: 'replicate', modelId: 'minimax/video-01' }],
        budgetUsd: 100,
      });
      for (let waited = 0; slow.stats.creates === 0; waited += 20) {
        expect(waited).toBeLessThan(10_000);
        await sleep(20);
      }
      await first.close();
      // Not cancelled at Replicate, not ended here: it waits for the next start.
      expect(slow.stats.cancels).toBe(0);

      second = testServices({
        env: slowEnv,
        dataDir: first.dataDir,
        sleep: (ms, signal) => sleep(Math.min(ms, 5), signal),
        analyseVideos: false,
      });
      const [left] = listGenerationRows(second.db, runId);
      expect(left?.state).toBe('submitting');
      expect(left?.outcome).toBeNull();
      expect(second.bench.resume().resumed).toEqual([runId]);
      expect((await second.bench.waitForRun(runId)).succeeded).toBe(1);
      const row = getGenerationRow(second.db, left?.id ?? '');
      expect(row?.outcome).toBe('success');
      expect(row?.media_id).not.toBeNull();
      // The one prediction made before the quit was adopted: nothing was sent twice or cancelled.
      expect(slow.stats.creates).toBe(1);
      expect(slow.stats.cancels).toBe(0);
      expect(row?.vendor_job_id).toBe([...slow.predictions.keys()][0]);
    } finally {
      await second?.cleanup();
      await first.cleanup();
      await slow.stop();
    }
  });
});
