/**
 * The hand-written number, date and relative-time formatting in src/shared/format.ts writes
 * exactly what Intl writes for the same options (it exists so the console's first screen makes
 * no Intl formatter: the first one costs tens of ms in Chromium). Compared here across many
 * values, in several time zones, so the two cannot drift apart (a new ICU with other month
 * names or rounding would fail here, not on a screen).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as Format from '../../src/shared/format';
import {
  formatDate,
  formatDecimal,
  formatRelative,
  type RelativeUnit,
} from '../../src/shared/format';

/** A small seeded generator (mulberry32), so every run checks the same values. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Numbers that find rounding, carrying, grouping and exponent mistakes. */
function numbers(): number[] {
  const random = seeded(15);
  const values: number[] = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.0625, 1.005, 2.675];
  for (let n = 0; n <= 2_100; n += 1) values.push(n, n / 8, n / 1000, -n / 100);
  // Halfway and carry cases at each number of decimals: x.5, x.05, x.005, 9.995, 999.9995 …
  for (let decimals = 1; decimals <= 4; decimals += 1) {
    const step = 10 ** -decimals;
    for (const whole of [0, 1, 9, 99, 999, 9_999, 99_999, 123_456]) {
      values.push(whole + 5 * step, whole + 0.5 * step, whole + 1 - 0.5 * step, whole + 1 - step);
    }
  }
  // Every magnitude from 1e-9 to 1e22, several mantissas each, both signs.
  for (let exponent = -9; exponent <= 22; exponent += 1) {
    for (let index = 0; index < 40; index += 1) {
      const value = (1 + random() * 9) * 10 ** exponent;
      values.push(value, -value, Math.round(value), Math.round(value * 1000) / 1000);
    }
  }
  // Money and percentages as the screens compute them (sums and products of prices).
  for (let index = 0; index < 2_000; index += 1) {
    const cents = Math.round(random() * 200_000) / 100;
    values.push(cents * 0.07, cents / 3, random() * 100, random(), random() * 0.01);
  }
  values.push(1e21, 1e22, 1.5e300, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON);
  values.push(Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1.0000000000000002, 0.1 + 0.2);
  values.push(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
  return values;
}

describe('numbers: formatDecimal writes what Intl.NumberFormat("en-US") writes', () => {
  // The settings the screens use (money 2–2 and 2–3, ticks 0–3, numbers 0–N, percent 0–0/0–1),
  // and more.
  const settings: [number, number][] = [
    [0, 0],
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 1],
    [2, 2],
    [2, 3],
    [0, 6],
    [3, 3],
    [0, 20],
  ];
  const values = numbers();

  it.each(settings)('with %i to %i decimals', (min, max) => {
    const intl = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: min,
      maximumFractionDigits: max,
    });
    const wrong: string[] = [];
    for (const value of values) {
      const expected = intl.format(value);
      const actual = formatDecimal(value, min, max);
      if (actual !== expected) wrong.push(`${value}: ${actual} (Intl: ${expected})`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(values.length).toBeGreaterThan(10_000);
  });

  it('is not toFixed: rounds the shortest decimal, half away from zero', () => {
    expect(formatDecimal(1.005, 0, 2)).toBe('1.01');
    expect(formatDecimal(-2.5, 0, 0)).toBe('-3');
    expect(formatDecimal(-0.001, 0, 2)).toBe('-0');
    expect(formatDecimal(999.9995, 0, 3)).toBe('1,000');
    expect(formatDecimal(1e21, 0, 0)).toBe('1,000,000,000,000,000,000,000');
  });
});

describe('relative times: formatRelative writes what Intl.RelativeTimeFormat("en") writes', () => {
  const intl = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const random = seeded(7);
  const values: number[] = [0, -0, 1, -1, 2, -2, 1.0001, -1.0004, 0.5, -0.5, 1_234.5];
  // Around the values that have words (ICU takes anything within 0.005 of them).
  for (const near of [-2, -1, 0, 1, 2]) {
    for (const offset of [-0.0051, -0.005, -0.0049, -0.001, 0.001, 0.0049, 0.005, 0.0051]) {
      values.push(near + offset);
    }
  }
  for (let value = -3_000; value <= 3_000; value += 1) values.push(value);
  for (let index = 0; index < 2_000; index += 1) values.push((random() - 0.5) * 1e7);

  it.each(['minute', 'hour', 'day'] as RelativeUnit[])('in %ss', (unit) => {
    const wrong: string[] = [];
    for (const value of values) {
      const expected = intl.format(value, unit);
      const actual = formatRelative(value, unit);
      if (actual !== expected) wrong.push(`${value}: ${actual} (Intl: ${expected})`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('refuses what Intl refuses: a number that is not finite', () => {
    expect(() => intl.format(Number.NaN, 'day')).toThrow(RangeError);
    expect(() => formatRelative(Number.NaN, 'day')).toThrow(RangeError);
    expect(() => formatRelative(Number.POSITIVE_INFINITY, 'minute')).toThrow(RangeError);
  });
});

// Dates: the hand-written code reads the Date's local fields; Intl formats in its own default
// zone. Both must agree in every zone (see format-time-zones.test.ts for the zones' quirks).
const ZONES = [
  'UTC',
  'Pacific/Kiritimati',
  'America/Adak',
  'Europe/Berlin',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/St_Johns',
];

const machineZone = process.env.TZ;
afterAll(() => {
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
  vi.resetModules();
});

async function formatIn(zone: string): Promise<typeof Format> {
  process.env.TZ = zone;
  vi.resetModules();
  return import('../../src/shared/format');
}

/** Instants: every 37 minutes over two years (DST changes, midnights), and random ones. */
function instants(): number[] {
  const random = seeded(3);
  const out: number[] = [];
  const from = Date.UTC(2025, 11, 1);
  for (let at = from; at < from + 2 * 366 * 86_400_000; at += 37 * 60_000) out.push(at);
  // Years 100 to 9999 (Intl's and Date's calendars agree on all of them).
  const low = Date.UTC(100, 0, 1);
  const high = Date.UTC(9999, 11, 31);
  for (let index = 0; index < 3_000; index += 1)
    out.push(Math.round(low + random() * (high - low)));
  out.push(0, -1, 1, 59_999, 60_000, Date.UTC(2026, 11, 3, 9, 52, 59, 999));
  return out;
}

describe.each(ZONES)('dates in %s', (zone) => {
  it('formatDateTime, formatDate and formatTimeOfDay write what Intl("en-GB") writes', async () => {
    const format = await formatIn(zone);
    const dateTime = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    const dateOnly = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    const timeOnly = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    expect(dateTime.resolvedOptions().timeZone).toBe(
      new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone,
    );
    const wrong: string[] = [];
    const check = (what: string, actual: string, expected: string): void => {
      if (actual !== expected) wrong.push(`${what}: ${actual} (Intl: ${expected})`);
    };
    for (const at of instants()) {
      const iso = new Date(at).toISOString();
      check(`formatDateTime ${iso}`, format.formatDateTime(at), dateTime.format(at));
      check(`formatDate ${iso}`, format.formatDate(at), dateOnly.format(at));
      check(`formatTimeOfDay ${iso}`, format.formatTimeOfDay(at, at), timeOnly.format(at));
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});

describe('calendar dates ("2026-11-01") write what Intl("en-GB", UTC) writes', () => {
  it('for every day of 1999–2001 and of a leap year far out', () => {
    const intl = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    });
    const wrong: string[] = [];
    for (const [first, last] of [
      [Date.UTC(1999, 0, 1), Date.UTC(2001, 11, 31)],
      [Date.UTC(2400, 0, 1), Date.UTC(2400, 11, 31)],
    ] as const) {
      for (let at = first; at <= last; at += 86_400_000) {
        const text = new Date(at).toISOString().slice(0, 10);
        const expected = intl.format(at);
        if (formatDate(text) !== expected) wrong.push(`${text}: ${formatDate(text)} (${expected})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
