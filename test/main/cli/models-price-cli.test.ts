/**
 * `aideon models price set|list|clear`: an admin enters a model's price from the command line;
 * `bench plan` then shows the model's exact estimate marked as admin-entered. Bad input exits 2
 * naming the option; nothing is stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function dataDir(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

// A key, so the plan can resolve Replicate's models (nothing is sent by a plan).
const cli = (dir: string, args: string[]) =>
  cliIn(dir, args, { REPLICATE_API_TOKEN: 'r8_models_price_cli_000001', AIDEON_ACTOR: 'bob' });

const PLAN = ['bench', 'plan', '--suite', 'smoke', '--models', 'replicate:minimax/video-01'];

describe('aideon models price', () => {
  it('set → bench plan uses it (no "≤"), list shows who and when, clear goes back', async () => {
    const dir = dataDir();
    const before = await cli(dir, PLAN);
    expect(before.stdout).toMatch(/replicate:minimax\/video-01 {2}3 × ≤ \$/);

    const set = await cli(dir, [
      'models',
      'price',
      'set',
      'replicate:minimax/video-01',
      '--per-second',
      '$0.10',
    ]);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(
      /^Price of MiniMax Video-01 \(replicate:minimax\/video-01\): \$0\.10\/s \(admin-entered, as of \d+ \w+ \d{4}\)\./,
    );

    const plan = await cli(dir, PLAN);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/generations, estimated \$1\.80\n/);
    expect(plan.stdout).toMatch(
      /replicate:minimax\/video-01 {2}3 × ≈ \$0\.60 = \$1\.80 {2}\(admin-entered price, as of \d+ \w+ \d{4}\)\n/,
    );
    expect(plan.stdout).not.toMatch(/≤|price unknown|^note:/m);

    const list = await cli(dir, ['models', 'price', 'list']);
    expect(list.stdout).toMatch(
      /^replicate:minimax\/video-01 {2}\$0\.10 per second of video {2}\(admin-entered by bob, as of \d+ \w+ \d{4}\)\n$/,
    );
    const json = await cli(dir, ['models', 'price', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { provider: 'replicate', modelId: 'minimax/video-01', entry: { unit: 'second', usd: 0.1 } },
    ]);

    const clear = await cli(dir, ['models', 'price', 'clear', 'replicate:minimax/video-01']);
    expect(clear.code).toBe(0);
    expect(clear.stdout).toMatch(/Cleared the entered price .* Its price is now: price unknown\./);
    expect((await cli(dir, PLAN)).stdout).toMatch(/3 × ≤ \$/);
    expect((await cli(dir, ['models', 'price', 'list'])).stdout).toMatch(/^No prices entered/);
  });

  it.each([
    [['--per-second', '0'], /--per-second\/--per-clip: must be more than \$0/],
    [['--per-second', 'cheap'], /--per-second\/--per-clip: must be a number of dollars/],
    [['--per-clip', '5000'], /--per-second\/--per-clip: must be at most \$100\.00 per clip/],
    [['--per-second', '0.1', '--per-clip', '1'], /give exactly one/],
    [[], /give exactly one/],
    [
      ['--per-second', '0.1', '--resolution', '4k=0.3'],
      /--resolution 4k: this model does not offer 4k/,
    ],
    [['--per-second', '0.1', '--audio', '0.05'], /--audio: this model does not generate audio/],
  ])('refuses %j with exit 2, naming the option, and stores nothing', async (options, message) => {
    const dir = dataDir();
    const result = await cli(dir, [
      'models',
      'price',
      'set',
      'replicate:minimax/video-01',
      ...options,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^aideon: Invalid price for replicate:minimax\/video-01: /);
    expect(result.stderr).toMatch(message);
    expect((await cli(dir, ['models', 'price', 'list'])).stdout).toMatch(/^No prices entered/);
  });

  it('history: each replaced or cleared price, who entered it and who ended it, newest first', async () => {
    const dir = dataDir();
    const MODEL = 'replicate:minimax/video-01';
    expect((await cli(dir, ['models', 'price', 'history', MODEL])).stdout).toBe(
      'replicate:minimax/video-01 has no earlier entered prices.\n',
    );
    await cli(dir, ['models', 'price', 'set', MODEL, '--per-second', '0.10']);
    await cli(dir, ['models', 'price', 'set', MODEL, '--per-clip', '0.90']);
    await cli(dir, ['models', 'price', 'clear', MODEL]);
    const history = await cli(dir, ['models', 'price', 'history', MODEL]);
    expect(history.code).toBe(0);
    expect(history.stdout.split('\n')).toEqual([
      expect.stringMatching(
        /^\$0\.90 per clip {2}entered by bob on \d+ \w+ \d{4}, cleared by bob on \d+ \w+ \d{4}$/,
      ),
      expect.stringMatching(
        /^\$0\.10 per second of video {2}entered by bob on \d+ \w+ \d{4}, replaced by bob on /,
      ),
      '',
    ]);
    const json = JSON.parse(
      (await cli(dir, ['models', 'price', 'history', MODEL, '--json'])).stdout,
    );
    expect(json).toMatchObject([
      { unit: 'clip', usd: 0.9, endedHow: 'cleared' },
      { unit: 'second', usd: 0.1, endedHow: 'replaced' },
    ]);
    // A clear with nothing entered adds nothing.
    await cli(dir, ['models', 'price', 'clear', MODEL]);
    expect(
      JSON.parse((await cli(dir, ['models', 'price', 'history', MODEL, '--json'])).stdout),
    ).toHaveLength(2);
  });

  it('names a bad model reference and an unknown model', async () => {
    const dir = dataDir();
    const bad = await cli(dir, ['models', 'price', 'set', 'veo-3', '--per-second', '0.1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"veo-3" is not a model reference; write it as provider:model/);
    const unknown = await cli(dir, [
      'models',
      'price',
      'set',
      'replicate:nobody/nothing',
      '--per-second',
      '0.1',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Replicate has no model "nobody\/nothing"/);
  });
});
