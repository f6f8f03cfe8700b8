/**
 * The `config` commands without `--store` use the store this data folder publishes to (set
 * with `config store set`, as Publishing → Store does), like `rollout` and `config history`
 * always did; each plan names the store it acts on. And the routing checks' warnings reach the
 * admin who publishes from the CLI: a config that routes to the simulated sandbox is signed
 * (warnings do not block), but the dry run and the signed outcome both say that production
 * cannot make real videos with it. `--file` takes YAML as `config validate` does.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
const env = { AIDEON_KEY_PASSPHRASE: 'correct horse battery staple' };
const cli = (...args: string[]) => cliIn(join(dir, 'data'), args, env);
const SANDBOX_CONFIG = 'resources/routing/sandbox-example-config.json';

beforeAll(() => {
  ({ dir, cleanup } = tempDir('aideon-publish-store-'));
});
afterAll(() => cleanup());

describe('config commands on the console store, with the checks’ warnings', () => {
  it('trust init, publish, promote, verify and history all use the store set for the folder', async () => {
    const key = await cli('keys', 'generate', '--name', 'alice', '--json');
    expect(key.code).toBe(0);
    const kid = (JSON.parse(key.stdout) as { kid: string }).kid;
    const storeDir = join(dir, 'shared-store');
    const store = `dir:${storeDir}`;
    expect((await cli('config', 'store', 'set', store)).code).toBe(0);

    const trust = await cli('config', 'trust', 'init', '--keys', kid);
    expect(trust.stderr).toBe('');
    expect(trust.code).toBe(0);
    expect(trust.stdout).toContain(store);
    expect(existsSync(join(storeDir, 'dev', 'trust.json'))).toBe(true);
    // Nothing went to the folder's default store.
    expect(existsSync(join(dir, 'data', 'config-store', 'dev'))).toBe(false);

    // The vendor example without keys or evidence: its dry run lists the errors and does not
    // offer --yes.
    const refused = await cli(
      'config',
      'publish',
      '--env',
      'dev',
      '--file',
      'resources/routing/example-config.json',
    );
    expect(refused.code).toBe(0);
    expect(refused.stdout).toContain(
      'The routing checks refuse this config (it cannot be signed):\n  ! ',
    );
    expect(refused.stdout).toMatch(
      /Fix the errors above first: nothing is signed while they remain\.\n$/,
    );
    expect(refused.stdout).not.toContain('--yes');

    const dryRun = await cli('config', 'publish', '--env', 'dev', '--file', SANDBOX_CONFIG);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/^Publishing to dev would make version 1 \(now 0\)/);
    expect(dryRun.stdout).toContain(`  store: ${store}\n`);
    expect(dryRun.stdout).toContain('The routing checks warn (signing is allowed):');
    expect(dryRun.stdout).toMatch(/ {2}~ tiers\.free\.targets\.0\.provider: .*simulated sandbox/);
    expect(dryRun.stdout).toMatch(/Run again with --yes to sign and publish\.\n$/);

    const signed = await cli(
      'config',
      'publish',
      '--env',
      'dev',
      '--file',
      SANDBOX_CONFIG,
      '--yes',
    );
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(/^dev is now at version 1 /);
    // --yes skips the dry run: the warning is said after signing.
    expect(signed.stdout).toMatch(
      /Signed, but note what the routing checks warn about:\n {2}~ [^]*simulated sandbox/,
    );

    // YAML, as config validate reads it: the same content is the same config (nothing new to
    // sign); a file that does not parse is refused naming its line, and nothing is signed.
    const yamlFile = join(dir, 'sandbox.yaml');
    writeFileSync(yamlFile, stringify(JSON.parse(readFileSync(SANDBOX_CONFIG, 'utf8'))));
    const same = await cli('config', 'publish', '--env', 'dev', '--file', yamlFile, '--yes');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(
      /^dev already runs this content \(version 1\); nothing published\./,
    );
    const brokenFile = join(dir, 'broken.yaml');
    writeFileSync(brokenFile, 'schemaVersion: 1\ntiers:\n  free: [unclosed\n');
    const broken = await cli('config', 'publish', '--env', 'dev', '--file', brokenFile, '--yes');
    expect(broken.code).toBe(2);
    expect(broken.stdout).toContain(`${brokenFile}:`);
    expect(broken.stdout).toContain('The file is not valid YAML');
    const list = join(dir, 'list.json');
    writeFileSync(list, '[1, 2]');
    const notObject = await cli('config', 'publish', '--env', 'dev', '--file', list);
    expect(notObject.code).toBe(2);
    expect(notObject.stdout).toContain(`${list} must hold a routing config object`);

    const promoted = await cli('config', 'promote', '--to', 'staging', '--yes', '--json');
    expect(promoted.code).toBe(0);
    const outcome = JSON.parse(promoted.stdout) as {
      status: string;
      environment: string;
      warnings: { path: string; message: string }[];
    };
    expect(outcome).toMatchObject({ status: 'published', environment: 'staging' });
    expect(outcome.warnings.map((warning) => warning.path)).toContain(
      'tiers.free.targets.0.provider',
    );

    const verified = await cli(
      'config',
      'verify',
      '--env',
      'staging',
      '--trust',
      join(storeDir, 'staging', 'trust.json'),
    );
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toMatch(/^ok: staging version 1/);

    const history = await cli('config', 'history', '--json');
    expect(history.code).toBe(0);
    const entries = (JSON.parse(history.stdout) as { entries: { action: string }[] }).entries;
    expect(entries.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['publish', 'promote']),
    );

    // The example's flag is a plain split, so it can be ramped as it is (a flag with its own
    // targeting rule cannot: the ramp would overwrite it).
    const started = await cli(
      'rollout',
      'start',
      '--env',
      'dev',
      '--flag',
      'premium-pro-video',
      '--on',
      'on',
      '--off',
      'off',
      '--steps',
      '50,100',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect((await cli('rollout', 'status', '--env', 'dev')).stdout).toMatch(
      /premium-pro-video {2}running {2}50% on "on", the rest "off" \(step 1 of 2\)/,
    );

    // --store still chooses another store: nothing is live there.
    const other = await cli(
      'config',
      'promote',
      '--store',
      `dir:${join(dir, 'other-store')}`,
      '--to',
      'staging',
    );
    expect(other.code).not.toBe(0);
    expect(other.stdout + other.stderr).toMatch(/trust|nothing live/i);
  });

  it('a new key says how to put it in the trust file', async () => {
    const generated = await cliIn(join(dir, 'other'), ['keys', 'generate', '--name', 'bob'], env);
    expect(generated.code).toBe(0);
    const kid = /kid: (\S+)/.exec(generated.stdout)?.[1];
    expect(kid).toBeTruthy();
    expect(generated.stdout).toContain(
      `aideon config trust init --keys ${kid} for a store without one`,
    );
    expect(generated.stdout).toContain('aideon config trust rotate --keys');
  });
});
