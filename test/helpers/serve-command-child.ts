/**
 * `aideon serve` in a child process (serve-command-process.ts runs the real serveCommand), for
 * tests that stop or kill the console: its API called with the admin token, what it printed on
 * stderr, and a stop by signal. A child still running at cleanup is killed (SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServedChild {
  /** POST /api/<channel> as the admin; throws with the error's message on `ok: false`. */
  call<T>(channel: string, input: unknown): Promise<T>;
  /** Its stderr so far. */
  output(): string;
  alive(): boolean;
  /** SIGTERM (or `signal`); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `env` is added to this process's environment for the child (vendor keys, emulator URLs). */
export async function serveCommandChild(
  dataDir: string,
  cleanups: (() => void | Promise<void>)[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServedChild> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/serve-command-process.ts', dataDir],
    {
      env: { ...process.env, AIDEON_SANDBOX_TIME_SCALE: '0.01', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  cleanups.push(() => {
    if (exited === undefined) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no URL in 60 s: ${out}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^AIDEON_URL=(\S+)$/m.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exit.then((code) => reject(new Error(`the server exited with ${code}: ${out}`)));
  });
  const origin = new URL(url).origin;
  const token = new URL(url).hash.replace(/^#token=/, '');
  return {
    async call<T>(channel: string, input: unknown): Promise<T> {
      const response = await fetch(`${origin}/api/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const result = (await response.json()) as {
        ok: boolean;
        value?: T;
        error?: { message: string };
      };
      if (!result.ok) throw new Error(`${channel}: ${result.error?.message}`);
      return result.value as T;
    },
    output: () => out,
    alive: () => exited === undefined,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exit;
    },
  };
}
