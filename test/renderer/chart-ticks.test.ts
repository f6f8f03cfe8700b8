/**
 * The value axes' tick labels (chart-kit TICK_FORMAT): distinct ticks stay distinct labels at
 * every scale a latency axis meets, from a 80 ms download to a 20-minute job.
 */
import { describe, expect, it } from 'vitest';
import { roundAxis, TICK_FORMAT } from '../../src/renderer/src/components/chart-kit';

/** Ticks as recharts makes them for a domain [0, max]: five evenly spaced "nice" values. */
const ticks = (step: number): number[] => [0, 1, 2, 3, 4].map((i) => Number((i * step).toFixed(6)));

describe('TICK_FORMAT.seconds', () => {
  it.each([0.0005, 0.025, 0.25, 0.5, 2.5, 25, 300])(
    'gives distinct labels to ticks %s s apart',
    (step) => {
      const labels = ticks(step).map(TICK_FORMAT.seconds);
      expect(new Set(labels).size).toBe(labels.length);
    },
  );

  it('reads under a second in ms and above it in seconds', () => {
    expect(TICK_FORMAT.seconds(0)).toBe('0 s');
    expect(TICK_FORMAT.seconds(0.075)).toBe('75 ms');
    expect(TICK_FORMAT.seconds(0.0025)).toBe('2.5 ms');
    expect(TICK_FORMAT.seconds(1.25)).toBe('1.25 s');
    expect(TICK_FORMAT.seconds(12.5)).toBe('12.5 s');
    expect(TICK_FORMAT.seconds(1200)).toBe('1,200 s');
  });
});

describe('roundAxis', () => {
  it('ends a money axis on a round number with round steps, not recharts’ $0.035 steps', () => {
    const axis = roundAxis(0.14);
    expect(axis.ticks).toEqual([0, 0.05, 0.1, 0.15]);
    expect(axis.domain).toEqual([0, 0.15]);
    expect(axis.ticks.map(TICK_FORMAT.money)).toEqual(['$0', '$0.05', '$0.10', '$0.15']);
  });

  it.each([0.003, 0.14, 0.7, 1, 2.4, 37, 1234])(
    'holds %s with at most five round intervals',
    (max) => {
      const { domain, ticks } = roundAxis(max);
      expect(domain[1]).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(6);
      const step = ticks[1]!;
      // 1, 2 or 5 times a power of ten.
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 5]).toContainEqual(Number(mantissa.toFixed(6)));
      ticks.forEach((tick, i) => expect(tick).toBeCloseTo(i * step, 9));
    },
  );
});
