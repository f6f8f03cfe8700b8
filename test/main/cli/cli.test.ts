import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli/main';
import { cliIn, cliInFreshDir } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** The command on a fresh data folder, sandbox clips 50 times faster. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  cliInFreshDir(cleanups, args, { AIDEON_SANDBOX_TIME_SCALE: '0.02', ...env });

/** `aideon bench run --suite smoke --models <models> ...flags`. */
const smokeRun = (models: string, ...flags: string[]) =>
  cli(['bench', 'run', '--suite', 'smoke', '--models', models, ...flags]);

describe('aideon CLI', () => {
  it('prints help and exits 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('serve');
    expect(result.stdout).toContain('bench');
    for (const group of [
      'reviewers',
      'review',
      'keys',
      'config',
      'monitor',
      'controller',
      'rollout',
      'watch',
    ])
      expect(result.stdout).toMatch(new RegExp(`^  ${group}\\b`, 'm'));
  });

  it('runs a sandbox benchmark and prints JSON', async () => {
    const result = await smokeRun('sandbox:sandbox-fast,sandbox:sandbox-pro', '--json');
    expect(result.code).toBe(0);
    const detail = JSON.parse(result.stdout) as {
      run: { state: string; succeeded: number };
      generations: { outcome: string }[];
    };
    expect(detail.run.state).toBe('finished');
    expect(detail.run.succeeded).toBe(6);
    expect(detail.generations).toHaveLength(6);
  });

  it('runs without video analysis when asked (--no-analysis)', async () => {
    const result = await smokeRun('sandbox:sandbox-fast', '--no-analysis', '--json');
    expect(result.code).toBe(0);
    const detail = JSON.parse(result.stdout) as {
      run: { state: string; succeeded: number };
      generations: { analysis: { error: string | null; durationSeconds: number | null } }[];
    };
    expect(detail.run.succeeded).toBe(3);
    for (const generation of detail.generations) {
      expect(generation.analysis.durationSeconds).toBeNull();
      expect(generation.analysis.error).toMatch(/turned off for this run/);
    }
  });

  it('prints a table without --json', async () => {
    const result = await smokeRun('sandbox:sandbox-fast');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /prompt\s+model\s+outcome\s+queue\s+generate\s+download\s+total\s+cost/,
    );
    expect(result.stdout).toMatch(/smoke-01\s+sandbox:sandbox-fast\s+success/);
  });

  it('says a sandbox run cost nothing real: simulated, nothing billed, in run and list', async () => {
    const result = await smokeRun('sandbox:sandbox-fast', '--no-analysis');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Run run_\S+ finished: 3 succeeded, 0 failed of 3; \$0\.60 simulated \(nothing billed\) · \$0\.60 counted against the \$0\.60 budget\.$/m,
    );
    expect(result.stdout).not.toMatch(/\bbilled ·/);
    const listed = await cliIn(result.dir, ['bench', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      / {2}\$0\.60 simulated \(nothing billed\) · \$0\.60 counted against/,
    );
  });

  it('takes a suite file and names the line and field of a mistake', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const good = join(dir, 'mine.yaml');
    writeFileSync(good, 'name: Mine\nprompts:\n  - id: a\n    text: a cat on a skateboard\n');
    const ok = await cli([
      'bench',
      'plan',
      '--suite',
      good,
      '--models',
      'sandbox:sandbox-fast',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ suiteName: 'Mine', generations: 1 });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: Bad\nprompts:\n  - id: a\n    text: 42\n    category: cooking\n');
    const refused = await cli([
      'bench',
      'plan',
      '--suite',
      bad,
      '--models',
      'sandbox:sandbox-fast',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/line 5: prompts\.0\.category/);
    expect(refused.stderr).toMatch(/line 4: prompts\.0\.text/);
  });

  it('lists runs (bench list): none in a new data folder, then the finished run', async () => {
    const empty = await cli(['bench', 'list']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^No runs yet\./);
    const io = (out: string[]) => ({
      stdout: (text: string) => void out.push(text),
      stderr: () => undefined,
      env: { AIDEON_SANDBOX_TIME_SCALE: '0.02' },
      isTTY: false,
    });
    const ran: string[] = [];
    const args = ['--data-dir', empty.dir, 'bench', 'run', '--suite', 'smoke'];
    expect(
      await runCli(
        [...args, '--models', 'sandbox:sandbox-fast', '--no-analysis', '--json'],
        io(ran),
      ),
    ).toBe(0);
    const runId = (JSON.parse(ran.join('')) as { run: { id: string } }).run.id;
    const listed: string[] = [];
    expect(await runCli(['--data-dir', empty.dir, 'bench', 'list'], io(listed))).toBe(0);
    expect(listed.join('')).toMatch(new RegExp(`^${runId}\\s+finished\\s+3/3`));
    const json: string[] = [];
    expect(await runCli(['--data-dir', empty.dir, 'bench', 'list', '--json'], io(json))).toBe(0);
    expect(JSON.parse(json.join(''))).toMatchObject([
      { id: runId, state: 'finished', drivenElsewhere: null },
    ]);
  });

  it('rejects bad arguments with a clear message and exit code 2', async () => {
    const badModel = await cli(['bench', 'run', '--suite', 'smoke', '--models', 'acme:x']);
    expect(badModel.code).toBe(2);
    expect(badModel.stderr).toMatch(/Unknown provider "acme"/);
    // Parsed just before the action (its module loads then), reported as commander reports.
    expect(badModel.stderr).toMatch(
      /^error: option '--models <list>' argument 'acme:x' is invalid\. Unknown provider "acme"/,
    );
    const noModel = await cli(['bench', 'plan', '--suite', 'smoke']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/required option '--models <list>' not specified/);
    // In a list of limits, the entry that is wrong is named.
    const badLimit = await smokeRun(
      'sandbox:sandbox-fast',
      '--provider-concurrency',
      'sandbox=2,together=x',
    );
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(
      /'--provider-concurrency <list>' argument 'sandbox=2,together=x' is invalid\. "together=x": the limit after "=" must be a whole number from 1 to 256\./,
    );
    const badBudget = await smokeRun('sandbox:sandbox-fast', '--budget', 'lots');
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toMatch(/--budget.*number of dollars/);
    const badPort = await cli(['serve', '--port', '99999']);
    expect(badPort.code).toBe(2);
  });

  it('refuses a run over budget with exit 1 and the reason', async () => {
    const result = await smokeRun('sandbox:sandbox-pro', '--budget', '0.10');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/over the \$0\.10 budget/);
  });

  it('refuses an unknown suite with exit 1, naming the suites there are', async () => {
    const result = await cli([
      'bench',
      'plan',
      '--suite',
      'nope',
      '--models',
      'sandbox:sandbox-fast',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no suite "nope" \(suites in this data folder: smoke, standard\)/,
    );
  });
});
