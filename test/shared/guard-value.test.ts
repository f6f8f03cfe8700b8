/**
 * A guard's value beside its limit keeps a fixed precision (shared/watch/guard-value.ts): the
 * scorecard's rounding would write a breach as if the value met the limit.
 */
import { describe, expect, it } from 'vitest';
import { formatGuardValue } from '../../src/shared/watch/guard-value';
import { formatLatency, formatPercent } from '../../src/shared/format';

describe('formatGuardValue', () => {
  it('tells a value just past its limit from the limit, where the scorecard format cannot', () => {
    // A success rate of 98.6 % under a 99 % minimum.
    expect(formatPercent(0.986)).toBe(formatPercent(0.99));
    expect(formatGuardValue('success_rate', 0.986)).toBe('98.6%');
    expect(formatGuardValue('success_rate', 0.99)).toBe('99%');
    // A p95 of 200.4 s over a 200 s maximum (guards measure latency in seconds).
    expect(formatLatency(200_400)).toBe(formatLatency(200_000));
    expect(formatGuardValue('p95_latency', 200.4)).toBe('200.4 s');
    expect(formatGuardValue('p95_latency', 200)).toBe('200 s');
  });

  it('writes dollars to the tenth of a cent, thousands grouped', () => {
    expect(formatGuardValue('cost_per_video', 0.4)).toBe('$0.400');
    expect(formatGuardValue('cost_per_video', 0.4004)).toBe('$0.400');
    expect(formatGuardValue('cost_per_video', 1234.5)).toBe('$1,234.500');
  });
});
