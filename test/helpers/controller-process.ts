/**
 * Runs `aideon controller --json` as a child process (node bin/aideon.mjs) and collects its
 * events, so tests can wait for one, kill the process (SIGKILL: no clean lease release) or stop
 * it (SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ControllerEventLine {
  type: string;
  at: number;
  controller: string;
  environment: string | null;
  message: string;
  version?: number;
  percent?: number;
  flagKey?: string;
}

export interface ControllerProcess {
  child: ChildProcess;
  events: ControllerEventLine[];
  stderr: () => string;
  waitFor: (
    what: string,
    match: (event: ControllerEventLine) => boolean,
    ms?: number,
  ) => Promise<ControllerEventLine>;
  kill: () => Promise<void>;
  stop: () => Promise<number | null>;
}

export function startControllerProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  /** Node's own flags for the controller process (the soak bench's probe). */
  nodeArgs: string[] = [],
): ControllerProcess {
  const child = spawn(
    process.execPath,
    [...nodeArgs, 'bin/aideon.mjs', ...args, 'controller', '--json'],
    {
      env: { ...process.env, AIDEON_LOG: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: ControllerEventLine[] = [];
  let stderr = '';
  let buffer = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      try {
        const value = JSON.parse(line) as ControllerEventLine;
        if (typeof value.type === 'string') events.push(value);
      } catch {
        // not an event line
      }
    }
    for (const wake of [...waiters]) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      for (const wake of [...waiters]) wake();
      resolve(code);
    }),
  );
  return {
    child,
    events,
    stderr: () => stderr,
    waitFor: (what, match, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(match);
          if (found) {
            resolve(found);
            return true;
          }
          if (exited) {
            reject(new Error(`controller exited while waiting for ${what}:\n${stderr}`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(
              `timed out waiting for ${what}; events: ${events.map((e) => e.type).join(', ')}\n${stderr}`,
            ),
          );
        }, ms);
        const wake = (): void => {
          if (check()) {
            clearTimeout(timer);
            waiters.delete(wake);
          }
        };
        waiters.add(wake);
      }),
    kill: async () => {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
  };
}
