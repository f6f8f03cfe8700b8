/**
 * SIGINT (Ctrl-C) and SIGTERM to the long-running `aideon` commands (cli/stop-signals.ts).
 * Node ends on them without its 'exit' handlers, so the command's presence file beside the
 * database (store/presence.ts) stayed until another process listed it. Now:
 * - a command with no clean stop (`bench run`, a controller still starting) removes the file
 *   and ends as before, killed by the signal (the parent sees the signal; a shell says 130/143);
 * - `bench import` stops between two steps, removes what it copied, and exits 130/143;
 * - a command with a clean stop (`monitor watch`) stops as before (exit 0), file gone.
 * Real `aideon` children, real SQLite.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { presenceDir } from '../../../src/main/store/presence';
import { bundleWithBigVideo } from '../../helpers/big-video-bundle';
import {
  readDb,
  sandboxRunArgs,
  spawnCli,
  spawnCliOnTerminal,
  until,
  type CliChild,
} from '../../helpers/cli-child';
import { folderOneMigrationBehind, holdWriteLock } from '../../helpers/db-lock';
import { testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void | Promise<void>)[] = [];
const afterAllCleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  for (const cleanup of afterAllCleanups.reverse()) await cleanup();
});

const folder = (list = cleanups): string => {
  const { dir, cleanup } = tempDir('aideon-stop-signals-');
  list.push(cleanup);
  return dir;
};

/** The presence files of process `pid` on the data folder's database. */
const presenceOf = (dataDir: string, pid: number): string[] => {
  const dir = presenceDir(join(dataDir, 'aideon.sqlite'));
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.includes(`.${pid}.`)) : [];
};

const spawn = (args: string[], env: NodeJS.ProcessEnv = {}): CliChild => {
  const cli = spawnCli(args, env);
  cleanups.push(async () => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await cli.done;
  });
  return cli;
};

/**
 * What every test here does to a command: waits until `ready` (or the command ended early),
 * checks that its presence file is there (and anything `whileRunning` checks), sends `signal`,
 * and answers how the command ended, once it checked that the presence file is gone.
 */
async function stopOnceReady(
  cli: CliChild,
  dataDir: string,
  signal: NodeJS.Signals,
  ready: () => boolean,
  whileRunning: () => void = () => undefined,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  await until(() => ready() || cli.child.exitCode !== null || cli.child.signalCode !== null);
  const pid = cli.child.pid!;
  whileRunning();
  expect(presenceOf(dataDir, pid)).toHaveLength(1);
  cli.child.kill(signal);
  const ended = await cli.ended;
  expect(presenceOf(dataDir, pid)).toEqual([]);
  return ended;
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s', (signal) => {
  it('`aideon bench run`: its presence file is removed and it ends killed by the signal; the run stays resumable', async () => {
    const dataDir = join(folder(), 'data');
    // Generations of minutes: the run is under way when the signal comes.
    const run = spawn(sandboxRunArgs(dataDir), { AIDEON_SANDBOX_TIME_SCALE: '100' });
    const running = (): unknown[] =>
      readDb(dataDir, (db) => db.prepare("SELECT id FROM runs WHERE state = 'running'").all()) ??
      [];
    const ended = await stopOnceReady(
      run,
      dataDir,
      signal,
      () => /Estimated cost/.test(run.stderr()) && running().length > 0,
      () => expect(running()).toHaveLength(1),
    );
    expect(ended).toEqual({ code: null, signal });
    // Ended as a crash would end it: `aideon bench resume` finishes it later.
    expect(
      readDb(dataDir, (db) => db.prepare('SELECT state FROM runs').all() as { state: string }[]),
    ).toEqual([{ state: 'running' }]);
  }, 60_000);

  it('`aideon controller` still waiting for the database at its start: its presence file is removed and it ends killed by the signal', async () => {
    const dir = folder();
    const dataDir = join(dir, 'data');
    // A database one migration behind with its write lock held: the start waits.
    folderOneMigrationBehind(dataDir);
    const release = holdWriteLock(dataDir, (done) => cleanups.push(done));
    const controller = spawn([
      '--data-dir',
      dataDir,
      'controller',
      '--store',
      `dir:${join(dir, 'store')}`,
    ]);
    const ended = await stopOnceReady(
      controller,
      dataDir,
      signal,
      () => /database is busy/.test(controller.stderr()),
      () => expect(controller.stderr()).toMatch(/waiting/),
    );
    expect(ended).toEqual({ code: null, signal });
    release();
  }, 60_000);

  it('`aideon monitor watch`: stops cleanly as before (exit 0), its presence file gone', async () => {
    const dataDir = join(folder(), 'data');
    const watch = spawn(['--data-dir', dataDir, 'monitor', 'watch', '--json', '--interval', '60']);
    // The sandbox's catalogue needs no key: checked at once.
    const ended = await stopOnceReady(watch, dataDir, signal, () =>
      /"provider":"sandbox"/.test(watch.stdout()),
    );
    expect(ended).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('`aideon bench import` stopped half way', () => {
  /** A bundle with a 512 MiB video: the import is still reading it when the signal comes. */
  let bundle = '';
  beforeAll(async () => {
    const source = testServices({ analyseVideos: false });
    afterAllCleanups.push(source.cleanup);
    const made = await bundleWithBigVideo(source, 512 * 1024 * 1024, folder(afterAllCleanups));
    bundle = made.bundle;
    await source.close();
  }, 120_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: nothing imported, no copy left, its presence file gone, exit %i',
    async (signal, code) => {
      const dataDir = join(folder(), 'data');
      const importing = spawn(['--data-dir', dataDir, 'bench', 'import', bundle]);
      const tmp = join(dataDir, 'media', 'tmp');
      // The copy of the big video has begun.
      const ended = await stopOnceReady(
        importing,
        dataDir,
        signal,
        () => existsSync(tmp) && readdirSync(tmp).some((name) => name.endsWith('.part')),
      );
      expect(ended).toEqual({ code, signal: null });
      expect(importing.stderr()).toContain(
        `aideon: The import of ${bundle} was stopped (interrupted by ${signal}); nothing was imported.`,
      );
      expect(readdirSync(tmp)).toEqual([]);
      expect(readDb(dataDir, (db) => db.prepare('SELECT id FROM runs').all())).toEqual([]);
    },
    60_000,
  );
});

describe('`aideon bench run` on a terminal, stopped with Ctrl-C', () => {
  it('gives the terminal its cursor back (the progress bar hid it while drawing)', async () => {
    const dataDir = join(folder(), 'data');
    // `script` gives the command a pseudo-terminal, as a person typing it has.
    const terminal = spawnCliOnTerminal(sandboxRunArgs(dataDir), {
      AIDEON_SANDBOX_TIME_SCALE: '100',
    });
    const output = terminal.output;
    const closed = terminal.closed;
    cleanups.push(async () => {
      if (terminal.child.exitCode === null) terminal.child.kill('SIGKILL');
      await closed;
    });
    const hide = '\u001b[?25l';
    const show = '\u001b[?25h';
    // The aideon process's pid, from its presence file (script runs it under a shell).
    const pid = await until(() => {
      if (!output().includes(hide)) return null;
      const dir = presenceDir(join(dataDir, 'aideon.sqlite'));
      const name = existsSync(dir) ? readdirSync(dir)[0] : undefined;
      return name ? Number(name.split('.').at(-3)) : null;
    });
    expect(output().lastIndexOf(show)).toBeLessThan(output().lastIndexOf(hide));

    process.kill(pid, 'SIGINT');
    await closed;
    expect(output().lastIndexOf(show)).toBeGreaterThan(output().lastIndexOf(hide));
  }, 60_000);
});
