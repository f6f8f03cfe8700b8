/**
 * Where the desktop app's log lines go: `<data folder>/logs/main.log`, one timestamped line
 * each, the previous file kept as `main.log.1` once it passes `maxBytes`. Every API key the
 * console holds is replaced by `[redacted]` before a line is written, so a vendor error that
 * echoes a key never puts it on disk. Writing never throws: a full disk loses log lines, not
 * the app.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FileLogOptions {
  file: string;
  now: () => number;
  /** Secrets to scrub from every line (the secret store's keys). */
  secrets?: () => readonly string[];
  /** Rotate past this size; default 5 MB. */
  maxBytes?: number;
}

export function createFileLog(options: FileLogOptions): (line: string) => void {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  let ready = false;
  return (line) => {
    try {
      if (!ready) {
        mkdirSync(dirname(options.file), { recursive: true });
        ready = true;
      }
      let text = line;
      for (const secret of options.secrets?.() ?? [])
        if (secret.length >= 8) text = text.split(secret).join('[redacted]');
      let size = 0;
      try {
        size = statSync(options.file).size;
      } catch {
        // No file yet.
      }
      if (size > maxBytes) renameSync(options.file, `${options.file}.1`);
      appendFileSync(
        options.file,
        `${new Date(options.now()).toISOString()} ${text.replace(/\r?\n/g, '\n    ')}\n`,
        { mode: 0o600 },
      );
    } catch {
      // Logging must never take the app down.
    }
  };
}

/** The part of `process` whose failures are logged. */
export interface ProcessLike {
  on(
    event: 'uncaughtException' | 'unhandledRejection',
    listener: (error: unknown) => void,
  ): unknown;
}

/** Errors nothing caught go to the log instead of vanishing. */
export function logProcessErrors(proc: ProcessLike, log: (line: string) => void): void {
  const describe = (error: unknown): string =>
    error instanceof Error ? (error.stack ?? error.message) : String(error);
  proc.on('uncaughtException', (error) => log(`uncaught exception: ${describe(error)}`));
  proc.on('unhandledRejection', (error) => log(`unhandled rejection: ${describe(error)}`));
}
