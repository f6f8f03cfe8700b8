/**
 * Display formatting for the screens. Money, numbers, percentages, dates and plurals come from
 * the shared format module (the CLI and the CSV export use it too), so they read the same
 * everywhere; this file adds what only screens need (durations, clocks, relative times).
 */
import { formatRelative } from '../../../shared/format';

export {
  formatCoefficient,
  formatDate,
  formatDateTime,
  formatMoney,
  formatMoneyPer,
  formatMoneyTick,
  formatLatency,
  formatNumber,
  formatPercent,
  formatTimeOfDay,
  plural,
} from '../../../shared/format';

/** A rough duration: "about 40 s", "about 3 min", "about 1 h 20 min". */
export function formatRoughDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return 'under a second';
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `about ${hours} h` : `about ${hours} h ${rest} min`;
}

/** Media clock with tenths: "0:04.2". */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '0:00.0';
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  const text = rest.toFixed(1).padStart(4, '0');
  return `${minutes}:${text}`;
}

/**
 * "just now", "3 minutes ago", "in 2 hours", "yesterday" (English, as Intl.RelativeTimeFormat
 * writes it with numeric: 'auto'; written by hand in shared/format.ts, since making that
 * formatter would cost the first screen, which shows one per run, tens of ms).
 */
export function formatRelativeTime(timestamp: number, now = Date.now()): string {
  const seconds = Math.round((timestamp - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return formatRelative(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return formatRelative(Math.round(seconds / 3600), 'hour');
  return formatRelative(Math.round(seconds / 86400), 'day');
}

export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (done / total) * 100));
}
