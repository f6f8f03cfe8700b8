/**
 * The poll schedule (pure functions): the adaptive fallback, the vendor's hint and minimum, the
 * window shaped by the model's recent durations, and, by simulation (no clock), that the shaped
 * schedule notices completion in at most half the lag of each vendor's reference loop with no
 * more status calls.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLL_POLICY,
  DurationHistory,
  nextPollDelay,
  pollDelay,
  typicalDuration,
  type PollPolicy,
  type TypicalDuration,
} from '../../../src/main/providers/http/polling';

const TYPICAL: TypicalDuration = { lowMs: 15_000, highMs: 25_000, samples: 8 };

describe('pollDelay', () => {
  it('without history is the adaptive backoff (0.5 s × 1.5ⁿ up to 10 s)', () => {
    const delays = [0, 1, 2, 3, 10].map((attempt) => pollDelay({ attempt, elapsedMs: 0 }));
    expect(delays).toEqual([500, 750, 1125, 1687.5, 10_000]);
    expect(delays).toEqual([0, 1, 2, 3, 10].map((attempt) => nextPollDelay(attempt, undefined)));
  });

  it('needs 3 samples before the typical duration shapes it', () => {
    const few = { ...TYPICAL, samples: 2 };
    expect(pollDelay({ attempt: 0, elapsedMs: 0, typical: few, cadenceMs: 5000 })).toBe(500);
    expect(pollDelay({ attempt: 0, elapsedMs: 0, typical: TYPICAL, cadenceMs: 5000 })).toBe(17_000);
  });

  it("follows the vendor's hint, never below its minimum interval", () => {
    const policy: PollPolicy = { ...DEFAULT_POLL_POLICY, minMs: 5000 };
    expect(pollDelay({ attempt: 0, elapsedMs: 0, hintMs: 1200, typical: TYPICAL })).toBe(1200);
    expect(pollDelay({ attempt: 0, elapsedMs: 0, hintMs: 1200 }, policy)).toBe(5000);
    expect(pollDelay({ attempt: 0, elapsedMs: 0, hintMs: 0 })).toBe(20);
    expect(
      pollDelay({ attempt: 4, elapsedMs: 20_000, typical: TYPICAL, cadenceMs: 5000 }, policy),
    ).toBe(5000);
  });

  it('waits for the window, looks every 0.4 cadence inside it, then backs off', () => {
    const at = (elapsedMs: number): number =>
      pollDelay({ attempt: 1, elapsedMs, typical: TYPICAL, cadenceMs: 5000 });
    expect(at(0)).toBe(17_000); // first look one step into the window
    expect(at(10_000)).toBe(7000);
    expect(at(17_000)).toBe(2000);
    expect(at(26_000)).toBe(2000);
    expect(at(27_000)).toBe(2000);
    expect(at(29_000)).toBe(2500); // later than every recent job: step + a quarter of the delay
    expect(at(35_000)).toBe(4000);
    expect(at(120_000)).toBe(10_000); // capped at the policy's maxMs
  });

  it('keeps looks inside the window at most 3.5 s apart for a slow cadence (Gemini: 10 s)', () => {
    const at = (elapsedMs: number): number =>
      pollDelay({ attempt: 1, elapsedMs, typical: TYPICAL, cadenceMs: 10_000 });
    expect(at(0)).toBe(18_500);
    expect(at(18_500)).toBe(3500);
  });

  it('is never blind for more than 6 × maxMs before a long window, and keeps the policy bounds', () => {
    const long: TypicalDuration = { lowMs: 600_000, highMs: 900_000, samples: 5 };
    expect(pollDelay({ attempt: 0, elapsedMs: 0, typical: long, cadenceMs: 10_000 })).toBe(60_000);
    const fast: PollPolicy = { initialMs: 1, factor: 1, maxMs: 1 };
    expect(pollDelay({ attempt: 0, elapsedMs: 0, typical: TYPICAL, cadenceMs: 5000 }, fast)).toBe(
      6,
    );
    expect(
      pollDelay({ attempt: 9, elapsedMs: 20_000, typical: TYPICAL, cadenceMs: 5000 }, fast),
    ).toBe(1);
  });
});

describe('typical durations', () => {
  it('spans the earliest start to the latest end of the intervals in which the samples ended', () => {
    expect(typicalDuration([])).toBeUndefined();
    expect(
      typicalDuration([
        { endedAfterMs: 16_000, endedByMs: 17_000 },
        { endedAfterMs: 14_500, endedByMs: 15_200 },
        { endedAfterMs: 23_000, endedByMs: 25_500 },
      ]),
    ).toEqual({ lowMs: 14_500, highMs: 25_500, samples: 3 });
  });

  it('keeps the latest samples per model only', () => {
    const history = new DurationHistory(3);
    expect(history.typical('m')).toBeUndefined();
    for (const seconds of [1, 50, 20, 21, 22]) history.record('m', seconds * 1000, seconds * 1000);
    history.record('other', 5, 2); // an end seen before its last pending look is clamped
    expect(history.typical('m')).toEqual({ lowMs: 20_000, highMs: 22_000, samples: 3 });
    expect(history.typical('other')).toEqual({ lowMs: 2, highMs: 2, samples: 1 });
    expect(history.has('m') && !history.has('none')).toBe(true);
  });

  it('durations seeded from the database give way to real ones once 3 real samples exist', () => {
    // The database keeps only submission → seen (a zero-width point); a full history of such
    // seeds must not hold the window until all 30 have been pushed out by real samples.
    const history = new DurationHistory();
    for (let index = 0; index < 30; index += 1) history.seed('m', 30_000 + index * 100);
    expect(history.typical('m')).toEqual({ lowMs: 30_000, highMs: 32_900, samples: 30 });
    history.record('m', 15_000, 16_000);
    history.record('m', 18_000, 19_500);
    // Fewer than 3 real samples: the seeds still decide (the two oldest were dropped).
    expect(history.typical('m')).toMatchObject({ lowMs: 30_200, highMs: 32_900 });
    history.record('m', 21_000, 22_000);
    expect(history.typical('m')).toEqual({ lowMs: 15_000, highMs: 22_000, samples: 3 });
  });

  it('uses the narrowest intervals only: jobs noticed late drop out once 3 narrow ones exist', () => {
    const wide = { endedAfterMs: 6_000, endedByMs: 30_000 };
    const narrow = [15_000, 18_000, 24_000].map((ms) => ({
      endedAfterMs: ms,
      endedByMs: ms + 2000,
    }));
    expect(typicalDuration([wide, ...narrow.slice(0, 2)])).toEqual({
      lowMs: 6_000,
      highMs: 30_000,
      samples: 3,
    });
    expect(typicalDuration([wide, ...narrow])).toEqual({
      lowMs: 15_000,
      highMs: 26_000,
      samples: 3,
    });
  });
});

/**
 * Jobs ending uniformly in 15–25 s: mean lag and mean status calls of a fixed `interval` loop
 * (first look after one interval) and of the shaped schedule (history from the same spread).
 */
function simulate(cadenceMs: number): {
  loop: { lag: number; looks: number };
  ours: { lag: number; looks: number };
} {
  const jobs = 200;
  const totals = { loop: { lag: 0, looks: 0 }, ours: { lag: 0, looks: 0 } };
  for (let index = 0; index < jobs; index += 1) {
    const end = 15_000 + (10_000 * (index + 0.5)) / jobs;
    let time = 0;
    let looks = 0;
    while (time < end) {
      time += cadenceMs;
      looks += 1;
    }
    totals.loop.lag += time - end;
    totals.loop.looks += looks;
    time = 0;
    looks = 0;
    let attempt = 0;
    while (time < end) {
      time += pollDelay({ attempt, elapsedMs: time, typical: TYPICAL, cadenceMs });
      attempt += 1;
      looks += 1;
    }
    totals.ours.lag += time - end;
    totals.ours.looks += looks;
  }
  for (const side of [totals.loop, totals.ours]) {
    side.lag /= jobs;
    side.looks /= jobs;
  }
  return totals;
}

describe('the shaped schedule against each vendor reference loop (simulated, 15–25 s jobs)', () => {
  for (const [vendor, cadenceMs] of [
    ['Together (5 s loop)', 5000],
    ['Runway (its SDK: 6 s)', 6000],
    ['Gemini (docs: 10 s)', 10_000],
    ['Luma (3 s loop)', 3000],
    ['fal / Replicate (SDKs: 500 ms)', 500],
  ] as const) {
    it(`${vendor}: at most half the lag with no more status calls`, () => {
      const { loop, ours } = simulate(cadenceMs);
      expect(ours.lag).toBeLessThanOrEqual(loop.lag * 0.5);
      expect(ours.looks).toBeLessThanOrEqual(loop.looks);
    });
  }
});
