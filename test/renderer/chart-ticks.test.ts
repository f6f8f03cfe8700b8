/**
 * The value axes' tick labels (chart-kit TICK_FORMAT): distinct ticks stay distinct labels at
 * every scale a latency axis meets, from a 80 ms download to a 20-minute job.
 */
import { describe, expect, it } from 'vitest';
import { TICK_FORMAT } from '../../src/renderer/src/components/chart-kit';

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
