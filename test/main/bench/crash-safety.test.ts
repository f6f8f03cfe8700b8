import { describe, expect, it } from 'vitest';
import { crashAndResume } from '../../helpers/crash-harness';

// kill -9 of a real `aideon bench run` child process, then `aideon bench resume`:
// every finished result is kept, every submitted job is polled to the end, nothing is
// submitted twice. test/bench/crash.bench.ts repeats this over 20 random kill points.
describe('crash safety (kill -9 mid-run)', () => {
  it.each([
    { killAfterCreates: 2, extraDelayMs: 0, prompts: 5 },
    { killAfterCreates: 6, extraDelayMs: 120, prompts: 5 },
  ])(
    'after $killAfterCreates submissions: nothing lost, nothing submitted twice',
    async (point) => {
      const outcome = await crashAndResume(point);
      expect(outcome.generations).toBe(10);
      expect(outcome.lost).toBe(0);
      expect(outcome.duplicateSubmissions).toBe(0);
      // Each submission reached the vendor at most once; a request cut off by the kill may or may not have.
      expect(outcome.creates).toBeGreaterThanOrEqual(outcome.submitted);
      expect(outcome.creates).toBeLessThanOrEqual(
        outcome.submitted + (outcome.outcomes.submit_unknown ?? 0),
      );
      expect((outcome.outcomes.success ?? 0) + (outcome.outcomes.submit_unknown ?? 0)).toBe(10);
    },
    90_000,
  );
});
