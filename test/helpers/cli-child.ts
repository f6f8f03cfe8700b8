/**
 * Runs the real `aideon` command (bin/aideon.mjs) as a child process: used by tests that need
 * two processes on one data folder, or a kill -9.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface CliChild {
  child: ChildProcess;
  /** Resolves with the exit code (-9 when killed with SIGKILL). */
  done: Promise<number>;
  /** Resolves with how it ended: its exit code, or the signal that ended it. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): CliChild {
  const child = spawn(process.execPath, ['bin/aideon.mjs', ...args], {
    env: { ...process.env, AIDEON_LOG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const done = ended.then(({ code, signal }) => (signal === 'SIGKILL' ? -9 : (code ?? -1)));
  return { child, done, ended, stdout: () => stdout, stderr: () => stderr };
}

/**
 * Runs the real `aideon` to its end under `script`, so that its standard output and error are
 * a terminal (a pseudo-terminal), as when a person types the command: what it prints only for
 * a person shows. Both streams arrive merged in `output`; `status` is the exit code.
 */
export function runCliOnTerminal(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('script', ['-qec', terminalCommand(args), '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, AIDEON_LOG: '' },
    timeout: 60_000,
  });
  return { status: result.status, output: result.stdout };
}

/** `aideon bench run` of the smoke suite on the sandbox's fast model, on `dataDir`. */
export const sandboxRunArgs = (dataDir: string): string[] => [
  '--data-dir',
  dataDir,
  'bench',
  'run',
  '--suite',
  'smoke',
  '--models',
  'sandbox:sandbox-fast',
];

/** `aideon ...args` as one shell command line for `script`, each part quoted. */
function terminalCommand(args: string[]): string {
  return [process.execPath, 'bin/aideon.mjs', ...args]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(' ');
}

/**
 * As runCliOnTerminal, but started and left running, for a test that signals it: `output` is
 * what the terminal showed so far (both streams), `closed` resolves when `script` has ended.
 */
export function spawnCliOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output: () => string; closed: Promise<void> } {
  const child = spawn('script', ['-qec', terminalCommand(args), '/dev/null'], {
    env: { ...process.env, AIDEON_LOG: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, output: () => output, closed };
}

/** The lines of `text` that start with `label` (a progress line's words, "Writing videos"). */
export function linesStartingWith(text: string, label: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.startsWith(label));
}

/** One progress line per item, as the CLI prints them: "<label> 1 of <count>" and on. */
export function progressSteps(label: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${label} ${index + 1} of ${count}`);
}

/** Reads the data folder's database without writing to it (null while it does not exist yet). */
export function readDb<T>(dataDir: string, read: (db: Database.Database) => T): T | null {
  const file = join(dataDir, 'aideon.sqlite');
  if (!existsSync(file)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return read(db);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Polls `check` every 50 ms until it returns a value other than null/undefined/false. */
export async function until<T>(check: () => T | null | undefined | false): Promise<T> {
  for (;;) {
    const value = check();
    if (value !== null && value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
