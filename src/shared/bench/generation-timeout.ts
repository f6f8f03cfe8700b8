/**
 * The generation timeout: how long one generation may take, from its start in the runner to its
 * video being stored, before it is cancelled at the vendor (where the vendor can cancel) and
 * ends with outcome `timeout`. A run may set it (`timeoutSeconds`); otherwise each model gets a
 * default from its vendor's typical generation time.
 */
import { z } from 'zod';

/** Shortest timeout a run may set, seconds. */
export const MIN_TIMEOUT_SECONDS = 1;
/** Longest timeout a run may set, seconds (6 h). */
export const MAX_TIMEOUT_SECONDS = 6 * 60 * 60;
/** The timeout when nothing better is known, seconds (15 min). */
export const FALLBACK_TIMEOUT_SECONDS = 15 * 60;

export const timeoutSecondsSchema = z
  .number({ message: 'timeoutSeconds must be a number of seconds' })
  .int('timeoutSeconds must be a whole number of seconds')
  .min(MIN_TIMEOUT_SECONDS, `timeoutSeconds must be at least ${MIN_TIMEOUT_SECONDS} s`)
  .max(MAX_TIMEOUT_SECONDS, `timeoutSeconds must be at most ${MAX_TIMEOUT_SECONDS} s (6 h)`);

/**
 * Typical time from submission to a finished 5–10 s clip, seconds, by vendor
 * (provider-apis.md "Latency" notes; the sandbox simulates seconds). Vendors with no figure are
 * absent and fall back to FALLBACK_TIMEOUT_SECONDS.
 */
export const TYPICAL_GENERATION_SECONDS: Readonly<Record<string, number>> = {
  sandbox: 10,
  // video-01-director: about 3 min in Together's docs example.
  together: 180,
  // Video models take about 30–120 s.
  replicate: 120,
  // Veo: min 11 s, max 6 min at peak; the peak is what a timeout must survive.
  gemini: 360,
  // About 30–90 s for a 5–10 s clip.
  luma: 90,
};

/**
 * The default timeout for a model when the run sets none: max(2 min, 4 × typical), or 15 min
 * when the vendor's typical time is unknown.
 */
export function defaultTimeoutSeconds(provider: string): number {
  const typical = TYPICAL_GENERATION_SECONDS[provider];
  if (typical === undefined) return FALLBACK_TIMEOUT_SECONDS;
  return Math.max(120, 4 * typical);
}

/**
 * Reads a duration: whole seconds ("90") or a number with a unit ("90s", "10m", "1h").
 * Throws an Error naming what is wrong when the text is not one or is out of bounds.
 */
export function parseTimeoutDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/i.exec(text);
  if (!match) {
    throw new Error(
      `"${text}" is not a duration: give seconds (90) or a number with s, m or h (90s, 10m, 1h).`,
    );
  }
  const unit = (match[2] ?? 's').toLowerCase();
  const seconds = Number(match[1]) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
  if (!Number.isInteger(seconds)) throw new Error(`"${text}" is not a whole number of seconds.`);
  if (seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
    throw new Error(
      `"${text}" is out of range: the timeout must be from ${MIN_TIMEOUT_SECONDS} s to 6 h.`,
    );
  }
  return seconds;
}
