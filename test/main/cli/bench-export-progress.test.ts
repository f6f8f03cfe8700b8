/**
 * `aideon bench export RUN --bundle FILE` copies the videos in steps (asynchronous, 1 MiB at a
 * time) and says how far it is, as the import does: "Writing videos k of N" on standard error,
 * one line per video, when standard error is a terminal or with --progress; quiet otherwise.
 * Standard output stays as it was (empty). A bundle at FILE is always whole: the export writes a
 * temporary file beside it and renames it at the end, and an export stopped half way (Ctrl-C)
 * removes the temporary file and says that nothing was written. The real CLI as a child
 * process; the terminal case under `script` (a pseudo-terminal).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRunBundle } from '../../../src/main/bench/run-bundle';
import { runWithBigVideo } from '../../helpers/big-video-bundle';
import {
  linesStartingWith,
  progressSteps,
  runCliOnTerminal,
  spawnCli,
  until,
} from '../../helpers/cli-child';
import { finishedSandboxRun, testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void | Promise<void>)[] = [];
/** A data folder with a finished sandbox run (closed: the CLI children open it). */
let dataDir = '';
let runId = '';
let videos = 0;

beforeAll(async () => {
  const source = testServices({ analyseVideos: false });
  cleanups.push(source.cleanup);
  runId = await finishedSandboxRun(source);
  videos = (
    source.db
      .prepare(
        'SELECT COUNT(DISTINCT media_id) AS n FROM generations WHERE run_id = ? AND media_id IS NOT NULL',
      )
      .get(runId) as { n: number }
  ).n;
  dataDir = source.dataDir;
  await source.close();
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const outDir = (): string => {
  const { dir, cleanup } = tempDir('aideon-cli-export-to-');
  cleanups.push(cleanup);
  return dir;
};
const progressLines = (text: string): string[] => linesStartingWith(text, 'Writing videos');
const expected = (): string[] => progressSteps('Writing videos', videos);

/** The bundle imports whole into a fresh console (every video's SHA-256 checked). */
function importsWhole(bundle: string): void {
  const target = testServices({ analyseVideos: false });
  cleanups.push(target.cleanup);
  expect(importRunBundle(target.db, target.media, bundle)).toMatchObject({
    runId,
    imported: true,
    mediaVerified: videos,
  });
}

describe('aideon bench export --bundle progress', () => {
  it('piped (a script): quiet; with --progress: one line per video on standard error', async () => {
    expect(videos).toBeGreaterThan(1);
    const quietDir = outDir();
    const quiet = spawnCli([
      '--data-dir',
      dataDir,
      'bench',
      'export',
      runId,
      '--bundle',
      join(quietDir, 'run.tar'),
    ]);
    expect(await quiet.done).toBe(0);
    expect(progressLines(quiet.stderr())).toEqual([]);
    expect(quiet.stderr()).toMatch(
      new RegExp(`Wrote .*run\\.tar: \\d+ generations, ${videos} videos`),
    );
    expect(quiet.stdout()).toBe('');
    // Only the bundle is left: no temporary file beside it.
    expect(readdirSync(quietDir)).toEqual(['run.tar']);
    importsWhole(join(quietDir, 'run.tar'));

    const toldDir = outDir();
    const told = spawnCli([
      '--data-dir',
      dataDir,
      'bench',
      'export',
      runId,
      '--bundle',
      join(toldDir, 'run.tar'),
      '--progress',
    ]);
    expect(await told.done).toBe(0);
    expect(progressLines(told.stderr())).toEqual(expected());
    expect(told.stdout()).toBe('');
    expect(readdirSync(toldDir)).toEqual(['run.tar']);
    importsWhole(join(toldDir, 'run.tar'));
  }, 120_000);

  it('on a terminal: the progress lines without being asked', () => {
    const bundle = join(outDir(), 'run.tar');
    const result = runCliOnTerminal([
      '--data-dir',
      dataDir,
      'bench',
      'export',
      runId,
      '--bundle',
      bundle,
    ]);
    expect(result.status).toBe(0);
    expect(progressLines(result.output)).toEqual(expected());
    expect(existsSync(bundle)).toBe(true);
  }, 120_000);

  it('stopped half way (Ctrl-C): no bundle and no temporary file left, and it says so', async () => {
    // A run with a 1 GiB video, so the copy is still going when the signal arrives: the
    // temporary file appearing is the sign that the copy has started.
    const { dir: bigDir, cleanup } = tempDir('aideon-cli-export-big-');
    cleanups.push(cleanup);
    const big = testServices({ analyseVideos: false, dataDir: join(bigDir, 'data') });
    cleanups.push(big.cleanup);
    const { runId: bigRun } = await runWithBigVideo(big, 1024 * 1024 * 1024, bigDir);
    await big.close();

    const target = outDir();
    const bundle = join(target, 'run.tar');
    const exporting = spawnCli([
      '--data-dir',
      join(bigDir, 'data'),
      'bench',
      'export',
      bigRun,
      '--bundle',
      bundle,
    ]);
    await until(() => readdirSync(target).some((name) => name.endsWith('.tmp')));
    exporting.child.kill('SIGINT');
    // The code a shell gives a command ended by Ctrl-C, as `bench import` ends: a script can
    // tell an interrupted export from a failed one (1).
    expect(await exporting.done).toBe(130);
    expect(exporting.stderr()).toContain(
      `The bundle was not written (interrupted by SIGINT); nothing was left at ${bundle}.`,
    );
    expect(readdirSync(target)).toEqual([]);
  }, 120_000);
});
