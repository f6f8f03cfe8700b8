/**
 * A dollar amount as an admin types it, in a form or on the command line: "0.12", "$0.12",
 * " 5 ". NaN for an empty field or anything that is not a number, so the caller's own check
 * (a budget's range, a price's schema) names what is wrong. Its own small module: the CLI
 * imports it at start-up.
 */
export function parseDollars(text: string): number {
  const trimmed = text.trim().replace(/^\$/, '').trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}
