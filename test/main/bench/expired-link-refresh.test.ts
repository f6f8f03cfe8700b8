/**
 * A paid video whose output link expired before the console could download it (the console was
 * stopped for longer than the link lives, a disk stayed full that long, retries took that long).
 * Runway signs its output links for 24–48 h and gives fresh ones on every GET of the task
 * (provider-apis.md §2): the video is fetched through a fresh link, not lost as bad_output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep } from '../../helpers/vendor-emulators';

const RUNWAY_KEY = `key_${'0123456789abcdef'.repeat(8)}`;
const TTL_MS = 60_000;
/** The emulator's clock: real time, plus however far the test moved it on. */
let skewMs = 0;
const runway = new RunwayEmulator({
  apiKey: RUNWAY_KEY,
  outputTtlMs: TTL_MS,
  clock: { now: () => Date.now() + skewMs },
});
const env: Record<string, string> = { RUNWAYML_API_SECRET: RUNWAY_KEY };
beforeAll(async () => {
  env.AIDEON_RUNWAY_BASE_URL = await runway.start();
});
afterAll(async () => {
  await runway.stop();
});

const fastSleep = cappedSleep();

describe('an output link that expired before the download', () => {
  it('Runway: the task is looked at again for a fresh link and the paid video is stored', async () => {
    const services = testServices({ env, sleep: fastSleep, analyseVideos: false });
    // The task has succeeded and its link is known; then twice the link's lifetime passes before
    // the first byte is fetched.
    const realServe = runway.serveFile.bind(runway);
    let moved = false;
    runway.serveFile = (request, response, url, expiredStatus) => {
      if (!moved && /^\/files\//.test(url.pathname)) {
        moved = true;
        skewMs += 2 * TTL_MS;
      }
      return realServe(request, response, url, expiredStatus);
    };
    try {
      saveTextSuite(services, 'expired-link', ['a paper boat on a canal']);
      const { runId } = services.bench.startRun({
        suiteId: 'expired-link',
        models: [{ provider: 'runway', modelId: 'gen4.5' }],
        budgetUsd: 5,
      });
      await services.bench.waitForRun(runId);
      const [row] = listGenerationRows(services.db, runId);
      expect(moved).toBe(true);
      expect(row?.error_message ?? null).toBeNull();
      expect(row?.outcome).toBe('success');
      expect(row?.media_id).toBeTruthy();
      expect(services.media.has(row?.media_id ?? '')).toBe(true);
      // Paid once: one create.
      expect(runway.stats.creates).toBe(1);
    } finally {
      runway.serveFile = realServe;
      await services.cleanup();
    }
  });
});
