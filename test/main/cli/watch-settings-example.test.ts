/**
 * docs/controller/watch-settings.example.json, the starting point the README gives whoever
 * sets up the controller from a shell, is accepted by `aideon watch settings set` as it is, and
 * `show` prints back what it says (so the example never drifts from the schema). A folder with
 * no Prometheus set says how to set one from the CLI too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
const cli = (...args: string[]) => cliIn(join(dir, 'data'), args, {});
const EXAMPLE = 'docs/controller/watch-settings.example.json';

beforeAll(() => {
  ({ dir, cleanup } = tempDir('aideon-watch-example-'));
});
afterAll(() => cleanup());

describe('the watch settings example', () => {
  it('a new folder says how to set a Prometheus, from the console or the CLI', async () => {
    const check = await cli('watch', 'check', '--env', 'production');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      'No Prometheus is set for production; add its URL in Rollout → Production watch, or with aideon watch settings set FILE (an example: docs/controller/watch-settings.example.json).',
    );
  });

  it('is accepted as it is and shown back unchanged', async () => {
    const set = await cli('watch', 'settings', 'set', EXAMPLE);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const shown = JSON.parse((await cli('watch', 'settings', 'show')).stdout) as Record<
      string,
      unknown
    >;
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
    // Every setting the example gives is kept as given (defaults fill in the rest).
    expect(shown).toMatchObject(example);
  });
});
