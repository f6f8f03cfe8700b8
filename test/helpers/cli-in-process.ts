/**
 * Runs the `aideon` command in the test's own process (runCli), on one data folder, and keeps
 * what it printed: for CLI tests that need neither a second process nor a kill (those use
 * cli-child.ts). Standard output is never a terminal here, so no progress bar is drawn.
 */
import { runCli } from '../../src/main/cli/main';
import { tempDir } from './temp-dir';

export interface CliResult {
  /** The exit code runCli returned. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `aideon --data-dir <dataDir> ...args`. `env` is the whole environment the command sees (not
 * merged with this process's), so a test's result does not depend on the shell that ran it.
 */
export async function cliIn(
  dataDir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/**
 * The same on a fresh, empty data folder of its own, removed by the cleanup it pushes onto
 * `cleanups`; the result names the folder (`dir`) for a test that then reads the database.
 */
export async function cliInFreshDir(
  cleanups: (() => void)[],
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult & { dir: string }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return { ...(await cliIn(dir, args, env)), dir };
}
