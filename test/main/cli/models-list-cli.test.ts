/**
 * Names a CLI user needs and the console's screens show: `aideon models list` (every model by
 * provider, with the id `--models` takes, its price and whether the provider has a key) and
 * `aideon bench suites`; a mistyped model id is answered with the ids it was probably meant to
 * be and where to see them all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cliInFreshDir } from '../../helpers/cli-in-process';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => cliInFreshDir(cleanups, args, env);

describe('aideon models list', () => {
  it('lists each provider with its key state and its models as --models writes them', async () => {
    const result = await cli(['models', 'list'], { LUMAAI_API_KEY: 'luma-list-test-key-0001' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Luma \(key set\)$/m);
    expect(result.stdout).toMatch(
      /^Runway \(no key: add it in Settings, or set RUNWAYML_API_SECRET\)$/m,
    );
    expect(result.stdout).toMatch(/^ {2}luma:ray-2 +Luma Ray 2 +text, image → video +5, 9 s +/m);
    // A run of whole seconds is shortened.
    expect(result.stdout).toMatch(/^ {2}runway:gen4\.5 .* 2–10 s /m);
    expect(result.stdout).toMatch(
      /^ {2}sandbox:sandbox-fast +Sandbox Fast +text, image → video \+ audio/m,
    );
    // Keys never reach the output.
    expect(result.stdout).not.toContain('luma-list-test-key');
  });

  it('keeps to one provider with --provider, and prints JSON with --json', async () => {
    const one = await cli(['models', 'list', '--provider', 'luma', '--json']);
    expect(one.code).toBe(0);
    const models = JSON.parse(one.stdout) as {
      provider: string;
      modelId: string;
      keySet: boolean;
    }[];
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models.map((model) => model.provider))).toEqual(new Set(['luma']));
    expect(models.every((model) => model.keySet === false)).toBe(true);
  });

  it('refuses an unknown provider naming the ones there are (exit 2)', async () => {
    const result = await cli(['models', 'list', '--provider', 'openai']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"openai" is not a provider; one of sandbox, together, runway');
  });
});

describe('aideon bench suites', () => {
  it('lists the built-in suites with their ids for --suite', async () => {
    const result = await cli(['bench', 'suites']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^smoke +Smoke \(3 prompts\) +3 +v1 +built-in$/m);
    expect(result.stdout).toMatch(/^standard +/m);
  });
});

describe('a mistyped model id', () => {
  it('is answered with the likely ids and where to see them all (exit 1)', async () => {
    const result = await cli([
      'bench',
      'plan',
      '--suite',
      'smoke',
      '--models',
      'sandbox:sandbox-fst',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Sandbox (simulated) has no model "sandbox-fst". Did you mean "sandbox-fast"',
    );
    expect(result.stderr).toContain('(aideon models list shows the models of every provider)');
  });

  it('at a vendor, by a part of the id', async () => {
    const result = await cli(['bench', 'plan', '--suite', 'smoke', '--models', 'luma:ray2'], {
      LUMAAI_API_KEY: 'luma-list-test-key-0001',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Luma has no model "ray2". Did you mean "ray-2"?');
  });

  it('is not what a provider without a key is told', async () => {
    const result = await cli(['bench', 'plan', '--suite', 'smoke', '--models', 'luma:ray-2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Luma has no API key: add it in Settings, or set LUMAAI_API_KEY for the CLI and browser mode.',
    );
    expect(result.stderr).not.toContain('aideon models list');
  });
});
