/**
 * The admin cancels a run while a generation that already succeeded at the vendor (paid) is being
 * downloaded (here: its first download attempt hit a 503 and the retry is waiting). cancelOne
 * used to treat it like a job still running: it sent Runway's cancel (DELETE /v1/tasks/{id},
 * which for a finished task deletes it and its output), ended the generation `cancelled` and
 * aborted the download, throwing away a paid video to save nothing. Now the download goes on and
 * the generation ends with its video; the run is still cancelled (nothing new is sent).
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { sleep } from '../../../src/main/services';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { useEmulators } from '../../helpers/vendor-emulators';
import { expectPaidVideoKept } from './runway-stopped-run';

const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const env: Record<string, string> = { RUNWAYML_API_SECRET: RUNWAY_KEY };
const { runway } = useEmulators({ runway: new RunwayEmulator({ apiKey: RUNWAY_KEY }) }, env);

/** Short polls, real download backoff (500 ms): the cancel lands while the retry waits. */
const shortPolls = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(ms >= 500 && ms < 1000 ? ms : Math.min(ms, 5), signal);

describe('a run cancelled while a paid video is being downloaded', () => {
  it('Runway: the video the run already paid for is kept, not deleted at the vendor', async () => {
    const services = testServices({ env, sleep: shortPolls, analyseVideos: false });
    try {
      saveTextSuite(services, 'cancel-download', ['a clock tower #5xx-download-once']);
      const { runId } = services.bench.startRun({
        suiteId: 'cancel-download',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 5,
      });
      while (runway.stats.downloads < 1) await sleep(5);
      const [before] = listGenerationRows(services.db, runId);
      expect(before?.state).toBe('downloading');
      await services.bench.cancelRun(runId);
      const summary = await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expectPaidVideoKept(runway, services.media, summary, row);
    } finally {
      await services.cleanup();
    }
  });
});
