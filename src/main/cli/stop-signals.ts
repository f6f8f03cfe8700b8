/**
 * SIGINT (Ctrl-C) and SIGTERM in the `aideon` command.
 *
 * With no listener for them Node ends at once and runs no 'exit' handler, so the files this
 * process announced itself with beside the database (store/presence.ts) would stay until
 * another process lists them, and a busy answer meanwhile could name a process that is gone.
 * The long-running commands (`serve`, `monitor watch`, `controller`, `bench run|resume`,
 * `bench import`, `bench export --bundle`) call endOnStopSignals while they run:
 *
 * - While a command that stops cleanly on them is listening through onStopSignal (`aideon
 *   serve`, `monitor watch`, the rollout controller, `bench export --bundle`, `bench import`),
 *   the first signal goes to it alone: it drains or cancels as it always did, and its presence
 *   files go with its close. Its exit code is its own (0 for a clean stop).
 * - Otherwise (a `bench run`, a command still starting, or a second signal while a clean stop is
 *   under way: the admin insisting), the files are removed, the listeners taken off and the
 *   signal raised again, so the process ends as it would have with no listener: killed by the
 *   signal, which a shell reports as 130 or 143. Run state needs nothing here: a benchmark run
 *   stopped so is resumed by `aideon bench resume`, as after any crash.
 */
import { constants } from 'node:os';

type StopSignal = 'SIGINT' | 'SIGTERM';
const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * The clean stops listening now (onStopSignal). Each is called at most once and then dropped,
 * so a second signal finds none and ends the process.
 */
const stoppers = new Set<(signal: StopSignal) => void>();
/** What endOnStopSignals was given: run before the process ends on a signal. */
let beforeEnd: (() => void) | undefined;
let listening = false;

function heard(signal: StopSignal): void {
  if (stoppers.size > 0) {
    for (const stop of [...stoppers]) stop(signal);
    // A process that only wanted clean stops (a test calling runCli in its own process): the
    // signal's default action is back for the next one.
    if (!beforeEnd && stoppers.size === 0) stopListening();
    return;
  }
  if (beforeEnd) end(signal, beforeEnd);
  stopListening();
}

function end(signal: StopSignal, cleanup: () => void): never {
  try {
    cleanup();
  } catch {
    // The process ends anyway; what was left is cleaned by the next process that lists it.
  }
  // A progress bar hides the terminal's cursor while it draws and shows it again when it
  // stops; a process ended by the signal never stops it, so the shell would be left without
  // a cursor. Writes to a terminal are synchronous in Node, so this lands before the end.
  for (const stream of [process.stderr, process.stdout]) {
    if (stream.isTTY) stream.write('\u001b[?25h');
  }
  stopListening();
  // With no listener left the signal's default action applies again: raised now, it ends this
  // process as the first one would have (the parent sees it killed by the signal).
  process.kill(process.pid, signal);
  // Only reached if something else in the process listens for the signal too: end with the
  // code a shell gives a process killed by it.
  process.exit(128 + constants.signals[signal]);
}

function startListening(): void {
  if (listening) return;
  listening = true;
  for (const signal of SIGNALS) process.on(signal, heard);
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  for (const signal of SIGNALS) process.off(signal, heard);
}

/**
 * Until the returned function is called, SIGINT and SIGTERM end this process after `cleanup`
 * (synchronous; what the process must not leave behind), unless a clean stop is listening
 * (onStopSignal).
 *
 * Only for commands whose work is asynchronous: a listener is JavaScript, heard only when the
 * event loop turns, so a command busy in one long synchronous call would not hear Ctrl-C until
 * it returned. The short one-shot commands keep Node's default (ended at once); their presence
 * files are found dead and removed by the next process that lists them.
 */
export function endOnStopSignals(cleanup: () => void): () => void {
  const mine = cleanup;
  beforeEnd = mine;
  startListening();
  return () => {
    if (beforeEnd !== mine) return;
    beforeEnd = undefined;
    if (stoppers.size === 0) stopListening();
  };
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM while registered, instead of ending the process;
 * a second signal ends it (endOnStopSignals). Returns the function that unregisters it.
 */
export function onStopSignal(stop: (signal: StopSignal) => void): () => void {
  const once = (signal: StopSignal): void => {
    stoppers.delete(once);
    stop(signal);
  };
  stoppers.add(once);
  startListening();
  return () => {
    stoppers.delete(once);
    if (stoppers.size === 0 && !beforeEnd) stopListening();
  };
}

/** A promise that resolves at the first SIGINT or SIGTERM (onStopSignal), with the signal. */
export function untilStopSignal(): Promise<StopSignal> {
  return new Promise((resolve) => onStopSignal(resolve));
}
