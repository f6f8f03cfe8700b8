/**
 * A status call of a paid job answered 429 or 503 with a Retry-After far ahead (decades as
 * seconds, a day, an HTTP date in the year 9999). The job was abandoned at once as `timeout` (the
 * wait passed its deadline) or left unlooked-at until its timeout: Together cannot cancel, so the
 * job ran on, was billed, and its video was lost. Now no wait between status calls is longer than
 * a minute (429) or STATUS_WAIT_MAX_MS (other failures), and the job is followed to its video.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { STATUS_WAIT_MAX_MS } from '../../../src/main/providers/job-watch';
import { sleep } from '../../../src/main/services';
import { saveTextSuite, testServices } from '../../helpers/services';
import { useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_poll-retry-after-000001';
const { together, env } = useTogetherEmulator(KEY);

describe("a paid job's status call answered with a Retry-After far ahead", () => {
  it.each([
    ['429, a billion seconds', '#ratelimit-poll-once', '1000000000'],
    ['429, an HTTP date in the year 9999', '#ratelimit-poll-once', 'Fri, 31 Dec 9999 23:59:59 GMT'],
    ['502, a day', '#5xx-poll-once', '86400'],
  ])(
    '%s: the job is followed to its video, no wait past the bound',
    async (name, fault, header) => {
      together.retryAfterHeader = header;
      const polls = together.stats.polls;
      const asked: number[] = [];
      const services = testServices({
        env,
        // Every wait is recorded as asked, then cut short.
        sleep: (ms, signal) => {
          asked.push(ms);
          return sleep(Math.min(ms, 5), signal);
        },
        analyseVideos: false,
      });
      try {
        const prompt = `a kite over dunes (${name}) ${fault}`;
        saveTextSuite(services, 'poll-retry-after', [prompt]);
        const { runId } = services.bench.startRun({
          suiteId: 'poll-retry-after',
          models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
          budgetUsd: 5,
          timeoutSeconds: 600,
        });
        const summary = await services.bench.waitForRun(runId);
        expect(summary.state).toBe('finished');
        const rows = listGenerationRows(services.db, runId);
        expect(rows.map((row) => [row.outcome, row.error_message])).toEqual([['success', null]]);
        expect(rows[0]?.media_id).not.toBeNull();
        expect(rows[0]?.cost_usd).toBeCloseTo(0.28, 6);
        // The faulty answer and the looks after it.
        expect(together.stats.polls - polls).toBeGreaterThan(1);
        expect(Math.max(...asked)).toBeLessThanOrEqual(STATUS_WAIT_MAX_MS);
      } finally {
        together.retryAfterHeader = undefined;
        await services.cleanup();
      }
    },
  );
});
