/**
 * The wired console (what `aideon serve` and the desktop main process run) on a fresh data
 * folder, for tests that drive it through its IPC dispatcher: browser mode, a fast sandbox, no
 * video analysis, the publishing loop quiet. `cleanups` gets the console and then the folder
 * (run them last-first).
 */
import { openConsole, type WiredConsole } from '../../src/main/app/console-wiring';
import { resourcesDir } from '../../src/main/paths';
import type { Result } from '../../src/shared/ipc/result';
import { tempDir } from './temp-dir';

export interface TestConsoleOptions {
  prefix?: string;
  sandboxTimeScale?: number;
  busyPatienceMs?: number;
  /** Where the console's log lines go (dropped by default). */
  lines?: string[];
}

export function openTestConsole(
  cleanups: (() => Promise<void> | void)[],
  options: TestConsoleOptions = {},
): WiredConsole & { dataDir: string } {
  const { dir, cleanup } = tempDir(options.prefix ?? 'aideon-test-console-');
  cleanups.push(cleanup);
  const lines = options.lines;
  const wired = openConsole(
    {
      dataDir: dir,
      resourcesDir: resourcesDir(),
      env: {},
      mode: 'browser',
      version: 'test',
      sandboxTimeScale: options.sandboxTimeScale ?? 0.002,
      analyseVideos: false,
      publishTickMs: 3_600_000,
      ...(options.busyPatienceMs === undefined ? {} : { busyPatienceMs: options.busyPatienceMs }),
    },
    { present: () => undefined, log: (line) => lines?.push(line) },
  );
  cleanups.push(() => wired.close());
  return Object.assign(wired, { dataDir: dir });
}

/** The value of an ok IPC answer; throws with the error when the answer is not ok. */
export function okValue<T>(answer: Result<unknown>): T {
  if (!answer.ok) throw new Error(`expected ok, got ${JSON.stringify(answer.error)}`);
  return answer.value as T;
}
