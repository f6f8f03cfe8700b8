/**
 * Replicate's sync mode through the bench runner: a prediction that ends within `Prefer: wait`
 * is known done from the create's answer (no status call at all), and a run that times out while
 * the create is still held has the prediction (whose id never arrived) found in Replicate's list
 * and cancelled, so nothing keeps running and billing after the console gave up on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows, saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { ReplicateEmulator } from '../../emulators/replicate-emulator';
import { testServices } from '../../helpers/services';

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

function suite(target: ReturnType<typeof testServices>, id: string, prompts: string[]): void {
  saveSuiteVersion(
    target.db,
    {
      id,
      builtIn: false,
      definition: {
        name: id,
        description: '',
        settings: {},
        prompts: prompts.map((text, index) => ({ id: `p${index}`, text, category: 'general' })),
      },
    },
    Date.now(),
  );
}

describe('Replicate sync mode in the bench runner', () => {
  it('a prediction that ends within the wait is stored from the create answer, with no poll', async () => {
    const target = services();
    try {
      suite(target, 'sync', ['a kite', 'a boat', 'a train']);
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

  it('a run timing out while the create is held cancels the prediction it cannot see yet', async () => {
    const target = services();
    try {
      suite(target, 'held', ['a scene that never ends #hang']);
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
      await target.cleanup();
    }
  });
});
