/**
 * Figures and texts read from a vendor's answer, made safe to keep. A vendor (or a proxy, or a
 * bug at the vendor) can send any JSON: a cost of -5 or 1e308, a queue place of -1, an error
 * object nested thousands deep. Such a figure counted as a cost lowered the run's spend (the
 * budget then let more paid jobs through) or made it Infinity; such an object made JSON.stringify
 * throw a bare RangeError out of a status call. Each helper returns what can be kept, or
 * `undefined` / a plain stand-in text when nothing can.
 */

/** A cost, billed time or size: finite and 0 or more; anything else is not reported. */
export function countable(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A place in a queue: a whole number, 0 or more; anything else is not reported. */
export function queuePlace(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * `value` as JSON text, at most `maxChars` characters. A value JSON cannot write (nested past the
 * stack, a cycle) is shown as a plain note instead of throwing.
 */
export function shortJson(value: unknown, maxChars: number): string {
  try {
    return String(JSON.stringify(value)).slice(0, maxChars);
  } catch {
    return '(a value too deeply nested to show)';
  }
}
