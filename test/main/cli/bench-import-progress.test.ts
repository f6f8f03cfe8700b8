/**
 * `aideon bench import` says how far it has checked the bundle's videos, as the console does
 * ("Checking videos k of N", event bench:import-progress): on standard error, one line per
 * video, when standard error is a terminal or with --progress; quiet otherwise (scripts, cron).
 * It used to print nothing until the end, however long the bundle took. The real CLI as a child
 * process; the terminal case under `script` (a pseudo-terminal).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRunBundle } from '../../../src/main/bench/run-bundle';
import {
  linesStartingWith,
  progressSteps,
  runCliOnTerminal,
  spawnCli,
} from '../../helpers/cli-child';
import { finishedSandboxRun, testServices } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void | Promise<void>)[] = [];
let bundle = '';
let videos = 0;

beforeAll(async () => {
  const source = testServices({ analyseVideos: false });
  cleanups.push(source.cleanup);
  const runId = await finishedSandboxRun(source);
  const { dir, cleanup } = tempDir('aideon-cli-import-progress-');
  cleanups.push(cleanup);
  bundle = join(dir, 'run.tar');
  videos = (await exportRunBundle(source.db, source.media, runId, bundle, 1_700_000_000_000))
    .mediaFiles;
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const dataDir = (): string => {
  const { dir, cleanup } = tempDir('aideon-cli-import-into-');
  cleanups.push(cleanup);
  return dir;
};
const progressLines = (text: string): string[] => linesStartingWith(text, 'Checking videos');
const expected = (): string[] => progressSteps('Checking videos', videos);

describe('aideon bench import progress', () => {
  it('piped (a script): quiet; with --progress: one line per video on standard error', async () => {
    expect(videos).toBeGreaterThan(1);
    const quiet = spawnCli(['--data-dir', dataDir(), 'bench', 'import', bundle]);
    expect(await quiet.done).toBe(0);
    expect(progressLines(quiet.stderr())).toEqual([]);
    expect(quiet.stdout()).toMatch(/Imported run/);

    const told = spawnCli(['--data-dir', dataDir(), 'bench', 'import', bundle, '--progress']);
    expect(await told.done).toBe(0);
    expect(progressLines(told.stderr())).toEqual(expected());
    // Standard output is what it was (the summary alone).
    expect(told.stdout()).toBe(quiet.stdout());
    expect(progressLines(told.stdout())).toEqual([]);

    // With --json, standard output stays one JSON document.
    const json = spawnCli([
      '--data-dir',
      dataDir(),
      'bench',
      'import',
      bundle,
      '--json',
      '--progress',
    ]);
    expect(await json.done).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ imported: true, mediaVerified: videos });
    expect(progressLines(json.stderr())).toEqual(expected());
  }, 120_000);

  it('on a terminal: the progress lines without being asked', () => {
    const result = runCliOnTerminal(['--data-dir', dataDir(), 'bench', 'import', bundle]);
    expect(result.status).toBe(0);
    expect(progressLines(result.output)).toEqual(expected());
  }, 120_000);
});
