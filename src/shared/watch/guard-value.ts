/**
 * A guard's measured value or limit in words, one way for the CLI's `watch check`, the inbox
 * notices, the stability checks and the console's Watch section.
 *
 * Unlike the scorecard (shared/format.ts formatPercent, formatLatency, formatMoney), a guard
 * keeps one decimal for a rate in percent (formatRatePercent) and for seconds, and three for
 * dollars, at every size. A value is read against its limit, and the scorecard's rounding would
 * make a breach read as no breach: a success rate of 98.6 % under a 99 % minimum would be "99%"
 * against "99%", a p95 of 200.4 s over a 200 s maximum "200 s" against "200 s", a cost of
 * $0.4004 over $0.40 "$0.40" against "$0.40".
 */
import { formatDecimal, formatRatePercent } from '../format';
import type { GuardKind } from './watch-settings';

export function formatGuardValue(guard: GuardKind, value: number): string {
  if (guard === 'success_rate') return formatRatePercent(value);
  if (guard === 'p95_latency') return `${formatDecimal(value, 0, 1)} s`;
  return `$${formatDecimal(value, 3, 3)}`;
}
