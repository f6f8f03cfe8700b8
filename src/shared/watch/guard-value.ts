/**
 * A guard's measured value or limit in words, one way for the CLI's `watch check`, the inbox
 * notices, the stability checks and the console's Watch section.
 *
 * Unlike the scorecard (shared/format.ts formatPercent, formatLatency, formatMoney), a guard
 * writes a fixed precision: one decimal for a rate in percent and for seconds, three for
 * dollars. A value is read against its limit, and the scorecard's rounding would make a breach
 * read as no breach: a success rate of 98.6 % under a 99 % minimum would be "99%" against "99%",
 * a p95 of 200.4 s over a 200 s maximum "200 s" against "200 s".
 */
import { formatDecimal } from '../format';
import type { GuardKind } from './watch-settings';

export function formatGuardValue(guard: GuardKind, value: number): string {
  if (guard === 'success_rate') return `${formatDecimal(value * 100, 1, 1)}%`;
  if (guard === 'p95_latency') return `${formatDecimal(value, 1, 1)} s`;
  return `$${formatDecimal(value, 3, 3)}`;
}
