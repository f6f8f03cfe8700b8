/**
 * Another Aideon process holding the data folder's write lock, announced as `aideon <args>`
 * (test/helpers/presence-lock-child.ts in a child process): for the tests of who the busy
 * answers name. Resolves once the lock is held; `stop` (also pushed to `cleanups`) ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { until } from './cli-child';

export async function lockHolder(
  cleanups: (() => Promise<void> | void)[],
  dataDir: string,
  args: string[],
): Promise<{ child: ChildProcess; pid: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/presence-lock-child.ts', dataDir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async (): Promise<void> => {
    if (!gone) child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  await until(() => {
    if (gone) throw new Error(`the lock holder ended early: ${err}`);
    return out.includes('LOCKED');
  });
  return { child, pid: child.pid!, stop };
}
