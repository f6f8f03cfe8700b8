/**
 * A generation's own timeout passes while its create is in flight. The create reaches Runway,
 * which makes (and bills) the task; Runway has no job list (no findJobs), so aborting the request
 * would leave a task nobody finds or cancels (the generation `timeout` at $0, the task billed).
 * The runner lets the create finish, cancels the task it made at once and ends the generation as
 * `timeout` (its estimate counted where that cancel cannot be confirmed). Nothing is sent twice.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { useEmulators } from '../../helpers/vendor-emulators';
import { expectRunwayTaskCancelled } from './runway-stopped-run';

const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const TOGETHER_KEY = 'test-key-together-timeout-in-create';
const env: Record<string, string> = {
  RUNWAYML_API_SECRET: RUNWAY_KEY,
  TOGETHER_API_KEY: TOGETHER_KEY,
};
const { runway, together } = useEmulators(
  {
    /** The create is answered after 2 s (#slow), past the run's 1 s timeout; tasks then run 300 ms. */
    runway: new RunwayEmulator({ apiKey: RUNWAY_KEY, slowMs: 2000, queueMs: 0, runMs: 300 }),
    /** Together has no cancel: its job runs on and is billed when it completes. */
    together: new TogetherEmulator({ apiKey: TOGETHER_KEY, slowMs: 2000, queueMs: 0, runMs: 300 }),
  },
  env,
);

const saveSuite = (services: ReturnType<typeof testServices>): void =>
  saveTextSuite(services, 'timeout-in-create', ['a night market #slow']);

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
      await expectRunwayTaskCancelled(runway, summary, row);
      // It ends timeout, with nothing more to count.
      expect(row?.outcome).toBe('timeout');
      expect(row?.error_code).toBe('timeout');
      expect(row?.billing_unknown).toBe(0);
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
