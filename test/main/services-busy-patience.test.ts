/**
 * The bench runner's SQLite busy patience is settable: the services' `busyPatienceMs` option,
 * else AIDEON_BUSY_PATIENCE_MS, else DEFAULT_BUSY_PATIENCE_MS (10 min). A value that is not a
 * positive whole number of milliseconds is refused with the variable's name, before anything
 * is opened. Real services on a temporary data folder (real SQLite).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BUSY_PATIENCE_MS } from '../../src/main/store/busy-retry';
import { resourcesDir } from '../../src/main/paths';
import { createServices, type Services } from '../../src/main/services';
import { busyPatienceMs } from '../../src/main/store/busy-retry';
import { tempDir } from '../helpers/temp-dir';

const opened: Services[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const services of opened.splice(0)) await services.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function services(
  env: NodeJS.ProcessEnv,
  option?: number,
): { dataDir: string; open: () => Services } {
  const { dir, cleanup } = tempDir('aideon-busy-patience-');
  cleanups.push(cleanup);
  const dataDir = join(dir, 'data');
  return {
    dataDir,
    open: () => {
      const created = createServices({
        dataDir,
        resourcesDir: resourcesDir(),
        env,
        mode: 'cli',
        version: 'test',
        ...(option === undefined ? {} : { busyPatienceMs: option }),
      });
      opened.push(created);
      return created;
    },
  };
}

describe('busy patience', () => {
  it('defaults to 10 minutes; the variable sets it; the option wins over the variable', () => {
    expect(DEFAULT_BUSY_PATIENCE_MS).toBe(600_000);
    expect(services({}).open().bench.busyPatienceMs).toBe(DEFAULT_BUSY_PATIENCE_MS);
    expect(services({ AIDEON_BUSY_PATIENCE_MS: '' }).open().bench.busyPatienceMs).toBe(
      DEFAULT_BUSY_PATIENCE_MS,
    );
    expect(services({ AIDEON_BUSY_PATIENCE_MS: ' 2500 ' }).open().bench.busyPatienceMs).toBe(2500);
    expect(services({ AIDEON_BUSY_PATIENCE_MS: '2500' }, 90_000).open().bench.busyPatienceMs).toBe(
      90_000,
    );
  });

  it.each(['soon', '0', '-5', '1.5', '1e4', '99999999999999999999'])(
    'AIDEON_BUSY_PATIENCE_MS=%j is refused, naming the variable, before the data folder is made',
    (value) => {
      const made = services({ AIDEON_BUSY_PATIENCE_MS: value });
      expect(() => made.open()).toThrow(
        /AIDEON_BUSY_PATIENCE_MS: .*positive whole number of milliseconds/,
      );
      expect(existsSync(made.dataDir)).toBe(false);
    },
  );

  it('a bad option is refused too, naming it', () => {
    expect(() => busyPatienceMs({ env: {}, busyPatienceMs: 0 })).toThrow(
      /busyPatienceMs: .*positive whole number/,
    );
    expect(() => busyPatienceMs({ env: {}, busyPatienceMs: Number.NaN })).toThrow(/busyPatienceMs/);
  });
});
