/**
 * One way to write money, numbers, percentages, dates and counts, for every screen, chart axis,
 * CLI table and CSV export. Pure TypeScript (no DOM, no Node), so the renderer and main share it.
 *
 * Conventions:
 * - Money: two decimals from $1 up ("$9.60", "$23.04", "$1,204.50"); under $1 up to three
 *   decimals so unit prices stay readable ("$0.60", "$0.125", "$0.05"); below a tenth of a cent
 *   "<$0.001". Never four trailing zeros.
 * - Numbers: grouped thousands, trailing zeros trimmed ("1,204", "12.5").
 * - Percentages from a fraction: whole numbers from 10 % up, one decimal below ("60%", "4.5%"),
 *   two significant digits under 1 % so a small share never reads "0%" ("0.042%"). A rate set
 *   against a limit keeps one decimal at every size ("98.6%" under "99%": formatRatePercent).
 * - Latencies: whole milliseconds under a second ("320 ms"), then seconds with three significant
 *   digits at most ("2.57 s", "12.3 s", "184 s").
 * - Dates: one style, "3 Dec 2026, 09:52" (day month year, 24-hour clock, the viewer's time
 *   zone); "3 Dec 2026" without the time.
 * - CSV numbers: plain decimal (no grouping, no exponent), floating-point noise removed
 *   ("0.6", never "0.6000000000000001").
 */

/**
 * Numbers, dates and relative times are written by hand, exactly as Intl writes them for the
 * console's locale (en-US numbers, en-GB dates, en relative times): the first Intl formatter a
 * page makes costs tens of milliseconds in Chromium (its locale data), on the console's first
 * screen. test/shared/format-intl.test.ts compares both across many values, so they cannot
 * drift apart; Intl is still used for what the hand-written code does not cover (dates before
 * year 1).
 */

/** The decimal digits of a finite non-negative number: the shortest text that reads back as it. */
function decimalDigits(abs: number): { whole: string; fraction: string } {
  // Intl rounds from this text too, so 1.005 is "1.01" to two decimals (toFixed says "1.00").
  const text = String(abs);
  const exponentAt = text.indexOf('e');
  if (exponentAt < 0) {
    const dot = text.indexOf('.');
    return dot < 0
      ? { whole: text, fraction: '' }
      : { whole: text.slice(0, dot), fraction: text.slice(dot + 1) };
  }
  // "1.23e-7", "1e+21": the digits, and where the decimal point falls among them.
  const mantissa = text.slice(0, exponentAt);
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + Number(text.slice(exponentAt + 1));
  if (point <= 0) return { whole: '0', fraction: '0'.repeat(-point) + digits };
  if (point >= digits.length)
    return { whole: digits + '0'.repeat(point - digits.length), fraction: '' };
  return { whole: digits.slice(0, point), fraction: digits.slice(point) };
}

/** Adds one to a string of decimal digits ("199" → "200", "99" → "100"). */
function incremented(digits: string): string {
  let index = digits.length - 1;
  while (index >= 0 && digits[index] === '9') index -= 1;
  if (index < 0) return `1${'0'.repeat(digits.length)}`;
  return (
    digits.slice(0, index) +
    String(Number(digits[index]) + 1) +
    '0'.repeat(digits.length - index - 1)
  );
}

/** "1234567" → "1,234,567". */
function groupThousands(whole: string): string {
  let out = '';
  for (let end = whole.length; end > 0; end -= 3) {
    out = end - 3 > 0 ? `,${whole.slice(end - 3, end)}${out}` : whole.slice(0, end) + out;
  }
  return out;
}

/**
 * A number with grouped thousands and between `minDecimals` and `maxDecimals` decimals, half
 * away from zero: what `new Intl.NumberFormat('en-US', { minimumFractionDigits,
 * maximumFractionDigits }).format(value)` writes ("1,204.5", "-0", "NaN", "∞").
 */
export function formatDecimal(value: number, minDecimals: number, maxDecimals: number): string {
  if (Number.isNaN(value)) return 'NaN';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (!Number.isFinite(value)) return `${sign}∞`;
  let { whole, fraction } = decimalDigits(Math.abs(value));
  if (fraction.length > maxDecimals) {
    const roundUp = fraction.charCodeAt(maxDecimals) >= 53; // '5' or more
    const kept = whole + fraction.slice(0, maxDecimals);
    const digits = roundUp ? incremented(kept) : kept;
    whole = digits.slice(0, digits.length - maxDecimals);
    fraction = digits.slice(digits.length - maxDecimals);
  }
  let end = fraction.length;
  while (end > minDecimals && fraction[end - 1] === '0') end -= 1;
  fraction = fraction.slice(0, end).padEnd(minDecimals, '0');
  return `${sign}${groupThousands(whole)}${fraction === '' ? '' : `.${fraction}`}`;
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
  const text = formatDecimal(abs, 2, abs >= 1 ? 2 : 3);
  return `${sign}$${text}`;
}

/** A price per unit: "$0.125/s", "$0.50/clip". */
export function formatMoneyPer(usd: number | null | undefined, unit: string): string {
  return finite(usd) ? `${formatMoney(usd)}/${unit}` : '—';
}

/** A chart axis tick in dollars: as formatMoney, but whole dollars without cents ("$20"). */
export function formatMoneyTick(usd: number): string {
  if (!finite(usd)) return '';
  if (Math.abs(usd) >= 1 && Number.isInteger(usd)) return `$${formatDecimal(usd, 0, 3)}`;
  return formatMoney(usd);
}

/** A number with grouped thousands and at most `maxDecimals` decimals: "1,204", "12.5". */
export function formatNumber(value: number | null | undefined, maxDecimals = 2): string {
  if (!finite(value)) return '—';
  return formatDecimal(value, 0, maxDecimals);
}

/**
 * A fraction (0–1) as a percentage: "60%", "4.5%", "100%", "0.042%". Under 1 % two significant
 * digits are kept: a measure such as flicker (0.00042 of the brightness range) would otherwise
 * read "0%", as if nothing had been measured.
 */
export function formatPercent(fraction: number | null | undefined): string {
  if (!finite(fraction)) return '—';
  const percent = fraction * 100;
  const size = Math.abs(percent);
  const decimals =
    size >= 10 || Number.isInteger(percent)
      ? 0
      : size >= 1
        ? 1
        : Math.min(20, 1 - Math.floor(Math.log10(size)));
  return `${formatDecimal(percent, 0, decimals)}%`;
}

/**
 * A rate read against a limit or another rate: one decimal at every size ("98.6%", "99%", "0.5%"),
 * trailing zero dropped. formatPercent writes whole numbers from 10 % up, which suits a table but
 * not a comparison: a 98.6 % success rate under a 99 % bar would read "99%" against "99%". For
 * routing checks, recommendations and simulations, run comparisons and rollout guards.
 */
export function formatRatePercent(fraction: number | null | undefined): string {
  if (!finite(fraction)) return '—';
  return `${formatDecimal(fraction * 100, 0, 1)}%`;
}

/**
 * A coefficient from -1 to 1, such as Cohen's kappa between reviewers: two decimals ("0.62",
 * "-0.05", "1.00"), fixed so a column of them lines up; "—" for none.
 */
export function formatCoefficient(value: number | null | undefined): string {
  if (!finite(value)) return '—';
  return formatDecimal(value, 2, 2);
}

/**
 * A latency or other short duration given in milliseconds: "320 ms", "2.5 ms" under a second,
 * then seconds with at most three significant digits ("2.57 s", "12.3 s", "184 s"): enough to
 * tell models apart, without the noise of a millisecond on a two-minute generation. A value that
 * rounds to 1000 ms is "1 s", never "1000 ms".
 */
export function formatLatency(ms: number | null | undefined): string {
  if (!finite(ms)) return '—';
  const size = Math.abs(ms);
  if (size === 0) return '0 s';
  if (size < 10) return `${formatDecimal(ms, 0, 1)} ms`;
  if (Math.round(size) < 1000) return `${formatDecimal(ms, 0, 0)} ms`;
  const seconds = ms / 1000;
  const secondsSize = Math.abs(seconds);
  return `${formatDecimal(seconds, 0, secondsSize < 10 ? 2 : secondsSize < 100 ? 1 : 0)} s`;
}

/**
 * A rollout step's bake time: "30 s", "45 min", "1 h", "1.5 h" (the Publishing screen and
 * `aideon rollout status`).
 */
export function formatBakeTime(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(ms % 3_600_000 === 0 ? 0 : 1)} h`;
}

/**
 * An Intl formatter made on first use, for the dates the hand-written code leaves to Intl
 * (before year 1): making one loads its locale data (about 5 ms each, tens of ms for the first).
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
const DATE_ONLY = lazily(
  () =>
    new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    }),
);

/** en-GB's short month names, as Intl writes them ("Sept" since CLDR 38). */
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sept',
  'Oct',
  'Nov',
  'Dec',
];

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** "09:52" in the viewer's time zone. */
function clock(date: Date): string {
  return `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}`;
}

/** "3 Dec 2026" in the viewer's time zone; null before year 1 (Intl writes those its way). */
function dayMonthYear(date: Date): string | null {
  const year = date.getFullYear();
  return year >= 1 ? `${date.getDate()} ${MONTHS[date.getMonth()]} ${year}` : null;
}

/** "3 Dec 2026, 09:52" in the viewer's time zone; "—" for no date. */
export function formatDateTime(timestamp: number | string | null | undefined): string {
  const date = toDate(timestamp);
  return date ? dateTime(date) : '—';
}

/** "3 Dec 2026, 09:52", as Intl's en-GB day, short month, year, 24-hour clock. */
function dateTime(date: Date): string {
  const day = dayMonthYear(date);
  return day === null ? DATE_TIME().format(date) : `${day}, ${clock(date)}`;
}

/**
 * A moment as a clock reading, "09:52" when it falls on the same day as `now` (in the viewer's
 * time zone), else "4 Dec 2026, 00:23": a bake that ends after midnight never reads as earlier
 * today. Same 24-hour clock as formatDateTime.
 */
export function formatTimeOfDay(timestamp: number, now: number): string {
  const date = toDate(timestamp);
  if (!date) return '—';
  return date.toDateString() === new Date(now).toDateString() ? clock(date) : dateTime(date);
}

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
      // (Date.UTC reads years 0–99 as 1900–1999, so a real date here is from year 100 on.)
      return real ? `${date} ${MONTHS[month - 1]} ${year}` : '—';
    }
  }
  const date = toDate(timestamp);
  if (!date) return '—';
  return dayMonthYear(date) ?? DATE_ONLY().format(date);
}

function toDate(timestamp: number | string | null | undefined): Date | null {
  if (timestamp === null || timestamp === undefined || timestamp === '') return null;
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The units the screens write relative times in. */
export type RelativeUnit = 'minute' | 'hour' | 'day';

/**
 * "3 minutes ago", "in 1 hour", "yesterday", "this minute": what `new
 * Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(value, unit)` writes.
 */
export function formatRelative(value: number, unit: RelativeUnit): string {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite number of ${unit}s: ${value}`);
  // numeric: 'auto' has words for -1, 0 and 1 where English has one ("yesterday", "this
  // minute"); like ICU, it takes any value within 0.005 of them for them.
  if (value > -2.1 && value < 2.1) {
    const hundredths = value * 100;
    const near = Math.trunc(hundredths < 0 ? hundredths - 0.5 : hundredths + 0.5);
    if (near === 0) return unit === 'day' ? 'today' : `this ${unit}`;
    if (unit === 'day' && near === 100) return 'tomorrow';
    if (unit === 'day' && near === -100) return 'yesterday';
  }
  const count = formatDecimal(Math.abs(value), 0, 3);
  const noun = count === '1' ? unit : `${unit}s`;
  return value < 0 ? `${count} ${noun} ago` : `in ${count} ${noun}`;
}

/** A count with its noun: "1 key", "3 keys", "1,204 votes" (or the given plural form). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatDecimal(count, 0, 3)} ${count === 1 ? singular : pluralForm}`;
}

/** Quoted choices in a sentence: "a"; "a" or "b"; "a", "b" or "c". */
export function quotedChoices(values: readonly string[]): string {
  const quoted = values.map((value) => `"${value}"`);
  return quoted.length <= 1
    ? (quoted[0] ?? '')
    : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
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
 * One RFC 4180 CSV cell: empty for null, a number by csvNumber, text quoted when it holds a comma,
 * a quote or a line break. Text that a spreadsheet would run as a formula (a model id like
 * "=HYPERLINK(…)") gets a leading apostrophe, so it stays text.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return csvNumber(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
