/**
 * The date formats in every time zone, whatever zone the machine running the tests is in: the
 * module is loaded afresh under each TZ (Node re-reads TZ when process.env.TZ is set, and the
 * formatters take the zone when they are made). Zones far east and west of UTC, one just west of
 * it (where 01:00 UTC is still yesterday), zones with DST, one with a half-hour DST shift.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as Format from '../../src/shared/format';

const ZONES = [
  'UTC',
  'Pacific/Kiritimati', // UTC+14
  'America/Adak', // UTC-10/-9 with DST
  'Etc/GMT+1', // UTC-1: just before midnight when it is just after midnight in UTC
  'Europe/Berlin', // DST at 02:00
  'America/Santiago', // DST changes at midnight
  'Australia/Lord_Howe', // half-hour DST
  'Asia/Kolkata', // UTC+5:30
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

describe.each(ZONES)('dates in %s', (zone) => {
  it('reads a date and time on the wall clock of the zone', async () => {
    const format = await formatIn(zone);
    // The zone is in force (ICU names some zones its own way: Asia/Kolkata reads Asia/Calcutta).
    expect(new Intl.DateTimeFormat().resolvedOptions().timeZone).toBe(
      new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone,
    );
    expect(format.formatDateTime(new Date(2026, 11, 3, 9, 52).getTime())).toBe('3 Dec 2026, 09:52');
    expect(format.formatDate(new Date(2026, 11, 31, 23, 59).getTime())).toBe('31 Dec 2026');
    expect(format.formatDate(new Date(2027, 0, 1, 0, 30).getTime())).toBe('1 Jan 2027');
  });

  it('shows a calendar date ("as of 2026-11-01") as that day, never the day before or after', async () => {
    const format = await formatIn(zone);
    expect(format.formatDate('2026-11-01')).toBe('1 Nov 2026');
    expect(format.formatDate('2026-01-01')).toBe('1 Jan 2026');
    expect(format.formatDate('2024-02-29')).toBe('29 Feb 2024');
    expect(format.formatDate('2026-02-30')).toBe('—');
    expect(format.formatDate('2026-13-01')).toBe('—');
  });

  it('adds the date to a clock time on another day: across midnight, month, year', async () => {
    const format = await formatIn(zone);
    const lateDec31 = new Date(2026, 11, 31, 23, 50).getTime();
    expect(format.formatTimeOfDay(lateDec31 + 20 * 60_000, lateDec31)).toBe('1 Jan 2027, 00:10');
    expect(format.formatTimeOfDay(lateDec31 - 23 * 3_600_000, lateDec31)).toBe('00:50');
    const lateNov30 = new Date(2026, 10, 30, 23, 59).getTime();
    expect(format.formatTimeOfDay(lateNov30 + 2 * 60_000, lateNov30)).toBe('1 Dec 2026, 00:01');
    expect(format.formatTimeOfDay(lateNov30 - 60_000, lateNov30)).toBe('23:58');
    // Santiago skips 00:00–01:00 on 6 Sep 2026: 01:30 is still the next day there too ("Sept"
    // in newer ICU data, "Sep" in older).
    const lateSep5 = new Date(2026, 8, 5, 23, 30).getTime();
    expect(format.formatTimeOfDay(new Date(2026, 8, 6, 1, 30).getTime(), lateSep5)).toMatch(
      /^6 Sept? 2026, 01:30$/,
    );
  });

  it('keeps a day with a DST change one day', async () => {
    const format = await formatIn(zone);
    // Europe: 29 Mar 2026 02:00 → 03:00; 25 Oct 2026 03:00 → 02:00. Same local day either side.
    for (const [month, day] of [
      [2, 29],
      [9, 25],
    ] as const) {
      const early = new Date(2026, month, day, 1, 15).getTime();
      const later = new Date(2026, month, day, 4, 15).getTime();
      expect(format.formatTimeOfDay(later, early)).toBe('04:15');
      expect(format.formatTimeOfDay(early, later)).toBe('01:15');
    }
  });
});
