/**
 * `aideon bench compare BEFORE AFTER` from a shell: what changed beyond the thresholds and the
 * counts; with --all, every figure of each model in both runs side by side, grouped as on the
 * Scorecard tab (before, only the changes were printed, so two equal runs showed no figure at
 * all). An unknown run is named.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
const env = { AIDEON_SANDBOX_TIME_SCALE: '0.02', AIDEON_FFMPEG: '/nonexistent/ffmpeg' };
const cli = (...args: string[]) => cliIn(join(dir, 'data'), args, env);
const runs: string[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('aideon-bench-compare-'));
  for (let k = 0; k < 2; k += 1) {
    const run = await cli(
      'bench',
      'run',
      '--suite',
      'smoke',
      '--models',
      'sandbox:sandbox-fast',
      '--no-analysis',
      '--json',
    );
    expect(run.code).toBe(0);
    runs.push((JSON.parse(run.stdout) as { run: { id: string } }).run.id);
  }
}, 60_000);
afterAll(() => cleanup());

describe('bench compare', () => {
  it('prints the changes and counts; --all adds each model’s figures before and after', async () => {
    const [before, after] = runs as [string, string];
    const changes = await cli('bench', 'compare', before, after);
    expect(changes.stderr).toBe('');
    expect(changes.code).toBe(0);
    expect(changes.stdout).toMatch(/\d+ worse, \d+ better, \d+ within the thresholds\.\n$/);
    expect(changes.stdout).not.toContain('measure');

    const all = await cli('bench', 'compare', before, after, '--all');
    expect(all.code).toBe(0);
    expect(all.stdout.startsWith(changes.stdout)).toBe(true);
    expect(all.stdout).toMatch(/\nsandbox:sandbox-fast\nmeasure +before +after\n-+ +-+ +-+\n/);
    expect(all.stdout).toMatch(/\n {2}Generations +3 +3\n/);
    expect(all.stdout).toMatch(/\n {2}Success rate +\d+% +\d+%\n/);
    expect(all.stdout).toMatch(/\n {2}Per successful clip +\$\d+\.\d\d +\$\d+\.\d\d\n/);
  });

  it('an unknown run is named', async () => {
    const missing = await cli('bench', 'compare', runs[0] ?? '', 'run_nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('There is no run "run_nope"');
  });
});
