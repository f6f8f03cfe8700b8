/**
 * Adaptive polling: frequent at first, slower for long jobs, and never sooner than the vendor's
 * own hint (or, where the vendor asks for a minimum interval, never faster than that).
 */
export interface PollPolicy {
  /** First delay, ms. */
  initialMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Longest delay, ms. */
  maxMs: number;
  /** The vendor's minimum interval, ms (Runway: ~5 s); `undefined` = none. */
  minMs?: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = { initialMs: 500, factor: 1.5, maxMs: 10000 };

export function nextPollDelay(
  attempt: number,
  hintMs: number | undefined,
  policy: PollPolicy = DEFAULT_POLL_POLICY,
): number {
  const adaptive = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  const base = hintMs !== undefined ? Math.max(20, hintMs) : adaptive;
  return Math.max(base, policy.minMs ?? 0);
}
