/**
 * The start of an answer that says the console is not ready yet because its start is held up
 * (another Aideon process holding the database): `aideon serve` answers API calls with it
 * (503, retryable) while it waits, and the page shows it and tries again until the console is
 * ready (renderer main.tsx).
 */
export const CONSOLE_STARTING = 'The console is starting';

/** Whether an error message is such an answer. */
export function isConsoleStarting(message: string): boolean {
  return message.startsWith(`${CONSOLE_STARTING}:`);
}
