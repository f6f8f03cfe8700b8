/**
 * The generation timeout also ran over the download: a job that ended at the vendor (paid) in
 * time, but whose video was still being downloaded when the timeout fell (here: the first
 * download attempt hit a 503 and the retry waits), was aborted, cancelled at the vendor (Runway:
 * DELETE of a finished task deletes it and its output) and ended `timeout`. Now a paid video
 * being downloaded is not given up on: the download keeps its own limits.
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

/** Short polls; once the first download attempt failed, its backoff outlasts the 1 s timeout. */
const shortPolls = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(runway.stats.downloads >= 1 && ms >= 500 && ms < 1000 ? 1500 : Math.min(ms, 5), signal);

describe('a generation timeout that falls while its paid video is being downloaded', () => {
  it('Runway: the video the vendor delivered in time is stored, not deleted at the vendor', async () => {
    const services = testServices({ env, sleep: shortPolls, analyseVideos: false });
    try {
      saveTextSuite(services, 'timeout-download', ['a clock tower #5xx-download-once']);
      const { runId } = services.bench.startRun({
        suiteId: 'timeout-download',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 5,
        timeoutSeconds: 1,
      });
      const summary = await services.bench.waitForRun(runId);
      const rows = listGenerationRows(services.db, runId);
      // One generation, never submitted again after its timeout; its paid video is checked below.
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expectPaidVideoKept(runway, services.media, summary, row);
    } finally {
      await services.cleanup();
    }
  });
});
