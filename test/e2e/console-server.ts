import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';

/** `aideon serve` as a child process, as a user would start it. */
export interface ConsoleServer {
  url: string;
  origin: string;
  dataDir: string;
  /** The server process (benches read its memory and open files). */
  pid: number;
  /** What the server printed so far, stdout then stderr. */
  output(): string;
  stop(): Promise<void>;
}

/** Every vendor key variable, blank: the console starts with no vendor key, whatever the machine has set. */
export const NO_VENDOR_KEYS: NodeJS.ProcessEnv = {
  TOGETHER_API_KEY: '',
  RUNWAYML_API_SECRET: '',
  REPLICATE_API_TOKEN: '',
  GEMINI_API_KEY: '',
  FAL_KEY: '',
  LUMAAI_API_KEY: '',
};

/** The errors the page prints to its console from now on (a test expects none at its end). */
export function consoleErrorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/**
 * A fresh data folder in the temp folder, removed when the test worker exits (about 5 MB each,
 * 50-odd per run: a machine that runs the suite day after day would otherwise keep them all).
 */
export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aideon-e2e-'));
  madeDataDirs.push(dir);
  return dir;
}
const madeDataDirs: string[] = [];
process.once('exit', () => {
  for (const dir of madeDataDirs) rmSync(dir, { recursive: true, force: true });
});

export async function startConsole(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  /** Node's own flags for the server process (a bench's --trace-gc). */
  nodeArgs: string[] = [],
): Promise<ConsoleServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, 'bin/aideon.mjs', 'serve', '--port', '0', '--data-dir', dataDir],
    {
      env: { ...process.env, AIDEON_SANDBOX_TIME_SCALE: '0.25', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`aideon serve printed no URL in 30 s. stderr: ${stderr}`)),
      30_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^AIDEON_URL=(\S+)$/m.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`aideon serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    dataDir,
    pid: child.pid ?? 0,
    output: () => stdout + stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A finished sandbox benchmark in `dataDir`, made by the CLI before the console starts. */
export function benchmarkWithCli(dataDir: string): void {
  execFileSync(
    process.execPath,
    [
      'bin/aideon.mjs',
      'bench',
      'run',
      '--suite',
      'smoke',
      '--models',
      'sandbox:sandbox-fast,sandbox:sandbox-pro',
      '--data-dir',
      dataDir,
    ],
    { env: { ...process.env, AIDEON_SANDBOX_TIME_SCALE: '0.05' }, stdio: 'pipe', timeout: 60_000 },
  );
}
