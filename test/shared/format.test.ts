import { describe, expect, it } from 'vitest';
import {
  collapseRepeats,
  csvNumber,
  formatCoefficient,
  formatRatePercent,
  formatTimeOfDay,
  formatDate,
  formatDateTime,
  formatMoney,
  formatMoneyPer,
  formatMoneyTick,
  formatNumber,
  formatLatency,
  formatPercent,
  plural,
} from '../../src/shared/format';

describe('formatMoney', () => {
  it('writes two decimals from a dollar up, with grouped thousands', () => {
    expect(formatMoney(9.6)).toBe('$9.60');
    expect(formatMoney(23.04)).toBe('$23.04');
    expect(formatMoney(1204.5)).toBe('$1,204.50');
    expect(formatMoney(12.345)).toBe('$12.35');
  });
  it('keeps unit prices under a dollar readable without trailing zeros past two decimals', () => {
    expect(formatMoney(0.6)).toBe('$0.60');
    expect(formatMoney(0.125)).toBe('$0.125');
    expect(formatMoney(0.05)).toBe('$0.05');
    expect(formatMoney(0.0004)).toBe('<$0.001');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(-1.5)).toBe('-$1.50');
  });
  it('never writes four decimals or floating-point noise', () => {
    for (const value of [0.1 + 0.2 + 0.3, 9.6, 0.2, 1 / 3, 123456.789]) {
      expect(formatMoney(value)).not.toMatch(/\.\d{4,}/);
    }
    expect(formatMoney(0.1 + 0.2 + 0.3)).toBe('$0.60');
  });
  it('writes a dash for no value', () => {
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(undefined)).toBe('—');
    expect(formatMoney(Number.NaN)).toBe('—');
    expect(formatMoney(Number.POSITIVE_INFINITY)).toBe('—');
  });
  it('prices per unit and axis ticks follow the same rule', () => {
    expect(formatMoneyPer(0.125, 's')).toBe('$0.125/s');
    expect(formatMoneyPer(0.5, 'clip')).toBe('$0.50/clip');
    expect(formatMoneyPer(null, 's')).toBe('—');
    expect(formatMoneyTick(20)).toBe('$20');
    expect(formatMoneyTick(2500)).toBe('$2,500');
    expect(formatMoneyTick(0.25)).toBe('$0.25');
    expect(formatMoneyTick(1.5)).toBe('$1.50');
  });
});

describe('numbers and percentages', () => {
  it('groups thousands and trims decimals', () => {
    expect(formatNumber(1204)).toBe('1,204');
    expect(formatNumber(12.5)).toBe('12.5');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(2 / 3, 1)).toBe('0.7');
    expect(formatNumber(null)).toBe('—');
  });
  it('writes fractions as percentages: whole from 10 %, one decimal below', () => {
    expect(formatPercent(0.6)).toBe('60%');
    expect(formatPercent(0.6000000000000001)).toBe('60%');
    expect(formatPercent(0.045)).toBe('4.5%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.123)).toBe('12%');
    // A success rate of 2 in 3: whole percent, the precision a few dozen generations support.
    expect(formatPercent(2 / 3)).toBe('67%');
    expect(formatPercent(undefined)).toBe('—');
  });
  it('keeps two significant digits under 1 %, so a small share never reads "0%"', () => {
    expect(formatPercent(0.00042)).toBe('0.042%');
    expect(formatPercent(0.005)).toBe('0.5%');
    expect(formatPercent(0.0095)).toBe('0.95%');
    expect(formatPercent(-0.00042)).toBe('-0.042%');
    expect(formatPercent(1e-9)).toBe('0.0000001%');
  });
  it('writes latencies in ms under a second, then seconds to three significant digits', () => {
    expect(formatLatency(0)).toBe('0 s');
    expect(formatLatency(2.54)).toBe('2.5 ms');
    expect(formatLatency(320.4)).toBe('320 ms');
    expect(formatLatency(999.4)).toBe('999 ms');
    expect(formatLatency(999.6)).toBe('1 s');
    expect(formatLatency(2567)).toBe('2.57 s');
    expect(formatLatency(12_345)).toBe('12.3 s');
    expect(formatLatency(184_400)).toBe('184 s');
    expect(formatLatency(1_234_567)).toBe('1,235 s');
    expect(formatLatency(undefined)).toBe('—');
    expect(formatLatency(Number.NaN)).toBe('—');
  });
});

describe('dates', () => {
  it('uses one style: day month year, 24-hour time', () => {
    const at = new Date(2026, 11, 3, 9, 52).getTime();
    expect(formatDateTime(at)).toBe('3 Dec 2026, 09:52');
    expect(formatDate(at)).toBe('3 Dec 2026');
    expect(formatDateTime(new Date(2026, 0, 15, 17, 5).toISOString())).toBe('15 Jan 2026, 17:05');
  });
  it('writes a dash for no or a bad date', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDate('not a date')).toBe('—');
  });
});

describe('plural', () => {
  it('agrees the noun with the count', () => {
    expect(plural(1, 'key')).toBe('1 key');
    expect(plural(0, 'key')).toBe('0 keys');
    expect(plural(3, 'key')).toBe('3 keys');
    expect(plural(1204, 'vote')).toBe('1,204 votes');
    expect(plural(2, 'unlocked key')).toBe('2 unlocked keys');
    expect(plural(2, 'child', 'children')).toBe('2 children');
  });
});

describe('csvNumber', () => {
  it('removes floating-point noise', () => {
    expect(csvNumber(0.1 + 0.2 + 0.3)).toBe('0.6');
    expect(csvNumber(0.6000000000000001)).toBe('0.6');
    expect(csvNumber(0.30000000000000004)).toBe('0.3');
    expect(csvNumber(4 / 7)).toBe('0.571428571429');
  });
  it('writes plain decimals: no grouping, no exponent', () => {
    expect(csvNumber(1204.5)).toBe('1204.5');
    expect(csvNumber(3700)).toBe('3700');
    expect(csvNumber(1e-7)).toBe('0.0000001');
    expect(csvNumber(-0.25)).toBe('-0.25');
    expect(csvNumber(0)).toBe('0');
    expect(csvNumber(1e21)).not.toMatch(/e/i);
  });
  it('leaves a non-finite number empty', () => {
    expect(csvNumber(Number.NaN)).toBe('');
    expect(csvNumber(Number.POSITIVE_INFINITY)).toBe('');
  });
});

describe('collapseRepeats', () => {
  it('folds the same line into one with a count, in first-seen order', () => {
    const refused = 'connect ECONNREFUSED 127.0.0.1:9090';
    expect(
      collapseRepeats([
        refused,
        'p95 latency 9 s > 5 s',
        refused,
        refused,
        '',
        refused,
        refused,
        refused,
      ]),
    ).toEqual([
      { text: refused, count: 6 },
      { text: 'p95 latency 9 s > 5 s', count: 1 },
    ]);
    expect(collapseRepeats([])).toEqual([]);
  });
});

describe('formatTimeOfDay', () => {
  it('reads a time of day on the same day and adds the date across midnight', () => {
    const evening = new Date(2026, 11, 3, 23, 40).getTime();
    const sameDay = new Date(2026, 11, 3, 9, 5).getTime();
    const afterMidnight = new Date(2026, 11, 4, 0, 23).getTime();
    expect(formatTimeOfDay(sameDay, evening)).toBe('09:05');
    expect(formatTimeOfDay(afterMidnight, evening)).toBe('4 Dec 2026, 00:23');
    expect(formatTimeOfDay(Number.NaN, evening)).toBe('—');
  });
});

describe('formatRatePercent', () => {
  it('keeps one decimal at every size, so a rate just under a bar never reads as the bar', () => {
    expect(formatRatePercent(0.986)).toBe('98.6%');
    expect(formatRatePercent(0.99)).toBe('99%');
    expect(formatPercent(0.986)).toBe('99%');
    expect(formatRatePercent(0.9999)).toBe('100%');
    expect(formatRatePercent(0.005)).toBe('0.5%');
    expect(formatRatePercent(1 / 3)).toBe('33.3%');
    expect(formatRatePercent(null)).toBe('—');
    expect(formatRatePercent(Number.NaN)).toBe('—');
  });
});

describe('formatCoefficient', () => {
  it("writes a kappa with two decimals, negative ones too; '—' for none", () => {
    expect(formatCoefficient(0.4)).toBe('0.40');
    expect(formatCoefficient(-0.054)).toBe('-0.05');
    expect(formatCoefficient(1)).toBe('1.00');
    expect(formatCoefficient(null)).toBe('—');
  });
});
