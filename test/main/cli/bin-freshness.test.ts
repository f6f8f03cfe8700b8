/**
 * bin/aideon.mjs runs the prebuilt out/main/cli.js only while none of the sources the build
 * lists in out/main/cli-sources.json changed or went missing; otherwise it says so and runs
 * the TypeScript sources. Checked in a copy of the launcher inside a small fake checkout whose
 * "built" CLI prints a marker.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const BUILT = new Date('2026-01-02T00:00:00Z');
const OLDER = new Date('2026-01-01T00:00:00Z');
const NEWER = new Date('2026-01-03T00:00:00Z');

/** A checkout with bin/aideon.mjs, a built CLI at BUILT, and sources listed at OLDER. */
function checkout(listed: string[], options: { list?: boolean } = {}): string {
  const { dir, cleanup } = tempDir('aideon-bin-');
  cleanups.push(cleanup);
  mkdirSync(join(dir, 'bin'));
  copyFileSync('bin/aideon.mjs', join(dir, 'bin', 'aideon.mjs'));
  mkdirSync(join(dir, 'out', 'main'), { recursive: true });
  writeFileSync(join(dir, 'out', 'main', 'cli.js'), "process.stdout.write('PREBUILT\\n');\n");
  if (options.list !== false)
    writeFileSync(
      join(dir, 'out', 'main', 'cli-sources.json'),
      JSON.stringify({ sources: listed }),
    );
  for (const source of [...listed, 'src/main/unlisted.ts']) {
    mkdirSync(join(dir, source, '..'), { recursive: true });
    writeFileSync(join(dir, source), '// source\n');
    utimesSync(join(dir, source), OLDER, OLDER);
  }
  utimesSync(join(dir, 'out', 'main', 'cli.js'), BUILT, BUILT);
  return dir;
}

function run(dir: string): { stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(dir, 'bin', 'aideon.mjs'), '--version'], {
    encoding: 'utf8',
  });
  return { stdout: result.stdout, stderr: result.stderr };
}

const SOURCES = ['src/main/cli/index.ts', 'src/main/cli/main.ts'];
const STALE = /running from the TypeScript sources \(out\/ is older than src\/\)/;

describe('bin/aideon.mjs', () => {
  it('runs the prebuilt CLI when no listed source changed since the build', () => {
    const dir = checkout(SOURCES);
    expect(run(dir)).toEqual({ stdout: 'PREBUILT\n', stderr: '' });
  });

  it('a listed source edited after the build: the sources run, with a note', () => {
    const dir = checkout(SOURCES);
    utimesSync(join(dir, 'src/main/cli/main.ts'), NEWER, NEWER);
    const result = run(dir);
    expect(result.stdout).not.toContain('PREBUILT');
    expect(result.stderr).toMatch(STALE);
  });

  it('a listed source removed: the sources run', () => {
    const dir = checkout(SOURCES);
    rmSync(join(dir, 'src/main/cli/main.ts'));
    expect(run(dir).stderr).toMatch(STALE);
  });

  it('a file the CLI is not built from (not listed) does not count', () => {
    const dir = checkout(SOURCES);
    utimesSync(join(dir, 'src/main/unlisted.ts'), NEWER, NEWER);
    expect(run(dir).stdout).toBe('PREBUILT\n');
  });

  it('a build without the list falls back to every file under src/', () => {
    const dir = checkout(SOURCES, { list: false });
    expect(run(dir).stdout).toBe('PREBUILT\n');
    utimesSync(join(dir, 'src/main/unlisted.ts'), NEWER, NEWER);
    expect(run(dir).stderr).toMatch(STALE);
  });

  it('a copy without src/ runs the prebuilt CLI without checking', () => {
    const dir = checkout(SOURCES);
    rmSync(join(dir, 'src'), { recursive: true });
    expect(run(dir).stdout).toBe('PREBUILT\n');
  });
});
