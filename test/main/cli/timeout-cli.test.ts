/** Issue 13 item 9: `aideon bench run --timeout <duration>`. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cliInFreshDir } from '../../helpers/cli-in-process';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const cli = (args: string[]) =>
  cliInFreshDir(cleanups, args, { AIDEON_SANDBOX_TIME_SCALE: '0.02' });

const run = ['bench', 'run', '--suite', 'smoke', '--models', 'sandbox:sandbox-fast'];

describe('bench run --timeout', () => {
  it('stores the timeout with the run (10m = 600 s)', async () => {
    const result = await cli([...run, '--timeout', '10m', '--no-analysis', '--json']);
    expect(result.code).toBe(0);
    const db = new Database(join(result.dir, 'aideon.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT timeout_seconds FROM runs').get() as {
        timeout_seconds: number | null;
      };
      expect(row.timeout_seconds).toBe(600);
    } finally {
      db.close();
    }
  });

  it.each([
    ['soon', /--timeout.*not a duration/],
    ['0', /--timeout.*out of range/],
    ['7h', /--timeout.*out of range/],
    ['-5s', /--timeout.*not a duration/],
  ])('refuses --timeout %s with exit 2, naming the argument', async (value, message) => {
    const result = await cli([...run, '--timeout', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
