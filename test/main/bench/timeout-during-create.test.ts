/**
 * A generation's own timeout passes while its create is in flight. The create reaches Runway,
 * which makes (and bills) the task; Runway has no job list (no findJobs), so aborting the request
 * would leave a task nobody finds or cancels (the generation `timeout` at $0, the task billed).
 * The runner lets the create finish, cancels the task it made at once and ends the generation as
 * `timeout` (its estimate counted where that cancel cannot be confirmed). Nothing is sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows, saveSuiteVersion } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { testServices } from '../../helpers/services';

const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
/** The create is answered after 2 s (#slow), past the run's 1 s timeout; tasks then run 300 ms. */
const runway = new RunwayEmulator({ apiKey: RUNWAY_KEY, slowMs: 2000, queueMs: 0, runMs: 300 });
const TOGETHER_KEY = 'test-key-together-timeout-in-create';
/** Together has no cancel: its job runs on and is billed when it completes. */
const together = new TogetherEmulator({
  apiKey: TOGETHER_KEY,
  slowMs: 2000,
  queueMs: 0,
  runMs: 300,
});
const env: Record<string, string> = {
  RUNWAYML_API_SECRET: RUNWAY_KEY,
  TOGETHER_API_KEY: TOGETHER_KEY,
};
beforeAll(async () => {
  env.AIDEON_RUNWAY_BASE_URL = await runway.start();
  env.AIDEON_TOGETHER_BASE_URL = await together.start();
});
afterAll(async () => {
  await runway.stop();
  await together.stop();
});

function saveSuite(services: ReturnType<typeof testServices>): void {
  saveSuiteVersion(
    services.db,
    {
      id: 'timeout-in-create',
      builtIn: false,
      definition: {
        name: 'Timeout during create',
        description: '',
        settings: {},
        prompts: [{ id: 'p0', text: 'a night market #slow', category: 'general' }],
      },
    },
    Date.now(),
  );
}

describe('a generation whose timeout passes while its create is in flight', () => {
  it('Runway: the task the create made is cancelled there and the generation ends timeout', async () => {
    const services = testServices({ env, analyseVideos: false });
    runway.requestLog = [];
    try {
      saveSuite(services);
      const { runId } = services.bench.startRun({
        suiteId: 'timeout-in-create',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 5,
        timeoutSeconds: 1,
      });
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      // Runway made the task once the slow answer was done; give it time to end (billed).
      await sleep(1500);
      const tasks = [...runway.tasks.values()];
      expect(tasks).toHaveLength(1);
      const task = tasks[0]!;
      const cancelledAtRunway = task.status === 'CANCELLED';
      const counted = summary.countedUsd >= (row?.estimated_cost_usd ?? 0) - 1e-9;
      // Before the fix: the create was aborted, the task left alive at Runway, $0 counted.
      expect(
        cancelledAtRunway || counted,
        JSON.stringify({ task: task.status, outcome: row?.outcome, counted: summary.countedUsd }),
      ).toBe(true);
      // Runway can cancel: the task is cancelled there, the row knows its id and ends timeout,
      // with nothing more to count.
      expect(task.status).toBe('CANCELLED');
      expect(row?.outcome).toBe('timeout');
      expect(row?.error_code).toBe('timeout');
      expect(row?.vendor_job_id).toBe(task.id);
      expect(row?.billing_unknown).toBe(0);
      expect((runway.requestLog ?? []).filter((entry) => entry.method === 'POST')).toHaveLength(1);
    } finally {
      runway.requestLog = undefined;
      await services.cleanup();
    }
  }, 30_000);

  it('Together (no cancel): the job the create made ends the generation timeout, its estimate counted', async () => {
    const services = testServices({ env, analyseVideos: false });
    try {
      saveSuite(services);
      const createsBefore = together.stats.creates;
      const { runId } = services.bench.startRun({
        suiteId: 'timeout-in-create',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 5,
        timeoutSeconds: 1,
      });
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      // Let the job Together runs on reach its end (it is billed then).
      await sleep(800);
      expect(together.stats.creates).toBe(createsBefore + 1);
      const job = [...together.jobs.values()].find((made) => made.id === row?.vendor_job_id);
      expect(job, JSON.stringify(row)).toBeDefined();
      expect(row?.outcome).toBe('timeout');
      expect(row?.billing_unknown).toBe(1);
      expect(row?.cost_usd).toBe(0);
      // What Together bills for it is counted against the run.
      expect(together.billedUsd()).toBeGreaterThan(0);
      expect(summary.countedUsd).toBeGreaterThanOrEqual(together.billedUsd() - 1e-9);
    } finally {
      await services.cleanup();
    }
  }, 30_000);
});
