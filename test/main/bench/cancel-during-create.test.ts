/**
 * The admin cancels a run while a generation's create is in flight. The create reaches Runway,
 * which makes (and bills) the task; Runway has no job list (no findJobs), so aborting the request
 * would leave a task nobody finds or cancels (the generation `cancelled` at $0, the task billed).
 * The runner lets the create finish and cancels the task it made at once (DESIGN: "cancellation
 * reaches the provider"), or counts its estimate when that cannot be confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows, saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { testServices } from '../../helpers/services';

const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
/** The create is answered after 800 ms (#slow); tasks then run 300 ms by the clock. */
const runway = new RunwayEmulator({ apiKey: RUNWAY_KEY, slowMs: 800, queueMs: 0, runMs: 300 });
const env: Record<string, string> = { RUNWAYML_API_SECRET: RUNWAY_KEY };
beforeAll(async () => {
  env.AIDEON_RUNWAY_BASE_URL = await runway.start();
});
afterAll(async () => {
  await runway.stop();
});

describe('a run cancelled while a create is in flight', () => {
  it('Runway: the task the create made is cancelled there, or the run counts it', async () => {
    const services = testServices({ env, analyseVideos: false });
    runway.requestLog = [];
    try {
      saveSuiteVersion(
        services.db,
        {
          id: 'cancel-in-create',
          builtIn: false,
          definition: {
            name: 'Cancel during create',
            description: '',
            settings: {},
            prompts: [{ id: 'p0', text: 'a night market #slow', category: 'general' }],
          },
        },
        Date.now(),
      );
      const { runId } = services.bench.startRun({
        suiteId: 'cancel-in-create',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 5,
      });
      // Cancel once the create has reached Runway (it answers 800 ms later).
      while (!runway.requestLog.some((entry) => entry.method === 'POST')) await sleep(10);
      await services.bench.cancelRun(runId);
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      // Runway made the task once the slow answer was done; give it time to end (billed).
      await sleep(1500);
      const tasks = [...runway.tasks.values()];
      expect(tasks).toHaveLength(1);
      const task = tasks[0]!;
      const cancelledAtRunway = task.status === 'CANCELLED';
      const counted = summary.countedUsd >= (row?.estimated_cost_usd ?? 0) - 1e-9;
      // Today: outcome 'cancelled', $0 counted, the task alive at Runway (the emulator shows it
      // PENDING until someone GETs it; Runway runs it regardless).
      expect(
        cancelledAtRunway || counted,
        JSON.stringify({ task: task.status, outcome: row?.outcome, counted: summary.countedUsd }),
      ).toBe(true);
      // Runway can cancel: the task is cancelled there, and the row knows its id (nothing more
      // to count).
      expect(task.status).toBe('CANCELLED');
      expect(row?.outcome).toBe('cancelled');
      expect(row?.vendor_job_id).toBe(task.id);
      expect((runway.requestLog ?? []).filter((entry) => entry.method === 'POST')).toHaveLength(1);
    } finally {
      runway.requestLog = undefined;
      await services.cleanup();
    }
  });
});
