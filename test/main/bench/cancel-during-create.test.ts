/**
 * The admin cancels a run while a generation's create is in flight. The create reaches Runway,
 * which makes (and bills) the task; Runway has no job list (no findJobs), so aborting the request
 * would leave a task nobody finds or cancels (the generation `cancelled` at $0, the task billed).
 * The runner lets the create finish and cancels the task it made at once (DESIGN: "cancellation
 * reaches the provider"), or counts its estimate when that cannot be confirmed.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { useEmulators } from '../../helpers/vendor-emulators';
import { expectRunwayTaskCancelled } from './runway-stopped-run';

const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const env: Record<string, string> = { RUNWAYML_API_SECRET: RUNWAY_KEY };
const { runway } = useEmulators(
  /** The create is answered after 800 ms (#slow); tasks then run 300 ms by the clock. */
  { runway: new RunwayEmulator({ apiKey: RUNWAY_KEY, slowMs: 800, queueMs: 0, runMs: 300 }) },
  env,
);

describe('a run cancelled while a create is in flight', () => {
  it('Runway: the task the create made is cancelled there, or the run counts it', async () => {
    const services = testServices({ env, analyseVideos: false });
    runway.requestLog = [];
    try {
      saveTextSuite(services, 'cancel-in-create', ['a night market #slow']);
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
      await expectRunwayTaskCancelled(runway, summary, row);
      expect(row?.outcome).toBe('cancelled');
    } finally {
      runway.requestLog = undefined;
      await services.cleanup();
    }
  });
});
