/**
 * `aideon config simulate` on a new data folder (no benchmark yet): the refusal names each
 * model once and says what to do from the command line (a bench run, or --assume); `--assume`
 * simulates with the console's assumed figures, each figure can be changed, and bad figures are
 * usage errors naming the option. With `--assume`, what the simulator was given is said above
 * the table, so nobody mistakes it for measured behaviour.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
const cli = (...args: string[]) => cliIn(join(dir, 'data'), args, {});
const CONFIG = 'resources/routing/sandbox-example-config.json';

beforeAll(() => {
  ({ dir, cleanup } = tempDir('aideon-simulate-assume-'));
});
afterAll(() => cleanup());

describe('config simulate without benchmark evidence', () => {
  it('refuses with what to do, naming each model once', async () => {
    const refused = await cli('config', 'simulate', CONFIG);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      'No benchmark evidence for sandbox:sandbox-fast, sandbox:sandbox-flaky and sandbox:sandbox-pro:',
    );
    expect(refused.stderr).toContain(
      'aideon bench run --suite smoke --models sandbox:sandbox-fast,sandbox:sandbox-flaky,sandbox:sandbox-pro',
    );
    expect(refused.stderr).toContain('or pass --assume');
    // Each model once, though the premium tier routes to two of them again.
    expect(refused.stderr.match(/sandbox:sandbox-pro/g)).toHaveLength(2);
  });

  it('--assume simulates with the assumed figures and says so', async () => {
    const assumed = await cli('config', 'simulate', CONFIG, '--assume', '--requests', '20000');
    expect(assumed.stderr).toBe('');
    expect(assumed.code).toBe(0);
    expect(assumed.stdout).toMatch(
      /^20,000 simulated requests per tier \(seed 1; assumed figures for every model: 95% success, p50 60 s, p95 150 s, listed prices\)\n/,
    );
    expect(assumed.stdout).toMatch(/\nfree {2,}\d/);
    expect(assumed.stdout).toMatch(/\npremium {2,}\d/);
  });

  it('a lower assumed success rate makes more attempts per request (JSON)', async () => {
    const attempts = async (...extra: string[]) => {
      const result = await cli(
        'config',
        'simulate',
        CONFIG,
        '--requests',
        '20000',
        '--json',
        ...extra,
      );
      expect(result.code).toBe(0);
      const parsed = JSON.parse(result.stdout) as {
        tiers: Record<string, { attemptsPerRequest: number; successRate: number }>;
      };
      return parsed.tiers.free;
    };
    const good = await attempts('--assume-success', '99%');
    const poor = await attempts(
      '--assume-success',
      '50',
      '--assume-p50',
      '30',
      '--assume-p95',
      '90s',
    );
    expect(poor?.attemptsPerRequest).toBeGreaterThan(good?.attemptsPerRequest ?? Infinity);
    expect(poor?.successRate).toBeLessThan(good?.successRate ?? 0);
  });

  it('bad figures are usage errors naming the option', async () => {
    const percent = await cli('config', 'simulate', CONFIG, '--assume-success', '120');
    expect(percent.code).toBe(2);
    expect(percent.stderr).toMatch(
      /'--assume-success <percent>' argument '120' is invalid\. must be a percentage from 0 to 100/,
    );
    const seconds = await cli('config', 'simulate', CONFIG, '--assume-p50', 'soon');
    expect(seconds.code).toBe(2);
    expect(seconds.stderr).toMatch(/'--assume-p50 <seconds>' argument 'soon' is invalid/);
    const order = await cli(
      'config',
      'simulate',
      CONFIG,
      '--assume-p50',
      '60',
      '--assume-p95',
      '30',
    );
    expect(order.code).toBe(2);
    expect(order.stderr).toContain('--assume-p95 (30 s) must be at least --assume-p50 (60 s)');
  });
});
