/**
 * A 429 on a create whose Retry-After asks for something odd: decades as seconds (past what a
 * timer holds, so it fired at once with a TimeoutOverflowWarning), an HTTP date far ahead, a
 * negative number, garbage. The provider's new submissions used to pause until that instant, so
 * the generations still queued never started and the run never ended (nothing timed them out:
 * their timeout starts with their slot). Now the pause lasts at most RATE_LIMIT_PAUSE_MAX_MS and
 * ends when the refused create's retry is accepted: the run finishes, every prompt is sent once.
 */
import { describe, expect, it } from 'vitest';
import { listGenerationRows } from '../../../src/main/bench/bench-repository';
import { saveTextSuite, testServices } from '../../helpers/services';
import { cappedSleep, useTogetherEmulator } from '../../helpers/vendor-emulators';

const KEY = 'tgp_v1_retry-after-odd-0000001';
const { together, env } = useTogetherEmulator(KEY);

/** Waits are cut short (the bound itself is what the log line states). */
const fastSleep = cappedSleep();

describe('a create answered 429 with an odd Retry-After', () => {
  it.each([
    ['a billion seconds', '1000000000'],
    ['an HTTP date in the year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT'],
    ['a negative number', '-30'],
    ['garbage', 'soon, maybe'],
  ])('%s: the run finishes, each prompt sent once, the queue not held', async (_name, header) => {
    together.retryAfterHeader = header;
    const creates = together.stats.creates;
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    const log: string[] = [];
    const services = testServices({
      env,
      sleep: fastSleep,
      analyseVideos: false,
      // One at a time: the prompts after the refused one wait in the queue behind the pause.
      providerConcurrency: { together: 1 },
      log: (line) => log.push(line),
    });
    try {
      // The next create (the first prompt's) is answered 429 once, its retry is accepted.
      together.queueFault('ratelimit');
      saveTextSuite(services, 'odd-retry-after', [
        'a kite over dunes',
        'a boat at dawn',
        'a cat on a wall',
      ]);
      const { runId } = services.bench.startRun({
        suiteId: 'odd-retry-after',
        models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        budgetUsd: 5,
      });
      const summary = await services.bench.waitForRun(runId);
      expect(summary.state).toBe('finished');
      const rows = listGenerationRows(services.db, runId);
      expect(rows.map((row) => [row.prompt, row.outcome])).toEqual([
        ['a kite over dunes', 'success'],
        ['a boat at dawn', 'success'],
        ['a cat on a wall', 'success'],
      ]);
      // The 429 made no job; each prompt made exactly one.
      expect(together.stats.creates - creates).toBe(3);
      expect(log.join('\n')).toMatch(
        /retrying submission of \S+ at together: Together AI answered HTTP 429/,
      );
      expect(warnings.filter((text) => /TimeoutOverflow/.test(text))).toEqual([]);
      if (header === '1000000000' || header.startsWith('Fri'))
        expect(log.join('\n')).toMatch(
          /Together AI asked for a wait of \d+ s before new requests \(Retry-After\); new submissions to it pause for 120 s at most/,
        );
    } finally {
      process.off('warning', onWarning);
      together.retryAfterHeader = undefined;
      await services.cleanup();
    }
  });
});
