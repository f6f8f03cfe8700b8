/**
 * Crashes a directory store commit for real: a child process commits the writes and is killed
 * by SIGKILL at a chosen point of the commit (see CommitPoint), leaving whatever a publisher
 * killed there leaves (files, journal or its temp file, and the lock).
 */
import { spawn } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreWrite } from '../../src/main/rollout/stores/config-store';
import { LOCK_FILE, type CommitPoint } from '../../src/main/rollout/stores/directory-store';

export async function commitKilledAt(
  root: string,
  writes: readonly StoreWrite[],
  point: CommitPoint,
  options: { ageLock?: boolean } = {},
): Promise<void> {
  const writesFile = join(root, '..', `writes-${process.pid}-${Math.random()}.json`);
  writeFileSync(writesFile, JSON.stringify(writes));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/directory-commit-child.ts', root, writesFile, point],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, exitSignal) => resolve(exitSignal)),
  );
  if (signal !== 'SIGKILL')
    throw new Error(`The commit child was not killed at ${point} (signal ${signal}): ${stderr}`);
  if (options.ageLock !== false) {
    // The dead publisher's lock, as the next writer finds it once staleLockMs (60 s) has passed.
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(join(root, LOCK_FILE), old, old);
  }
}
