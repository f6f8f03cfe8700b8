/**
 * One way to write money, numbers, percentages, dates and counts, for every screen, chart axis,
 * CLI table and CSV export. Pure TypeScript (no DOM, no Node), so the renderer and main share it.
 *
 * Conventions:
 * - Money: two decimals from $1 up ("$9.60", "$23.04", "$1,204.50"); under $1 up to three
 *   decimals so unit prices stay readable ("$0.60", "$0.125", "$0.05"); below a tenth of a cent
 *   "<$0.001". Never four trailing zeros.
 * - Numbers: grouped thousands, trailing zeros trimmed ("1,204", "12.5").
 * - Percentages from a fraction: whole numbers from 10 % up, one decimal below ("60%", "4.5%").
 * - Dates: one style, "3 Dec 2026, 09:52" (day month year, 24-hour clock, the viewer's time
 *   zone); "3 Dec 2026" without the time.
 * - CSV numbers: plain decimal (no grouping, no exponent), floating-point noise removed
 *   ("0.6", never "0.6000000000000001").
 */

const NUMBER_LOCALE = 'en-US';

/**
 * One Intl.NumberFormat per decimals setting, made once: `toLocaleString(locale, options)`
 * builds a new formatter on every call, which a scorecard or a run list of hundreds of values
 * pays for each value (and the first one, with its locale data, about 10 ms at start-up).
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
function grouped(value: number, minDecimals: number, maxDecimals: number): string {
  const key = `${minDecimals}/${maxDecimals}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(NUMBER_LOCALE, {
      minimumFractionDigits: minDecimals,
      maximumFractionDigits: maxDecimals,
    });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Dollars: "$23.04", "$9.60", "$0.125", "-$1.50", "—" for no value. */
export function formatMoney(usd: number | null | undefined): string {
  if (!finite(usd)) return '—';
  const abs = Math.abs(usd);
  const sign = usd < 0 ? '-' : '';
  if (abs === 0) return '$0.00';
  if (abs < 0.001) return `${sign}<$0.001`;
  const text = grouped(abs, 2, abs >= 1 ? 2 : 3);
  return `${sign}$${text}`;
}

/** A price per unit: "$0.125/s", "$0.50/clip". */
export function formatMoneyPer(usd: number | null | undefined, unit: string): string {
  return finite(usd) ? `${formatMoney(usd)}/${unit}` : '—';
}

/** A chart axis tick in dollars: as formatMoney, but whole dollars without cents ("$20"). */
export function formatMoneyTick(usd: number): string {
  if (!finite(usd)) return '';
  if (Math.abs(usd) >= 1 && Number.isInteger(usd)) return `$${grouped(usd, 0, 3)}`;
  return formatMoney(usd);
}

/** A number with grouped thousands and at most `maxDecimals` decimals: "1,204", "12.5". */
export function formatNumber(value: number | null | undefined, maxDecimals = 2): string {
  if (!finite(value)) return '—';
  return grouped(value, 0, maxDecimals);
}

/** A fraction (0–1) as a percentage: "60%", "4.5%", "100%". */
export function formatPercent(fraction: number | null | undefined): string {
  if (!finite(fraction)) return '—';
  const percent = fraction * 100;
  const decimals = Math.abs(percent) >= 10 || Number.isInteger(percent) ? 0 : 1;
  return `${grouped(percent, 0, decimals)}%`;
}

/**
 * A formatter made on first use: creating one loads its locale data (about 5 ms each), which a
 * CLI command or the console's first screen that shows no date should not pay at start-up.
 */
function lazily<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const DATE_TIME = lazily(
  () =>
    new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }),
);
const TIME_ONLY = lazily(
  () =>
    new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }),
);
const DATE_ONLY = lazily(
  () =>
    new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    }),
);

/** "3 Dec 2026, 09:52" in the viewer's time zone; "—" for no date. */
export function formatDateTime(timestamp: number | string | null | undefined): string {
  const date = toDate(timestamp);
  return date ? DATE_TIME().format(date) : '—';
}

/**
 * A moment as a clock reading, "09:52" when it falls on the same day as `now` (in the viewer's
 * time zone), else "4 Dec 2026, 00:23": a bake that ends after midnight never reads as earlier
 * today. Same 24-hour clock as formatDateTime.
 */
export function formatTimeOfDay(timestamp: number, now: number): string {
  const date = toDate(timestamp);
  if (!date) return '—';
  return date.toDateString() === new Date(now).toDateString()
    ? TIME_ONLY().format(date)
    : DATE_TIME().format(date);
}

const CALENDAR_DATE = lazily(
  () =>
    new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }),
);

/**
 * "3 Dec 2026"; "—" for no date. A calendar date ("2026-11-01", a price's "as of") is that day
 * in every time zone: read as an instant (UTC midnight) it would show 31 Oct west of UTC.
 */
export function formatDate(timestamp: number | string | null | undefined): string {
  if (typeof timestamp === 'string') {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(timestamp.trim());
    if (day) {
      const [year, month, date] = day.slice(1).map(Number) as [number, number, number];
      const at = new Date(Date.UTC(year, month - 1, date));
      const real =
        at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === date;
      return real ? CALENDAR_DATE().format(at) : '—';
    }
  }
  const date = toDate(timestamp);
  return date ? DATE_ONLY().format(date) : '—';
}

function toDate(timestamp: number | string | null | undefined): Date | null {
  if (timestamp === null || timestamp === undefined || timestamp === '') return null;
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A count with its noun: "1 key", "3 keys", "1,204 votes" (or the given plural form). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${grouped(count, 0, 3)} ${count === 1 ? singular : pluralForm}`;
}

/**
 * A number for a CSV cell: plain decimal, no grouping or exponent, floating-point noise removed
 * (12 significant digits, more than any figure we record). Not finite → empty cell.
 */
export function csvNumber(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(12));
  const text = String(rounded);
  if (!/e/i.test(text)) return text;
  // Very large: whole digits. Very small: written out in full, then trailing zeros dropped.
  if (Math.abs(rounded) >= 1) return BigInt(Math.round(rounded)).toString();
  const digits = Math.min(20, Math.max(0, 11 - Math.floor(Math.log10(Math.abs(rounded)))));
  const fixed = rounded.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/**
 * Lines with repeats folded: the same line six times is one entry with a count of 6 (first
 * appearance keeps its place). For messages such as the same ECONNREFUSED per guard.
 */
export function collapseRepeats(lines: readonly string[]): { text: string; count: number }[] {
  const out: { text: string; count: number }[] = [];
  const index = new Map<string, number>();
  for (const line of lines) {
    const text = line.trim();
    if (text === '') continue;
    const at = index.get(text);
    if (at === undefined) {
      index.set(text, out.length);
      out.push({ text, count: 1 });
    } else out[at]!.count += 1;
  }
  return out;
}
